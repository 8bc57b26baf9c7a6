import type { FloatArray, GemmArgs } from '../types.js';

// Block sizes: a KC×NC panel of B (64 KiB in float32) stays in L2 while four rows of C,
// each NC long, stay in L1 and receive KC rank-1 updates.
const KC = 128;
const NC = 128;

/**
 * Cache-blocked reference matrix product. B is packed to row-major k×n when it
 * arrives transposed, so the inner loop always streams contiguous rows of B
 * and C; A is read one scalar per (row, k) and may keep any layout.
 */
export function gemm(p: GemmArgs): void {
  const { m, n, k, batch } = p;
  const packed = p.transB ? new (p.b.constructor as { new (n: number): FloatArray })(k * n) : null;
  for (let bi = 0; bi < batch; bi++) {
    const aOff = bi * p.strideA;
    const cOff = bi * m * n;
    let b = p.b;
    let bOff = bi * p.strideB;
    if (packed) {
      // Pack only when this batch has a matrix of its own (or the first time).
      if (bi === 0 || p.strideB !== 0) {
        for (let j = 0; j < n; j++) for (let q = 0; q < k; q++) packed[q * n + j] = p.b[bOff + j * k + q];
      }
      b = packed;
      bOff = 0;
    }
    if (!p.accumulate) p.out.fill(0, cOff, cOff + m * n);
    // A[i, q] lives at aOff + i*rs + q*cs.
    const rs = p.transA ? 1 : k;
    const cs = p.transA ? m : 1;
    blockedProduct(p.a, aOff, rs, cs, b, bOff, p.out, cOff, m, n, k);
  }
}

function blockedProduct(
  a: FloatArray,
  aOff: number,
  rs: number,
  cs: number,
  b: FloatArray,
  bOff: number,
  c: FloatArray,
  cOff: number,
  m: number,
  n: number,
  k: number,
): void {
  for (let j0 = 0; j0 < n; j0 += NC) {
    const j1 = Math.min(n, j0 + NC);
    for (let q0 = 0; q0 < k; q0 += KC) {
      const q1 = Math.min(k, q0 + KC);
      let i = 0;
      // Four rows of C at a time: each row of B is loaded once for four updates.
      for (; i + 4 <= m; i += 4) {
        const c0 = cOff + i * n;
        const c1 = c0 + n;
        const c2 = c1 + n;
        const c3 = c2 + n;
        for (let q = q0; q < q1; q++) {
          const ai = aOff + i * rs + q * cs;
          const a0 = a[ai];
          const a1 = a[ai + rs];
          const a2 = a[ai + 2 * rs];
          const a3 = a[ai + 3 * rs];
          const br = bOff + q * n;
          for (let j = j0; j < j1; j++) {
            const bv = b[br + j];
            c[c0 + j] += a0 * bv;
            c[c1 + j] += a1 * bv;
            c[c2 + j] += a2 * bv;
            c[c3 + j] += a3 * bv;
          }
        }
      }
      for (; i < m; i++) {
        const c0 = cOff + i * n;
        for (let q = q0; q < q1; q++) {
          const a0 = a[aOff + i * rs + q * cs];
          const br = bOff + q * n;
          for (let j = j0; j < j1; j++) c[c0 + j] += a0 * b[br + j];
        }
      }
    }
  }
}
