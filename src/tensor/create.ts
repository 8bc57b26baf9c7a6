import type { DType, TypedArray } from '../kernels/types.js';
import { TsgradError, fmtShape } from '../util/errors.js';
import { rng } from '../util/rng.js';
import { sizeOf } from '../util/shape.js';
import { Tensor, newArray, type NestedArray } from './tensor.js';

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface TensorOptions extends CreateOptions {
  /** Shape for a flat array or typed array; inferred from nesting otherwise. */
  shape?: readonly number[];
}

/**
 * Creates a tensor from a number, a nested array or a typed array.
 * @example tensor([[1, 2], [3, 4]], { requiresGrad: true })
 */
export function tensor(values: NestedArray | TypedArray | readonly number[], opts: TensorOptions = {}): Tensor {
  let flat: TypedArray;
  let shape: number[];
  const isTyped = ArrayBuffer.isView(values);
  const dtype: DType = opts.dtype ?? (values instanceof Float64Array ? 'float64' : values instanceof Int32Array ? 'int32' : 'float32');
  if (isTyped) {
    const src = values as TypedArray;
    flat = newArray(dtype, src.length);
    flat.set(src);
    shape = [src.length];
  } else {
    shape = inferShape(values as NestedArray);
    flat = newArray(dtype, sizeOf(shape));
    let i = 0;
    const fill = (v: NestedArray): void => {
      if (Array.isArray(v)) for (const e of v) fill(e);
      else flat[i++] = typeof v === 'boolean' ? Number(v) : v;
    };
    fill(values as NestedArray);
  }
  if (opts.shape) {
    const want = opts.shape.slice();
    if (sizeOf(want) !== flat.length) {
      throw new TsgradError(`tensor: ${flat.length} values cannot take shape ${fmtShape(want)} (${sizeOf(want)} elements)`);
    }
    shape = want;
  }
  return finish(new Tensor(flat, shape), opts);
}

function inferShape(v: NestedArray): number[] {
  if (!Array.isArray(v)) {
    if (typeof v !== 'number' && typeof v !== 'boolean') throw new TsgradError(`tensor: expected numbers, got ${typeof v}`);
    return [];
  }
  const shape = [v.length];
  if (v.length === 0) return shape;
  const inner = inferShape(v[0]);
  // Every sibling must have the first one's shape: a ragged array has no tensor shape.
  const check = (e: NestedArray, path: string): void => {
    const s = inferShape(e);
    if (s.length !== inner.length || s.some((d, i) => d !== inner[i])) {
      throw new TsgradError(`tensor: ragged nested array: element ${path} has shape ${fmtShape(s)} but element [0] has shape ${fmtShape(inner)}`);
    }
  };
  for (let i = 1; i < v.length; i++) check(v[i], `[${i}]`);
  return shape.concat(inner);
}

function finish(t: Tensor, opts: CreateOptions): Tensor {
  if (opts.requiresGrad) {
    if (t.dtype === 'int32') throw new TsgradError('tensor: an int32 tensor cannot require gradients');
    t.requiresGrad = true;
  }
  return t;
}

function checkShape(op: string, shape: readonly number[]): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new TsgradError(`${op}: invalid shape ${fmtShape(shape)}: dimensions must be non-negative integers`);
  }
}

/** A tensor filled with one value. */
export function full(shape: readonly number[], value: number, opts: CreateOptions = {}): Tensor {
  checkShape('full', shape);
  const data = newArray(opts.dtype ?? 'float32', sizeOf(shape));
  if (value !== 0) data.fill(value);
  return finish(new Tensor(data, shape), opts);
}

export const zeros = (shape: readonly number[], opts: CreateOptions = {}): Tensor => full(shape, 0, opts);
export const ones = (shape: readonly number[], opts: CreateOptions = {}): Tensor => full(shape, 1, opts);
export const zerosLike = (t: Tensor, opts: CreateOptions = {}): Tensor => full(t.shape, 0, { dtype: t.dtype, ...opts });
export const onesLike = (t: Tensor, opts: CreateOptions = {}): Tensor => full(t.shape, 1, { dtype: t.dtype, ...opts });
export const fullLike = (t: Tensor, value: number, opts: CreateOptions = {}): Tensor => full(t.shape, value, { dtype: t.dtype, ...opts });

/** Values start, start+step, ... below end; int32 when all arguments are integers, unless dtype says otherwise. */
export function arange(start: number, end?: number, step = 1, opts: CreateOptions = {}): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  if (step === 0) throw new TsgradError('arange: step must not be zero');
  const n = Math.max(0, Math.ceil((end - start) / step));
  const allInt = [start, end, step].every(Number.isInteger);
  const data = newArray(opts.dtype ?? (allInt ? 'int32' : 'float32'), n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return finish(new Tensor(data, [n]), opts);
}

/** `steps` evenly spaced values from start to end inclusive. */
export function linspace(start: number, end: number, steps: number, opts: CreateOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new TsgradError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const data = newArray(opts.dtype ?? 'float32', steps);
  const h = steps > 1 ? (end - start) / (steps - 1) : 0;
  for (let i = 0; i < steps; i++) data[i] = i === steps - 1 ? end : start + i * h;
  return finish(new Tensor(data, [steps]), opts);
}

/** The n×m identity matrix (m defaults to n). */
export function eye(n: number, m = n, opts: CreateOptions = {}): Tensor {
  checkShape('eye', [n, m]);
  const data = newArray(opts.dtype ?? 'float32', n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return finish(new Tensor(data, [n, m]), opts);
}

/** Uniform values in [low, high), from the seeded generator. */
export function rand(shape: readonly number[], opts: CreateOptions & { low?: number; high?: number } = {}): Tensor {
  checkShape('rand', shape);
  const { low = 0, high = 1 } = opts;
  const data = newArray(opts.dtype ?? 'float32', sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * rng.random();
  return finish(new Tensor(data, shape), opts);
}

/** Normal values with the given mean and standard deviation, from the seeded generator. */
export function randn(shape: readonly number[], opts: CreateOptions & { mean?: number; std?: number } = {}): Tensor {
  checkShape('randn', shape);
  const { mean = 0, std = 1 } = opts;
  const data = newArray(opts.dtype ?? 'float32', sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = mean + std * rng.normal();
  return finish(new Tensor(data, shape), opts);
}

/** Integers uniform in [low, high), int32 by default. */
export function randint(low: number, high: number, shape: readonly number[], opts: CreateOptions = {}): Tensor {
  checkShape('randint', shape);
  if (!(high > low)) throw new TsgradError(`randint: high (${high}) must be greater than low (${low})`);
  const data = newArray(opts.dtype ?? 'int32', sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.int(low, high);
  return finish(new Tensor(data, shape), opts);
}

/** Wraps a scalar as a 0-d tensor of the given dtype. */
export function scalar(value: number, dtype: DType = 'float32'): Tensor {
  const data = newArray(dtype, 1);
  data[0] = value;
  return new Tensor(data, []);
}
