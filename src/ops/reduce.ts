import { defineOp, detach } from '../autograd/engine.js';
import { kernels } from '../kernels/index.js';
import { contiguousRaw, reduceRaw } from '../tensor/raw.js';
import { Tensor, denseArray, newArray } from '../tensor/tensor.js';
import { arg, is, isPlainObject, options, type Spec } from '../util/args.js';
import { TsgradError, fmtShape, check } from '../util/errors.js';
import { normAxes, normAxis, sizeOf } from '../util/shape.js';
import { abs, add, div, eq, exp, log, mul, ne, pow, sign, sqrt, sub, square, where } from './elementwise.js';
import { gather } from './indexing.js';
import { expand, reshape, squeeze } from './movement.js';

/** A dimension or a list of dimensions; negative ones count from the end. */
export type Dims = number | readonly number[];

/**
 * The options form of a reduction's dimensions, with PyTorch's names; `axis` and `keepDim`
 * (the names tsgrad used first) are kept as aliases.
 */
export interface ReduceOptions {
  /** Dimension or dimensions to reduce; all when omitted. */
  dim?: Dims;
  /** Keep reduced dimensions with size 1 (default false). */
  keepdim?: boolean;
  /** Alias of dim. */
  axis?: Dims;
  /** Alias of keepdim. */
  keepDim?: boolean;
}

/** How a reduction is called, as in PyTorch: `x.sum()`, `x.sum(1)`, `x.sum([0, 2], true)`, `x.sum({ dim: 1, keepdim: true })`. */
export type DimArg = Dims | ReduceOptions | undefined;

const DIM_SPEC = { dim: is.dims, keepdim: is.bool, axis: is.dims, keepDim: is.bool };

/** Reads a reduction's dimension arguments in any of PyTorch's call forms; extra options are checked by `spec`. */
function dimArgs<T extends object = object>(
  op: string,
  dim: unknown,
  keepdim: unknown,
  extra: Spec<T> = {} as Spec<T>,
): { dims: Dims | undefined; keepDim: boolean; opts: T } {
  if (dim === undefined || dim === null || typeof dim !== 'object' || Array.isArray(dim)) {
    arg(op, 'dim', dim ?? undefined, is.optional(is.dims));
    arg(op, 'keepdim', keepdim, is.optional(is.bool));
    return { dims: (dim ?? undefined) as Dims | undefined, keepDim: (keepdim as boolean | undefined) ?? false, opts: {} as T };
  }
  if (keepdim !== undefined) throw new TsgradError(`${op}: keepdim goes inside the options object when dims are given as one`);
  const o = options<ReduceOptions & T>(op, dim, { ...DIM_SPEC, ...extra } as Spec<ReduceOptions & T>);
  if (o.dim !== undefined && o.axis !== undefined) throw new TsgradError(`${op}: give dim or its alias axis, not both`);
  if (o.keepdim !== undefined && o.keepDim !== undefined) throw new TsgradError(`${op}: give keepdim or its alias keepDim, not both`);
  return { dims: o.dim ?? o.axis, keepDim: o.keepdim ?? o.keepDim ?? false, opts: o };
}

interface Resolved {
  axes: number[];
  keepDim: boolean;
  /** Called with no dims (x.max()): PyTorch routes a NaN maximum's gradient differently then. */
  whole?: boolean;
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
 * values as the eq/sum/div/mul graph below without its four full-size temporaries (the
 * global max pool of the DNA CNN runs through here). Null for other axes.
 *
 * NaN follows PyTorch, which differs between the two forms: over given dims (amax) a NaN
 * extremum matches nothing and its whole slice gets NaN; with no dims (x.max()) the
 * gradient goes to the NaNs.
 */
function extremumGradRows(x: Tensor, out: Tensor, dy: Tensor, axes: readonly number[], whole: boolean): Tensor | null {
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
    const hit = mr !== mr && whole ? (v: number) => v !== v : (v: number) => v === mr;
    let count = 0;
    for (let j = base; j < base + red; j++) if (hit(xs[j])) count++;
    const g = d[r] / count;
    if (count === 0) gx.fill(NaN, base, base + red);
    else for (let j = base; j < base + red; j++) if (hit(xs[j])) gx[j] = g;
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
    backward: (dy, { inputs: [x], out, opts: { axes, whole } }) => {
      const rows = extremumGradRows(x, out, dy, axes, whole ?? false);
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

function resolve(op: string, x: Tensor, dim: unknown, keepdim: unknown): Resolved {
  arg(op, 'input', x, is.instance(Tensor));
  const { dims, keepDim } = dimArgs(op, dim, keepdim);
  const list = Array.isArray(dims) && dims.length === 0 ? undefined : dims;
  return { axes: normAxes(op, list, x.ndim), keepDim, whole: list === undefined };
}

/**
 * Sum over dimensions (all when none is given), as `torch.sum`.
 * @example x.sum(); x.sum(1); x.sum([0, 1], true); x.sum({ dim: 1, keepdim: true })
 */
export const sum = (x: Tensor, dim?: DimArg, keepdim?: boolean): Tensor => sumOp([x], resolve('sum', x, dim, keepdim));

/**
 * Largest value over dimensions (all when none is given). Returns the values only, like
 * `torch.amax` (PyTorch's `x.max(dim)` also returns indices: use `argmax(dim)` or `topk`); the
 * gradient is shared evenly among tied maxima, and a NaN is the maximum (it propagates).
 * @example x.max(); x.max(1); x.max({ dim: 1, keepdim: true })
 */
export const max = (x: Tensor, dim?: DimArg, keepdim?: boolean): Tensor => maxOp([x], resolve('max', x, dim, keepdim));
/** Smallest value over dimensions: values only, like `torch.amin` (see max). */
export const min = (x: Tensor, dim?: DimArg, keepdim?: boolean): Tensor => minOp([x], resolve('min', x, dim, keepdim));

/**
 * Mean over dimensions (all when none is given), as `torch.mean`; called as sum is.
 * @example tensor([[1, 2], [3, 4]]).mean(1).toArray() // [1.5, 3.5]; x.mean({ dim: [2, 3], keepdim: true })
 */
export function mean(x: Tensor, dim?: DimArg, keepdim?: boolean): Tensor {
  const r = resolve('mean', x, dim, keepdim);
  const n = sizeOf(r.axes.map((a) => x.shape[a]));
  return div(sumOp([x], r), n);
}

/** Options of var and std: PyTorch's `correction` (default 1, Bessel's) or `unbiased`. */
export interface VarianceOptions extends ReduceOptions {
  correction?: number;
  unbiased?: boolean;
}

const VAR_SPEC = { correction: is.nonNegative, unbiased: is.bool };

function varianceArgs(op: string, x: Tensor, dim: unknown, keepdim: unknown): Resolved & { correction: number } {
  arg(op, 'input', x, is.instance(Tensor));
  const { dims, keepDim, opts } = dimArgs<{ correction?: number; unbiased?: boolean }>(op, dim, keepdim, VAR_SPEC);
  if (opts.correction !== undefined && opts.unbiased !== undefined) {
    throw new TsgradError(`${op}: give correction or unbiased, not both`);
  }
  const correction = opts.correction ?? (opts.unbiased === false ? 0 : 1);
  const list = Array.isArray(dims) && dims.length === 0 ? undefined : dims;
  return { axes: normAxes(op, list, x.ndim), keepDim, correction };
}

/**
 * Variance over dimensions with Bessel's correction by default (correction: 1), like PyTorch.
 * @example x.var(); x.var(1); x.var({ dim: 1, correction: 0 })
 */
export function variance(x: Tensor, dim?: Dims | VarianceOptions, keepdim?: boolean): Tensor {
  const { axes, keepDim, correction } = varianceArgs('var', x, dim, keepdim);
  const n = sizeOf(axes.map((a) => x.shape[a]));
  const d = sub(x, mean(x, { dim: axes, keepdim: true }));
  return div(sum(square(d), { dim: axes, keepdim: keepDim }), Math.max(0, n - correction));
}

/**
 * Standard deviation: sqrt(variance), same arguments as var, like `torch.std`.
 * @example tensor([1, 2, 3, 4]).std().item() // √(5/3) ≈ 1.291; x.std({ dim: 0, correction: 0 })
 */
export function std(x: Tensor, dim?: Dims | VarianceOptions, keepdim?: boolean): Tensor {
  arg('std', 'input', x, is.instance(Tensor));
  return sqrt(variance(x, dim, keepdim));
}

function argReduce(kind: 'max' | 'min', x: Tensor, dim: unknown, keepdim: unknown): Tensor {
  const op = `arg${kind}`;
  arg(op, 'input', x, is.instance(Tensor));
  const { dims, keepDim } = dimArgs(op, dim, keepdim);
  check(dims === undefined || typeof dims === 'number', op, () => `takes one dim (an integer), got ${JSON.stringify(dims)}`);
  check(x.size > 0, op, () => `cannot reduce an empty tensor of shape ${fmtShape(x.shape)}`);
  if (dims === undefined || x.ndim === 0) {
    if (dims !== undefined) normAxis(op, dims, 0);
    const out = new Int32Array(1);
    kernels().argReduce(kind, denseArray(x), 1, x.size, 1, out);
    return new Tensor(out, keepDim ? x.shape.map(() => 1) : []);
  }
  const a = normAxis(op, dims, x.ndim);
  const outer = sizeOf(x.shape.slice(0, a));
  const inner = sizeOf(x.shape.slice(a + 1));
  const out = new Int32Array(outer * inner);
  kernels().argReduce(kind, denseArray(contiguousRaw(x)), outer, x.shape[a], inner, out);
  const shape = keepDim ? keptShape(x.shape, [a]) : x.shape.filter((_, i) => i !== a);
  return new Tensor(out, shape);
}

/**
 * Index of the largest value (over the flattened tensor, or along dim), int32, no gradient.
 * A NaN counts as the largest, as in PyTorch.
 * @example logits.argmax(1).eq(labels).mean()
 */
export const argmax = (x: Tensor, dim?: number | ReduceOptions, keepdim?: boolean): Tensor => argReduce('max', x, dim, keepdim);
/** Index of the smallest value (flattened, or along dim), int32; a NaN counts as the smallest. */
export const argmin = (x: Tensor, dim?: number | ReduceOptions, keepdim?: boolean): Tensor => argReduce('min', x, dim, keepdim);

/**
 * log(sum(exp(x))) over dimensions (all when none is given), stable: the maximum is subtracted first (and is a constant for the gradient).
 * Like `torch.logsumexp`.
 * @example tensor([1000, 1000]).logSumExp().item() // 1000 + log 2 ≈ 1000.69, no overflow
 */
export function logSumExp(x: Tensor, dim?: DimArg, keepdim?: boolean): Tensor {
  const { axes, keepDim } = resolve('logSumExp', x, dim, keepdim);
  const m0 = detach(max(x, { dim: axes, keepdim: true }));
  // An infinite maximum would give inf - inf = NaN; shift by 0 there instead (PyTorch's rule),
  // so that an all -inf row gives -inf and a row holding +inf gives +inf.
  const m = where(eq(abs(m0), Infinity), 0, m0);
  const r = add(log(sum(exp(sub(x, m)), { dim: axes, keepdim: true })), m);
  return keepDim ? r : squeeze(r, axes);
}

/** The one dimension softmax-like ops take: a number (default -1) or `{ dim }` / `{ axis }`. */
function oneDim(op: string, x: Tensor, dim: unknown): number {
  arg(op, 'input', x, is.instance(Tensor));
  let d = dim;
  if (isPlainObject(dim)) {
    const o = options<{ dim?: number; axis?: number }>(op, dim, { dim: is.int, axis: is.int });
    if (o.dim !== undefined && o.axis !== undefined) throw new TsgradError(`${op}: give dim or its alias axis, not both`);
    d = o.dim ?? o.axis;
  }
  arg(op, 'dim', d, is.optional(is.int));
  return normAxis(op, (d as number | undefined) ?? -1, x.ndim);
}

/**
 * e^x / sum(e^x) along dim (default the last), stable.
 * @example logits.softmax(1); F.softmax(logits, { dim: 1 })
 */
export function softmax(x: Tensor, dim?: number | { dim?: number; axis?: number }): Tensor {
  const d = oneDim('softmax', x, dim);
  if (x.ndim === 0) return div(exp(sub(x, detach(x))), 1);
  const e = exp(sub(x, detach(max(x, d, true))));
  return div(e, sum(e, d, true));
}

/**
 * x - logSumExp(x) along dim (default the last), like `torch.log_softmax`.
 * @example F.nllLoss(logits.logSoftmax(1), labels); F.logSoftmax(logits, { dim: 1 })
 */
export function logSoftmax(x: Tensor, dim?: number | { dim?: number; axis?: number }): Tensor {
  const d = oneDim('logSoftmax', x, dim);
  if (x.ndim === 0) return sub(x, x);
  return sub(x, logSumExp(x, d, true));
}

const cumsumOp: (inputs: Tensor[], opts: { dim: number; reverse: boolean }) => Tensor = defineOp<{ dim: number; reverse: boolean }>({
  name: 'cumsum',
  forward: ([x], { dim, reverse }) => {
    const outer = sizeOf(x.shape.slice(0, dim));
    const n = x.shape[dim] ?? 1;
    const inner = sizeOf(x.shape.slice(dim + 1));
    const src = denseArray(contiguousRaw(x));
    const out = newArray(x.dtype, x.size);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        let acc = 0;
        for (let r = 0; r < n; r++) {
          const j = base + (reverse ? n - 1 - r : r) * inner;
          acc += src[j];
          out[j] = acc;
        }
      }
    }
    return new Tensor(out, x.shape);
  },
  // The gradient of a running sum is the running sum of dy taken from the other end.
  backward: (dy, { opts: { dim, reverse } }) => [cumsumOp([dy], { dim, reverse: !reverse })],
  attrs: (o) => ({ dim: o.dim }),
});

/**
 * Running sum along dim, as `torch.cumsum` (dim is required).
 * @example tensor([1, 2, 3]).cumsum(0) // [1, 3, 6]
 */
export function cumsum(x: Tensor, dim: number | { dim: number }): Tensor {
  arg('cumsum', 'input', x, is.instance(Tensor));
  const d = isPlainObject(dim) ? options<{ dim: number }>('cumsum', dim, { dim: is.int }, ['dim']).dim : dim;
  arg('cumsum', 'dim', d, is.int);
  return cumsumOp([x], { dim: normAxis('cumsum', d, x.ndim), reverse: false });
}

/** Options of norm: the order p (2 by default; 1, Infinity, -Infinity, 0 or any p > 0), dims and keepdim. */
export interface NormOptions extends ReduceOptions {
  p?: number | 'fro';
}

const normOp = defineOp<Resolved & { p: number }>({
  name: 'norm',
  forward: ([x], { axes, keepDim, p }) => noGradNorm(x, axes, keepDim, p),
  backward: (dy, { inputs: [x], out, opts: { axes, p } }) => {
    const kept = keptShape(x.shape, axes);
    const n = reshape(out, kept);
    const g = reshape(dy, kept);
    if (p === 1) return [mul(g, sign(x))];
    if (p === Infinity || p === -Infinity) {
      // PyTorch's rule: the gradient goes evenly to the entries whose |x| is the extremum.
      const mask = eq(abs(x), n);
      return [mul(mul(g, sign(x)), div(mask, sum(mask, { dim: axes, keepdim: true })))];
    }
    // d||x||_p/dx = x·|x|^(p-2) / ||x||_p^(p-1), and 0 where the norm is 0 (PyTorch's choice).
    const num = p === 2 ? x : mul(x, pow(abs(x), p - 2));
    const den = p === 2 ? n : pow(n, p - 1);
    return [mul(g, where(eq(n, 0), 0, div(num, den)))];
  },
  attrs: (o) => ({ p: o.p, dim: o.axes }),
});

function noGradNorm(x: Tensor, axes: number[], keepDim: boolean, p: number): Tensor {
  const a = abs(x);
  const o = { dim: axes, keepdim: keepDim };
  if (p === Infinity) return max(a, o);
  if (p === -Infinity) return min(a, o);
  if (p === 0) return sum(ne(x, 0), o);
  if (p === 1) return sum(a, o);
  if (p === 2) return sqrt(sum(square(x), o));
  return pow(sum(pow(a, p), o), 1 / p);
}

/**
 * Vector p-norm over dimensions (all when none is given), as `torch.linalg.vector_norm`:
 * `x.norm()`, `x.norm(1)`, `x.norm(2, 1)`, `x.norm({ p: Infinity, dim: 1, keepdim: true })`.
 * The gradient of the 2-norm at a zero vector is 0, as in PyTorch.
 * @example tensor([3, 4]).norm().item() // 5; x.norm({ p: 1, dim: 1 })
 */
export function norm(x: Tensor, p?: number | 'fro' | NormOptions, dim?: Dims, keepdim?: boolean): Tensor {
  arg('norm', 'input', x, is.instance(Tensor));
  let order = p;
  let r: Resolved;
  if (isPlainObject(p)) {
    if (dim !== undefined || keepdim !== undefined) throw new TsgradError('norm: give dim and keepdim inside the options object');
    const { dims, keepDim, opts } = dimArgs<{ p?: number | 'fro' }>('norm', p, undefined, { p: is.anyOf(is.number, is.oneOf(['fro'])) });
    order = opts.p;
    r = { axes: normAxes('norm', Array.isArray(dims) && dims.length === 0 ? undefined : dims, x.ndim), keepDim };
  } else {
    r = resolve('norm', x, dim, keepdim);
  }
  arg('norm', 'p', order, is.optional(is.anyOf(is.number, is.oneOf(['fro']))));
  const pv = order === undefined || order === 'fro' ? 2 : (order as number);
  check(pv >= 0 || pv === -Infinity, 'norm', () => `p must be >= 0, Infinity or -Infinity, got ${pv}`);
  return normOp([x], { ...r, p: pv });
}

/** The k largest (or smallest) values along a dimension and their indices; an array [values, indices] that also names them. */
export type TopK = [Tensor, Tensor] & { values: Tensor; indices: Tensor };

/**
 * The k largest entries along dim (default the last), as `torch.topk`: values (differentiable)
 * and int32 indices, largest first (with `largest: false`, the k smallest, smallest first).
 * NaN counts as larger than any number; ties keep the lower index first.
 * @example const [values, indices] = logits.topk(5, 1); logits.topk({ k: 3, largest: false }).indices
 */
export function topk(
  x: Tensor,
  k: number | { k: number; dim?: number; largest?: boolean; sorted?: boolean },
  dim?: number,
  largest?: boolean,
  sorted?: boolean,
): TopK {
  arg('topk', 'input', x, is.instance(Tensor));
  type TopKOptions = { k: number; dim?: number; largest?: boolean; sorted?: boolean };
  let o: TopKOptions;
  if (isPlainObject(k)) {
    if (dim !== undefined || largest !== undefined || sorted !== undefined)
      throw new TsgradError('topk: give every option inside the options object');
    o = options<TopKOptions>('topk', k, { k: is.nonNegativeInt, dim: is.int, largest: is.bool, sorted: is.bool }, ['k']);
  } else {
    o = {
      k: arg<number>('topk', 'k', k, is.nonNegativeInt),
      dim: arg<number | undefined>('topk', 'dim', dim, is.optional(is.int)),
      largest: arg<boolean | undefined>('topk', 'largest', largest, is.optional(is.bool)),
      sorted: arg<boolean | undefined>('topk', 'sorted', sorted, is.optional(is.bool)),
    };
  }
  const d = normAxis('topk', o.dim ?? -1, x.ndim);
  const n = x.ndim === 0 ? 1 : x.shape[d];
  check(o.k <= n, 'topk', () => `k = ${o.k} is larger than dim ${d} of shape ${fmtShape(x.shape)} (size ${n})`);
  const big = o.largest ?? true;
  const src = x.ndim === 0 ? reshape(x, [1]) : x;
  const outer = sizeOf(src.shape.slice(0, d));
  const inner = sizeOf(src.shape.slice(d + 1));
  const xs = denseArray(contiguousRaw(src));
  const idx = new Int32Array(outer * o.k * inner);
  const order = Array.from({ length: n }, (_, i) => i);
  // NaN first when largest, last when smallest (PyTorch treats NaN as the largest value).
  const key = (v: number): number => (v !== v ? Infinity : v);
  for (let a = 0; a < outer; a++) {
    for (let i = 0; i < inner; i++) {
      const base = a * n * inner + i;
      const val = (j: number): number => xs[base + j * inner];
      order.sort((p, q) => {
        const vp = val(p);
        const vq = val(q);
        const nanP = vp !== vp;
        const nanQ = vq !== vq;
        if (nanP !== nanQ) return (nanP ? -1 : 1) * (big ? 1 : -1);
        const c = big ? key(vq) - key(vp) : key(vp) - key(vq);
        return c !== 0 && c === c ? c : p - q;
      });
      for (let j = 0; j < o.k; j++) idx[(a * o.k + j) * inner + i] = order[j];
    }
  }
  const shape = src.shape.map((s, i) => (i === d ? o.k : s));
  const indices = new Tensor(idx, shape);
  const values = gather(src, d, indices);
  const finalShape = x.ndim === 0 ? [] : shape;
  const v = x.ndim === 0 ? reshape(values, finalShape) : values;
  const iOut = x.ndim === 0 ? new Tensor(idx, finalShape) : indices;
  return Object.assign([v, iOut] as [Tensor, Tensor], { values: v, indices: iOut });
}
