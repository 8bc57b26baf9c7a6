import type { DType, TypedArray } from '../kernels/types.js';
import { TsgradError, fmtShape } from '../util/errors.js';
import { arg, check, is, options, type Check, type Spec } from '../util/args.js';
import { rng } from '../util/rng.js';
import { sizeOf } from '../util/shape.js';
import { Tensor, newArray, type NestedArray } from './tensor.js';

export interface CreateOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

/** A shape: an array of sizes, or one number for a 1-D shape as in PyTorch (`zeros(3)`). */
export type ShapeArg = readonly number[] | number;

const dtypeCheck = is.oneOf(['float32', 'float64', 'int32']);
const createSpec = { dtype: dtypeCheck, requiresGrad: is.bool };
const shapeCheck = is.anyOf(is.nonNegativeInt, is.shape);

const valuesCheck = check(
  'a number, a nested array of numbers or a typed array',
  (v) => typeof v === 'number' || typeof v === 'boolean' || Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView)),
);

function shapeOf(op: string, shape: unknown): number[] {
  arg(op, 'shape', shape, shapeCheck);
  return typeof shape === 'number' ? [shape] : (shape as number[]).slice();
}

/**
 * PyTorch's varargs form, `zeros(2, 3)`: leading numbers after the first are more sizes; the
 * argument after them, if any, is the options object.
 */
function shapeAndOptions<T extends object>(op: string, args: unknown[], spec: Record<keyof T, Check>): [number[], T] {
  let n = 1;
  while (n < args.length && typeof args[n] === 'number') n++;
  if (n > 1) args.slice(0, n).forEach((d, i) => arg(op, `size ${i}`, d, is.nonNegativeInt));
  const shape = n > 1 ? (args.slice(0, n) as number[]) : shapeOf(op, args[0]);
  if (args.length > n + 1) throw new TsgradError(`${op}: expected a shape and an options object, got ${args.length} arguments`);
  return [shape, options<T>(op, args[n], spec as never)];
}

/** Int32 storage wraps values outside its range; PyTorch refuses them ("value cannot be converted"). */
function checkInt32(op: string, data: ArrayLike<number>, dtype: DType): void {
  if (dtype !== 'int32') return;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(v >= -2147483648 && v <= 2147483647)) {
      throw new TsgradError(`${op}: value ${v} cannot be converted to int32 (range -2147483648 to 2147483647)`);
    }
  }
}

export interface TensorOptions extends CreateOptions {
  /** Shape for a flat array or typed array; inferred from nesting otherwise. */
  shape?: readonly number[];
}

/**
 * Creates a tensor from a number, a nested array or a typed array.
 * @example tensor([[1, 2], [3, 4]], { requiresGrad: true })
 */
export function tensor(values: NestedArray | TypedArray | readonly number[], given: TensorOptions = {}): Tensor {
  const opts = options<TensorOptions>('tensor', given, { ...createSpec, shape: shapeCheck });
  arg('tensor', 'values', values, valuesCheck);
  let flat: TypedArray;
  let shape: number[];
  const isTyped = ArrayBuffer.isView(values);
  const dtype: DType = opts.dtype ?? (values instanceof Float64Array ? 'float64' : values instanceof Int32Array ? 'int32' : 'float32');
  if (isTyped) {
    const src = values as TypedArray;
    checkInt32('tensor', src, dtype);
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
    if (dtype === 'int32') checkInt32('tensor', (values as unknown[]).flat(Infinity) as number[], dtype);
    fill(values as NestedArray);
  }
  if (opts.shape !== undefined) {
    const want = shapeOf('tensor', opts.shape);
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
      throw new TsgradError(
        `tensor: ragged nested array: element ${path} has shape ${fmtShape(s)} but element [0] has shape ${fmtShape(inner)}`,
      );
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

/**
 * A tensor filled with one value. `full(3, 7)` is a 1-D shape, as in PyTorch (torch.full).
 * @example full([2, 2], 7).toArray() // [[7, 7], [7, 7]]
 */
export function full(shape: ShapeArg, value: number, opts: CreateOptions = {}): Tensor {
  return fill('full', shapeOf('full', shape), value, options<CreateOptions>('full', opts, createSpec));
}

function fill(op: string, shape: number[], value: unknown, opts: CreateOptions): Tensor {
  arg(op, 'value', value, is.anyOf(is.number, is.oneOf([NaN])));
  const dtype = opts.dtype ?? 'float32';
  checkInt32(op, [value as number], dtype);
  const data = newArray(dtype, sizeOf(shape));
  if (value !== 0) data.fill(value as number);
  return finish(new Tensor(data, shape), opts);
}

/**
 * Zeros of a shape: `zeros([2, 3])`, `zeros(3)` or PyTorch's `zeros(2, 3)`, then the options.
 * @example zeros([2, 3], { requiresGrad: true })
 */
export function zeros(shape: ShapeArg, opts?: CreateOptions): Tensor;
export function zeros(...sizesThenOptions: Array<number | CreateOptions>): Tensor;
export function zeros(...args: unknown[]): Tensor {
  const [shape, opts] = shapeAndOptions<CreateOptions>('zeros', args, createSpec);
  return fill('zeros', shape, 0, opts);
}

/**
 * Ones of a shape, in the same call forms as zeros (torch.ones).
 * @example ones(2, 3, { dtype: 'float64' }).shape // [2, 3]
 */
export function ones(shape: ShapeArg, opts?: CreateOptions): Tensor;
export function ones(...sizesThenOptions: Array<number | CreateOptions>): Tensor;
export function ones(...args: unknown[]): Tensor {
  const [shape, opts] = shapeAndOptions<CreateOptions>('ones', args, createSpec);
  return fill('ones', shape, 1, opts);
}

function like(op: string, t: unknown, value: number, opts: unknown): Tensor {
  const src = arg<Tensor>(op, 'input', t, is.instance(Tensor));
  const o = options<CreateOptions>(op, opts, createSpec);
  return fill(op, src.shape.slice(), value, { dtype: src.dtype, ...o });
}

export const zerosLike = (t: Tensor, opts: CreateOptions = {}): Tensor => like('zerosLike', t, 0, opts);
export const onesLike = (t: Tensor, opts: CreateOptions = {}): Tensor => like('onesLike', t, 1, opts);
export const fullLike = (t: Tensor, value: number, opts: CreateOptions = {}): Tensor => like('fullLike', t, value, opts);

/**
 * Values start, start+step, ... below end; int32 when all arguments are integers, unless dtype says otherwise.
 * Like torch.arange: one argument is the end.
 * @example arange(4).toArray() // [0, 1, 2, 3] (int32); arange(0, 1, 0.25) // float32 [0, 0.25, 0.5, 0.75]
 */
export function arange(start: number, end?: number, step = 1, opts: CreateOptions = {}): Tensor {
  arg('arange', 'start', start, is.finite);
  arg('arange', 'end', end, is.optional(is.finite));
  arg('arange', 'step', step, is.finite);
  options('arange', opts, createSpec);
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

/**
 * `steps` evenly spaced values from start to end inclusive, like torch.linspace.
 * @example linspace(0, 1, 5).toArray() // [0, 0.25, 0.5, 0.75, 1]
 */
export function linspace(start: number, end: number, steps: number, opts: CreateOptions = {}): Tensor {
  arg('linspace', 'start', start, is.number);
  arg('linspace', 'end', end, is.number);
  options('linspace', opts, createSpec);
  if (!Number.isInteger(steps) || steps < 0) throw new TsgradError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const data = newArray(opts.dtype ?? 'float32', steps);
  const h = steps > 1 ? (end - start) / (steps - 1) : 0;
  for (let i = 0; i < steps; i++) data[i] = i === steps - 1 ? end : start + i * h;
  return finish(new Tensor(data, [steps]), opts);
}

/**
 * The n×m identity matrix (m defaults to n), like torch.eye.
 * @example eye(2, 3).toArray() // [[1, 0, 0], [0, 1, 0]]
 */
export function eye(n: number, m = n, opts: CreateOptions = {}): Tensor {
  arg('eye', 'n', n, is.nonNegativeInt);
  arg('eye', 'm', m, is.nonNegativeInt);
  options('eye', opts, createSpec);
  const data = newArray(opts.dtype ?? 'float32', n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return finish(new Tensor(data, [n, m]), opts);
}

/**
 * Uniform values in [low, high) (default [0, 1), as torch.rand), from the seeded generator.
 * @example rand([2, 3], { low: -1, high: 1 })
 */
export function rand(shape: ShapeArg, opts?: RandOptions): Tensor;
export function rand(...sizesThenOptions: Array<number | RandOptions>): Tensor;
export function rand(...args: unknown[]): Tensor {
  return randomTensor('rand', args, { low: is.finite, high: is.finite }, uniform);
}

export type RandOptions = CreateOptions & { low?: number; high?: number };
export type RandnOptions = CreateOptions & { mean?: number; std?: number };

function uniform({ low = 0, high = 1 }: RandOptions): () => number {
  return () => low + (high - low) * rng.random();
}

function normal({ mean = 0, std = 1 }: RandnOptions): () => number {
  return () => mean + std * rng.normal();
}

/** A tensor of the shape and options in args, each element drawn by the sampler made from the options. */
function randomTensor<O extends CreateOptions>(
  op: string,
  args: unknown[],
  spec: Spec<Omit<O, keyof CreateOptions>>,
  sampler: (opts: O) => () => number,
): Tensor {
  const [shape, opts] = shapeAndOptions<O>(op, args, { ...createSpec, ...spec } as Spec<O>);
  const draw = sampler(opts);
  const data = newArray(opts.dtype ?? 'float32', sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw();
  return finish(new Tensor(data, shape), opts);
}

/**
 * Normal values with the given mean and standard deviation (default 0 and 1, as torch.randn), from the seeded generator.
 * @example randn([64, 784], { std: 0.1 }); randn(2, 3)
 */
export function randn(shape: ShapeArg, opts?: RandnOptions): Tensor;
export function randn(...sizesThenOptions: Array<number | RandnOptions>): Tensor;
export function randn(...args: unknown[]): Tensor {
  return randomTensor('randn', args, { mean: is.finite, std: is.nonNegative }, normal);
}

/**
 * Integers uniform in [low, high), int32 by default, like torch.randint.
 * @example randint(0, 10, [5]) // five int32 values in 0..9
 */
export function randint(low: number, high: number, shape: ShapeArg, opts: CreateOptions = {}): Tensor {
  arg('randint', 'low', low, is.int);
  arg('randint', 'high', high, is.int);
  shape = shapeOf('randint', shape);
  options('randint', opts, createSpec);
  if (!(high > low)) throw new TsgradError(`randint: high (${high}) must be greater than low (${low})`);
  const data = newArray(opts.dtype ?? 'int32', sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.int(low, high);
  return finish(new Tensor(data, shape), opts);
}

/**
 * Wraps a scalar as a 0-d tensor of the given dtype (default float32).
 * @example scalar(3, 'int32').shape // []
 */
export function scalar(value: number, dtype: DType = 'float32'): Tensor {
  arg('scalar', 'value', value, is.anyOf(is.number, is.oneOf([NaN])));
  arg('scalar', 'dtype', dtype, dtypeCheck);
  checkInt32('scalar', [value], dtype);
  const data = newArray(dtype, 1);
  data[0] = value;
  return new Tensor(data, []);
}
