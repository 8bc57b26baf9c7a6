import { defineOp } from '../autograd/engine.js';
import { unaryEntry } from '../kernels/elementwise-table.js';
import { kernels } from '../kernels/index.js';
import type { BinaryOp, DType, UnaryOp, View } from '../kernels/types.js';
import { scalar } from '../tensor/create.js';
import { binaryRaw, broadcastView, promote } from '../tensor/raw.js';
import { Tensor, newArray, viewOf } from '../tensor/tensor.js';
import { arg, check, is, options, show } from '../util/args.js';
import { TsgradError } from '../util/errors.js';
import { broadcastShapes } from '../util/shape.js';

/** A tensor or a plain number, which is treated as a 0-d tensor of the other operand's dtype. */
export type TensorLike = Tensor | number;

/**
 * A tensor operand from a tensor or a number (a 0-d tensor of `like`'s dtype); anything else is
 * an error naming the op and the argument.
 * @example F.asTensor(2, tensor([1, 2], { dtype: 'int32' })).dtype // 'int32', a 0-d tensor
 */
export function asTensor(v: TensorLike, like?: Tensor, op = 'asTensor', name = 'value'): Tensor {
  if (v instanceof Tensor) return v;
  if (typeof v !== 'number') throw new TsgradError(`${op}: argument '${name}' must be a Tensor or a number, got ${show(v)}`);
  const dtype: DType = like && (like.dtype !== 'int32' || Number.isInteger(v)) ? like.dtype : 'float32';
  return scalar(v, dtype);
}

function unaryRaw(op: UnaryOp, x: Tensor, params: readonly number[]): Tensor {
  const dtype: DType = x.dtype === 'int32' && !unaryEntry(op).keepsInt ? 'float32' : x.dtype;
  const out = newArray(dtype, x.size);
  kernels().unary(op, viewOf(x), out, params);
  return new Tensor(out, x.shape);
}

/**
 * relu's gradient dy·[x > 0] = where(y, dy, 0) with y = relu(x) (y > 0 exactly where x > 0, y is
 * never -0, and a NaN y passes dy as PyTorch's threshold_backward does): one pass by the where
 * kernel (SIMD on wasm, branch-free bits in ref) instead of mul(dy, gt(x, 0)), which makes and
 * reads a full-size mask: three passes and two fresh arrays on every ReLU layer's backward.
 * @example F.reluGrad(tensor([1, 1, 1]), F.relu(tensor([-1, 0, 2]))).toArray() // [0, 0, 1]
 */
export function reluGrad(dy: Tensor, out: Tensor): Tensor {
  if (
    dy.dtype !== 'float32' ||
    out.dtype !== 'float32' ||
    dy.shape.length !== out.shape.length ||
    dy.shape.some((d, i) => d !== out.shape[i])
  ) {
    return mul(dy, gt(out, 0));
  }
  const dx = new Float32Array(out.size);
  const zero: View = { data: ZERO32, offset: 0, shape: out.shape, strides: out.shape.map(() => 0) };
  kernels().where(viewOf(out), viewOf(dy), zero, dx);
  return new Tensor(dx, out.shape);
}

const ZERO32 = new Float32Array(1);

type UnaryGrad = (dy: Tensor, x: Tensor, out: Tensor, params: readonly number[]) => Tensor;

/**
 * The derivative of every unary primitive of kernels/elementwise-table.ts, given dy, the input,
 * the output and the op's parameters; null where no gradient flows (sign, isnan). A record over
 * the table's names, so that an op added there without its derivative does not compile.
 */
const UNARY_GRAD: Record<UnaryOp, UnaryGrad | null> = {
  neg: (dy) => neg(dy),
  abs: (dy, x) => mul(dy, sign(x)),
  sqrt: (dy, _x, out) => div(dy, mul(out, 2)),
  square: (dy, x) => mul(dy, mul(x, 2)),
  relu: (dy, _x, out) => reluGrad(dy, out),
  reciprocal: (dy, _x, out) => neg(mul(dy, square(out))),
  // PyTorch's hardtanh_backward: 0 where x <= min or x >= max, dy elsewhere (a NaN x passes dy).
  hardtanh: (dy, x, _out, [lo, hi]) => where(maximum(le(x, lo), ge(x, hi)), 0, dy),
  // 1 / (1 + |x|)² written as PyTorch's quotient rule computes it, ((1 + |x|) - |x|) / (1 + |x|)²,
  // so that ±Inf gives NaN there as here (PyTorch's softsign is x / (1 + |x|), differentiated by parts).
  softsign: (dy, x) => {
    const d = add(abs(x), 1);
    return div(mul(dy, sub(d, abs(x))), square(d));
  },
  exp: (dy, _x, out) => mul(dy, out),
  log: (dy, x) => div(dy, x),
  sigmoid: (dy, _x, out) => mul(dy, mul(out, sub(1, out))),
  tanh: (dy, _x, out) => mul(dy, sub(1, square(out))),
  log1p: (dy, x) => div(dy, add(x, 1)),
  sign: null,
  // d erf(x)/dx = 2/sqrt(pi) * exp(-x^2)
  erf: (dy, x) => mul(dy, mul(exp(neg(square(x))), 2 / Math.sqrt(Math.PI))),
  sin: (dy, x) => mul(dy, cos(x)),
  cos: (dy, x) => neg(mul(dy, sin(x))),
  isnan: null,
};

/** The differentiable op of a table entry: forward by the kernel, backward by UNARY_GRAD. */
function unaryOp(op: UnaryOp) {
  return defineOp<readonly number[]>({
    name: op,
    forward: ([x], params) => unaryRaw(op, x, params),
    backward: (dy, { inputs: [x], out, opts }) => [UNARY_GRAD[op]?.(dy, x, out, opts) ?? null],
    attrs: unaryEntry(op).params
      ? (params) => Object.fromEntries((unaryEntry(op).params ?? []).map((name, i) => [name, params[i]]))
      : undefined,
  });
}

/** A unary primitive without parameters, as the function users call. */
function unaryPrimitive(op: UnaryOp) {
  const f = unaryOp(op);
  return (x: Tensor): Tensor => f([tensorArg(op, 'input', x)], NO_PARAMS);
}

const NO_PARAMS: readonly number[] = [];
const IS_TENSOR = is.instance(Tensor);
const ANY_NUMBER = check('a number', (v) => typeof v === 'number');

/** x itself, or an error naming the op and the argument when it is not a tensor. */
function tensorArg(op: string, name: string, x: unknown): Tensor {
  return arg<Tensor>(op, name, x, IS_TENSOR);
}

export const neg = unaryPrimitive('neg');
export const exp = unaryPrimitive('exp');
export const log = unaryPrimitive('log');
export const log1p = unaryPrimitive('log1p');
export const sqrt = unaryPrimitive('sqrt');
export const abs = unaryPrimitive('abs');
export const reciprocal = unaryPrimitive('reciprocal');
export const relu = unaryPrimitive('relu');
export const sigmoid = unaryPrimitive('sigmoid');
export const tanh = unaryPrimitive('tanh');
export const sign = unaryPrimitive('sign');
export const erf = unaryPrimitive('erf');
export const sin = unaryPrimitive('sin');
export const cos = unaryPrimitive('cos');
export const square = unaryPrimitive('square');
export const isnan = unaryPrimitive('isnan');
export const softsign = unaryPrimitive('softsign');

const hardtanhOp = unaryOp('hardtanh');

/**
 * x clipped to [min, max] (defaults -1, 1), one kernel pass; the gradient is dy strictly inside
 * the range and 0 at and beyond the bounds, as PyTorch's.
 * @example F.hardtanh(x, { min: 0, max: 6 }) // ReLU6
 */
export function hardtanh(x: Tensor, opts: { min?: number; max?: number } = {}): Tensor {
  tensorArg('hardtanh', 'input', x);
  const { min = -1, max = 1 } = options<{ min?: number; max?: number }>('hardtanh', opts, { min: is.finite, max: is.finite });
  if (min > max) throw new TsgradError(`hardtanh: min (${min}) is greater than max (${max})`);
  return hardtanhOp([x], [min, max]);
}

/** min(max(x, 0), 6), as PyTorch's relu6. */
export const relu6 = (x: Tensor): Tensor => hardtanh(x, { min: 0, max: 6 });

type BinaryGrad = (dy: Tensor, a: Tensor, b: Tensor, out: Tensor) => [Tensor | null, Tensor | null];

/**
 * The derivative of every binary primitive of kernels/elementwise-table.ts, as a pair of input
 * gradients before broadcasting (the engine sums each back to its input's shape); null for the
 * comparisons, which return 0/1 in the operands' dtype and carry no gradient.
 */
const BINARY_GRAD: Record<BinaryOp, BinaryGrad | null> = {
  add: (dy) => [dy, dy],
  sub: (dy, a, b) => [a.requiresGrad ? dy : null, b.requiresGrad ? neg(dy) : null],
  mul: (dy, a, b) => [a.requiresGrad ? mul(dy, b) : null, b.requiresGrad ? mul(dy, a) : null],
  div: (dy, a, b, out) => [a.requiresGrad ? div(dy, b) : null, b.requiresGrad ? neg(div(mul(dy, out), b)) : null],
  // PyTorch's rule: ties split the gradient evenly, the losing side gets 0, and where a NaN is
  // involved (no side loses, no tie) both sides get all of it.
  maximum: (dy, a, b) => tieSplit(dy, a, b, lt(a, b), gt(a, b)),
  minimum: (dy, a, b) => tieSplit(dy, a, b, gt(a, b), lt(a, b)),
  eq: null,
  ne: null,
  lt: null,
  le: null,
  gt: null,
  ge: null,
  // d(a^b)/da = b a^(b-1); d(a^b)/db = a^b ln a. At a = 0 these read 0·inf = NaN where PyTorch
  // gives 0: for b = 0 in the first (a^0 is constant), for b >= 0 in the second.
  pow: (dy, a, b, out) => [
    a.requiresGrad ? mul(dy, where(eq(b, 0), 0, mul(b, pow(a, sub(b, 1))))) : null,
    b.requiresGrad ? mul(dy, where(mul(eq(a, 0), ge(b, 0)), 0, mul(out, log(a)))) : null,
  ],
};

function tieSplit(dy: Tensor, a: Tensor, b: Tensor, aLoses: Tensor, bLoses: Tensor): [Tensor | null, Tensor | null] {
  const share = sub(1, mul(eq(a, b), 0.5));
  return [a.requiresGrad ? mul(dy, where(aLoses, 0, share)) : null, b.requiresGrad ? mul(dy, where(bLoses, 0, share)) : null];
}

/** A binary primitive with broadcasting, numbers taken as 0-d tensors of the other operand's dtype. */
function binaryPrimitive(op: BinaryOp) {
  const grad = BINARY_GRAD[op];
  const f = defineOp<undefined>({
    name: op,
    forward: ([a, b]) => binaryRaw(op, a, b, op, op === 'div' || op === 'pow' ? floatOf(a, b) : undefined),
    backward: (dy, { inputs: [a, b], out }) => (grad ? grad(dy, a, b, out) : [null, null]),
  });
  return (a: TensorLike, b: TensorLike): Tensor => {
    const ta = asTensor(a, b instanceof Tensor ? b : undefined, op, 'input');
    return f([ta, asTensor(b, ta, op, 'other')], undefined);
  };
}

function floatOf(a: Tensor, b: Tensor): DType {
  const d = promote(a.dtype, b.dtype);
  return d === 'int32' ? 'float32' : d;
}

export const add = binaryPrimitive('add');
export const sub = binaryPrimitive('sub');
export const mul = binaryPrimitive('mul');
export const div = binaryPrimitive('div');
export const pow = binaryPrimitive('pow');
export const maximum = binaryPrimitive('maximum');
export const minimum = binaryPrimitive('minimum');
export const eq = binaryPrimitive('eq');
export const ne = binaryPrimitive('ne');
export const lt = binaryPrimitive('lt');
export const le = binaryPrimitive('le');
export const gt = binaryPrimitive('gt');
export const ge = binaryPrimitive('ge');

const whereOp = defineOp<undefined>({
  name: 'where',
  forward: ([c, a, b]) => {
    const shape = broadcastShapes('where', broadcastShapes('where', c.shape, a.shape), b.shape);
    const out = newArray(
      promote(a.dtype, b.dtype),
      shape.reduce((p, d) => p * d, 1),
    );
    kernels().where(viewOf(broadcastView(c, shape)), viewOf(broadcastView(a, shape)), viewOf(broadcastView(b, shape)), out);
    return new Tensor(out, shape);
  },
  backward: (dy, { inputs: [c, a, b] }) => {
    const zero = scalar(0, dy.dtype);
    return [null, a.requiresGrad ? where(c, dy, zero) : null, b.requiresGrad ? where(c, zero, dy) : null];
  },
});

/**
 * Elementwise choice: cond != 0 ? a : b, with broadcasting, like torch.where; a number stands for
 * a 0-d tensor. The gradient flows to a where cond holds and to b elsewhere.
 * @example F.where(tensor([1, 0, 1]), tensor([1, 2, 3]), -1).toArray() // [1, -1, 3]
 */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  tensorArg('where', 'condition', cond);
  const ta = asTensor(a, b instanceof Tensor ? b : cond, 'where', 'input');
  return whereOp([cond, ta, asTensor(b, ta, 'where', 'other')], undefined);
}

export interface ClampOptions {
  min?: number;
  max?: number;
}

const clampOp = defineOp<ClampOptions>({
  name: 'clamp',
  forward: ([x], { min = -Infinity, max = Infinity }) => {
    let out = x;
    if (min > -Infinity) out = binaryRaw('maximum', out, scalar(min, x.dtype));
    if (max < Infinity) out = binaryRaw('minimum', out, scalar(max, x.dtype));
    return out === x ? binaryRaw('add', x, scalar(0, x.dtype)) : out;
  },
  // The gradient passes where min <= x <= max, boundaries included (PyTorch's rule).
  backward: (dy, { inputs: [x], opts: { min = -Infinity, max = Infinity } }) => [mul(dy, mul(ge(x, min), le(x, max)))],
  attrs: (o) => ({ ...o }),
});

/**
 * Limits values to [min, max] (either bound may be left out), like torch.clamp; the gradient
 * passes where min <= x <= max, bounds included.
 * @example F.clamp(tensor([-2, 0.5, 3]), { min: 0, max: 1 }).toArray() // [0, 0.5, 1]
 */
export function clamp(x: Tensor, opts: ClampOptions): Tensor {
  tensorArg('clamp', 'input', x);
  // NaN bounds are allowed, as in PyTorch (they make the result NaN).
  options<ClampOptions>('clamp', opts, { min: ANY_NUMBER, max: ANY_NUMBER });
  if (opts.min !== undefined && opts.max !== undefined && opts.min > opts.max) {
    throw new TsgradError(`clamp: min (${opts.min}) is greater than max (${opts.max})`);
  }
  return clampOp([x], opts);
}

// ---- Composites: written in the primitives above, they differentiate by themselves.

/**
 * max(x, 0) + slope * min(x, 0), like torch.nn.functional.leaky_relu (default slope 0.01).
 * @example F.leakyRelu(tensor([-10, 5]), 0.1).toArray() // [-1, 5]
 */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  tensorArg('leakyRelu', 'input', x);
  arg('leakyRelu', 'negativeSlope', negativeSlope, is.finite);
  return where(gt(x, 0), x, mul(x, negativeSlope));
}

/**
 * log(1 + e^x), computed as max(x, 0) + log1p(e^-|x|) so that it never overflows. maximum and
 * minimum(x, -x), not relu and abs: their tie rule gives the derivative 1/2 + 0 at x = 0, the
 * value of sigmoid(0), where relu'(0) = abs'(0) = 0 would give 0.
 * Options as torch.nn.functional.softplus: log(1 + e^(beta·x)) / beta, and x itself where
 * beta·x > threshold (defaults 1 and 20).
 * @example F.softplus(tensor([0, 30])).toArray() // [log 2 ≈ 0.693, 30]
 */
export function softplus(x: Tensor, opts: { beta?: number; threshold?: number } = {}): Tensor {
  tensorArg('softplus', 'input', x);
  const { beta = 1, threshold = 20 } = options<{ beta?: number; threshold?: number }>('softplus', opts, {
    beta: is.positive,
    threshold: is.number,
  });
  const bx = beta === 1 ? x : mul(x, beta);
  const soft = add(maximum(bx, 0), log1p(exp(minimum(bx, neg(bx)))));
  const y = beta === 1 ? soft : div(soft, beta);
  // Above the threshold PyTorch returns x itself.
  return where(gt(bx, threshold), x, y);
}

/** Gaussian error linear unit, exact form: x * Φ(x) = 0.5 x (1 + erf(x / √2)). */
export const gelu = (x: Tensor): Tensor => mul(mul(tensorArg('gelu', 'input', x), 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));

/** x · tanh(softplus(x)) (Misra 2019). */
export const mish = (x: Tensor): Tensor => mul(tensorArg('mish', 'input', x), tanh(softplus(x)));

/** x * sigmoid(x). */
export const silu = (x: Tensor): Tensor => mul(tensorArg('silu', 'input', x), sigmoid(x));

/**
 * x for x > 0, alpha (e^x - 1) otherwise, like torch.nn.functional.elu (default alpha 1).
 * @example F.elu(tensor([-1, 2])).toArray() // [e^-1 - 1 ≈ -0.632, 2]
 */
export function elu(x: Tensor, alpha = 1): Tensor {
  tensorArg('elu', 'input', x);
  arg('elu', 'alpha', alpha, is.finite);
  // The exponential branch is taken where x <= 0, so that a NaN takes x's branch and gradient
  // as in PyTorch, and at x = 0 the whole gradient alpha flows there (minimum(x, 0) would split
  // the tie). Its input is where(c, x, 0): exp never overflows on the discarded positives, and
  // a NaN never reaches it (its zero gradient times exp(NaN) would make x's gradient NaN).
  const c = le(x, 0);
  return where(c, mul(sub(exp(where(c, x, 0)), 1), alpha), x);
}
