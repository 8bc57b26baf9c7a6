import type { DType, TypedArray, View } from '../kernels/types.js';
import { broadcastShapes, contiguousStrides, sizeOf } from '../util/shape.js';
import { TsgradError, fmtShape } from '../util/errors.js';
import { arg, check, is } from '../util/args.js';
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
  /** The op's options as its forward received them (what an exporter needs to rebuild it). */
  opts?: unknown;
  /** While tracing (traceOps): the dotted name and class of the module that ran the op. */
  scope?: string;
  /** The tensors backward may read (the op's inputs and output) and their storage versions when the forward ran. */
  saved?: readonly Tensor[];
  savedVersions?: readonly number[];
  /** Set by a backward without retainGraph: the node's saved values are freed, and backward through it throws. */
  released?: boolean;
  /** Frees what the forward saved for backward (called by backward unless retainGraph). */
  release?(): void;
  /** The op's backward keeps no reference to dy (OpSpec.dropsGradient). */
  dropsGradient?: boolean;
}

/**
 * A version counter per storage, as PyTorch keeps one: every write into a storage outside the
 * graph (an optimizer step, loadStateDict, init, copy_, markModified) bumps it, the forward of
 * each op records the versions of the tensors it saves, and backward refuses a gradient computed
 * from values that changed since. Keyed by the storage array, so views, which share it, share the
 * counter; a storage never written in place has no entry and is at version 0.
 */
const versions = new WeakMap<TypedArray, number>();

/** The version of a storage array: how many in-place writes it has had. */
export function storageVersion(storage: TypedArray): number {
  return versions.get(storage) ?? 0;
}

/** Records an in-place write into a storage array (every view of it sees the new version). */
export function bumpVersion(storage: TypedArray): void {
  versions.set(storage, (versions.get(storage) ?? 0) + 1);
}

export type NestedArray = number | boolean | NestedArray[];

/**
 * An n-dimensional array: storage + shape + strides + offset, so that reshape,
 * permute, expand and slicing are O(1) views. Float32 by default, float64 for
 * exact gradient checks, int32 for indices and class labels.
 *
 * Differentiable methods (add, matmul, sum, ...) are attached by `ops/`.
 * @example
 * const x = new tg.Tensor(new Float32Array([1, 2, 3, 4]), [2, 2]); // or tg.tensor([[1, 2], [3, 4]])
 * x.transpose().toArray(); // [[1, 3], [2, 4]]: a view on the same storage
 */
export class Tensor {
  /**
   * The elements' memory, shared with every view of the tensor. Writing into it directly
   * bypasses the version counter: follow such a write with `markModified()` (or write with
   * `copy_`), so that backward through a graph recorded earlier throws instead of silently
   * differentiating the new values.
   */
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
    checkLayout(storage, shape, strides, offset);
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

  /**
   * How many in-place writes this tensor's storage has had (shared with its views). backward()
   * refuses a graph whose saved tensors changed version since the forward.
   */
  get version(): number {
    return storageVersion(this.storage);
  }

  /**
   * Declares that the values were changed in place. The library's own in-place writes (optimizer
   * steps, loadStateDict, init, copy_) do this themselves; code that writes into `storage` directly
   * must call it, or a backward through a graph built before the write computes a stale gradient.
   * @example w.storage[0] = 0; w.markModified();
   */
  markModified(): this {
    bumpVersion(this.storage);
    return this;
  }

  /**
   * Copies src's values into this tensor in place (src broadcast to this shape, converted to this
   * dtype), outside the graph, and bumps the version; PyTorch's copy_.
   * @example w.copy_(tg.zeros(w.shape))
   */
  copy_(src: Tensor): this {
    arg('Tensor.copy_', 'src', src, is.instance(Tensor));
    const shape = broadcastShapes('Tensor.copy_', src.shape, this.shape);
    if (shape.length !== this.ndim || shape.some((d, i) => d !== this.shape[i])) {
      throw new TsgradError(
        `Tensor.copy_: source of shape ${fmtShape(src.shape)} does not broadcast to the destination's shape ${fmtShape(this.shape)}`,
      );
    }
    let from: Tensor = src;
    if (src.dtype !== this.dtype) {
      const converted = newArray(this.dtype, src.size);
      converted.set(denseArray(src));
      from = new Tensor(converted, src.shape);
    }
    // Broadcast: stride 0 on the leading axes src lacks and on its unit axes.
    const lead = this.ndim - from.ndim;
    const strides = this.shape.map((_, i) => (i < lead || from.shape[i - lead] === 1 ? 0 : from.strides[i - lead]));
    kernels().copy({ data: from.storage, offset: from.offset, shape: this.shape, strides }, viewOf(this));
    bumpVersion(this.storage);
    return this;
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

  /** A contiguous copy of the elements, in the tensor's own array type (writing into it changes nothing). */
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
    if (this.size !== 1)
      throw new TsgradError(`item: tensor of shape ${fmtShape(this.shape)} has ${this.size} elements, expected exactly 1`);
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
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'int32':
      return new Int32Array(n);
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

const storageCheck = check(
  'a Float32Array, Float64Array or Int32Array',
  (v) => v instanceof Float32Array || v instanceof Float64Array || v instanceof Int32Array,
);

/**
 * The Tensor constructor's checks: a storage too short for the shape, strides and offset would
 * read past its end (undefined, printed as null) instead of failing.
 */
function checkLayout(storage: unknown, shape: unknown, strides: unknown, offset: unknown): void {
  arg('Tensor', 'storage', storage, storageCheck);
  const dims = arg<number[]>('Tensor', 'shape', shape, is.shape);
  if (strides !== undefined) arg('Tensor', 'strides', strides, is.arrayOf(is.int, dims.length));
  arg('Tensor', 'offset', offset, is.nonNegativeInt);
  const st = (strides as number[] | undefined) ?? contiguousStrides(dims);
  if (dims.some((d) => d === 0)) return;
  let lo = offset as number;
  let hi = offset as number;
  dims.forEach((d, i) => {
    if (st[i] > 0) hi += (d - 1) * st[i];
    else lo += (d - 1) * st[i];
  });
  const n = (storage as TypedArray).length;
  if (lo < 0 || hi >= n) {
    throw new TsgradError(
      `Tensor: a storage of ${n} elements cannot hold shape ${fmtShape(dims)} ` +
        `(strides ${fmtShape(st)}, offset ${String(offset)}: it reaches element ${lo < 0 ? lo : hi})`,
    );
  }
}
