import type { TypedArray } from '../types.js';

/** out[o, j, i] = x[o, idx[j], i] for x of shape [outer, n, inner] and m indices. */
export function indexSelect(x: TypedArray, outer: number, n: number, inner: number, idx: Int32Array, out: TypedArray): void {
  const m = idx.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const src = (o * n + idx[j]) * inner;
      out.set(x.subarray(src, src + inner), (o * m + j) * inner);
    }
  }
}

/** out[o, idx[j], i] += src[o, j, i]: the gradient of indexSelect. */
export function indexAdd(src: TypedArray, outer: number, n: number, inner: number, idx: Int32Array, out: TypedArray): void {
  const m = idx.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const d = (o * n + idx[j]) * inner;
      const s = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[d + i] += src[s + i];
    }
  }
}

/** out[o, j, i] = x[o, idx[o, j, i], i] for x [outer, n, inner] and idx [outer, m, inner]. */
export function gather(x: TypedArray, outer: number, n: number, inner: number, idx: Int32Array, m: number, out: TypedArray): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const b = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[b + i] = x[(o * n + idx[b + i]) * inner + i];
    }
  }
}

/** out[o, idx[o, j, i], i] += src[o, j, i]: the gradient of gather. */
export function scatterAdd(src: TypedArray, outer: number, n: number, inner: number, idx: Int32Array, m: number, out: TypedArray): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const b = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[(o * n + idx[b + i]) * inner + i] += src[b + i];
    }
  }
}
