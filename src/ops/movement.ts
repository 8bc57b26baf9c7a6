import { arg, is } from '../util/args.js';
import { defineOp } from '../autograd/engine.js';
import { kernels } from '../kernels/index.js';
import { full } from '../tensor/create.js';
import { contiguousRaw, promote } from '../tensor/raw.js';
import { Tensor, newArray, viewOf } from '../tensor/tensor.js';
import { check, fmtShape } from '../util/errors.js';
import { contiguousStrides, normAxis, sizeOf } from '../util/shape.js';

const IS_TENSOR = is.instance(Tensor);

/**
 * Movement ops. reshape, permute, expand, squeeze, unsqueeze and slicing are O(1)
 * views on the same storage; concat and pad copy.
 */

/**
 * Strides that let `shape` view the same elements as (oldShape, oldStrides), or null when
 * a copy is needed. Walks the old axes from the last, in chunks that are contiguous
 * among themselves; each chunk must be split exactly by the new axes (PyTorch's rule).
 */
function viewStrides(oldShape: readonly number[], oldStrides: readonly number[], shape: readonly number[]): number[] | null {
  if (oldShape.length === 0 || sizeOf(oldShape) === 0) return contiguousStrides(shape);
  const out = new Array<number>(shape.length);
  let vd = shape.length - 1;
  let base = oldStrides[oldStrides.length - 1];
  let oldN = 1;
  let newN = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    oldN *= oldShape[d];
    const chunkEnds = d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== oldN * base);
    if (!chunkEnds) continue;
    while (vd >= 0 && (newN < oldN || shape[vd] === 1)) {
      out[vd] = newN * base;
      newN *= shape[vd];
      vd--;
    }
    if (newN !== oldN) return null;
    if (d > 0) {
      base = oldStrides[d - 1];
      oldN = 1;
      newN = 1;
    }
  }
  return vd === -1 ? out : null;
}

function inferShape(op: string, size: number, shape: readonly number[]): number[] {
  const out = shape.slice();
  const unknown = out.indexOf(-1);
  if (unknown >= 0) {
    const rest = sizeOf(out.filter((_, i) => i !== unknown));
    check(rest > 0 && size % rest === 0, op, () => `cannot infer -1 in shape ${fmtShape(shape)} for ${size} elements`);
    out[unknown] = size / rest;
  }
  check(
    sizeOf(out) === size && out.every((d) => Number.isInteger(d) && d >= 0),
    op,
    () => `cannot reshape ${size} elements into shape ${fmtShape(shape)} (${sizeOf(out)} elements)`,
  );
  return out;
}

const reshapeOp = defineOp<readonly number[]>({
  name: 'reshape',
  forward: ([x], shape) => {
    const strides = viewStrides(x.shape, x.strides, shape);
    if (strides) return new Tensor(x.storage, shape, strides, x.offset);
    return new Tensor(contiguousRaw(x).storage, shape);
  },
  backward: (dy, { inputs: [x] }) => [reshape(dy, x.shape)],
  attrs: (shape) => ({ shape }),
});

/**
 * Same elements in a new shape (one dimension may be -1); a view when the layout allows, like torch.reshape.
 * @example F.reshape(randn([2, 3, 4]), [6, -1]).shape // [6, 4]
 */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  arg('reshape', 'x', x, IS_TENSOR);
  const s = inferShape('reshape', x.size, shape);
  if (s.length === x.ndim && s.every((d, i) => d === x.shape[i])) return x;
  return reshapeOp([x], s);
}

const permuteOp = defineOp<readonly number[]>({
  name: 'permute',
  forward: ([x], dims) =>
    new Tensor(
      x.storage,
      dims.map((d) => x.shape[d]),
      dims.map((d) => x.strides[d]),
      x.offset,
    ),
  backward: (dy, { opts: dims }) => {
    const inv = new Array<number>(dims.length);
    dims.forEach((d, i) => (inv[d] = i));
    return [permute(dy, inv)];
  },
  attrs: (dims) => ({ dims }),
});

/**
 * Reorders the axes: output axis i is input axis dims[i]. A view, like torch.permute.
 * @example F.permute(randn([8, 28, 28, 3]), [0, 3, 1, 2]).shape // [8, 3, 28, 28]: NHWC to NCHW
 */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  arg('permute', 'x', x, IS_TENSOR);
  check(dims.length === x.ndim, 'permute', () => `got ${dims.length} dims for a tensor of rank ${x.ndim} (shape ${fmtShape(x.shape)})`);
  const norm = dims.map((d) => normAxis('permute', d, x.ndim));
  check(new Set(norm).size === norm.length, 'permute', () => `dims ${fmtShape(dims)} repeat an axis`);
  return permuteOp([x], norm);
}

/**
 * Swaps two axes (the last two by default), a view, like torch.transpose.
 * @example F.transpose(randn([2, 3])).shape // [3, 2]
 */
export function transpose(x: Tensor, dim0 = -2, dim1 = -1): Tensor {
  arg('transpose', 'x', x, IS_TENSOR);
  check(
    x.ndim >= 2 || (dim0 === -2 && dim1 === -1 && x.ndim < 2),
    'transpose',
    () => `tensor of shape ${fmtShape(x.shape)} has fewer than 2 axes`,
  );
  if (x.ndim < 2) return x;
  const a = normAxis('transpose', dim0, x.ndim);
  const b = normAxis('transpose', dim1, x.ndim);
  const dims = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return permute(x, dims);
}

const expandOp = defineOp<readonly number[]>({
  name: 'expand',
  forward: ([x], shape) => {
    const nd = shape.length;
    const strides = shape.map((d, i) => {
      const j = i - (nd - x.ndim);
      return j < 0 || (x.shape[j] === 1 && d !== 1) ? 0 : x.strides[j];
    });
    return new Tensor(x.storage, shape, strides, x.offset);
  },
  // The engine sums the gradient back over the expanded axes.
  backward: (dy) => [dy],
  attrs: (shape) => ({ shape }),
});

/**
 * Broadcasts unit axes to a larger shape without copying (-1 keeps an axis), like torch.Tensor.expand.
 * @example F.expand(tensor([[1], [2]]), [-1, 3]).toArray() // [[1, 1, 1], [2, 2, 2]]
 */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  arg('expand', 'x', x, IS_TENSOR);
  check(shape.length >= x.ndim, 'expand', () => `cannot expand shape ${fmtShape(x.shape)} to fewer dimensions ${fmtShape(shape)}`);
  const nd = shape.length;
  const target = shape.map((d, i) => {
    const j = i - (nd - x.ndim);
    const own = j >= 0 ? x.shape[j] : 1;
    const want = d === -1 ? own : d;
    check(
      own === want || own === 1,
      'expand',
      () => `cannot expand shape ${fmtShape(x.shape)} to ${fmtShape(shape)} (dimension ${i}: ${own} vs ${want})`,
    );
    return want;
  });
  if (target.length === x.ndim && target.every((d, i) => d === x.shape[i])) return x;
  return expandOp([x], target);
}

/**
 * Removes axes of size 1 (all of them, or the given ones), like torch.squeeze.
 * @example F.squeeze(randn([1, 3, 1]), 0).shape // [3, 1]
 */
export function squeeze(x: Tensor, axis?: number | readonly number[]): Tensor {
  arg('squeeze', 'x', x, IS_TENSOR);
  const axes =
    axis === undefined
      ? x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)
      : (typeof axis === 'number' ? [axis] : axis).map((a) => normAxis('squeeze', a, x.ndim));
  return reshape(
    x,
    x.shape.filter((d, i) => !(axes.includes(i) && d === 1)),
  );
}

/**
 * Inserts an axis of size 1 at position axis (negative counts from the end of the result), like torch.unsqueeze.
 * @example F.unsqueeze(randn([3]), 0).shape // [1, 3]
 */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  arg('unsqueeze', 'x', x, IS_TENSOR);
  const a = normAxis('unsqueeze', axis, x.ndim + 1);
  const shape = x.shape.slice();
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

/**
 * Merges axes startDim..endDim into one (defaults: all), like torch.flatten.
 * @example F.flatten(randn([8, 32, 5, 5]), 1).shape // [8, 800]
 */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  arg('flatten', 'x', x, IS_TENSOR);
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normAxis('flatten', startDim, x.ndim);
  const e = normAxis('flatten', endDim, x.ndim);
  check(s <= e, 'flatten', () => `startDim ${startDim} comes after endDim ${endDim}`);
  const merged = sizeOf(x.shape.slice(s, e + 1));
  return reshape(x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

/** One axis's [start, end) with step; negative start/end count from the end; null takes the whole axis. */
export type SliceRange = [start?: number, end?: number, step?: number] | null;

interface Window {
  starts: number[];
  shape: number[];
  steps: number[];
}

function windowView(t: Tensor, w: Window): Tensor {
  let offset = t.offset;
  const strides = t.strides.map((s, i) => {
    offset += w.starts[i] * s;
    return s * w.steps[i];
  });
  return new Tensor(t.storage, w.shape, strides, offset);
}

const sliceOp = defineOp<Window>({
  name: 'slice',
  forward: ([x], w) => windowView(x, w),
  backward: (dy, { inputs: [x], opts: w }) => {
    // Scatter the gradient into a zero tensor of the input's shape through the same window.
    const g = full(x.shape, 0, { dtype: dy.dtype });
    kernels().copy(viewOf(dy), viewOf(windowView(g, w)));
    return [g];
  },
  attrs: (w) => ({ starts: w.starts, shape: w.shape }),
});

/**
 * Slices every axis by a range: `slice(x, [[0, 2], null, [1, undefined, 2]])`.
 * Missing trailing ranges take whole axes. A view, O(1).
 * @example F.slice(tensor([[1, 2, 3], [4, 5, 6]]), [null, [0, 3, 2]]).toArray() // [[1, 3], [4, 6]], x[:, ::2]
 */
export function slice(x: Tensor, ranges: readonly SliceRange[]): Tensor {
  arg('slice', 'x', x, IS_TENSOR);
  check(ranges.length <= x.ndim, 'slice', () => `${ranges.length} ranges for a tensor of rank ${x.ndim} (shape ${fmtShape(x.shape)})`);
  const w: Window = { starts: [], shape: [], steps: [] };
  x.shape.forEach((d, i) => {
    const r = ranges[i] ?? [];
    const step = r[2] ?? 1;
    check(Number.isInteger(step) && step > 0, 'slice', () => `step must be a positive integer, got ${step}`);
    const clampIdx = (v: number): number => Math.min(d, Math.max(0, v < 0 ? v + d : v));
    const start = clampIdx(r[0] ?? 0);
    const end = clampIdx(r[1] ?? d);
    w.starts.push(start);
    w.steps.push(step);
    w.shape.push(Math.max(0, Math.ceil((end - start) / step)));
  });
  if (w.shape.every((d, i) => d === x.shape[i])) return x;
  return sliceOp([x], w);
}

/**
 * length entries of axis dim starting at start (a view), like torch.narrow.
 * @example F.narrow(tensor([1, 2, 3, 4, 5]), 0, 1, 3).toArray() // [2, 3, 4]
 */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  arg('narrow', 'x', x, IS_TENSOR);
  const a = normAxis('narrow', dim, x.ndim);
  const s = start < 0 ? start + x.shape[a] : start;
  check(
    Number.isInteger(length) && length >= 0 && s >= 0 && s + length <= x.shape[a],
    'narrow',
    () => `range [${start}, ${start}+${length}) is outside axis ${dim} of size ${x.shape[a]} (shape ${fmtShape(x.shape)})`,
  );
  const ranges: SliceRange[] = x.shape.map(() => null);
  ranges[a] = [s, s + length];
  return slice(x, ranges);
}

/**
 * Entry `index` of axis dim, with that axis removed (a view), like torch.select.
 * @example F.select(tensor([[1, 2], [3, 4]]), 1, 0).toArray() // [1, 3], x[:, 0]
 */
export function select(x: Tensor, dim: number, index: number): Tensor {
  arg('select', 'x', x, IS_TENSOR);
  const a = normAxis('select', dim, x.ndim);
  const i = index < 0 ? index + x.shape[a] : index;
  check(
    Number.isInteger(i) && i >= 0 && i < x.shape[a],
    'select',
    () => `index ${index} is out of range for axis ${dim} of size ${x.shape[a]}`,
  );
  return squeeze(narrow(x, a, i, 1), a);
}

const concatOp = defineOp<number>({
  name: 'concat',
  forward: (xs, axis) => {
    const shape = xs[0].shape.slice();
    shape[axis] = xs.reduce((s, t) => s + t.shape[axis], 0);
    const dtype = xs.map((t) => t.dtype).reduce(promote);
    const out = new Tensor(newArray(dtype, sizeOf(shape)), shape);
    let at = 0;
    for (const t of xs) {
      const starts = shape.map((_, i) => (i === axis ? at : 0));
      kernels().copy(viewOf(t), viewOf(windowView(out, { starts, shape: t.shape.slice(), steps: shape.map(() => 1) })));
      at += t.shape[axis];
    }
    return out;
  },
  backward: (dy, { inputs, opts: axis }) => {
    let at = 0;
    return inputs.map((t) => {
      const g = narrow(dy, axis, at, t.shape[axis]);
      at += t.shape[axis];
      return g;
    });
  },
  attrs: (axis) => ({ axis }),
});

/**
 * Joins tensors along an existing axis; all other axes must match. Like torch.cat.
 * @example F.concat([zeros([2, 3]), ones([1, 3])], 0).shape // [3, 3]
 */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  arg('concat', 'tensors', xs, is.arrayOf(is.instance(Tensor)));
  check(xs.length > 0, 'concat', () => 'needs at least one tensor');
  const a = normAxis('concat', axis, xs[0].ndim);
  for (const t of xs) {
    check(
      t.ndim === xs[0].ndim && t.shape.every((d, i) => i === a || d === xs[0].shape[i]),
      'concat',
      () => `shapes ${xs.map((u) => fmtShape(u.shape)).join(', ')} differ outside axis ${axis}`,
    );
  }
  if (xs.length === 1) return xs[0];
  return concatOp(xs.slice(), a);
}

/**
 * Joins tensors of one shape along a new axis, like torch.stack.
 * @example F.stack([zeros([3]), ones([3])], 1).shape // [3, 2]
 */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  arg('stack', 'tensors', xs, is.arrayOf(is.instance(Tensor)));
  check(xs.length > 0, 'stack', () => 'needs at least one tensor');
  for (const t of xs) {
    check(
      t.ndim === xs[0].ndim && t.shape.every((d, i) => d === xs[0].shape[i]),
      'stack',
      () => `all tensors must have one shape, got ${xs.map((u) => fmtShape(u.shape)).join(', ')}`,
    );
  }
  const a = normAxis('stack', axis, xs[0].ndim + 1);
  return concat(
    xs.map((t) => unsqueeze(t, a)),
    a,
  );
}

interface PadSpec {
  before: number[];
  after: number[];
  value: number;
}

const padOp = defineOp<PadSpec>({
  name: 'pad',
  forward: ([x], p) => {
    const shape = x.shape.map((d, i) => d + p.before[i] + p.after[i]);
    const out = full(shape, p.value, { dtype: x.dtype });
    kernels().copy(viewOf(x), viewOf(windowView(out, { starts: p.before, shape: x.shape.slice(), steps: shape.map(() => 1) })));
    return out;
  },
  backward: (dy, { inputs: [x], opts: p }) => [
    slice(
      dy,
      x.shape.map((d, i) => [p.before[i], p.before[i] + d]),
    ),
  ],
  attrs: (p) => ({ before: p.before, after: p.after }),
});

/**
 * Constant padding, PyTorch's F.pad convention: pads lists (before, after) pairs
 * starting from the LAST axis: pad(x, [1, 1, 2, 2]) pads the last axis by 1 and the one before by 2.
 * @example F.pad(ones([1, 1, 2, 2]), [1, 1, 2, 2]).shape // [1, 1, 6, 4]
 */
export function pad(x: Tensor, pads: readonly number[], value = 0): Tensor {
  arg('pad', 'x', x, IS_TENSOR);
  check(
    pads.length % 2 === 0 && pads.length / 2 <= x.ndim,
    'pad',
    () => `pads must hold (before, after) pairs for at most ${x.ndim} axes, got ${pads.length} numbers`,
  );
  check(
    pads.every((v) => Number.isInteger(v) && v >= 0),
    'pad',
    () => `pads must be non-negative integers, got [${pads.join(',')}]`,
  );
  const before = x.shape.map(() => 0);
  const after = x.shape.map(() => 0);
  for (let i = 0; i < pads.length / 2; i++) {
    before[x.ndim - 1 - i] = pads[2 * i];
    after[x.ndim - 1 - i] = pads[2 * i + 1];
  }
  return padOp([x], { before, after, value });
}

const contiguousOp = defineOp<undefined>({
  name: 'contiguous',
  forward: ([x]) => {
    const out = newArray(x.dtype, x.size);
    kernels().copy(viewOf(x), { data: out, offset: 0, shape: x.shape, strides: contiguousStrides(x.shape) });
    return new Tensor(out, x.shape);
  },
  backward: (dy) => [dy],
});

/**
 * A dense copy when x is a strided view; x itself when it is already dense. Like torch.Tensor.contiguous.
 * @example F.contiguous(randn([3, 4]).transpose()).isContiguous() // true
 */
export function contiguous(x: Tensor): Tensor {
  arg('contiguous', 'x', x, IS_TENSOR);
  return x.isContiguous() ? x : contiguousOp([x], undefined);
}
