import type { DType, TypedArray, View } from '../kernels/types.js';
import { contiguousStrides, sizeOf } from '../util/shape.js';
import { TsgradError, fmtShape } from '../util/errors.js';
import { formatTensor } from './print.js';
import { kernels } from '../kernels/index.js';

/** A node of the computational graph: the op that made a tensor, its inputs and its gradient rule. */
export interface GraphNode {
  op: string;
  parents: Tensor[];
  /** Gradients for each parent given the gradient of the output; null where none flows. */
  backward: (dy: Tensor) => Array<Tensor | null | undefined>;
  /** Options worth showing in a drawing of the graph (kernel size, axis, ...). */
  attrs?: Record<string, unknown>;
}

export type NestedArray = number | boolean | NestedArray[];

/**
 * An n-dimensional array: storage + shape + strides + offset, so that reshape,
 * permute, expand and slicing are O(1) views. Float32 by default, float64 for
 * exact gradient checks, int32 for indices and class labels.
 *
 * Differentiable methods (add, matmul, sum, ...) are attached by `ops/`.
 */
export class Tensor {
  readonly storage: TypedArray;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
  /** Whether gradients should flow to this tensor; set on parameters and inputs. */
  requiresGrad = false;
  /** The accumulated gradient after `backward()`, for leaves that require it. */
  grad: Tensor | null = null;
  /** The op that produced this tensor, when it was recorded in the graph. */
  node: GraphNode | null = null;
  /** Optional label, shown in graph drawings (parameters get their dotted names). */
  name?: string;

  constructor(storage: TypedArray, shape: readonly number[], strides?: readonly number[], offset = 0) {
    this.storage = storage;
    this.shape = Object.freeze(shape.slice());
    this.strides = Object.freeze(strides ? strides.slice() : contiguousStrides(shape));
    this.offset = offset;
    this.dtype = storage instanceof Float32Array ? 'float32' : storage instanceof Float64Array ? 'float64' : 'int32';
  }

  get ndim(): number {
    return this.shape.length;
  }

  get size(): number {
    return sizeOf(this.shape);
  }

  /** True when the elements sit densely in row-major order (the storage may be larger). */
  isContiguous(): boolean {
    let s = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      if (this.shape[i] !== 1 && this.strides[i] !== s) return false;
      s *= this.shape[i];
    }
    return true;
  }

  /** A contiguous copy of the elements, in the tensor's own array type. */
  data(): TypedArray {
    return denseArray(this).slice();
  }

  /** The elements as nested JavaScript arrays. */
  toArray(): NestedArray {
    const flat = denseArray(this);
    if (this.ndim === 0) return flat[0];
    const build = (dim: number, off: number): NestedArray[] => {
      const n = this.shape[dim];
      const step = sizeOf(this.shape.slice(dim + 1));
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = dim === this.ndim - 1 ? flat[off + i] : build(dim + 1, off + i * step);
      return out;
    };
    return build(0, 0);
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new TsgradError(`item: tensor of shape ${fmtShape(this.shape)} has ${this.size} elements, expected exactly 1`);
    return this.storage[this.offset];
  }

  toString(): string {
    return formatTensor(this.shape, denseArray(this), this.dtype, this.requiresGrad);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** The kernels' view of a tensor. */
export function viewOf(t: Tensor): View {
  return { data: t.storage, offset: t.offset, shape: t.shape, strides: t.strides };
}

/** The tensor's elements as a dense array: its own storage when already dense, otherwise a copy. */
export function denseArray(t: Tensor): TypedArray {
  const n = t.size;
  if (t.isContiguous()) {
    if (t.offset === 0 && t.storage.length === n) return t.storage;
    return t.storage.subarray(t.offset, t.offset + n);
  }
  const out = newArray(t.dtype, n);
  kernels().copy(viewOf(t), { data: out, offset: 0, shape: t.shape, strides: contiguousStrides(t.shape) });
  return out;
}

export function newArray(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'int32': return new Int32Array(n);
  }
}

const nodeBuffer = (globalThis as { Buffer?: { allocUnsafeSlow(size: number): { buffer: ArrayBuffer; byteOffset: number } } }).Buffer;

/**
 * An array for a kernel that writes every element of it (matmul's product): in Node, a large
 * one comes uninitialised (Buffer.allocUnsafeSlow), which saves calloc's clearing, 0.16 ms
 * of a 21 ms sgemm at n = 1024. Never for an output a kernel accumulates into.
 */
export function newArrayToOverwrite(dtype: DType, n: number): TypedArray {
  if (!nodeBuffer || n < 16384) return newArray(dtype, n);
  const Ctor = dtype === 'float32' ? Float32Array : dtype === 'float64' ? Float64Array : Int32Array;
  const bytes = n * Ctor.BYTES_PER_ELEMENT;
  const b = nodeBuffer.allocUnsafeSlow(bytes);
  // A Buffer polyfill may hand out a slice of a shared pool: only a memory of its own will do.
  if (b.byteOffset !== 0 || b.buffer.byteLength !== bytes) return newArray(dtype, n);
  return new Ctor(b.buffer, 0, n);
}
