// randomAffine's bilinear warp of dense float32 images [n, c, h, w], one slice of the images
// per task (the formula: AffineWarpArgs in src/kernels/types.ts; the reference:
// src/kernels/ref/augment.ts).
// args (i32 words): x out n c h w params scratch scratchBytes; params points at f64s: fill, then
// five per image (the warp flag, 0 to copy the image unchanged, then a b tx ty); each thread has
// scratchBytes (affineWarpScratchBytes) at scratch + worker·scratchBytes. See
// src/kernels/wasm/augment.ts.
//
// Source points are worked out in f64 in the reference's order of operations, so that both
// read the same pixels; only the interpolation runs in f32, four output pixels of a row at a
// time. Each image is first copied into scratch with a border of one fill pixel: every point
// the reference samples (its 2×2 neighbourhood at least partly inside) then reads a whole
// neighbourhood there, fill where the reference reads fill, and its wholly-inside and edge
// paths become one. A point whose neighbourhood lies wholly outside gives fill, as there.
import { imageRange } from './conv';
import { pick } from './pool';

// The current job: globals are per instance, hence per thread.
let a_c: i32 = 0;
let a_h: i32 = 0;
let a_w: i32 = 0;
let a_fill: f32 = 0;

// A column table's row: w f64 rounded up to a whole group of four columns.
// @ts-ignore: decorator
@inline
function colRow(w: i32): i32 {
  return (w + 3) & ~3;
}

// @ts-ignore: decorator
@inline
function align64(b: i32): i32 {
  return (b + 63) & ~63;
}

/** Scratch bytes per thread: the two column tables, then the padded image, (h + 2) × (w + 2) a channel. */
export function affineWarpScratchBytes(c: i32, h: i32, w: i32): i32 {
  return align64(2 * colRow(w) * 8) + align64(c * (h + 2) * (w + 2) * 4);
}

export function affineWarpTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const x = <usize>load<i32>(args), out = <usize>load<i32>(args, 4), n = load<i32>(args, 8);
  a_c = load<i32>(args, 12);
  a_h = load<i32>(args, 16);
  a_w = load<i32>(args, 20);
  const params = <usize>load<i32>(args, 24);
  a_fill = <f32>load<f64>(params);
  const cols = <usize>load<i32>(args, 28) + <usize>(load<i32>(args, 32) * worker);
  const padded = cols + <usize>align64(2 * colRow(a_w) * 8);
  const bytes = <usize>(a_c * a_h * a_w * 4);
  const r = imageRange(n, task, nTasks);
  for (let i = <i32>(r >> 32); i < <i32>r; i++) {
    const p = params + <usize>(8 + i * 40);
    const src = x + <usize>i * bytes, dst = out + <usize>i * bytes;
    if (load<f64>(p) == 0) {
      memory.copy(dst, src, bytes);
      continue;
    }
    pad(src, padded);
    warpImage(padded, dst, cols, load<f64>(p, 8), load<f64>(p, 16), load<f64>(p, 24), load<f64>(p, 32));
  }
}

/** Copies the image at src into p, each channel's plane inside a border of one fill pixel. */
function pad(src: usize, p: usize): void {
  const h = a_h, w = a_w, pw = w + 2;
  const fill = a_fill;
  const v = f32x4.splat(fill);
  const rowBytes = <usize>(pw * 4);
  let to = p;
  let from = src;
  for (let ch = 0; ch < a_c; ch++) {
    fillRow(to, pw, v);
    to += rowBytes;
    for (let y = 0; y < h; y++) {
      // Four at a time, a row's last four again from its end (memory.copy would cost a call into the engine per row).
      store<f32>(to, fill);
      store<f32>(to + <usize>((w + 1) * 4), fill);
      if (w >= 4) {
        let i = 0;
        for (; i + 4 <= w; i += 4) v128.store(to + <usize>(i * 4), v128.load(from + <usize>(i * 4)), 4);
        if (i < w) v128.store(to + <usize>((w - 4) * 4), v128.load(from + <usize>((w - 4) * 4)), 4);
      } else {
        for (let i = 0; i < w; i++) store<f32>(to + <usize>(i * 4), load<f32>(from + <usize>(i * 4)), 4);
      }
      to += rowBytes;
      from += <usize>(w * 4);
    }
    fillRow(to, pw, v);
    to += rowBytes;
  }
}

function fillRow(p: usize, n: i32, v: v128): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(p + <usize>(i * 4), v);
  for (; i < n; i++) store<f32>(p + <usize>(i * 4), f32x4.extract_lane(v, 0));
}

// Two f64 pairs of whole numbers k as four i32 lanes k + 1: with 1.5·2⁵² + 1 added, a lane's
// low 32 bits hold k + 1, exactly while |k| < 2³¹ - 1 (the wrapper keeps every source point
// within ±2³⁰). Cheaper than i32x4.trunc_sat_f64x2_s_zero: 0.34 → 0.29 ms for MNIST's batch on one thread.
// @ts-ignore: decorator
@inline
function i32Lanes(a: v128, b: v128): v128 {
  const m = f64x2.splat(6755399441055745.0);
  return v128.shuffle<i32>(f64x2.add(a, m), f64x2.add(b, m), 0, 2, 4, 6);
}

// Two f64 pairs as four f32 lanes.
// @ts-ignore: decorator
@inline
function f32Lanes(a: v128, b: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(a), f32x4.demote_f64x2_zero(b), 0, 1, 4, 5);
}

// Output pixel (x, y) reads (a·dx + b·dy + cx, -b·dx + a·dy + cy), dx = x - cx - tx, dy = y - cy - ty.
function warpImage(padded: usize, dst: usize, cols: usize, a: f64, b: f64, tx: f64, ty: f64): void {
  const h = a_h, w = a_w, pw = w + 2;
  const cx = <f64>(w - 1) / 2, cy = <f64>(h - 1) / 2;
  // Each column's part of the source point, a·dx and -b·dx, the same for every row (the
  // columns past w of the last group are worked out too, and never stored).
  const colBytes = <usize>(colRow(w) * 8);
  for (let x = 0; x < colRow(w); x++) {
    const dx = <f64>x - cx - tx;
    store<f64>(cols + <usize>(x * 8), a * dx);
    store<f64>(cols + colBytes + <usize>(x * 8), -b * dx);
  }
  const wMax = i32x4.splat(w), hMax = i32x4.splat(h), vpw = i32x4.splat(pw);
  for (let y = 0; y < h; y++) {
    const dy = <f64>y - cy - ty;
    const sx0 = b * dy + cx, sy0 = a * dy + cy;
    const vsx0 = f64x2.splat(sx0), vsy0 = f64x2.splat(sy0);
    const row = dst + <usize>(y * w * 4);
    for (let x = 0; x < w; x += 4) {
      const px = cols + <usize>(x * 8), py = px + colBytes;
      const sxA = f64x2.add(v128.load(px), vsx0), sxB = f64x2.add(v128.load(px, 16), vsx0);
      const syA = f64x2.add(v128.load(py), vsy0), syB = f64x2.add(v128.load(py, 16), vsy0);
      const x0A = f64x2.floor(sxA), x0B = f64x2.floor(sxB), y0A = f64x2.floor(syA), y0B = f64x2.floor(syB);
      // The neighbourhood's top-left in the padded image, (x0 + 1, y0 + 1).
      const ix = i32Lanes(x0A, x0B), iy = i32Lanes(y0A, y0B);
      // Not wholly outside: -1 <= x0 < w and -1 <= y0 < h, i.e. ix <= w and iy <= h unsigned.
      const near = v128.and(i32x4.eq(i32x4.min_u(ix, wMax), ix), i32x4.eq(i32x4.min_u(iy, hMax), iy));
      // Lanes wholly outside read the padded image's first cells, and their result is replaced by fill.
      const at = v128.and(i32x4.add(i32x4.mul(iy, vpw), ix), near);
      const fx = f32Lanes(f64x2.sub(sxA, x0A), f64x2.sub(sxB, x0B)), fy = f32Lanes(f64x2.sub(syA, y0A), f64x2.sub(syB, y0B));
      sample4(padded, row + <usize>(x * 4), at, near, fx, fy, min(w - x, 4));
    }
  }
}

/**
 * Bilinear samples of four neighbourhoods of the padded image (top-left cells at `at`), every
 * channel, fill where `near` is off; the first `lanes` are stored at dst. Each neighbourhood
 * row is one 8-byte load, and two shuffles sort the left and right cells into lanes.
 */
// @ts-ignore: decorator
@inline
function sample4(padded: usize, dst: usize, at: v128, near: v128, fx: v128, fy: v128, lanes: i32): void {
  const planeBytes = <usize>(a_h * a_w * 4);
  const padBytes = <usize>((a_h + 2) * (a_w + 2) * 4), rowBytes = <usize>((a_w + 2) * 4);
  const gx = f32x4.sub(f32x4.splat(1), fx), gy = f32x4.sub(f32x4.splat(1), fy);
  const fill = f32x4.splat(a_fill);
  let p0 = padded + <usize>(i32x4.extract_lane(at, 0) * 4);
  let p1 = padded + <usize>(i32x4.extract_lane(at, 1) * 4);
  let p2 = padded + <usize>(i32x4.extract_lane(at, 2) * 4);
  let p3 = padded + <usize>(i32x4.extract_lane(at, 3) * 4);
  let o = dst;
  for (let ch = 0; ch < a_c; ch++) {
    const t01 = v128.load64_lane(p1, v128.load64_zero(p0), 1);
    const t23 = v128.load64_lane(p3, v128.load64_zero(p2), 1);
    const b01 = v128.load64_lane(p1 + rowBytes, v128.load64_zero(p0 + rowBytes), 1);
    const b23 = v128.load64_lane(p3 + rowBytes, v128.load64_zero(p2 + rowBytes), 1);
    // The reference's (1 - fy)·((1 - fx)·v00 + fx·v01) + fy·((1 - fx)·v10 + fx·v11), no fused multiply-adds.
    const top = lerp(gx, fx, v128.shuffle<f32>(t01, t23, 0, 2, 4, 6), v128.shuffle<f32>(t01, t23, 1, 3, 5, 7));
    const bot = lerp(gx, fx, v128.shuffle<f32>(b01, b23, 0, 2, 4, 6), v128.shuffle<f32>(b01, b23, 1, 3, 5, 7));
    const v = pick(lerp(gy, fy, top, bot), fill, near);
    if (lanes == 4) {
      v128.store(o, v);
    } else {
      // A row's last columns: the lanes past its end belong to the next row (or image).
      store<f32>(o, f32x4.extract_lane(v, 0));
      if (lanes > 1) store<f32>(o, f32x4.extract_lane(v, 1), 4);
      if (lanes > 2) store<f32>(o, f32x4.extract_lane(v, 2), 8);
    }
    p0 += padBytes;
    p1 += padBytes;
    p2 += padBytes;
    p3 += padBytes;
    o += planeBytes;
  }
}

// g·u + f·v, in the reference's form (g = 1 - f).
// @ts-ignore: decorator
@inline
function lerp(g: v128, f: v128, u: v128, v: v128): v128 {
  return f32x4.add(f32x4.mul(g, u), f32x4.mul(f, v));
}
