import { defineOp, detach } from '../autograd/engine.js';
import { kernels } from '../kernels/index.js';
import { contiguousRaw, reduceRaw } from '../tensor/raw.js';
import { Tensor, denseArray, newArray } from '../tensor/tensor.js';
import { fmtShape, check } from '../util/errors.js';
import { normAxes, normAxis, sizeOf } from '../util/shape.js';
import { abs, add, div, eq, exp, log, mul, sqrt, sub, square, where } from './elementwise.js';
import { expand, reshape, squeeze } from './movement.js';

export interface ReduceOptions {
  /** Axis or axes to reduce; all when omitted. */
  axis?: number | readonly number[];
  /** Keep reduced axes with size 1. */
  keepDim?: boolean;
}

interface Resolved {
  axes: number[];
  keepDim: boolean;
}

function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

const sumOp = defineOp<Resolved>({
  name: 'sum',
  forward: ([x], { axes, keepDim }) => reduceRaw('sum', x, axes, keepDim),
  backward: (dy, { inputs: [x], opts: { axes } }) => [expand(reshape(dy, keptShape(x.shape, axes)), x.shape)],
  attrs: (o) => ({ axis: o.axes }),
});

/**
 * The gradient of max/min over trailing axes (global pooling: [N, C, L] over L) in one
 * pass per row: dy/count at the entries equal to the row's extremum, 0 elsewhere. Same
 * values as the eq/sum/div/mul graph below (a NaN extremum matches nothing, so count 0
 * gives a row of NaN there too) without its four full-size temporaries: on the DNA CNN's
 * [128, 32, 189] this cut the pooling backward from ~3 ms to ~1 ms. Null for other axes.
 */
function extremumGradRows(x: Tensor, out: Tensor, dy: Tensor, axes: readonly number[]): Tensor | null {
  const k = x.ndim - axes.length;
  if (x.dtype === 'int32' || axes.some((a, i) => a !== k + i)) return null;
  const red = sizeOf(x.shape.slice(k));
  const rows = sizeOf(x.shape.slice(0, k));
  const xs = denseArray(x);
  const m = denseArray(out);
  const d = denseArray(dy);
  const gx = newArray(x.dtype, x.size);
  for (let r = 0, base = 0; r < rows; r++, base += red) {
    const mr = m[r];
    let count = 0;
    for (let j = base; j < base + red; j++) if (xs[j] === mr) count++;
    const g = d[r] / count;
    if (count === 0) gx.fill(NaN, base, base + red);
    else for (let j = base; j < base + red; j++) if (xs[j] === mr) gx[j] = g;
  }
  return new Tensor(gx, x.shape);
}


function extremum(kind: 'max' | 'min') {
  return defineOp<Resolved>({
    name: kind,
    forward: ([x], { axes, keepDim }) => {
      check(x.size > 0, kind, () => `cannot reduce an empty tensor of shape ${fmtShape(x.shape)}`);
      return reduceRaw(kind, x, axes, keepDim);
    },
    // The gradient is shared evenly among the entries equal to the extremum.
    backward: (dy, { inputs: [x], out, opts: { axes } }) => {
      const rows = extremumGradRows(x, out, dy, axes);
      if (rows) return [rows];
      const mask = eq(x, reshape(out, keptShape(x.shape, axes)));
      const count = sumOp([mask], { axes, keepDim: true });
      return [mul(mask, div(reshape(dy, keptShape(x.shape, axes)), count))];
    },
    attrs: (o) => ({ axis: o.axes }),
  });
}
const maxOp = extremum('max');
const minOp = extremum('min');

function resolve(op: string, x: Tensor, o: ReduceOptions): Resolved {
  return { axes: normAxes(op, o.axis, x.ndim), keepDim: o.keepDim ?? false };
}

/** Sum over axes. */
export const sum = (x: Tensor, opts: ReduceOptions = {}): Tensor => sumOp([x], resolve('sum', x, opts));
/** Largest value over axes (gradient split among ties). */
export const max = (x: Tensor, opts: ReduceOptions = {}): Tensor => maxOp([x], resolve('max', x, opts));
/** Smallest value over axes. */
export const min = (x: Tensor, opts: ReduceOptions = {}): Tensor => minOp([x], resolve('min', x, opts));

/** Mean over axes. */
export function mean(x: Tensor, opts: ReduceOptions = {}): Tensor {
  const { axes } = resolve('mean', x, opts);
  const n = sizeOf(axes.map((a) => x.shape[a]));
  return div(sum(x, opts), n);
}

/** Variance over axes with Bessel's correction by default (correction: 1), like PyTorch. */
export function variance(x: Tensor, opts: ReduceOptions & { correction?: number } = {}): Tensor {
  const { axes, keepDim } = resolve('var', x, opts);
  const n = sizeOf(axes.map((a) => x.shape[a]));
  const d = sub(x, mean(x, { axis: axes, keepDim: true }));
  return div(sum(square(d), { axis: axes, keepDim }), Math.max(0, n - (opts.correction ?? 1)));
}

/** Standard deviation: sqrt(variance). */
export function std(x: Tensor, opts: ReduceOptions & { correction?: number } = {}): Tensor {
  return sqrt(variance(x, opts));
}

function argReduce(kind: 'max' | 'min', x: Tensor, opts: { axis?: number; keepDim?: boolean }): Tensor {
  const op = `arg${kind}`;
  check(x.size > 0, op, () => `cannot reduce an empty tensor of shape ${fmtShape(x.shape)}`);
  if (opts.axis === undefined) {
    const out = new Int32Array(1);
    kernels().argReduce(kind, denseArray(x), 1, x.size, 1, out);
    return new Tensor(out, []);
  }
  const a = normAxis(op, opts.axis, x.ndim);
  const outer = sizeOf(x.shape.slice(0, a));
  const inner = sizeOf(x.shape.slice(a + 1));
  const out = new Int32Array(outer * inner);
  kernels().argReduce(kind, denseArray(contiguousRaw(x)), outer, x.shape[a], inner, out);
  const shape = opts.keepDim ? keptShape(x.shape, [a]) : x.shape.filter((_, i) => i !== a);
  return new Tensor(out, shape);
}

/** Index of the largest value (over the flattened tensor, or along axis), int32, no gradient. */
export const argmax = (x: Tensor, opts: { axis?: number; keepDim?: boolean } = {}): Tensor => argReduce('max', x, opts);
export const argmin = (x: Tensor, opts: { axis?: number; keepDim?: boolean } = {}): Tensor => argReduce('min', x, opts);

/** log(sum(exp(x))) over axes, stable: the maximum is subtracted first (and is a constant for the gradient). */
export function logSumExp(x: Tensor, opts: ReduceOptions = {}): Tensor {
  const { axes, keepDim } = resolve('logSumExp', x, opts);
  const m0 = detach(max(x, { axis: axes, keepDim: true }));
  // An infinite maximum would give inf - inf = NaN; shift by 0 there instead (PyTorch's rule),
  // so that an all -inf row gives -inf and a row holding +inf gives +inf.
  const m = where(eq(abs(m0), Infinity), 0, m0);
  const r = add(log(sum(exp(sub(x, m)), { axis: axes, keepDim: true })), m);
  return keepDim ? r : squeeze(r, axes);
}

/** e^x / sum(e^x) along axis (default last), stable. */
export function softmax(x: Tensor, axis = -1): Tensor {
  const e = exp(sub(x, detach(max(x, { axis, keepDim: true }))));
  return div(e, sum(e, { axis, keepDim: true }));
}

/** x - logSumExp(x) along axis (default last). */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return sub(x, logSumExp(x, { axis, keepDim: true }));
}
