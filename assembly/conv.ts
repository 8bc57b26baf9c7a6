// Convolution as im2col + packed gemm, one image per task, groups and dilation included.
// A 1×1 convolution with unit stride and no padding skips im2col: x already is the column matrix.
import { gemmRect, gemmScratchBytes } from './gemm';

// Geometry of the current job. Globals are per instance, and every thread has its own
// instance, so these are thread-local; words at args+16.. (see src/kernels/wasm/conv.ts).
let g_n: i32 = 0;
let g_cIn: i32 = 0;
let g_h: i32 = 0;
let g_w: i32 = 0;
let g_cOut: i32 = 0;
let g_kh: i32 = 0;
let g_kw: i32 = 0;
let g_sh: i32 = 0;
let g_sw: i32 = 0;
let g_pt: i32 = 0;
let g_pl: i32 = 0;
let g_dh: i32 = 0;
let g_dw: i32 = 0;
let g_groups: i32 = 0;
let g_outH: i32 = 0;
let g_outW: i32 = 0;
let g_cinG: i32 = 0;
let g_coutG: i32 = 0;
let g_kk: i32 = 0;
let g_ohw: i32 = 0;
let g_direct = false;

function readGeom(args: usize): void {
  g_n = load<i32>(args, 16);
  g_cIn = load<i32>(args, 20);
  g_h = load<i32>(args, 24);
  g_w = load<i32>(args, 28);
  g_cOut = load<i32>(args, 32);
  g_kh = load<i32>(args, 36);
  g_kw = load<i32>(args, 40);
  g_sh = load<i32>(args, 44);
  g_sw = load<i32>(args, 48);
  g_pt = load<i32>(args, 52);
  g_pl = load<i32>(args, 56);
  g_dh = load<i32>(args, 60);
  g_dw = load<i32>(args, 64);
  g_groups = load<i32>(args, 68);
  g_outH = load<i32>(args, 72);
  g_outW = load<i32>(args, 76);
  g_cinG = g_cIn / g_groups;
  g_coutG = g_cOut / g_groups;
  g_kk = g_cinG * g_kh * g_kw;
  g_ohw = g_outH * g_outW;
  g_direct = g_kh == 1 && g_kw == 1 && g_sh == 1 && g_sw == 1 && g_pt == 0 && g_pl == 0 && g_outH == g_h && g_outW == g_w;
}

// col[(c*kh + i)*kw + j, oh*outW + ow] = x[c, oh*sh - pt + i*dh, ow*sw - pl + j*dw] (0 outside).
function im2col(x: usize, col: usize): void {
  let d = col;
  for (let c = 0; c < g_cinG; c++) {
    const xc = x + <usize>(c * g_h * g_w * 4);
    for (let i = 0; i < g_kh; i++) {
      for (let j = 0; j < g_kw; j++) {
        for (let oh = 0; oh < g_outH; oh++) {
          const ih = oh * g_sh - g_pt + i * g_dh;
          if (ih < 0 || ih >= g_h) {
            memory.fill(d, 0, <usize>(g_outW * 4));
            d += <usize>(g_outW * 4);
            continue;
          }
          const xr = xc + <usize>(ih * g_w * 4);
          const iw0 = j * g_dw - g_pl;
          if (g_sw == 1 && iw0 >= 0 && iw0 + g_outW <= g_w) {
            memory.copy(d, xr + <usize>(iw0 * 4), <usize>(g_outW * 4));
            d += <usize>(g_outW * 4);
            continue;
          }
          for (let ow = 0; ow < g_outW; ow++) {
            const iw = ow * g_sw + iw0;
            store<f32>(d, iw >= 0 && iw < g_w ? load<f32>(xr + <usize>(iw * 4)) : 0);
            d += 4;
          }
        }
      }
    }
  }
}

// The adjoint of im2col: dx[c, ih, iw] += col[...] (dx zeroed by the caller).
function col2im(col: usize, dx: usize): void {
  let s = col;
  for (let c = 0; c < g_cinG; c++) {
    const xc = dx + <usize>(c * g_h * g_w * 4);
    for (let i = 0; i < g_kh; i++) {
      for (let j = 0; j < g_kw; j++) {
        for (let oh = 0; oh < g_outH; oh++) {
          const ih = oh * g_sh - g_pt + i * g_dh;
          if (ih < 0 || ih >= g_h) {
            s += <usize>(g_outW * 4);
            continue;
          }
          const xr = xc + <usize>(ih * g_w * 4);
          const iw0 = j * g_dw - g_pl;
          if (g_sw == 1 && iw0 >= 0 && iw0 + g_outW <= g_w) {
            const dr = xr + <usize>(iw0 * 4);
            let ow = 0;
            for (; ow + 4 <= g_outW; ow += 4) {
              const p = dr + <usize>(ow * 4);
              v128.store(p, f32x4.add(v128.load(p), v128.load(s + <usize>(ow * 4))));
            }
            for (; ow < g_outW; ow++) {
              const p = dr + <usize>(ow * 4);
              store<f32>(p, load<f32>(p) + load<f32>(s + <usize>(ow * 4)));
            }
            s += <usize>(g_outW * 4);
            continue;
          }
          for (let ow = 0; ow < g_outW; ow++) {
            const iw = ow * g_sw + iw0;
            if (iw >= 0 && iw < g_w) {
              const p = xr + <usize>(iw * 4);
              store<f32>(p, load<f32>(p) + load<f32>(s));
            }
            s += 4;
          }
        }
      }
    }
  }
}

/** Scratch bytes per thread: the column matrix of one image and group plus gemm's buffers. */
export function convScratchBytes(kk: i32, ohw: i32): i32 {
  return ((kk * ohw * 4 + 63) & ~63) + gemmScratchBytes();
}

// args: a0 a1 a2 a3 (pointers, per pass), geometry words 16.., scratch at 80, scratchStride at 84.
function scratchOf(args: usize, worker: i32): usize {
  return <usize>load<i32>(args, 80) + <usize>(load<i32>(args, 84) * worker);
}

/** Task `task`'s share [lo, hi) of n units (images, channels), packed as (lo << 32) | hi. */
export function imageRange(n: i32, task: i32, nTasks: i32): i64 {
  const lo = <i32>(<i64>n * task / nTasks);
  const hi = <i32>(<i64>n * (task + 1) / nTasks);
  return (<i64>lo << 32) | <i64>hi;
}

/**
 * y = conv(x, w) + bias; args a0 = x, a1 = w, a2 = bias (0: none), a3 = y, and at 88 the
 * split: 0 gives each task a slice of the batch, 1 (a batch smaller than the thread count)
 * gives each task a slice of the output columns of every image, im2col repeated per task.
 */
export function convForwardTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const x = <usize>load<i32>(args), wt = <usize>load<i32>(args, 4), bias = <usize>load<i32>(args, 8), y = <usize>load<i32>(args, 12);
  readGeom(args);
  const col = scratchOf(args, worker);
  const gs = col + <usize>((g_kk * g_ohw * 4 + 63) & ~63);
  let r = imageRange(g_n, task, nTasks);
  let j0 = 0, j1 = g_ohw;
  if (load<i32>(args, 88) == 1) {
    r = <i64>g_n;
    const units = (g_ohw + 7) >> 3;
    j0 = min(g_ohw, <i32>(<i64>units * task / nTasks) * 8);
    j1 = min(g_ohw, <i32>(<i64>units * (task + 1) / nTasks) * 8);
    if (j0 >= j1) return;
  }
  for (let img = <i32>(r >> 32); img < <i32>r; img++) {
    for (let gr = 0; gr < g_groups; gr++) {
      const xg = x + <usize>(((img * g_cIn + gr * g_cinG) * g_h * g_w) * 4);
      const yg = y + <usize>(((img * g_cOut + gr * g_coutG) * g_ohw) * 4);
      let b = col;
      if (g_direct) b = xg;
      else im2col(xg, col);
      gemmRect(wt + <usize>(gr * g_coutG * g_kk * 4), g_kk, 1, b, g_ohw, 1, yg, g_ohw, 0, g_coutG, j0, j1, g_kk, false, gs);
      // Bias, then (a fused conv + ReLU, word at 92) max(·, 0), which keeps a NaN sum NaN
      // as PyTorch's relu does.
      const relu = load<i32>(args, 92) != 0;
      if (bias != 0 || relu) {
        const zero = f32x4.splat(0);
        for (let co = 0; co < g_coutG; co++) {
          const bv = f32x4.splat(bias != 0 ? load<f32>(bias + <usize>((gr * g_coutG + co) * 4)) : 0);
          const yr = yg + <usize>(co * g_ohw * 4);
          let i = j0;
          for (; i + 4 <= j1; i += 4) {
            let v = f32x4.add(v128.load(yr + <usize>(i * 4)), bv);
            if (relu) v = f32x4.max(v, zero);
            v128.store(yr + <usize>(i * 4), v);
          }
          for (; i < j1; i++) {
            const v = load<f32>(yr + <usize>(i * 4)) + f32x4.extract_lane(bv, 0);
            store<f32>(yr + <usize>(i * 4), relu && v <= 0 ? 0 : v);
          }
        }
      }
    }
  }
}

/** dx = convᵀ(dy, w); args a0 = dy, a1 = w, a3 = dx. */
export function convBackwardInputTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const dy = <usize>load<i32>(args), wt = <usize>load<i32>(args, 4), dx = <usize>load<i32>(args, 12);
  readGeom(args);
  const col = scratchOf(args, worker);
  const gs = col + <usize>((g_kk * g_ohw * 4 + 63) & ~63);
  const r = imageRange(g_n, task, nTasks);
  for (let img = <i32>(r >> 32); img < <i32>r; img++) {
    for (let gr = 0; gr < g_groups; gr++) {
      const dxg = dx + <usize>(((img * g_cIn + gr * g_cinG) * g_h * g_w) * 4);
      const dyg = dy + <usize>(((img * g_cOut + gr * g_coutG) * g_ohw) * 4);
      // col = Wᵀ · dy: W is coutG×kk, read transposed through its strides.
      const c = g_direct ? dxg : col;
      gemmRect(wt + <usize>(gr * g_coutG * g_kk * 4), 1, g_kk, dyg, g_ohw, 1, c, g_ohw, 0, g_kk, 0, g_ohw, g_coutG, false, gs);
      if (!g_direct) {
        memory.fill(dxg, 0, <usize>(g_cinG * g_h * g_w * 4));
        col2im(col, dxg);
      }
    }
  }
}

/**
 * Per-task partial dw += dy · colᵀ; args a0 = x, a1 = dy, a2 = partials, a3 = partial stride
 * (bytes). Partials per task, not per thread: which thread claims a task varies from run to
 * run, and summing per thread would make dw's rounding vary with it.
 */
export function convBackwardWeightTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const x = <usize>load<i32>(args), dy = <usize>load<i32>(args, 4);
  const dw = <usize>load<i32>(args, 8) + <usize>(load<i32>(args, 12) * task);
  readGeom(args);
  const col = scratchOf(args, worker);
  const gs = col + <usize>((g_kk * g_ohw * 4 + 63) & ~63);
  const r = imageRange(g_n, task, nTasks);
  for (let img = <i32>(r >> 32); img < <i32>r; img++) {
    for (let gr = 0; gr < g_groups; gr++) {
      const xg = x + <usize>(((img * g_cIn + gr * g_cinG) * g_h * g_w) * 4);
      const dyg = dy + <usize>(((img * g_cOut + gr * g_coutG) * g_ohw) * 4);
      let b = col;
      if (g_direct) b = xg;
      else im2col(xg, col);
      // dw_g (coutG×kk) += dy_g (coutG×ohw) · colᵀ (col is kk×ohw, read transposed).
      gemmRect(dyg, g_ohw, 1, b, 1, g_ohw, dw + <usize>(gr * g_coutG * g_kk * 4), g_kk, 0, g_coutG, 0, g_kk, g_ohw, true, gs);
    }
  }
}

/**
 * Σ dy[i] over the i < n whose am[i] ≥ 0: the bias gradient of a pooled block, whose argmax is
 * -1 where the ReLU cut the window. In float64, the f32x4 lanes summed in pairs, then the tail.
 */
// @ts-ignore: decorator
@inline
export function routedSum(dy: usize, am: usize, n: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.and(v128.load(dy + <usize>(i * 4)), i32x4.ge_s(v128.load(am + <usize>(i * 4)), i32x4.splat(0)));
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 0, 1)));
  }
  let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1) + f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
  for (; i < n; i++) if (load<i32>(am + <usize>(i * 4)) >= 0) s += <f64>load<f32>(dy + <usize>(i * 4));
  return s;
}

/**
 * The fused ReLU's backward before a weight gradient, in place on dy [n, c, hw]:
 * dy = dy·[y ≠ 0] (args word 20 = 1; y = relu output, bits ≠ ±0 exactly where relu passed
 * its input, as the where kernel tests it) and, when word 28 = 1, per-task float64 sums
 * of each channel (the bias gradient) at acc + task·c·8. Tasks split the batch. With word
 * 20 = 2, y is a pooled block's argmax and dy is left as it is: the sums are routedSum's.
 * args: dy y n c hw mask accPtr sum.
 */
export function reluMaskSumTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const dy = <usize>load<i32>(args), y = <usize>load<i32>(args, 4), n = load<i32>(args, 8), c = load<i32>(args, 12);
  const hw = load<i32>(args, 16), mode = load<i32>(args, 20), acc = <usize>load<i32>(args, 24) + <usize>(task * c * 8);
  const mask = mode != 0, byArgmax = mode == 2;
  const sum = load<i32>(args, 28) != 0;
  const r = imageRange(n, task, nTasks);
  const absMask = i32x4.splat(0x7fffffff);
  const zero = i32x4.splat(0);
  if (sum) for (let ch = 0; ch < c; ch++) store<f64>(acc + <usize>(ch * 8), 0);
  for (let img = <i32>(r >> 32); img < <i32>r; img++) {
    for (let ch = 0; ch < c; ch++) {
      const off = <usize>(((img * c + ch) * hw) * 4);
      const d = dy + off, yy = y + off;
      if (byArgmax) {
        if (sum) store<f64>(acc + <usize>(ch * 8), load<f64>(acc + <usize>(ch * 8)) + routedSum(d, yy, hw));
        continue;
      }
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
      let i = 0;
      for (; i + 4 <= hw; i += 4) {
        let v = v128.load(d + <usize>(i * 4));
        if (mask) {
          v = v128.and(v, i32x4.ne(v128.and(v128.load(yy + <usize>(i * 4)), absMask), zero));
          v128.store(d + <usize>(i * 4), v);
        }
        s0 = f64x2.add(s0, f64x2.promote_low_f32x4(v));
        s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<i32>(v, v, 2, 3, 0, 1)));
      }
      let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1) + f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
      for (; i < hw; i++) {
        let v = load<f32>(d + <usize>(i * 4));
        if (mask && (load<u32>(yy + <usize>(i * 4)) & 0x7fffffff) == 0) {
          v = 0;
          store<f32>(d + <usize>(i * 4), v);
        }
        s += <f64>v;
      }
      if (sum) store<f64>(acc + <usize>(ch * 8), load<f64>(acc + <usize>(ch * 8)) + s);
    }
  }
}
