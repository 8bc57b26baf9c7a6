import type { ReduceOp, TypedArray } from '../types.js';

export function reduce(op: ReduceOp, x: TypedArray, outer: number, red: number, inner: number, out: TypedArray): void {
  for (let o = 0; o < outer; o++) {
    const base = o * red * inner;
    const ob = o * inner;
    if (inner === 1) {
      // One long row: accumulate in a double for accuracy.
      let acc = op === 'sum' ? 0 : x[base];
      if (op === 'sum') for (let r = 0; r < red; r++) acc += x[base + r];
      else if (op === 'max')
        for (let r = 1; r < red; r++) {
          const v = x[base + r];
          if (v > acc || Number.isNaN(v)) acc = v;
        }
      else
        for (let r = 1; r < red; r++) {
          const v = x[base + r];
          if (v < acc || Number.isNaN(v)) acc = v;
        }
      out[ob] = acc;
      continue;
    }
    // Many columns: sweep rows so memory is read in order, accumulating in a double buffer.
    const acc = new Float64Array(inner);
    for (let i = 0; i < inner; i++) acc[i] = op === 'sum' ? 0 : x[base + i];
    for (let r = op === 'sum' ? 0 : 1; r < red; r++) {
      const rb = base + r * inner;
      if (op === 'sum') for (let i = 0; i < inner; i++) acc[i] += x[rb + i];
      else if (op === 'max')
        for (let i = 0; i < inner; i++) {
          const v = x[rb + i];
          if (v > acc[i] || Number.isNaN(v)) acc[i] = v;
        }
      else
        for (let i = 0; i < inner; i++) {
          const v = x[rb + i];
          if (v < acc[i] || Number.isNaN(v)) acc[i] = v;
        }
    }
    for (let i = 0; i < inner; i++) out[ob + i] = acc[i];
  }
}

export function argReduce(op: 'max' | 'min', x: TypedArray, outer: number, red: number, inner: number, out: Int32Array): void {
  // NaN wins, as in PyTorch: the first NaN of a slice is its argmax and its argmin.
  const better =
    op === 'max' ? (v: number, b: number) => v > b || (v !== v && b === b) : (v: number, b: number) => v < b || (v !== v && b === b);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * red * inner + i;
      let best = x[base];
      let arg = 0;
      for (let r = 1; r < red; r++) {
        const v = x[base + r * inner];
        if (better(v, best)) {
          best = v;
          arg = r;
        }
      }
      out[o * inner + i] = arg;
    }
  }
}
