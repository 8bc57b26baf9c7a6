import { kernels } from '../kernels/index.js';
import type { BinaryOp, DType, ReduceOp } from '../kernels/types.js';
import { broadcastShapes, contiguousStrides, sizeOf } from '../util/shape.js';
import { Tensor, denseArray, newArray, viewOf } from './tensor.js';

/**
 * Non-differentiable building blocks on tensors, shared by the autograd engine
 * and by the ops: they run kernels and never record graph nodes.
 */

/** The dtype of a binary op's result: float64 > float32 > int32. */
export function promote(a: DType, b: DType): DType {
  if (a === 'float64' || b === 'float64') return 'float64';
  if (a === 'float32' || b === 'float32') return 'float32';
  return 'int32';
}

/** A view of t broadcast to shape (stride 0 on new or unit axes). */
export function broadcastView(t: Tensor, shape: readonly number[]): Tensor {
  const nd = shape.length;
  const strides = new Array<number>(nd);
  for (let i = 0; i < nd; i++) {
    const j = i - (nd - t.ndim);
    strides[i] = j < 0 || t.shape[j] === 1 ? 0 : t.strides[j];
  }
  return new Tensor(t.storage, shape, strides, t.offset);
}

/** A dense copy of t (or t itself when it is already dense and owns its storage). */
export function contiguousRaw(t: Tensor): Tensor {
  if (t.isContiguous() && t.offset === 0 && t.storage.length === t.size) return t;
  const out = newArray(t.dtype, t.size);
  kernels().copy(viewOf(t), { data: out, offset: 0, shape: t.shape, strides: contiguousStrides(t.shape) });
  return new Tensor(out, t.shape);
}

/** Converts t to another dtype (a copy). */
export function castRaw(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const out = newArray(dtype, t.size);
  out.set(denseArray(t));
  return new Tensor(out, t.shape);
}

export function binaryRaw(op: BinaryOp, a: Tensor, b: Tensor, opName: string = op, dtype?: DType): Tensor {
  const shape = broadcastShapes(opName, a.shape, b.shape);
  const out = newArray(dtype ?? promote(a.dtype, b.dtype), sizeOf(shape));
  kernels().binary(op, viewOf(broadcastView(a, shape)), viewOf(broadcastView(b, shape)), out);
  return new Tensor(out, shape);
}

/** Reduces the given axes (sorted, unique) with keepDim semantics controlled by the caller. */
export function reduceRaw(op: ReduceOp, t: Tensor, axes: readonly number[], keepDim: boolean): Tensor {
  // No axes (a 0-d tensor reduced over its own axis): the value itself, in storage of its own.
  if (axes.length === 0) return new Tensor(denseArray(t).slice(), t.shape);
  let cur = contiguousRaw(t);
  let shape = t.shape.slice();
  // Reduce one axis at a time from the last, each as [outer, red, inner] on dense data.
  for (let i = axes.length - 1; i >= 0; i--) {
    const ax = axes[i];
    const outer = sizeOf(shape.slice(0, ax));
    const red = shape[ax];
    const inner = sizeOf(shape.slice(ax + 1));
    const out = newArray(cur.dtype, outer * inner);
    if (red === 0 && op !== 'sum') throw new Error(`${op}: cannot reduce an empty axis`);
    kernels().reduce(op, denseArray(cur), outer, red, inner, out);
    shape[ax] = 1;
    cur = new Tensor(out, shape);
  }
  if (!keepDim) shape = shape.filter((_, i) => !axes.includes(i));
  return new Tensor(cur.storage, shape);
}

/** Sums a gradient down to the shape of the input it belongs to (undoing broadcasting). */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const r = reduceRaw('sum', g, axes, true);
  return new Tensor(r.storage, shape);
}
