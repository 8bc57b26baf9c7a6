import type { Tensor } from '../tensor/tensor.js';
import { checkConvInput, convAct, convSpec, type Padding } from '../ops/conv.js';
import { check } from '../util/errors.js';
import { is, options } from '../util/args.js';
import { kaimingUniform, parameter, uniform } from './init.js';
import { Module } from './module.js';
import { register } from './registry.js';

type Pair = number | readonly [number, number];

export interface Conv2dOptions {
  inChannels: number;
  outChannels: number;
  /** Kernel size: a number or an [h, w] pair. */
  kernelSize: Pair;
  /** Default 1. */
  stride?: Pair;
  /** A number, an [h, w] pair, 'valid' or 'same' (stride 1 only). Default 0. */
  padding?: Padding;
  /** Default 1. */
  dilation?: Pair;
  /** Split channels into independent groups; must divide inChannels and outChannels. Default 1. */
  groups?: number;
  /** Learn a per-channel bias (default true). */
  bias?: boolean;
}

export interface Conv1dOptions {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  stride?: number;
  padding?: number | 'same' | 'valid';
  dilation?: number;
  groups?: number;
  bias?: boolean;
}

const asPair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

function checkLayerOptions<T extends Conv1dOptions | Conv2dOptions>(layer: string, opts: T, n: 1 | 2): T {
  const kernelSize = n === 1 ? is.positiveInt : is.intOrTuple(2);
  const spec = { inChannels: is.positiveInt, outChannels: is.positiveInt, kernelSize, bias: is.bool, ...convSpec(n) };
  return options<Conv2dOptions>(layer, opts, spec, ['inChannels', 'outChannels', 'kernelSize']) as T;
}

function checkChannels(layer: string, o: { inChannels: number; outChannels: number; groups: number }): void {
  for (const [k, v] of [
    ['inChannels', o.inChannels],
    ['outChannels', o.outChannels],
    ['groups', o.groups],
  ] as const) {
    check(Number.isInteger(v) && v > 0, layer, () => `${k} must be a positive integer, got ${String(v)}`);
  }
  check(
    o.inChannels % o.groups === 0 && o.outChannels % o.groups === 0,
    layer,
    () => `groups (${o.groups}) must divide both inChannels (${o.inChannels}) and outChannels (${o.outChannels})`,
  );
}

/**
 * PyTorch's initialisation of a convolution: weight kaiming-uniform with a = √5, i.e.
 * U(±1/√fanIn), and bias U(±1/√fanIn), with fanIn = inChannels/groups · kernel area.
 */
function initConv(shape: number[], bias: boolean): { weight: Tensor; bias: Tensor | null } {
  const weight = kaimingUniform(parameter(shape), { a: Math.sqrt(5) });
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
  const bound = 1 / Math.sqrt(fanIn);
  return { weight, bias: bias ? uniform(parameter([shape[0]]), { low: -bound, high: bound }) : null };
}

/**
 * 2-D convolution layer over [N, inChannels, H, W] (see F.conv2d): weight
 * [outChannels, inChannels/groups, kh, kw], bias [outChannels].
 * @example
 * const conv = new nn.Conv2d({ inChannels: 1, outChannels: 32, kernelSize: 3 });
 * conv.forward(x); // [8, 1, 28, 28] -> [8, 32, 26, 26]
 */
export class Conv2d extends Module {
  readonly options: {
    inChannels: number;
    outChannels: number;
    kernelSize: [number, number];
    stride: [number, number];
    padding: [number, number] | 'same' | 'valid';
    dilation: [number, number];
    groups: number;
    bias: boolean;
  };
  weight: Tensor;
  bias: Tensor | null;

  constructor(given: Conv2dOptions) {
    super();
    const opts = checkLayerOptions('Conv2d', given, 2);
    const { inChannels, outChannels, groups = 1, bias = true } = opts;
    checkChannels('Conv2d', { inChannels, outChannels, groups });
    const padding = opts.padding ?? 0;
    this.options = {
      inChannels,
      outChannels,
      groups,
      bias,
      kernelSize: asPair(opts.kernelSize),
      stride: asPair(opts.stride ?? 1),
      padding: typeof padding === 'string' ? padding : asPair(padding),
      dilation: asPair(opts.dilation ?? 1),
    };
    const o = this.options;
    check(
      o.padding !== 'same' || (o.stride[0] === 1 && o.stride[1] === 1),
      'Conv2d',
      () => `padding 'same' requires stride 1, got stride [${o.stride.join(',')}]`,
    );
    const p = initConv([outChannels, inChannels / groups, ...o.kernelSize], bias);
    this.weight = p.weight;
    this.bias = p.bias;
  }

  forward(x: Tensor): Tensor {
    const o = this.options;
    checkConvInput('Conv2d', x, this.weight.shape, o.groups);
    // The options were checked when the layer was built; they carry layer keys F.conv2d rejects.
    return convAct(x, this.weight, this.bias, o, false);
  }
}

/**
 * 1-D convolution layer over [N, inChannels, L] (see F.conv1d): weight [outChannels, inChannels/groups, k].
 * @example new nn.Conv1d({ inChannels: 4, outChannels: 32, kernelSize: 12 }) // one-hot DNA [N, 4, L] -> [N, 32, L - 11]
 */
export class Conv1d extends Module {
  readonly options: Required<Conv1dOptions>;
  weight: Tensor;
  bias: Tensor | null;

  constructor(given: Conv1dOptions) {
    super();
    const opts = checkLayerOptions('Conv1d', given, 1);
    const { inChannels, outChannels, kernelSize, stride = 1, padding = 0, dilation = 1, groups = 1, bias = true } = opts;
    checkChannels('Conv1d', { inChannels, outChannels, groups });
    check(padding !== 'same' || stride === 1, 'Conv1d', () => `padding 'same' requires stride 1, got stride ${stride}`);
    this.options = { inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias };
    const p = initConv([outChannels, inChannels / groups, kernelSize], bias);
    this.weight = p.weight;
    this.bias = p.bias;
  }

  forward(x: Tensor): Tensor {
    checkConvInput('Conv1d', x, this.weight.shape, this.options.groups);
    return convAct(x, this.weight, this.bias, this.options, false);
  }
}

// Explicit names, so that saved models and the printed model survive a minifier.
register(Conv2d, 'Conv2d');
register(Conv1d, 'Conv1d');
