import { is, options } from '../util/args.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  adaptiveAvgPool2d, avgPool1d, avgPool2d, globalAvgPool1d, globalAvgPool2d, globalMaxPool1d, globalMaxPool2d,
  maxPool1d, maxPool2d, type Pool1dOptions, type Pool2dOptions,
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

/** Max over windows of [N, C, H, W]. @example new nn.MaxPool2d({ kernelSize: 2 }) // halves H and W */
export class MaxPool2d extends Module {
  readonly options: PairOpts;
  constructor(opts: Pool2dOptions) {
    super();
    this.options = pairOptions(options<Pool2dOptions>('MaxPool2d', opts, POOL2D, ['kernelSize']));
  }
  forward(x: Tensor): Tensor {
    expectRank('MaxPool2d', x, 4);
    return maxPool2d(x, this.options);
  }
}

/** Mean over windows of [N, C, H, W] (padding counts in the divisor). */
export class AvgPool2d extends Module {
  readonly options: PairOpts;
  constructor(opts: Pool2dOptions) {
    super();
    this.options = pairOptions(options<Pool2dOptions>('AvgPool2d', opts, POOL2D, ['kernelSize']));
  }
  forward(x: Tensor): Tensor {
    expectRank('AvgPool2d', x, 4);
    return avgPool2d(x, this.options);
  }
}

/** Max over windows of [N, C, L]. @example new nn.MaxPool1d({ kernelSize: 3, stride: 2 }) */
export class MaxPool1d extends Module {
  readonly options: Required<Pool1dOptions>;
  constructor(opts: Pool1dOptions) {
    super();
    options<Pool1dOptions>('MaxPool1d', opts, POOL1D, ['kernelSize']);
    this.options = { kernelSize: opts.kernelSize, stride: opts.stride ?? opts.kernelSize, padding: opts.padding ?? 0 };
  }
  forward(x: Tensor): Tensor {
    expectRank('MaxPool1d', x, 3);
    return maxPool1d(x, this.options);
  }
}

/** Mean over windows of [N, C, L]. */
export class AvgPool1d extends Module {
  readonly options: Required<Pool1dOptions>;
  constructor(opts: Pool1dOptions) {
    super();
    options<Pool1dOptions>('AvgPool1d', opts, POOL1D, ['kernelSize']);
    this.options = { kernelSize: opts.kernelSize, stride: opts.stride ?? opts.kernelSize, padding: opts.padding ?? 0 };
  }
  forward(x: Tensor): Tensor {
    expectRank('AvgPool1d', x, 3);
    return avgPool1d(x, this.options);
  }
}

/**
 * Average pooling to a fixed [outH, outW] whatever the input size (null keeps an axis).
 * @example new nn.AdaptiveAvgPool2d({ outputSize: 6 }) // AlexNet's [N, 256, *, *] -> [N, 256, 6, 6]
 */
export class AdaptiveAvgPool2d extends Module {
  readonly options: { outputSize: [number | null, number | null] };
  constructor(opts: { outputSize: number | readonly [number | null, number | null] }) {
    super();
    options<{ outputSize: unknown }>('AdaptiveAvgPool2d', opts, {
      outputSize: is.anyOf(is.positiveInt, is.arrayOf(is.anyOf(is.positiveInt, is.oneOf([null])), 2)),
    }, ['outputSize']);
    const s = opts.outputSize;
    this.options = { outputSize: typeof s === 'number' ? [s, s] : [s[0], s[1]] };
  }
  forward(x: Tensor): Tensor {
    expectRank('AdaptiveAvgPool2d', x, 4);
    return adaptiveAvgPool2d(x, this.options.outputSize);
  }
}

type NoOptions = Record<string, never>;

/** Largest value per channel: [N, C, L] -> [N, C] (Keras's GlobalMaxPooling1D). */
export class GlobalMaxPool1d extends Module {
  readonly options: NoOptions = {};
  forward(x: Tensor): Tensor {
    expectRank('GlobalMaxPool1d', x, 3);
    return globalMaxPool1d(x);
  }
}

/** Mean per channel: [N, C, L] -> [N, C]. */
export class GlobalAvgPool1d extends Module {
  readonly options: NoOptions = {};
  forward(x: Tensor): Tensor {
    expectRank('GlobalAvgPool1d', x, 3);
    return globalAvgPool1d(x);
  }
}

/** Largest value per channel: [N, C, H, W] -> [N, C]. */
export class GlobalMaxPool2d extends Module {
  readonly options: NoOptions = {};
  forward(x: Tensor): Tensor {
    expectRank('GlobalMaxPool2d', x, 4);
    return globalMaxPool2d(x);
  }
}

/** Mean per channel: [N, C, H, W] -> [N, C]. */
export class GlobalAvgPool2d extends Module {
  readonly options: NoOptions = {};
  forward(x: Tensor): Tensor {
    expectRank('GlobalAvgPool2d', x, 4);
    return globalAvgPool2d(x);
  }
}

// Explicit names, so that saved models and the printed model survive a minifier.
register(MaxPool2d, 'MaxPool2d');
register(AvgPool2d, 'AvgPool2d');
register(MaxPool1d, 'MaxPool1d');
register(AvgPool1d, 'AvgPool1d');
register(AdaptiveAvgPool2d, 'AdaptiveAvgPool2d');
register(GlobalMaxPool1d, 'GlobalMaxPool1d');
register(GlobalAvgPool1d, 'GlobalAvgPool1d');
register(GlobalMaxPool2d, 'GlobalMaxPool2d');
register(GlobalAvgPool2d, 'GlobalAvgPool2d');
