import { arg, is } from '../util/args.js';
import { kernels } from '../kernels/index.js';
import { markParameter } from '../tensor/param.js';
import { Tensor, bumpVersion } from '../tensor/tensor.js';
import { sizeOf } from '../util/shape.js';
import { TsgradError, check, fmtShape } from '../util/errors.js';
import { rng } from '../util/rng.js';

const IS_TENSOR = is.instance(Tensor);

/**
 * Weight initialisation, PyTorch's torch.nn.init with camelCase names. Every function
 * writes into the tensor's storage in place (no graph is recorded), draws from the one
 * seeded generator (`manualSeed`), and returns the tensor.
 *
 * @example
 * const w = zeros([256, 784], { requiresGrad: true });
 * init.kaimingNormal(w, { nonlinearity: 'relu' }); // std = √2 / √784
 */

/**
 * A zeroed float32 parameter of the given shape (requiresGrad), for the layers to initialise
 * in place. Its storage comes from the kernels, which may keep it where they read it without
 * a copy each step (the wasm heap: the Keras CNN's weights and their Adam update no longer
 * cross the heap boundary); to everything else it is an ordinary Float32Array.
 * @example const w = kaimingUniform(parameter([128, 784]));
 */
export function parameter(shape: readonly number[]): Tensor {
  arg('parameter', 'shape', shape, is.shape);
  const t = new Tensor(kernels().persistentBuffer(sizeOf(shape)), shape);
  t.requiresGrad = true;
  return markParameter(t);
}

export type Nonlinearity =
  'linear' | 'identity' | 'conv1d' | 'conv2d' | 'conv3d' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'leaky_relu' | 'selu';

export type FanMode = 'fanIn' | 'fanOut';

/** Fills the tensor's elements from f(i), in place. */
function fill(op: string, t: Tensor, f: () => number): Tensor {
  check(t.dtype !== 'int32', `init.${op}`, () => `expects a floating-point tensor, got int32 of shape ${fmtShape(t.shape)}`);
  check(t.isContiguous(), `init.${op}`, () => `expects a dense tensor, got a strided view of shape ${fmtShape(t.shape)}`);
  const data = t.storage;
  const end = t.offset + t.size;
  for (let i = t.offset; i < end; i++) data[i] = f();
  bumpVersion(data);
  return t;
}

/**
 * The recommended gain for a nonlinearity (PyTorch's calculate_gain): 1 for linear,
 * convolutions and sigmoid, 5/3 for tanh, √2 for relu, √(2 / (1 + slope²)) for leaky relu
 * (param = negative slope, default 0.01), 3/4 for selu.
 * @example nn.init.calculateGain('leakyRelu', 0.2) // √(2 / 1.04) ≈ 1.387
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'identity':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu':
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new TsgradError(
        `init.calculateGain: unknown nonlinearity '${String(nonlinearity)}' ` +
          '(expected linear, sigmoid, tanh, relu, leakyRelu, selu or convNd)',
      );
  }
}

/**
 * PyTorch's fan rules: a weight [out, in, k1, k2, ...] has fanIn = in · k1·k2·… and
 * fanOut = out · k1·k2·… (the receptive field multiplies both). Needs at least 2 dims.
 * @example nn.init.fanInOut([32, 1, 3, 3]) // { fanIn: 9, fanOut: 288 }
 */
export function fanInOut(shape: readonly number[]): { fanIn: number; fanOut: number } {
  arg('fanInOut', 'shape', shape, is.shape);
  if (shape.length < 2) {
    throw new TsgradError(`init.fanInOut: fan in and fan out need a tensor with at least 2 dimensions, got shape ${fmtShape(shape)}`);
  }
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i];
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

/**
 * U(low, high), in place, like torch.nn.init.uniform_ (defaults 0 and 1).
 * @example nn.init.uniform(zeros([3, 4]), { low: -0.1, high: 0.1 })
 */
export function uniform(t: Tensor, opts: { low?: number; high?: number } = {}): Tensor {
  arg('uniform', 't', t, IS_TENSOR);
  const { low = 0, high = 1 } = opts;
  return fill('uniform', t, () => low + (high - low) * rng.random());
}

/**
 * N(mean, std²), in place, like torch.nn.init.normal_ (defaults 0 and 1).
 * @example nn.init.normal(zeros([1000, 64]), { std: 0.01 }) // NCF's embeddings
 */
export function normal(t: Tensor, opts: { mean?: number; std?: number } = {}): Tensor {
  arg('normal', 't', t, IS_TENSOR);
  const { mean = 0, std = 1 } = opts;
  return fill('normal', t, () => mean + std * rng.normal());
}

/**
 * Every element set to value, in place, like torch.nn.init.constant_.
 * @example nn.init.constant(zeros([10]), 0.1) // a bias of 0.1 everywhere
 */
export function constant(t: Tensor, value: number): Tensor {
  arg('constant', 't', t, IS_TENSOR);
  return fill('constant', t, () => value);
}

/**
 * Every element set to 0, in place, like torch.nn.init.zeros_.
 * @example nn.init.zeros(ones([2, 3])).toArray() // [[0, 0, 0], [0, 0, 0]]
 */
export function zeros(t: Tensor): Tensor {
  arg('zeros', 't', t, IS_TENSOR);
  return constant(t, 0);
}
/**
 * Every element set to 1, in place, like torch.nn.init.ones_ (a normalisation layer's scale).
 * @example nn.init.ones(zeros([4])).toArray() // [1, 1, 1, 1]
 */
export function ones(t: Tensor): Tensor {
  arg('ones', 't', t, IS_TENSOR);
  return constant(t, 1);
}

/**
 * Glorot/Xavier uniform: U(-a, a) with a = gain · √(6 / (fanIn + fanOut)),
 * which keeps the variance of activations and gradients equal across layers.
 * Like torch.nn.init.xavier_uniform_ and Keras' glorot_uniform.
 * @example nn.init.xavierUniform(zeros([256, 784])) // U(-a, a), a = √(6 / 1040) ≈ 0.076
 */
export function xavierUniform(t: Tensor, opts: { gain?: number } = {}): Tensor {
  arg('xavierUniform', 't', t, IS_TENSOR);
  const { fanIn, fanOut } = fanInOut(t.shape);
  const a = (opts.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, { low: -a, high: a });
}

/**
 * Glorot/Xavier normal: N(0, std²) with std = gain · √(2 / (fanIn + fanOut)), like
 * torch.nn.init.xavier_normal_.
 * @example nn.init.xavierNormal(zeros([256, 784]), { gain: nn.init.calculateGain('tanh') })
 */
export function xavierNormal(t: Tensor, opts: { gain?: number } = {}): Tensor {
  arg('xavierNormal', 't', t, IS_TENSOR);
  const { fanIn, fanOut } = fanInOut(t.shape);
  return normal(t, { std: (opts.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)) });
}

export interface KaimingOptions {
  /** Negative slope of the leaky relu that follows (used when nonlinearity is leakyRelu). Default 0. */
  a?: number;
  /** fanIn (default) preserves the forward variance, fanOut the backward one. */
  mode?: FanMode;
  /** Default leakyRelu, as in PyTorch (with a = 0 it equals relu). */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(op: string, t: Tensor, opts: KaimingOptions): number {
  const { a = 0, mode = 'fanIn', nonlinearity = 'leakyRelu' } = opts;
  check(mode === 'fanIn' || mode === 'fanOut', `init.${op}`, () => `mode must be 'fanIn' or 'fanOut', got '${String(mode)}'`);
  const fans = fanInOut(t.shape);
  const fan = mode === 'fanIn' ? fans.fanIn : fans.fanOut;
  return calculateGain(nonlinearity, a) / Math.sqrt(fan);
}

/**
 * He/Kaiming uniform: U(-b, b) with b = gain · √(3 / fan). With a = √5 (what Linear uses)
 * this is U(-1/√fanIn, 1/√fanIn). Like torch.nn.init.kaiming_uniform_.
 * @example nn.init.kaimingUniform(zeros([10, 784]), { a: Math.sqrt(5) }) // U(-1/28, 1/28)
 */
export function kaimingUniform(t: Tensor, opts: KaimingOptions = {}): Tensor {
  arg('kaimingUniform', 't', t, IS_TENSOR);
  const bound = Math.sqrt(3) * kaimingStd('kaimingUniform', t, opts);
  return uniform(t, { low: -bound, high: bound });
}

/**
 * He/Kaiming normal: N(0, std²) with std = gain / √fan, like torch.nn.init.kaiming_normal_.
 * @example nn.init.kaimingNormal(zeros([256, 784]), { nonlinearity: 'relu' }) // std = √2 / 28 ≈ 0.0505
 */
export function kaimingNormal(t: Tensor, opts: KaimingOptions = {}): Tensor {
  arg('kaimingNormal', 't', t, IS_TENSOR);
  return normal(t, { std: kaimingStd('kaimingNormal', t, opts) });
}

/** Keras' names for the same initialisers. */
export const glorotUniform = xavierUniform;
export const glorotNormal = xavierNormal;
export const heUniform = kaimingUniform;
export const heNormal = kaimingNormal;
