import { check, fmtShape } from './errors.js';

export type Shape = readonly number[];

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a dense tensor of this shape. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** NumPy broadcasting of two shapes; throws naming the op and both shapes. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    check(
      da === db || da === 1 || db === 1,
      op,
      () => `cannot broadcast shapes ${fmtShape(a)} and ${fmtShape(b)} (dimension ${i}: ${da} vs ${db})`,
    );
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Normalises a possibly negative axis against ndim, with a clear error. A 0-d tensor takes
 * axis 0 or -1, as in PyTorch (both name the tensor itself).
 */
export function normAxis(op: string, axis: number, ndim: number): number {
  const r = Math.max(ndim, 1);
  const a = axis < 0 ? axis + r : axis;
  check(
    Number.isInteger(axis) && a >= 0 && a < r,
    op,
    () => `axis ${String(axis)} is out of range for a tensor of rank ${ndim} (expected an integer in [${-r}, ${r - 1}])`,
  );
  return a;
}

/**
 * Normalises an axis option (undefined = all axes) into a sorted unique list. On a 0-d tensor
 * the list is empty: reducing over its only "axis" leaves the value as it is (PyTorch's rule).
 */
export function normAxes(op: string, axis: number | readonly number[] | undefined, ndim: number): number[] {
  if (axis === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : axis;
  const out = [...new Set(list.map((a) => normAxis(op, a, ndim)))];
  return ndim === 0 ? [] : out.sort((x, y) => x - y);
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export { fmtShape };
