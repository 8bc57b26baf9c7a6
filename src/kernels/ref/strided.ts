/**
 * Row-wise walking of several strided views of one shape. Adjacent axes that
 * are laid out contiguously in every operand are merged first, so a dense or
 * a bias-broadcast operation runs as a few long rows, not many short ones.
 */
export interface RowPlan {
  /** Length of each row (the innermost, merged axis). */
  n: number;
  /** Stride of each operand along the row. */
  inner: number[];
  /** Number of rows. */
  rows: number;
  /** Calls fn(offsets) once per row with each operand's starting offset. */
  forEach(fn: (offsets: number[]) => void): void;
}

export function planRows(shape: readonly number[], strides: ReadonlyArray<readonly number[]>, offsets: readonly number[]): RowPlan {
  const k = strides.length;
  // Drop unit axes, then merge axis i into i+1 when every operand is contiguous across them.
  const dims: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && strides.every((s, j) => st[j][last] === s[i] * shape[i])) {
      dims[last] *= shape[i];
      for (let j = 0; j < k; j++) st[j][last] = strides[j][i];
      continue;
    }
    dims.push(shape[i]);
    for (let j = 0; j < k; j++) st[j].push(strides[j][i]);
  }
  if (dims.length === 0) {
    dims.push(1);
    for (let j = 0; j < k; j++) st[j].push(0);
  }
  const nd = dims.length;
  const n = dims[nd - 1];
  const inner = st.map((s) => s[nd - 1]);
  let rows = 1;
  for (let i = 0; i < nd - 1; i++) rows *= dims[i];
  return {
    n,
    inner,
    rows,
    forEach(fn) {
      const offs = offsets.slice();
      if (shape.some((d) => d === 0)) return;
      const idx = new Array<number>(nd).fill(0);
      for (let r = 0; r < rows; r++) {
        fn(offs);
        for (let d = nd - 2; d >= 0; d--) {
          idx[d]++;
          for (let j = 0; j < k; j++) offs[j] += st[j][d];
          if (idx[d] < dims[d]) break;
          for (let j = 0; j < k; j++) offs[j] -= st[j][d] * dims[d];
          idx[d] = 0;
        }
      }
    },
  };
}
