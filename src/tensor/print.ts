import type { DType, TypedArray } from '../kernels/types.js';

const EDGE = 3;
const THRESHOLD = 1000;

/** PyTorch-like text of a tensor; above 1000 elements each axis shows its first and last three entries. */
export function formatTensor(shape: readonly number[], flat: TypedArray, dtype: DType, requiresGrad: boolean): string {
  const size = flat.length;
  const abbreviate = size > THRESHOLD;
  const fmt = numberFormat(flat, dtype);
  const strides: number[] = [];
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  const render = (dim: number, off: number, indent: string): string => {
    if (dim === shape.length) return fmt(flat[off]);
    const n = shape[dim];
    const idx = abbreviate && n > 2 * EDGE ? [...range(0, EDGE), -1, ...range(n - EDGE, n)] : range(0, n);
    const parts = idx.map((i) => (i < 0 ? '...' : render(dim + 1, off + i * strides[dim], indent + ' ')));
    const sep = dim === shape.length - 1 ? ', ' : ',' + '\n'.repeat(shape.length - dim - 1) + indent + ' ';
    return '[' + parts.join(sep) + ']';
  };
  const extras = [`shape=[${shape.join(',')}]`];
  if (dtype !== 'float32') extras.push(`dtype=${dtype}`);
  if (requiresGrad) extras.push('requiresGrad=true');
  return `tensor(${render(0, 0, '       ')}, ${extras.join(', ')})`;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}

function numberFormat(flat: TypedArray, dtype: DType): (v: number) => string {
  if (dtype === 'int32') return (v) => String(v);
  let maxAbs = 0;
  let allInt = true;
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (!Number.isFinite(v)) continue;
    maxAbs = Math.max(maxAbs, Math.abs(v));
    if (!Number.isInteger(v)) allInt = false;
  }
  if (allInt && maxAbs < 1e8) return (v) => (Number.isFinite(v) ? `${v}.` : String(v));
  if (maxAbs >= 1e6 || (maxAbs > 0 && maxAbs < 1e-3)) return (v) => v.toExponential(4);
  return (v) => v.toFixed(4);
}
