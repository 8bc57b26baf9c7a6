import type { Tensor } from '../tensor/tensor.js';
import { elu, gelu, hardtanh, leakyRelu, relu, relu6, sigmoid, silu, softplus, tanh } from '../ops/elementwise.js';
import { logSoftmax, softmax } from '../ops/reduce.js';
import { is, options, type Check, type Spec, stripUndefined } from '../util/args.js';
import { Module } from './module.js';
import { register } from './registry.js';

/**
 * Activation layers, each made from its function (F.relu, F.softmax, ...) by one factory, as
 * MLX does: the layer checks and stores its options (normalised, in `options`, like every
 * layer), registers itself under its name, and calls the function in forward.
 * @example new nn.Sequential(new nn.Linear({ inFeatures: 4, outFeatures: 8 }), new nn.ReLU())
 */
export type ActivationClass<O extends object> = {
  new (opts?: O): Module & { readonly options: O; forward(x: Tensor): Tensor };
};

function activation<O extends object>(
  name: string,
  fn: (x: Tensor, o: O) => Tensor,
  spec: Spec<O> = {} as Spec<O>,
  defaults: O = {} as O,
  normalise: (o: O) => O = (o) => o,
): ActivationClass<O> {
  const cls = class extends Module {
    readonly options: O;
    constructor(opts?: O) {
      super();
      this.options = normalise({ ...defaults, ...stripUndefined(options<O>(name, opts, spec)) });
    }

    forward(x: Tensor): Tensor {
      return fn(x, this.options);
    }
  };
  // The class's own name (for the printed model) and the registered one (for save/load).
  Object.defineProperty(cls, 'name', { value: name });
  register(cls, name);
  return cls;
}

// The one dimension of Softmax and LogSoftmax: `dim` as in PyTorch, `axis` kept for configs saved before.
type DimOptions = { dim?: number; axis?: number };
const DIM_SPEC: Spec<DimOptions> = { dim: is.int, axis: is.int };
const dimOf = (o: DimOptions): number => o.dim ?? o.axis ?? -1;
const oneDim = (o: DimOptions): DimOptions => ({ dim: dimOf(o) });

const finite: Check = is.finite;

/** max(x, 0). */
export const ReLU = activation('ReLU', (x) => relu(x));
export type ReLU = InstanceType<typeof ReLU>;
/** 1 / (1 + e^-x). */
export const Sigmoid = activation('Sigmoid', (x) => sigmoid(x));
export type Sigmoid = InstanceType<typeof Sigmoid>;
/** tanh(x). */
export const Tanh = activation('Tanh', (x) => tanh(x));
export type Tanh = InstanceType<typeof Tanh>;
/** max(x, 0) + negativeSlope · min(x, 0) (default slope 0.01). */
export const LeakyReLU = activation<{ negativeSlope?: number }>(
  'LeakyReLU',
  (x, o) => leakyRelu(x, o.negativeSlope),
  { negativeSlope: finite },
  { negativeSlope: 0.01 },
);
export type LeakyReLU = InstanceType<typeof LeakyReLU>;
/** x clipped to [min, max] (defaults -1 and 1). */
export const Hardtanh = activation<{ min?: number; max?: number }>(
  'Hardtanh',
  (x, o) => hardtanh(x, o),
  { min: finite, max: finite },
  { min: -1, max: 1 },
);
export type Hardtanh = InstanceType<typeof Hardtanh>;
/** min(max(x, 0), 6). */
export const ReLU6 = activation('ReLU6', (x) => relu6(x));
export type ReLU6 = InstanceType<typeof ReLU6>;
/** x · Φ(x), exact form. */
export const GELU = activation('GELU', (x) => gelu(x));
export type GELU = InstanceType<typeof GELU>;
/** x · sigmoid(x). */
export const SiLU = activation('SiLU', (x) => silu(x));
export type SiLU = InstanceType<typeof SiLU>;
/** x for x > 0, alpha (e^x - 1) otherwise (default alpha 1). */
export const ELU = activation<{ alpha?: number }>('ELU', (x, o) => elu(x, o.alpha), { alpha: finite }, { alpha: 1 });
export type ELU = InstanceType<typeof ELU>;
/** log(1 + e^(beta x)) / beta, x itself above threshold (defaults 1 and 20). */
export const Softplus = activation<{ beta?: number; threshold?: number }>(
  'Softplus',
  (x, o) => softplus(x, o),
  { beta: is.positive, threshold: is.number },
  { beta: 1, threshold: 20 },
);
export type Softplus = InstanceType<typeof Softplus>;
/** e^x / Σ e^x along dim (default the last; `axis` is an alias). */
export const Softmax = activation<DimOptions>('Softmax', (x, o) => softmax(x, dimOf(o)), DIM_SPEC, {}, oneDim);
export type Softmax = InstanceType<typeof Softmax>;
/** x - log Σ e^x along dim (default the last; `axis` is an alias); pair with nllLoss. */
export const LogSoftmax = activation<DimOptions>('LogSoftmax', (x, o) => logSoftmax(x, dimOf(o)), DIM_SPEC, {}, oneDim);
export type LogSoftmax = InstanceType<typeof LogSoftmax>;
/** Returns its input unchanged (a placeholder layer). */
export const Identity = activation('Identity', (x) => x);
export type Identity = InstanceType<typeof Identity>;
