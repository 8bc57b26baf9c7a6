import type { AdamArgs } from '../types.js';

/** Adam's update in float64 arithmetic, each new moment rounded to its array's precision. */
export function adam({ p, g, m, v, b1, b2, stepSize, invBc2, eps }: AdamArgs): void {
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  const n = p.length;
  if (m instanceof Float32Array && v instanceof Float32Array) {
    // The new m and v stay in registers, rounded with fround as a re-read of m[i], v[i]
    // would give: same results, two loads fewer per element. A rounding function chosen at
    // run time instead is several times slower: keep the branch.
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const mi = Math.fround(b1 * m[i] + c1 * gi);
      const vi = Math.fround(b2 * v[i] + c2 * gi * gi);
      m[i] = mi;
      v[i] = vi;
      p[i] -= (stepSize * mi) / (Math.sqrt(vi) * invBc2 + eps);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    m[i] = b1 * m[i] + c1 * gi;
    v[i] = b2 * v[i] + c2 * gi * gi;
    p[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) * invBc2 + eps);
  }
}

/** Long-lived data in an ordinary array. */
export const persistentBuffer = (n: number): Float32Array => new Float32Array(n);

/** Saved indices in an ordinary array, which the garbage collector frees. */
export const savedIndices = (n: number): Int32Array => new Int32Array(n);
export const savedFloats = (): Float32Array | null => null;
export const gradientArray = (): Float32Array | null => null;
export const releaseSaved = (): void => {};
