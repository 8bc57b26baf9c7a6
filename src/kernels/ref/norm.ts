import type { BatchNormBackwardArgs, FloatArray } from '../types.js';

// Batch norm's kernels over a dense [n, c, inner] array: channel ch owns the n runs
// x[(b·c + ch)·inner .. + inner). Sums accumulate in float64 so that a channel of a million
// values keeps float32's precision.

export function channelStats(x: FloatArray, n: number, c: number, inner: number, mean: FloatArray, variance: FloatArray): void {
  const m = n * inner;
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    for (let b = 0; b < n; b++) {
      const o = (b * c + ch) * inner;
      for (let i = o; i < o + inner; i++) s += x[i];
    }
    const mu = s / m;
    let q = 0;
    for (let b = 0; b < n; b++) {
      const o = (b * c + ch) * inner;
      for (let i = o; i < o + inner; i++) {
        const d = x[i] - mu;
        q += d * d;
      }
    }
    mean[ch] = mu;
    variance[ch] = q / m;
  }
}

export function channelAffine(
  x: FloatArray,
  n: number,
  c: number,
  inner: number,
  scale: FloatArray,
  shift: FloatArray,
  y: FloatArray,
): void {
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const a = scale[ch];
      const d = shift[ch];
      const o = (b * c + ch) * inner;
      for (let i = o; i < o + inner; i++) y[i] = x[i] * a + d;
    }
  }
}

export function batchNormBackward(a: BatchNormBackwardArgs): void {
  const { x, dy, n, c, inner, mean, invStd, weight, batchStats, dx, sumDy, sumDyXhat } = a;
  const m = n * inner;
  for (let ch = 0; ch < c; ch++) {
    const mu = mean[ch];
    const is = invStd[ch];
    let sd = 0;
    let sdx = 0;
    for (let b = 0; b < n; b++) {
      const o = (b * c + ch) * inner;
      for (let i = o; i < o + inner; i++) {
        sd += dy[i];
        sdx += dy[i] * (x[i] - mu);
      }
    }
    sdx *= is;
    sumDy[ch] = sd;
    sumDyXhat[ch] = sdx;
    if (!dx) continue;
    const k = weight[ch] * is;
    if (!batchStats) {
      for (let b = 0; b < n; b++) {
        const o = (b * c + ch) * inner;
        for (let i = o; i < o + inner; i++) dx[i] = dy[i] * k;
      }
      continue;
    }
    // dx = k·(dy - Σdy/m - x̂·Σdy·x̂/m) with x̂ = (x - μ)·invStd, as dy·k + x·p + q.
    const p = (-k * is * sdx) / m;
    const q = (-k * sd) / m - p * mu;
    for (let b = 0; b < n; b++) {
      const o = (b * c + ch) * inner;
      for (let i = o; i < o + inner; i++) dx[i] = dy[i] * k + x[i] * p + q;
    }
  }
}
