// Batch norm over a dense float32 [n, c, inner] array (see src/kernels/ref/norm.ts, the
// reference): channel ch owns the n rows x[(b·c + ch)·inner .. + inner). Each row is summed in
// f32x4 lanes and the rows' sums added in float64, so a channel of a million values keeps
// float32's precision. The statistics tasks split the channels, the affine task the rows.

import { imageRange } from './conv';

// @ts-ignore: decorator
@inline
function hsum(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

/** args: x n c inner mean variance. */
export function channelStatsTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const x = <usize>load<i32>(args), n = load<i32>(args, 4), c = load<i32>(args, 8), inner = load<i32>(args, 12);
  const mean = <usize>load<i32>(args, 16), variance = <usize>load<i32>(args, 20);
  const r = imageRange(c, task, nTasks);
  const m = <f64>n * <f64>inner;
  for (let ch = <i32>(r >> 32); ch < <i32>r; ch++) {
    let s: f64 = 0;
    for (let b = 0; b < n; b++) {
      const row = x + <usize>((b * c + ch) * inner * 4);
      let a = f32x4.splat(0);
      let i = 0;
      for (; i + 4 <= inner; i += 4) a = f32x4.add(a, v128.load(row + <usize>(i * 4)));
      let t = hsum(a);
      for (; i < inner; i++) t += <f64>load<f32>(row + <usize>(i * 4));
      s += t;
    }
    const mu = s / m;
    const vm = f32x4.splat(<f32>mu);
    let q: f64 = 0;
    for (let b = 0; b < n; b++) {
      const row = x + <usize>((b * c + ch) * inner * 4);
      let a = f32x4.splat(0);
      let i = 0;
      for (; i + 4 <= inner; i += 4) {
        const d = f32x4.sub(v128.load(row + <usize>(i * 4)), vm);
        a = f32x4.add(a, f32x4.mul(d, d));
      }
      let t = hsum(a);
      for (; i < inner; i++) {
        const d = <f64>load<f32>(row + <usize>(i * 4)) - mu;
        t += d * d;
      }
      q += t;
    }
    store<f32>(mean + <usize>(ch * 4), <f32>mu);
    store<f32>(variance + <usize>(ch * 4), <f32>(q / m));
  }
}

/** y = x·scale[ch] + shift[ch]; args: x n c inner scale shift y. Tasks split the n·c rows. */
export function channelAffineTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const x = <usize>load<i32>(args), n = load<i32>(args, 4), c = load<i32>(args, 8), inner = load<i32>(args, 12);
  const scale = <usize>load<i32>(args, 16), shift = <usize>load<i32>(args, 20), y = <usize>load<i32>(args, 24);
  const r = imageRange(n * c, task, nTasks);
  for (let row = <i32>(r >> 32); row < <i32>r; row++) {
    const ch = row % c;
    const a = load<f32>(scale + <usize>(ch * 4)), d = load<f32>(shift + <usize>(ch * 4));
    const va = f32x4.splat(a), vd = f32x4.splat(d);
    const xs = x + <usize>(row * inner * 4), ys = y + <usize>(row * inner * 4);
    let i = 0;
    for (; i + 4 <= inner; i += 4) v128.store(ys + <usize>(i * 4), f32x4.add(f32x4.mul(v128.load(xs + <usize>(i * 4)), va), vd));
    for (; i < inner; i++) store<f32>(ys + <usize>(i * 4), load<f32>(xs + <usize>(i * 4)) * a + d);
  }
}

/**
 * Batch norm's backward (src/kernels/types.ts, BatchNormBackwardArgs).
 * args: x dy n c inner mean invStd weight batchStats dx(0: none) sumDy sumDyXhat.
 */
export function batchNormBackwardTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const x = <usize>load<i32>(args), dy = <usize>load<i32>(args, 4), n = load<i32>(args, 8), c = load<i32>(args, 12);
  const inner = load<i32>(args, 16), mean = <usize>load<i32>(args, 20), invStd = <usize>load<i32>(args, 24);
  const weight = <usize>load<i32>(args, 28), batchStats = load<i32>(args, 32) != 0, dx = <usize>load<i32>(args, 36);
  const sumDy = <usize>load<i32>(args, 40), sumDyXhat = <usize>load<i32>(args, 44);
  const r = imageRange(c, task, nTasks);
  const m = <f64>n * <f64>inner;
  for (let ch = <i32>(r >> 32); ch < <i32>r; ch++) {
    const mu = load<f32>(mean + <usize>(ch * 4)), is = <f64>load<f32>(invStd + <usize>(ch * 4));
    const vm = f32x4.splat(mu);
    let sd: f64 = 0, sdx: f64 = 0;
    for (let b = 0; b < n; b++) {
      const off = <usize>((b * c + ch) * inner * 4);
      let a = f32x4.splat(0), e = f32x4.splat(0);
      let i = 0;
      for (; i + 4 <= inner; i += 4) {
        const g = v128.load(dy + off + <usize>(i * 4));
        a = f32x4.add(a, g);
        e = f32x4.add(e, f32x4.mul(g, f32x4.sub(v128.load(x + off + <usize>(i * 4)), vm)));
      }
      let ta = hsum(a), te = hsum(e);
      for (; i < inner; i++) {
        const g = <f64>load<f32>(dy + off + <usize>(i * 4));
        ta += g;
        te += g * (<f64>load<f32>(x + off + <usize>(i * 4)) - <f64>mu);
      }
      sd += ta;
      sdx += te;
    }
    sdx *= is;
    store<f32>(sumDy + <usize>(ch * 4), <f32>sd);
    store<f32>(sumDyXhat + <usize>(ch * 4), <f32>sdx);
    if (dx == 0) continue;
    const k = <f64>load<f32>(weight + <usize>(ch * 4)) * is;
    // dx = k·(dy - Σdy/m - x̂·Σdy·x̂/m) as dy·k + x·p + q (p = q = 0 with fixed statistics).
    const p = batchStats ? (-k * is * sdx) / m : 0;
    const q = batchStats ? (-k * sd) / m - p * <f64>mu : 0;
    const vk = f32x4.splat(<f32>k), vp = f32x4.splat(<f32>p), vq = f32x4.splat(<f32>q);
    for (let b = 0; b < n; b++) {
      const off = <usize>((b * c + ch) * inner * 4);
      let i = 0;
      for (; i + 4 <= inner; i += 4) {
        const o = off + <usize>(i * 4);
        v128.store(dx + o, f32x4.add(f32x4.add(f32x4.mul(v128.load(dy + o), vk), f32x4.mul(v128.load(x + o), vp)), vq));
      }
      for (; i < inner; i++) {
        const o = off + <usize>(i * 4);
        store<f32>(dx + o, <f32>(<f64>load<f32>(dy + o) * k + <f64>load<f32>(x + o) * p + q));
      }
    }
  }
}
