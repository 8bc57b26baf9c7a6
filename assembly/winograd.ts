// Winograd F(2×2, 3×3) for stride-1, undilated, ungrouped 3×3 convolutions: each 2×2 output
// tile costs 16 multiplies per channel pair instead of 36. Per image, the padded input is cut
// into overlapping 4×4 tiles, V = Bᵀ d B (SIMD over 4 neighbouring tiles), then the 16
// element-wise products over channels are 16 gemms M_e = U_e · V_e (U = G g Gᵀ, transformed
// once per call), and Y = Aᵀ m A gives the outputs. The transposed convolution (dx from dy)
// is the same computation on flipped, transposed weights with padding 2 - pad.
import { imageRange } from './conv';
import { gemmRect, gemmScratchBytes } from './gemm';
import { maxWindow, windowArgmax } from './pool';

// Job geometry (thread-local globals, see conv.ts).
let w_n: i32 = 0;
let w_c: i32 = 0;
let w_h: i32 = 0;
let w_w: i32 = 0;
let w_k: i32 = 0;
let w_oh: i32 = 0;
let w_ow: i32 = 0;
let w_pt: i32 = 0;
let w_pl: i32 = 0;
let w_relu: i32 = 0;
let w_th: i32 = 0;
let w_tw4: i32 = 0;
let w_hp: i32 = 0;
let w_wp: i32 = 0;
let w_t: i32 = 0;
// Images per chunk, and the row stride (floats) of V and M: a chunk's tiles sit side by side,
// so that each of the 16 gemms has b·t columns instead of t.
let w_b: i32 = 1;
let w_ld: i32 = 0;
// Bytes between the 16 planes of V and of M. A power-of-two plane size would put the 16
// streams each transform reads or writes into one L1 set; a cache line more staggers them.
let w_esV: i32 = 0;
let w_esM: i32 = 0;

function setGeom(c: i32, h: i32, w: i32, k: i32, oh: i32, ow: i32): void {
  w_c = c; w_h = h; w_w = w; w_k = k; w_oh = oh; w_ow = ow;
  w_th = (oh + 1) >> 1;
  w_tw4 = (((ow + 1) >> 1) + 3) & ~3;
  w_hp = 2 * w_th + 2;
  w_wp = 2 * w_tw4 + 4;
  w_t = w_th * w_tw4;
  w_ld = w_b * w_t;
  w_esV = align64(c * w_ld * 4) + 64;
  w_esM = align64(k * w_ld * 4) + 64;
}

// The chunk size, then the geometry (w_ld depends on both).
function setChunkGeom(b: i32, c: i32, h: i32, w: i32, k: i32, oh: i32, ow: i32): void {
  w_b = max(1, b);
  setGeom(c, h, w, k, oh, ow);
}

const align64 = (b: i32): i32 => (b + 63) & ~63;

/** Scratch bytes per thread for chunks of b images: padded image, V, M and gemm's buffers. */
export function winogradScratchBytes(c: i32, h: i32, w: i32, k: i32, oh: i32, ow: i32, b: i32): i32 {
  setChunkGeom(b, c, h, w, k, oh, ow);
  // The last block, the padded dy of the weight gradient, only that pass uses.
  return align64(c * w_hp * w_wp * 4) + 16 * w_esV + 16 * w_esM + gemmScratchBytes() +
    align64(k * 2 * w_th * 2 * w_tw4 * 4);
}

/**
 * U[e][k][c] = (G g Gᵀ)[e] for g = w[k, c] (3×3), or with flip = 1 for g[i][j] =
 * w[c, k, 2-i, 2-j] where w is [C', K', 3, 3] (the transposed convolution): kOut × cIn filters.
 * G = [[1,0,0],[½,½,½],[½,-½,½],[0,0,1]].
 */
export function winogradWeights(w: usize, u: usize, kOut: i32, cIn: i32, flip: i32): void {
  const es = <usize>(kOut * cIn * 4);
  for (let k = 0; k < kOut; k++) {
    for (let c = 0; c < cIn; c++) {
      const o = u + <usize>((k * cIn + c) * 4);
      for (let i = 0; i < 4; i++) {
        // Row i of t = G g: combine the rows of g as G's row i says.
        const t0 = gRow(w, kOut, cIn, k, c, i, 0, flip);
        const t1 = gRow(w, kOut, cIn, k, c, i, 1, flip);
        const t2 = gRow(w, kOut, cIn, k, c, i, 2, flip);
        store<f32>(o + es * <usize>(i * 4), t0);
        store<f32>(o + es * <usize>(i * 4 + 1), 0.5 * (t0 + t1 + t2));
        store<f32>(o + es * <usize>(i * 4 + 2), 0.5 * (t0 - t1 + t2));
        store<f32>(o + es * <usize>(i * 4 + 3), t2);
      }
    }
  }
}

// g[r][j] of filter (k, c), plain or flipped-transposed (see winogradWeights).
@inline function gAt(w: usize, kOut: i32, cIn: i32, k: i32, c: i32, r: i32, j: i32, flip: i32): f32 {
  return flip
    ? load<f32>(w + <usize>(((c * kOut + k) * 9 + (2 - r) * 3 + (2 - j)) * 4))
    : load<f32>(w + <usize>(((k * cIn + c) * 9 + r * 3 + j) * 4));
}

// (G g)[i][j] with G = [[1,0,0],[½,½,½],[½,-½,½],[0,0,1]].
function gRow(w: usize, kOut: i32, cIn: i32, k: i32, c: i32, i: i32, j: i32, flip: i32): f32 {
  const g0 = gAt(w, kOut, cIn, k, c, 0, j, flip), g1 = gAt(w, kOut, cIn, k, c, 1, j, flip), g2 = gAt(w, kOut, cIn, k, c, 2, j, flip);
  if (i == 0) return g0;
  if (i == 1) return 0.5 * (g0 + g1 + g2);
  if (i == 2) return 0.5 * (g0 - g1 + g2);
  return g2;
}

// Zero-padded copy of one image: P[c][r + pt][col + pl] = x[c][r][col].
function padImage(x: usize, p: usize): void {
  memory.fill(p, 0, <usize>(w_c * w_hp * w_wp * 4));
  const rows = min(w_h, w_hp - w_pt);
  const cols = min(w_w, w_wp - w_pl);
  if (rows <= 0 || cols <= 0) return;
  for (let c = 0; c < w_c; c++) {
    const xc = x + <usize>(c * w_h * w_w * 4);
    const pc = p + <usize>(((c * w_hp + w_pt) * w_wp + w_pl) * 4);
    for (let r = 0; r < rows; r++) memory.copy(pc + <usize>(r * w_wp * 4), xc + <usize>(r * w_w * 4), <usize>(cols * 4));
  }
}

/**
 * The row and column, as (ih << 16) | iw, of a = ih·w + iw, the argmax of 2×2 window (i, j):
 * from its offset to the window's corner (0, 1, w or w + 1), without a division.
 */
// @ts-ignore: decorator
@inline
export function windowCell(a: i32, i: i32, j: i32, w: i32): i32 {
  const off = a - (2 * i * w + 2 * j);
  const down = <i32>(off >= w);
  return ((2 * i + down) << 16) | (2 * j + off - down * w);
}

// A pooled gradient routed to the full-size plane it was pooled from, zero-padded: every
// window's value lands where its argmax points (nowhere for -1), at row offset pt and column
// offset pl of dst, whose planes are dstH × dstW (cells past them dropped, as padImage drops
// them). The source planes are h × w; dy and am are [planes][h/2][w/2], am[q] = ih·w + iw of
// a cell of window q.
function scatterPooled(dy: usize, am: usize, planes: i32, h: i32, w: i32, dst: usize, dstH: i32, dstW: i32, pt: i32, pl: i32): void {
  const dstPlane = dstH * dstW;
  memory.fill(dst, 0, <usize>(planes * dstPlane * 4));
  const ph = h >> 1, pw = w >> 1;
  for (let c = 0; c < planes; c++) {
    const dc = dst + <usize>(c * dstPlane * 4);
    let q = c * ph * pw;
    for (let i = 0; i < ph; i++) {
      for (let j = 0; j < pw; j++) {
        const a = load<i32>(am + <usize>(q * 4));
        if (a >= 0) {
          const cell = windowCell(a, i, j, w);
          const r = (cell >> 16) + pt, col = (cell & 0xffff) + pl;
          if (r < dstH && col < dstW) store<f32>(dc + <usize>((r * dstW + col) * 4), load<f32>(dy + <usize>(q * 4)));
        }
        q++;
      }
    }
  }
}

// Column j of d_r B for four tiles whose rows start at src, 2 floats apart: with d0..d3 the
// tiles' columns (even/odd lanes of two loads), j = 0: d0 - d2, 1: d1 + d2, 2: d2 - d1, 3: d1 - d3.
// The loads repeat per j; the optimiser shares them once inlined.
@inline function rowT(src: usize, j: i32): v128 {
  const a = v128.load(src), b = v128.load(src, 16);
  const a2 = v128.load(src, 8), b2 = v128.load(src, 24);
  const d0 = v128.shuffle<f32>(a, b, 0, 2, 4, 6);
  const d1 = v128.shuffle<f32>(a, b, 1, 3, 5, 7);
  const d2 = v128.shuffle<f32>(a2, b2, 0, 2, 4, 6);
  const d3 = v128.shuffle<f32>(a2, b2, 1, 3, 5, 7);
  if (j == 0) return f32x4.sub(d0, d2);
  if (j == 1) return f32x4.add(d1, d2);
  if (j == 2) return f32x4.sub(d2, d1);
  return f32x4.sub(d1, d3);
}

// V[e][c][t] = (Bᵀ d B)[e] for every 4×4 tile d, four tiles of a row at a time; v points at
// the image's first column in the chunk, rows w_ld apart.
function inputTransform(p: usize, v: usize): void {
  const es = <usize>w_esV;
  for (let c = 0; c < w_c; c++) {
    const pc = p + <usize>(c * w_hp * w_wp * 4);
    const vc = v + <usize>(c * w_ld * 4);
    for (let th = 0; th < w_th; th++) {
      for (let tw = 0; tw < w_tw4; tw += 4) {
        let src = pc + <usize>((2 * th * w_wp + 2 * tw) * 4);
        // Row transforms u_r = d_r B for the four rows of the tiles.
        const u00 = rowT(src, 0), u01 = rowT(src, 1), u02 = rowT(src, 2), u03 = rowT(src, 3);
        src += <usize>(w_wp * 4);
        const u10 = rowT(src, 0), u11 = rowT(src, 1), u12 = rowT(src, 2), u13 = rowT(src, 3);
        src += <usize>(w_wp * 4);
        const u20 = rowT(src, 0), u21 = rowT(src, 1), u22 = rowT(src, 2), u23 = rowT(src, 3);
        src += <usize>(w_wp * 4);
        const u30 = rowT(src, 0), u31 = rowT(src, 1), u32 = rowT(src, 2), u33 = rowT(src, 3);
        const o = vc + <usize>((th * w_tw4 + tw) * 4);
        // Column transforms: V_0 = u_0 - u_2, V_1 = u_1 + u_2, V_2 = u_2 - u_1, V_3 = u_1 - u_3.
        v128.store(o, f32x4.sub(u00, u20)); v128.store(o + es, f32x4.sub(u01, u21));
        v128.store(o + es * 2, f32x4.sub(u02, u22)); v128.store(o + es * 3, f32x4.sub(u03, u23));
        v128.store(o + es * 4, f32x4.add(u10, u20)); v128.store(o + es * 5, f32x4.add(u11, u21));
        v128.store(o + es * 6, f32x4.add(u12, u22)); v128.store(o + es * 7, f32x4.add(u13, u23));
        v128.store(o + es * 8, f32x4.sub(u20, u10)); v128.store(o + es * 9, f32x4.sub(u21, u11));
        v128.store(o + es * 10, f32x4.sub(u22, u12)); v128.store(o + es * 11, f32x4.sub(u23, u13));
        v128.store(o + es * 12, f32x4.sub(u10, u30)); v128.store(o + es * 13, f32x4.sub(u11, u31));
        v128.store(o + es * 14, f32x4.sub(u12, u32)); v128.store(o + es * 15, f32x4.sub(u13, u33));
      }
    }
  }
}

// y[k][2th + a][2tw + b] = (Aᵀ m A)[a][b] (+ bias[k], then relu if asked), Aᵀ = [[1,1,1,0],[0,1,-1,-1]].
// m points at the image's first column in the chunk, rows w_ld apart.
function outputTransform(m: usize, y: usize, bias: usize): void {
  const es = <usize>w_esM;
  const zero = f32x4.splat(0);
  for (let k = 0; k < w_k; k++) {
    const bv = f32x4.splat(bias != 0 ? load<f32>(bias + <usize>(k * 4)) : 0);
    const mk = m + <usize>(k * w_ld * 4);
    const yk = y + <usize>(k * w_oh * w_ow * 4);
    for (let th = 0; th < w_th; th++) {
      for (let tw = 0; tw < w_tw4; tw += 4) {
        const s = mk + <usize>((th * w_tw4 + tw) * 4);
        // Row sums over the 4 rows i of m[i][j]: s_j = m0j + m1j + m2j, t_j = m1j - m2j - m3j.
        const s0 = colS(s, es, 0), s1 = colS(s, es, 1), s2 = colS(s, es, 2), s3 = colS(s, es, 3);
        const t0 = colT(s, es, 0), t1 = colT(s, es, 1), t2 = colT(s, es, 2), t3 = colT(s, es, 3);
        let y00 = f32x4.add(f32x4.add(f32x4.add(s0, s1), s2), bv);
        let y01 = f32x4.add(f32x4.sub(f32x4.sub(s1, s2), s3), bv);
        let y10 = f32x4.add(f32x4.add(f32x4.add(t0, t1), t2), bv);
        let y11 = f32x4.add(f32x4.sub(f32x4.sub(t1, t2), t3), bv);
        if (w_relu) {
          // max(v, 0): 0 for negatives and -0, NaN kept, as ref's relu.
          y00 = f32x4.max(y00, zero); y01 = f32x4.max(y01, zero);
          y10 = f32x4.max(y10, zero); y11 = f32x4.max(y11, zero);
        }
        const col = 2 * tw;
        if (col >= w_ow) continue;
        const r0 = yk + <usize>((2 * th * w_ow + col) * 4);
        writeRow(r0, v128.shuffle<f32>(y00, y01, 0, 4, 1, 5), v128.shuffle<f32>(y00, y01, 2, 6, 3, 7), w_ow - col);
        if (2 * th + 1 < w_oh) {
          writeRow(r0 + <usize>(w_ow * 4), v128.shuffle<f32>(y10, y11, 0, 4, 1, 5), v128.shuffle<f32>(y10, y11, 2, 6, 3, 7), w_ow - col);
        }
      }
    }
  }
}

// The 2×2, stride-2 max pool of the ReLU'd outputs, from the tiles themselves: a tile's four
// outputs are one pooling window, so the full-size output is never written. y is pooled
// [k][oh/2][ow/2], am the window's argmax within the output plane (ih·ow + iw, the first
// maximum in row-major order, -1 where the ReLU cut the whole window), as maxPoolForwardTask
// with its ReLU mask writes them; tile rows and columns past the pooled size are dropped.
function outputTransformPool(m: usize, y: usize, am: usize, bias: usize): void {
  const es = <usize>w_esM;
  const zero = f32x4.splat(0);
  const ph = w_oh >> 1, pw = w_ow >> 1;
  for (let k = 0; k < w_k; k++) {
    const bv = f32x4.splat(bias != 0 ? load<f32>(bias + <usize>(k * 4)) : 0);
    const mk = m + <usize>(k * w_ld * 4);
    const yk = y + <usize>(k * ph * pw * 4);
    const ak = am + <usize>(k * ph * pw * 4);
    for (let th = 0; th < ph; th++) {
      for (let tw = 0; tw < pw; tw += 4) {
        const s = mk + <usize>((th * w_tw4 + tw) * 4);
        const s0 = colS(s, es, 0), s1 = colS(s, es, 1), s2 = colS(s, es, 2), s3 = colS(s, es, 3);
        const t0 = colT(s, es, 0), t1 = colT(s, es, 1), t2 = colT(s, es, 2), t3 = colT(s, es, 3);
        // max(v, 0): 0 for negatives and -0, NaN kept, as ref's relu.
        const y00 = f32x4.max(f32x4.add(f32x4.add(f32x4.add(s0, s1), s2), bv), zero);
        const y01 = f32x4.max(f32x4.add(f32x4.sub(f32x4.sub(s1, s2), s3), bv), zero);
        const y10 = f32x4.max(f32x4.add(f32x4.add(f32x4.add(t0, t1), t2), bv), zero);
        const y11 = f32x4.max(f32x4.add(f32x4.sub(f32x4.sub(t1, t2), t3), bv), zero);
        const idx = i32x4.add(i32x4.splat(2 * th * w_ow + 2 * tw), i32x4(0, 2, 4, 6));
        const best = maxWindow(y00, y01, y10, y11, idx, w_ow);
        const at = v128.or(windowArgmax, f32x4.eq(best, zero));
        const o = <usize>((th * pw + tw) * 4);
        if (tw + 4 <= pw) {
          v128.store(yk + o, best);
          v128.store(ak + o, at);
          continue;
        }
        const left = pw - tw;
        store<f32>(yk + o, f32x4.extract_lane(best, 0));
        store<i32>(ak + o, i32x4.extract_lane(at, 0));
        if (left > 1) {
          store<f32>(yk + o, f32x4.extract_lane(best, 1), 4);
          store<i32>(ak + o, i32x4.extract_lane(at, 1), 4);
        }
        if (left > 2) {
          store<f32>(yk + o, f32x4.extract_lane(best, 2), 8);
          store<i32>(ak + o, i32x4.extract_lane(at, 2), 8);
        }
      }
    }
  }
}

// s_j = m0j + m1j + m2j and t_j = m1j - m2j - m3j (the rows of Aᵀ m) for four tiles.
@inline function colS(s: usize, es: usize, j: i32): v128 {
  return f32x4.add(f32x4.add(v128.load(s + es * <usize>(j)), v128.load(s + es * <usize>(4 + j))), v128.load(s + es * <usize>(8 + j)));
}

@inline function colT(s: usize, es: usize, j: i32): v128 {
  return f32x4.sub(f32x4.sub(v128.load(s + es * <usize>(4 + j)), v128.load(s + es * <usize>(8 + j))), v128.load(s + es * <usize>(12 + j)));
}

// Stores the first min(8, left) of the 8 values lo, hi at p.
@inline function writeRow(p: usize, lo: v128, hi: v128, left: i32): void {
  if (left >= 8) {
    v128.store(p, lo);
    v128.store(p, hi, 16);
    return;
  }
  if (left >= 4) {
    v128.store(p, lo);
    if (left > 4) store<f32>(p, f32x4.extract_lane(hi, 0), 16);
    if (left > 5) store<f32>(p, f32x4.extract_lane(hi, 1), 20);
    if (left > 6) store<f32>(p, f32x4.extract_lane(hi, 2), 24);
    return;
  }
  store<f32>(p, f32x4.extract_lane(lo, 0));
  if (left > 1) store<f32>(p, f32x4.extract_lane(lo, 1), 4);
  if (left > 2) store<f32>(p, f32x4.extract_lane(lo, 2), 8);
}

/**
 * y[img] = winograd(x[img], U) for the task's slice of the batch, in chunks of b images whose
 * tiles share each gemm. args: x, u, bias (0: none), y, n, c, h, w, k, outH, outW, padTop,
 * padLeft, relu, scratch, scratchStride (bytes), b, am, srcAm: with am ≠ 0, y is the 2×2 max
 * pool of the ReLU'd outputs and am its argmax (outputTransformPool); with srcAm ≠ 0, x is a
 * pooled gradient [n, c, h/2, w/2] and srcAm its argmax, routed to the h × w planes it came
 * from as the images are padded (scatterPooled): a pooled block's transposed convolution.
 */
export function winogradTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const x = <usize>load<i32>(args), u = <usize>load<i32>(args, 4), bias = <usize>load<i32>(args, 8), y = <usize>load<i32>(args, 12);
  const am = <usize>load<i32>(args, 68), srcAm = <usize>load<i32>(args, 72);
  w_n = load<i32>(args, 16);
  setChunkGeom(load<i32>(args, 64), load<i32>(args, 20), load<i32>(args, 24), load<i32>(args, 28), load<i32>(args, 32), load<i32>(args, 36), load<i32>(args, 40));
  w_pt = load<i32>(args, 44);
  w_pl = load<i32>(args, 48);
  w_relu = load<i32>(args, 52);
  const p = <usize>load<i32>(args, 56) + <usize>(load<i32>(args, 60) * worker);
  const v = p + <usize>align64(w_c * w_hp * w_wp * 4);
  const m = v + <usize>(16 * w_esV);
  const gs = m + <usize>(16 * w_esM);
  const r = imageRange(w_n, task, nTasks);
  for (let img0 = <i32>(r >> 32); img0 < <i32>r; img0 += w_b) {
    const nb = min(w_b, <i32>r - img0);
    for (let j = 0; j < nb; j++) {
      const img = img0 + j;
      if (srcAm == 0) padImage(x + <usize>(img * w_c * w_h * w_w * 4), p);
      else {
        const po = <usize>(img * w_c * (w_h >> 1) * (w_w >> 1) * 4);
        scatterPooled(x + po, srcAm + po, w_c, w_h, w_w, p, w_hp, w_wp, w_pt, w_pl);
      }
      inputTransform(p, v + <usize>(j * w_t * 4));
    }
    for (let e = 0; e < 16; e++) {
      gemmRect(u + <usize>(e * w_k * w_c * 4), w_c, 1, v + <usize>(e * w_esV), w_ld, 1,
        m + <usize>(e * w_esM), w_ld, 0, w_k, 0, nb * w_t, w_c, false, gs);
    }
    for (let j = 0; j < nb; j++) {
      const mj = m + <usize>(j * w_t * 4);
      if (am == 0) outputTransform(mj, y + <usize>((img0 + j) * w_k * w_oh * w_ow * 4), bias);
      else {
        const po = <usize>((img0 + j) * w_k * (w_oh >> 1) * (w_ow >> 1) * 4);
        outputTransformPool(mj, y + po, am + po, bias);
      }
    }
  }
}

// Zero-padded copy of one image's dy: D[k][r][col], 2·tilesH rows of 2·tilesW4 columns.
function padDy(dy: usize, d: usize): void {
  const dw = 2 * w_tw4;
  memory.fill(d, 0, <usize>(w_k * 2 * w_th * dw * 4));
  for (let k = 0; k < w_k; k++) {
    for (let r = 0; r < w_oh; r++) {
      memory.copy(d + <usize>(((k * 2 * w_th + r) * dw) * 4), dy + <usize>(((k * w_oh + r) * w_ow) * 4), <usize>(w_ow * 4));
    }
  }
}

// G[e][k][t] = (A dY Aᵀ)[e] for each 2×2 tile dY of dy, A = [[1,0],[1,1],[1,-1],[0,-1]]: the
// adjoint of the output transform, so that dU_e = Σ_t G_e · V_eᵀ.
// m points at the image's first column in the chunk, rows w_ld apart.
function dyTransform(d: usize, m: usize): void {
  const dw = 2 * w_tw4;
  const es = <usize>w_esM;
  for (let k = 0; k < w_k; k++) {
    for (let th = 0; th < w_th; th++) {
      const r0 = d + <usize>(((k * 2 * w_th + 2 * th) * dw) * 4);
      const r1 = r0 + <usize>(dw * 4);
      for (let tw = 0; tw < w_tw4; tw += 4) {
        const a0 = v128.load(r0 + <usize>(2 * tw * 4)), b0 = v128.load(r0 + <usize>(2 * tw * 4), 16);
        const a1 = v128.load(r1 + <usize>(2 * tw * 4)), b1 = v128.load(r1 + <usize>(2 * tw * 4), 16);
        const y00 = v128.shuffle<f32>(a0, b0, 0, 2, 4, 6), y01 = v128.shuffle<f32>(a0, b0, 1, 3, 5, 7);
        const y10 = v128.shuffle<f32>(a1, b1, 0, 2, 4, 6), y11 = v128.shuffle<f32>(a1, b1, 1, 3, 5, 7);
        // z = A dY (4×2): rows y0, y0 + y1, y0 - y1, -y1.
        const z00 = y00, z01 = y01;
        const z10 = f32x4.add(y00, y10), z11 = f32x4.add(y01, y11);
        const z20 = f32x4.sub(y00, y10), z21 = f32x4.sub(y01, y11);
        const z30 = f32x4.neg(y10), z31 = f32x4.neg(y11);
        const o = m + <usize>(((k * w_ld) + th * w_tw4 + tw) * 4);
        storeRow(o, es, 0, z00, z01);
        storeRow(o, es, 1, z10, z11);
        storeRow(o, es, 2, z20, z21);
        storeRow(o, es, 3, z30, z31);
      }
    }
  }
}

// Row i of (z Aᵀ): z0, z0 + z1, z0 - z1, -z1 into G[4i .. 4i + 3].
@inline function storeRow(o: usize, es: usize, i: i32, z0: v128, z1: v128): void {
  v128.store(o + es * <usize>(4 * i), z0);
  v128.store(o + es * <usize>(4 * i + 1), f32x4.add(z0, z1));
  v128.store(o + es * <usize>(4 * i + 2), f32x4.sub(z0, z1));
  v128.store(o + es * <usize>(4 * i + 3), f32x4.neg(z1));
}

/**
 * Per-task partial dU[e][k][c] = Σ over the task's images and tiles of G_e[k][t] V_e[c][t],
 * in chunks of b images. args: x, dy, partials, partial stride (bytes), n, c, h, w, k, outH,
 * outW, padTop, padLeft, (unused), scratch, scratchStride, b, (unused), dyAm: with dyAm ≠ 0,
 * dy is a pooled gradient [n, k, outH/2, outW/2] and dyAm its argmax (scatterPooled).
 */
export function winogradWeightGradTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const x = <usize>load<i32>(args), dy = <usize>load<i32>(args, 4);
  const du = <usize>load<i32>(args, 8) + <usize>(load<i32>(args, 12) * task);
  const dyAm = <usize>load<i32>(args, 72);
  w_n = load<i32>(args, 16);
  setChunkGeom(load<i32>(args, 64), load<i32>(args, 20), load<i32>(args, 24), load<i32>(args, 28), load<i32>(args, 32), load<i32>(args, 36), load<i32>(args, 40));
  w_pt = load<i32>(args, 44);
  w_pl = load<i32>(args, 48);
  const p = <usize>load<i32>(args, 56) + <usize>(load<i32>(args, 60) * worker);
  const v = p + <usize>align64(w_c * w_hp * w_wp * 4);
  const m = v + <usize>(16 * w_esV);
  const gs = m + <usize>(16 * w_esM);
  const d = gs + <usize>gemmScratchBytes();
  const r = imageRange(w_n, task, nTasks);
  // The task's own partial, zeroed here rather than by the caller: in parallel, and left in cache.
  memory.fill(du, 0, <usize>(16 * w_k * w_c * 4));
  for (let img0 = <i32>(r >> 32); img0 < <i32>r; img0 += w_b) {
    const nb = min(w_b, <i32>r - img0);
    for (let j = 0; j < nb; j++) {
      padImage(x + <usize>((img0 + j) * w_c * w_h * w_w * 4), p);
      inputTransform(p, v + <usize>(j * w_t * 4));
      if (dyAm == 0) padDy(dy + <usize>((img0 + j) * w_k * w_oh * w_ow * 4), d);
      else {
        const po = <usize>((img0 + j) * w_k * (w_oh >> 1) * (w_ow >> 1) * 4);
        scatterPooled(dy + po, dyAm + po, w_k, w_oh, w_ow, d, 2 * w_th, 2 * w_tw4, 0, 0);
      }
      dyTransform(d, m + <usize>(j * w_t * 4));
    }
    for (let e = 0; e < 16; e++) {
      // dU_e (k×c) += G_e (k×bt) · V_eᵀ (V_e is c×bt, read transposed).
      gemmRect(m + <usize>(e * w_esM), w_ld, 1, v + <usize>(e * w_esV), 1, w_ld,
        du + <usize>(e * w_k * w_c * 4), w_c, 0, w_k, 0, w_c, nb * w_t, true, gs);
    }
  }
}

/**
 * partial 0 += partials 1 .. nParts-1, in that order (so that dw sums the same way on every
 * run), over `floats` values; the partials are `stride` bytes apart, 64-byte aligned.
 */
export function addPartials(parts: usize, stride: i32, nParts: i32, floats: i32): void {
  for (let q = 1; q < nParts; q++) {
    const src = parts + <usize>(q * stride);
    let i = 0;
    for (; i + 4 <= floats; i += 4) {
      const o = <usize>(i * 4);
      v128.store(parts + o, f32x4.add(v128.load(parts + o), v128.load(src + o)));
    }
    for (; i < floats; i++) store<f32>(parts + <usize>(i * 4), load<f32>(parts + <usize>(i * 4)) + load<f32>(src + <usize>(i * 4)));
  }
}

/** dw[k][c] (3×3) = Gᵀ (Σ over the nParts partials dU[·][k][c]) G; the first partial is overwritten. */
export function winogradWeightGradFinish(parts: usize, stride: i32, nParts: i32, dw: usize, kOut: i32, cIn: i32): void {
  const es = <usize>(kOut * cIn * 4);
  addPartials(parts, stride, nParts, 16 * kOut * cIn);
  for (let k = 0; k < kOut; k++) {
    for (let c = 0; c < cIn; c++) {
      const o = <usize>((k * cIn + c) * 4);
      // r[i][j] = Gᵀ row combination of dU rows: row 0 = u0 + ½(u1 + u2), 1 = ½(u1 - u2), 2 = ½(u1 + u2) + u3.
      for (let j = 0; j < 4; j++) {
        const u0 = load<f32>(parts + o + es * <usize>(j));
        const u1 = load<f32>(parts + o + es * <usize>(4 + j));
        const u2 = load<f32>(parts + o + es * <usize>(8 + j));
        const u3 = load<f32>(parts + o + es * <usize>(12 + j));
        // Park the 3×4 intermediate in the slots e = j, 4 + j, 8 + j (already read).
        store<f32>(parts + o + es * <usize>(j), u0 + 0.5 * (u1 + u2));
        store<f32>(parts + o + es * <usize>(4 + j), 0.5 * (u1 - u2));
        store<f32>(parts + o + es * <usize>(8 + j), 0.5 * (u1 + u2) + u3);
      }
      for (let r = 0; r < 3; r++) {
        const q0 = load<f32>(parts + o + es * <usize>(4 * r)), q1 = load<f32>(parts + o + es * <usize>(4 * r + 1));
        const q2 = load<f32>(parts + o + es * <usize>(4 * r + 2)), q3 = load<f32>(parts + o + es * <usize>(4 * r + 3));
        const out = dw + <usize>(((k * cIn + c) * 9 + r * 3) * 4);
        store<f32>(out, q0 + 0.5 * (q1 + q2));
        store<f32>(out, 0.5 * (q1 - q2), 4);
        store<f32>(out, 0.5 * (q1 + q2) + q3, 8);
      }
    }
  }
}
