import { is, options, type Spec } from '../util/args.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  adaptiveAvgPool2d,
  avgPool1d,
  avgPool2d,
  globalAvgPool1d,
  globalAvgPool2d,
  globalMaxPool1d,
  globalMaxPool2d,
  maxPool1d,
  maxPool2d,
  type Pool1dOptions,
  type Pool2dOptions,
} from '../ops/pool.js';
import type { Pair } from '../ops/conv.js';

export type { Pool1dOptions, Pool2dOptions };
import { check, fmtShape } from '../util/errors.js';
import { Module } from './module.js';
import { register } from './registry.js';

type PairOpts = { kernelSize: [number, number]; stride: [number, number]; padding: [number, number] };

const asPair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/** Throws, naming the layer, unless x has the rank the layer expects. */
function expectRank(layer: string, x: Tensor, rank: number): void {
  const names = rank === 2 ? '[N,C]' : rank === 3 ? '[N,C,L]' : '[N,C,H,W]';
  check(x.ndim === rank, layer, () => `expected a ${rank}-D input ${names}, got shape ${fmtShape(x.shape)}`);
}

const POOL2D = { kernelSize: is.intOrTuple(2), stride: is.intOrTuple(2), padding: is.intOrTuple(2, 0) };
const POOL1D = { kernelSize: is.positiveInt, stride: is.positiveInt, padding: is.nonNegativeInt };

function pairOptions(o: Pool2dOptions): PairOpts {
  const kernelSize = asPair(o.kernelSize);
  return { kernelSize, stride: o.stride === undefined ? kernelSize : asPair(o.stride), padding: asPair(o.padding ?? 0) };
}

/** A pooling layer class: options checked and normalised once, the rank checked on every call. */
export type PoolClass<O extends object, N> = new (opts: O) => Module & {
  readonly options: N;
  forward(x: Tensor): Tensor;
};

/**
 * The pooling layers, each made from its function by one factory (as the activations are): the
 * layer checks its options against spec (with `required`), keeps them normalised in `options`
 * (what save/load writes), registers itself under its name, and checks the input's rank.
 */
function poolLayer<O extends object, N>(
  name: string,
  rank: number,
  fn: (x: Tensor, o: N) => Tensor,
  spec: Spec<O>,
  normalise: (o: O) => N,
  required: (keyof O & string)[] = [],
): PoolClass<O, N> {
  const cls = class extends Module {
    readonly options: N;
    constructor(opts?: O) {
      super();
      this.options = normalise(options<O>(name, opts ?? ({} as O), spec, required));
    }
    forward(x: Tensor): Tensor {
      expectRank(name, x, rank);
      return fn(x, this.options);
    }
  };
  // The class's own name (for the printed model) and the registered one (for save/load).
  Object.defineProperty(cls, 'name', { value: name });
  register(cls, name);
  return cls as unknown as PoolClass<O, N>;
}

const pool1dOptions = (o: Pool1dOptions): Required<Pool1dOptions> => ({
  kernelSize: o.kernelSize,
  stride: o.stride ?? o.kernelSize,
  padding: o.padding ?? 0,
});

/** Max over windows of [N, C, H, W]. @example new nn.MaxPool2d({ kernelSize: 2 }) // halves H and W */
export const MaxPool2d = poolLayer('MaxPool2d', 4, maxPool2d, POOL2D, pairOptions, ['kernelSize']);
export type MaxPool2d = InstanceType<typeof MaxPool2d>;
/** Mean over windows of [N, C, H, W] (padding counts in the divisor). */
export const AvgPool2d = poolLayer('AvgPool2d', 4, avgPool2d, POOL2D, pairOptions, ['kernelSize']);
export type AvgPool2d = InstanceType<typeof AvgPool2d>;
/** Max over windows of [N, C, L]. @example new nn.MaxPool1d({ kernelSize: 3, stride: 2 }) */
export const MaxPool1d = poolLayer('MaxPool1d', 3, maxPool1d, POOL1D, pool1dOptions, ['kernelSize']);
export type MaxPool1d = InstanceType<typeof MaxPool1d>;
/** Mean over windows of [N, C, L]. */
export const AvgPool1d = poolLayer('AvgPool1d', 3, avgPool1d, POOL1D, pool1dOptions, ['kernelSize']);
export type AvgPool1d = InstanceType<typeof AvgPool1d>;

/**
 * Average pooling to a fixed [outH, outW] whatever the input size (null keeps an axis).
 * @example new nn.AdaptiveAvgPool2d({ outputSize: 6 }) // AlexNet's [N, 256, *, *] -> [N, 256, 6, 6]
 */
export class AdaptiveAvgPool2d extends Module {
  readonly options: { outputSize: [number | null, number | null] };
  constructor(opts: { outputSize: number | readonly [number | null, number | null] }) {
    super();
    options<{ outputSize: unknown }>(
      'AdaptiveAvgPool2d',
      opts,
      {
        outputSize: is.anyOf(is.positiveInt, is.arrayOf(is.anyOf(is.positiveInt, is.oneOf([null])), 2)),
      },
      ['outputSize'],
    );
    const s = opts.outputSize;
    this.options = { outputSize: typeof s === 'number' ? [s, s] : [s[0], s[1]] };
  }
  forward(x: Tensor): Tensor {
    expectRank('AdaptiveAvgPool2d', x, 4);
    return adaptiveAvgPool2d(x, this.options.outputSize);
  }
}

type NoOptions = Record<string, never>;

/** A global pooling layer: no options (an unknown one is refused), one value per channel. */
function globalPool(name: string, rank: number, fn: (x: Tensor) => Tensor) {
  return poolLayer<NoOptions, NoOptions>(name, rank, fn, {}, () => ({})) as new (
    opts?: NoOptions,
  ) => InstanceType<PoolClass<NoOptions, NoOptions>>;
}

/** Largest value per channel: [N, C, L] -> [N, C] (Keras's GlobalMaxPooling1D). */
export const GlobalMaxPool1d = globalPool('GlobalMaxPool1d', 3, globalMaxPool1d);
export type GlobalMaxPool1d = InstanceType<typeof GlobalMaxPool1d>;
/** Mean per channel: [N, C, L] -> [N, C]. */
export const GlobalAvgPool1d = globalPool('GlobalAvgPool1d', 3, globalAvgPool1d);
export type GlobalAvgPool1d = InstanceType<typeof GlobalAvgPool1d>;
/** Largest value per channel: [N, C, H, W] -> [N, C]. */
export const GlobalMaxPool2d = globalPool('GlobalMaxPool2d', 4, globalMaxPool2d);
export type GlobalMaxPool2d = InstanceType<typeof GlobalMaxPool2d>;
/** Mean per channel: [N, C, H, W] -> [N, C]. */
export const GlobalAvgPool2d = globalPool('GlobalAvgPool2d', 4, globalAvgPool2d);
export type GlobalAvgPool2d = InstanceType<typeof GlobalAvgPool2d>;

// Explicit names, so that saved models and the printed model survive a minifier.
register(AdaptiveAvgPool2d, 'AdaptiveAvgPool2d');
