// Winograd F(4×4, 3×3) for stride-1, undilated, ungrouped 3×3 convolutions: each 4×4 output
// tile costs 36 multiplies per channel pair instead of 144 (F(2×2, 3×3) in winograd.ts pays 64
// for the same 16 outputs). The SIMD lanes run over four images, not over neighbouring tiles:
// a chunk of images is packed four at a time into an interleaved, zero-padded copy
// P[c][row][col][image], so that every tile of every image size fills all four lanes (a 7×7
// output is 2×2 tiles; lanes over tiles would leave half of them empty). V = Bᵀ d B per 6×6
// tile, then 36 gemms M_e = U_e · V_e over the chunk's columns (tile, image), then Y = Aᵀ m A.
// The transposed convolution (dx from dy) is the same on flipped, transposed weights with
// padding 2 - pad; the weight gradient sums (A dY Aᵀ) ⊙ V over the columns, then dw = Gᵀ dU G.
// Lavin and Gray's matrices for the points 0, ±1, ±2, ∞:
//   Bᵀ = [[4,0,-5,0,1,0],[0,-4,-4,1,1,0],[0,4,-4,-1,1,0],[0,-2,-1,2,1,0],[0,2,-1,-2,1,0],[0,4,0,-5,0,1]]
//   G = [[1/4,0,0],[-1/6,-1/6,-1/6],[-1/6,1/6,-1/6],[1/24,1/12,1/6],[1/24,-1/12,1/6],[0,0,1]]
//   Aᵀ = [[1,1,1,1,1,0],[0,1,-1,2,-2,0],[0,1,1,4,4,0],[0,1,-1,8,-8,1]]
import { imageRange } from './conv';
import { gemmRect, gemmScratchBytes } from './gemm';
import { maxWindow, windowArgmax } from './pool';
import { addPartials, windowCell } from './winograd';

// Job geometry (thread-local globals, see conv.ts).
let q_c: i32 = 0;
let q_h: i32 = 0;
let q_w: i32 = 0;
let q_k: i32 = 0;
let q_oh: i32 = 0;
let q_ow: i32 = 0;
let q_pt: i32 = 0;
let q_pl: i32 = 0;
// Tiles per image (q_th rows of q_tw), the padded image (q_hp × q_wp), images per chunk (a
// multiple of 4), the gemm columns of a full chunk, and the bytes between the 36 planes of V
// and of M (a cache line over the plane, so that the transforms' 36 streams do not share an
// L1 set, as in winograd.ts).
let q_th: i32 = 0;
let q_tw: i32 = 0;
let q_t: i32 = 0;
let q_hp: i32 = 0;
let q_wp: i32 = 0;
let q_b: i32 = 4;
let q_n: i32 = 0;
let q_esV: i32 = 0;
let q_esM: i32 = 0;

const align64 = (b: i32): i32 => (b + 63) & ~63;

function setGeom4(b: i32, c: i32, h: i32, w: i32, k: i32, oh: i32, ow: i32): void {
  q_c = c; q_h = h; q_w = w; q_k = k; q_oh = oh; q_ow = ow;
  q_th = (oh + 3) >> 2;
  q_tw = (ow + 3) >> 2;
  q_t = q_th * q_tw;
  q_hp = 4 * q_th + 2;
  q_wp = 4 * q_tw + 2;
  q_b = max(4, (b + 3) & ~3);
  q_n = q_b * q_t;
  // V's planes hold the chunk's columns in strips of 8 (gemm's packed B) in the forward pass.
  q_esV = align64(c * ((q_n + 7) & ~7) * 4) + 64;
  q_esM = align64(k * q_n * 4) + 64;
}

// Scratch per thread: packed images, transform temporaries, V, M, gemm's buffers, packed dy (cutScratch).
@inline function packedBytes(): i32 { return align64(q_c * q_hp * q_wp * 16); }
const TMP_BYTES: i32 = 2 * 36 * 16;
@inline function dyPackedBytes(): i32 { return align64(q_k * 4 * q_th * 4 * q_tw * 16); }

/** Scratch bytes per thread for chunks of b images. */
export function winograd4ScratchBytes(c: i32, h: i32, w: i32, k: i32, oh: i32, ow: i32, b: i32): i32 {
  setGeom4(b, c, h, w, k, oh, ow);
  return packedBytes() + TMP_BYTES + 36 * q_esV + 36 * q_esM + gemmScratchBytes() + dyPackedBytes();
}

/** 1 when one of the n floats at w is NaN or ±Inf: F(4×4, 3×3) then gives way to F(2×2, 3×3) (see pack4). */
export function winograd4NonFinite(w: usize, n: i32): i32 {
  let probe: f32 = 0;
  for (let i = 0; i < n; i++) probe += load<f32>(w + <usize>(i * 4)) * 0;
  return probe != probe ? 1 : 0;
}

/**
 * U[e][k][c] = (G g Gᵀ)[e], e = 6r + s, for g = w[k, c] (3×3), or with flip = 1 for
 * g[i][j] = w[c, k, 2-i, 2-j] where w is [C', K', 3, 3] (the transposed convolution); each task
 * transforms a range of the filters k. args: w u kOut cIn flip. The caller has checked the
 * weights with winograd4NonFinite.
 */
export function winograd4WeightsTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const w = <usize>load<i32>(args), u = <usize>load<i32>(args, 4);
  const kOut = load<i32>(args, 8), cIn = load<i32>(args, 12), flip = load<i32>(args, 16);
  const range = imageRange(kOut, task, nTasks);
  const k0 = <i32>(range >> 32), k1 = <i32>range;
  const es = <usize>(kOut * cIn * 4);
  // Row r of U = (G g)[r] Gᵀ, one r at a time: each pass writes 6 of the 36 planes, which a
  // power-of-two plane size would otherwise put in one L1 set all together.
  for (let r = 0; r < 6; r++) {
    for (let k = k0; k < k1; k++) {
      for (let c = 0; c < cIn; c++) {
        const t0 = gRow4(w, kOut, cIn, k, c, r, 0, flip), t1 = gRow4(w, kOut, cIn, k, c, r, 1, flip), t2 = gRow4(w, kOut, cIn, k, c, r, 2, flip);
        gt(t0, t1, t2, u + <usize>((k * cIn + c) * 4) + es * <usize>(6 * r), es);
      }
    }
  }
}

// (G g)[r][j] of filter (k, c), G's row r applied to column j of g.
@inline function gRow4(w: usize, kOut: i32, cIn: i32, k: i32, c: i32, r: i32, j: i32, flip: i32): f32 {
  const g0 = gAt4(w, kOut, cIn, k, c, 0, j, flip), g1 = gAt4(w, kOut, cIn, k, c, 1, j, flip), g2 = gAt4(w, kOut, cIn, k, c, 2, j, flip);
  if (r == 0) return g0 * 0.25;
  if (r == 1) return -(g0 + g1 + g2) * SIXTH;
  if (r == 2) return -(g0 - g1 + g2) * SIXTH;
  if (r == 3) return g0 * TWENTYFOURTH + g1 * TWELFTH + g2 * SIXTH;
  if (r == 4) return g0 * TWENTYFOURTH - g1 * TWELFTH + g2 * SIXTH;
  return g2;
}

const SIXTH: f32 = 1.0 / 6.0;
const TWELFTH: f32 = 1.0 / 12.0;
const TWENTYFOURTH: f32 = 1.0 / 24.0;

// G·(g0, g1, g2): six values, `stride` bytes apart from dst.
@inline function gt(g0: f32, g1: f32, g2: f32, dst: usize, stride: usize): void {
  const a = g0 * TWENTYFOURTH + g2 * SIXTH, b = g1 * TWELFTH;
  store<f32>(dst, g0 * 0.25);
  store<f32>(dst + stride, -(g0 + g1 + g2) * SIXTH);
  store<f32>(dst + stride * 2, -(g0 - g1 + g2) * SIXTH);
  store<f32>(dst + stride * 3, a + b);
  store<f32>(dst + stride * 4, a - b);
  store<f32>(dst + stride * 5, g2);
}

@inline function gAt4(w: usize, kOut: i32, cIn: i32, k: i32, c: i32, r: i32, j: i32, flip: i32): f32 {
  return flip
    ? load<f32>(w + <usize>(((c * kOut + k) * 9 + (2 - r) * 3 + (2 - j)) * 4))
    : load<f32>(w + <usize>(((k * cIn + c) * 9 + r * 3 + j) * 4));
}

/**
 * Packs nl (≤ 4) images, imgStride floats apart from x, each `planes` planes of h × w, into
 * p[plane][row + pt][col + pl][lane] with hp × wp planes of 4-float cells, zero elsewhere (and
 * in lanes ≥ nl); cells past hp × wp are dropped. True when a value is NaN or ±Inf: F(4×4, 3×3)'s
 * transforms would spread it to outputs whose windows do not hold it (an Inf times 0 of another
 * row), so the caller redoes the job with F(2×2, 3×3), whose transforms never do.
 */
function pack4(x: usize, imgStride: i32, nl: i32, planes: i32, h: i32, w: i32, p: usize, hp: i32, wp: i32, pt: i32, pl: i32): bool {
  memory.fill(p, 0, <usize>(planes * hp * wp * 16));
  const rows = min(h, hp - pt), cols = min(w, wp - pl);
  if (rows <= 0 || cols <= 0) return false;
  const zero = f32x4.splat(0);
  // Σ 0·v: NaN exactly when some v is NaN or ±Inf (or two of them overflow their sum).
  let probe = zero;
  let probeS: f32 = 0;
  const ls = <usize>(imgStride * 4);
  for (let c = 0; c < planes; c++) {
    for (let r = 0; r < rows; r++) {
      const src = x + <usize>(((c * h + r) * w) * 4);
      const dst = p + <usize>((((c * hp + r + pt) * wp) + pl) * 16);
      let col = 0;
      for (; col + 4 <= cols; col += 4) {
        const s = src + <usize>(col * 4);
        const a0 = v128.load(s);
        const a1 = nl > 1 ? v128.load(s + ls) : zero;
        const a2 = nl > 2 ? v128.load(s + 2 * ls) : zero;
        const a3 = nl > 3 ? v128.load(s + 3 * ls) : zero;
        probe = f32x4.add(probe, f32x4.mul(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), zero));
        const lo01 = v128.shuffle<f32>(a0, a1, 0, 4, 1, 5), lo23 = v128.shuffle<f32>(a2, a3, 0, 4, 1, 5);
        const hi01 = v128.shuffle<f32>(a0, a1, 2, 6, 3, 7), hi23 = v128.shuffle<f32>(a2, a3, 2, 6, 3, 7);
        const d = dst + <usize>(col * 16);
        v128.store(d, v128.shuffle<f32>(lo01, lo23, 0, 1, 4, 5));
        v128.store(d, v128.shuffle<f32>(lo01, lo23, 2, 3, 6, 7), 16);
        v128.store(d, v128.shuffle<f32>(hi01, hi23, 0, 1, 4, 5), 32);
        v128.store(d, v128.shuffle<f32>(hi01, hi23, 2, 3, 6, 7), 48);
      }
      for (; col < cols; col++) {
        for (let l = 0; l < nl; l++) {
          const v = load<f32>(src + <usize>(l) * ls + <usize>(col * 4));
          probeS += v * 0;
          store<f32>(dst + <usize>(col * 16 + l * 4), v);
        }
      }
    }
  }
  return probeS != probeS || v128.any_true(f32x4.ne(probe, probe));
}

/**
 * pack4 for a 2×2-pooled gradient: dy and am are nl images of [planes][h/2][w/2], imgStride
 * floats apart; each window's value lands in the h × w plane where its argmax points (am[q] =
 * ih·w + iw of a cell of window q; nowhere for -1), as scatterPooled in winograd.ts. True when
 * a routed value is NaN or ±Inf, as pack4.
 */
function scatter4(dy: usize, am: usize, imgStride: i32, nl: i32, planes: i32, h: i32, w: i32, p: usize, hp: i32, wp: i32, pt: i32, pl: i32): bool {
  memory.fill(p, 0, <usize>(planes * hp * wp * 16));
  let probe: f32 = 0;
  const ph = h >> 1, pw = w >> 1;
  for (let l = 0; l < nl; l++) {
    const dl = dy + <usize>(l * imgStride * 4), al = am + <usize>(l * imgStride * 4);
    for (let c = 0; c < planes; c++) {
      let q = c * ph * pw;
      for (let i = 0; i < ph; i++) {
        for (let j = 0; j < pw; j++) {
          const a = load<i32>(al + <usize>(q * 4));
          if (a >= 0) {
            const cell = windowCell(a, i, j, w);
            const r = (cell >> 16) + pt, col = (cell & 0xffff) + pl;
            const v = load<f32>(dl + <usize>(q * 4));
            probe += v * 0;
            if (r < hp && col < wp) store<f32>(p + <usize>((((c * hp + r) * wp + col) * 4 + l) * 4), v);
          }
          q++;
        }
      }
    }
  }
  return probe != probe;
}

// Bᵀ·(v0..v5) for six vectors `ss` bytes apart from src, stored `ds` bytes apart from dst.
@inline function bt6(src: usize, ss: usize, dst: usize, ds: usize): void {
  const v0 = v128.load(src), v1 = v128.load(src + ss), v2 = v128.load(src + ss * 2);
  const v3 = v128.load(src + ss * 3), v4 = v128.load(src + ss * 4), v5 = v128.load(src + ss * 5);
  const four = f32x4.splat(4), five = f32x4.splat(5), two = f32x4.splat(2);
  v128.store(dst, f32x4.add(f32x4.sub(f32x4.mul(four, v0), f32x4.mul(five, v2)), v4));
  v128.store(dst + ds, f32x4.sub(f32x4.add(v3, v4), f32x4.mul(four, f32x4.add(v1, v2))));
  v128.store(dst + ds * 2, f32x4.add(f32x4.sub(v4, v3), f32x4.mul(four, f32x4.sub(v1, v2))));
  const d31 = f32x4.mul(two, f32x4.sub(v3, v1)), d42 = f32x4.sub(v4, v2);
  v128.store(dst + ds * 3, f32x4.add(d42, d31));
  v128.store(dst + ds * 4, f32x4.sub(d42, d31));
  v128.store(dst + ds * 5, f32x4.add(f32x4.sub(f32x4.mul(four, v1), f32x4.mul(five, v3)), v5));
}

// Aᵀ·(v0..v5): four vectors.
@inline function at6(src: usize, ss: usize, dst: usize, ds: usize): void {
  const v0 = v128.load(src), v1 = v128.load(src + ss), v2 = v128.load(src + ss * 2);
  const v3 = v128.load(src + ss * 3), v4 = v128.load(src + ss * 4), v5 = v128.load(src + ss * 5);
  const p12 = f32x4.add(v1, v2), m12 = f32x4.sub(v1, v2), p34 = f32x4.add(v3, v4), m34 = f32x4.sub(v3, v4);
  v128.store(dst, f32x4.add(f32x4.add(v0, p12), p34));
  v128.store(dst + ds, f32x4.add(m12, f32x4.mul(f32x4.splat(2), m34)));
  v128.store(dst + ds * 2, f32x4.add(p12, f32x4.mul(f32x4.splat(4), p34)));
  v128.store(dst + ds * 3, f32x4.add(f32x4.add(m12, f32x4.mul(f32x4.splat(8), m34)), v5));
}

// A·(v0..v3), A = (Aᵀ)ᵀ: six vectors.
@inline function a4(src: usize, ss: usize, dst: usize, ds: usize): void {
  const v0 = v128.load(src), v1 = v128.load(src + ss), v2 = v128.load(src + ss * 2), v3 = v128.load(src + ss * 3);
  const p02 = f32x4.add(v0, v2), p13 = f32x4.add(v1, v3);
  const q02 = f32x4.add(v0, f32x4.mul(f32x4.splat(4), v2)), q13 = f32x4.add(f32x4.mul(f32x4.splat(2), v1), f32x4.mul(f32x4.splat(8), v3));
  v128.store(dst, v0);
  v128.store(dst + ds, f32x4.add(p02, p13));
  v128.store(dst + ds * 2, f32x4.sub(p02, p13));
  v128.store(dst + ds * 3, f32x4.add(q02, q13));
  v128.store(dst + ds * 4, f32x4.sub(q02, q13));
  v128.store(dst + ds * 5, v3);
}

// V[e][c][col] = (Bᵀ d B)[e] for every 6×6 tile d of the packed images at p, the lane group's
// tiles being columns col0, col0 + 4, ... (a tile's four columns its four images). Rows of q_n
// floats, or with `strips` in gemm's packed-B layout (gemmRect's packedB: 8-column strips of
// depth q_c), which the forward pass's gemms then read without packing them.
function inputTransform4(p: usize, v: usize, col0: i32, strips: bool, tmp: usize): void {
  const es = <usize>q_esV;
  const row = <usize>(q_wp * 16);
  for (let c = 0; c < q_c; c++) {
    for (let th = 0; th < q_th; th++) {
      for (let tw = 0; tw < q_tw; tw++) {
        const d = p + <usize>((((c * q_hp + 4 * th) * q_wp) + 4 * tw) * 16);
        // W = Bᵀ d, column by column (W[r][j] at tmp + (6r + j)·16), then V = W B, row by row.
        for (let j = 0; j < 6; j++) bt6(d + <usize>(j * 16), row, tmp + <usize>(j * 16), 96);
        const col = col0 + 4 * (th * q_tw + tw);
        const o = v + <usize>((strips ? ((col >> 3) * q_c + c) * 8 + (col & 7) : c * q_n + col) * 4);
        for (let r = 0; r < 6; r++) bt6(tmp + <usize>(r * 96), 16, o + es * <usize>(6 * r), es);
      }
    }
  }
}

// Y = Aᵀ m A of the tile whose 36 values are planes `es` bytes apart from s: Z = Aᵀ m
// (Z[i][s] at tmp + (6i + s)·16), then Y = Z A (Y[i][j] at tmp + 384 + (4i + j)·16); returns Y's address.
@inline function tileOutputs4(s: usize, es: usize, tmp: usize): usize {
  for (let j = 0; j < 6; j++) at6(s + es * <usize>(j), es * 6, tmp + <usize>(j * 16), 96);
  const yt = tmp + 384;
  for (let i = 0; i < 4; i++) at6(tmp + <usize>(i * 96), 16, yt + <usize>(i * 64), 16);
  return yt;
}

// Y = Aᵀ m A for every tile of the lane group's nl images, + bias, max(·, 0) when relu; written
// to y (imgStride floats between images, [k][oh][ow] each).
function outputTransform4(m: usize, y: usize, imgStride: i32, nl: i32, bias: usize, relu: bool, tmp: usize): void {
  const es = <usize>q_esM;
  const zero = f32x4.splat(0);
  const ls = <usize>(imgStride * 4);
  for (let k = 0; k < q_k; k++) {
    const bv = f32x4.splat(bias != 0 ? load<f32>(bias + <usize>(k * 4)) : 0);
    const mk = m + <usize>(k * q_n * 4);
    const yk = y + <usize>(k * q_oh * q_ow * 4);
    for (let th = 0; th < q_th; th++) {
      for (let tw = 0; tw < q_tw; tw++) {
        const s = mk + <usize>((th * q_tw + tw) * 16);
        const yt = tileOutputs4(s, es, tmp);
        const cols = min(4, q_ow - 4 * tw);
        for (let i = 0; i < 4; i++) {
          const r = 4 * th + i;
          if (r >= q_oh) break;
          let y0 = f32x4.add(v128.load(yt + <usize>(i * 64)), bv), y1 = f32x4.add(v128.load(yt + <usize>(i * 64), 16), bv);
          let y2 = f32x4.add(v128.load(yt + <usize>(i * 64), 32), bv), y3 = f32x4.add(v128.load(yt + <usize>(i * 64), 48), bv);
          if (relu) {
            // max(v, 0): 0 for negatives and -0, NaN kept, as ref's relu.
            y0 = f32x4.max(y0, zero); y1 = f32x4.max(y1, zero); y2 = f32x4.max(y2, zero); y3 = f32x4.max(y3, zero);
          }
          // Lanes are images: transpose so that each image's four columns are one vector.
          const lo01 = v128.shuffle<f32>(y0, y1, 0, 4, 1, 5), lo23 = v128.shuffle<f32>(y2, y3, 0, 4, 1, 5);
          const hi01 = v128.shuffle<f32>(y0, y1, 2, 6, 3, 7), hi23 = v128.shuffle<f32>(y2, y3, 2, 6, 3, 7);
          const o = yk + <usize>((r * q_ow + 4 * tw) * 4);
          storeCols(o, v128.shuffle<f32>(lo01, lo23, 0, 1, 4, 5), cols);
          if (nl > 1) storeCols(o + ls, v128.shuffle<f32>(lo01, lo23, 2, 3, 6, 7), cols);
          if (nl > 2) storeCols(o + ls * 2, v128.shuffle<f32>(hi01, hi23, 0, 1, 4, 5), cols);
          if (nl > 3) storeCols(o + ls * 3, v128.shuffle<f32>(hi01, hi23, 2, 3, 6, 7), cols);
        }
      }
    }
  }
}

// The first `cols` (1..4) lanes of v at p.
@inline function storeCols(p: usize, v: v128, cols: i32): void {
  if (cols == 4) {
    v128.store(p, v);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (cols > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (cols > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

// outputTransform4 with the 2×2, stride-2 max pool of the ReLU'd outputs taken in the tile
// (its 4×4 outputs are four whole windows): y is pooled [k][oh/2][ow/2] per image and am its
// argmax (maxWindow: the pool kernel's comparison chain, lanes over images), -1 where
// the ReLU cut the window; windows past the pooled size are dropped.
function outputTransformPool4(m: usize, y: usize, am: usize, imgStride: i32, nl: i32, bias: usize, tmp: usize): void {
  const es = <usize>q_esM;
  const zero = f32x4.splat(0);
  const ls = <usize>(imgStride * 4);
  const ph = q_oh >> 1, pw = q_ow >> 1;
  for (let k = 0; k < q_k; k++) {
    const bv = f32x4.splat(bias != 0 ? load<f32>(bias + <usize>(k * 4)) : 0);
    const mk = m + <usize>(k * q_n * 4);
    const pk = <usize>(k * ph * pw * 4);
    for (let th = 0; th < q_th; th++) {
      for (let tw = 0; tw < q_tw; tw++) {
        const s = mk + <usize>((th * q_tw + tw) * 16);
        const yt = tileOutputs4(s, es, tmp);
        for (let a = 0; a < 2; a++) {
          const pr = 2 * th + a;
          if (pr >= ph) break;
          for (let b = 0; b < 2; b++) {
            const pc = 2 * tw + b;
            if (pc >= pw) break;
            const c0 = yt + <usize>((2 * a * 4 + 2 * b) * 16);
            const v00 = f32x4.max(f32x4.add(v128.load(c0), bv), zero);
            const v01 = f32x4.max(f32x4.add(v128.load(c0, 16), bv), zero);
            const v10 = f32x4.max(f32x4.add(v128.load(c0, 64), bv), zero);
            const v11 = f32x4.max(f32x4.add(v128.load(c0, 80), bv), zero);
            const best = maxWindow(v00, v01, v10, v11, i32x4.splat((2 * pr) * q_ow + 2 * pc), q_ow);
            const at = v128.or(windowArgmax, f32x4.eq(best, zero));
            const o = pk + <usize>((pr * pw + pc) * 4);
            store<f32>(y + o, f32x4.extract_lane(best, 0));
            store<i32>(am + o, i32x4.extract_lane(at, 0));
            if (nl > 1) {
              store<f32>(y + o + ls, f32x4.extract_lane(best, 1));
              store<i32>(am + o + ls, i32x4.extract_lane(at, 1));
            }
            if (nl > 2) {
              store<f32>(y + o + ls * 2, f32x4.extract_lane(best, 2));
              store<i32>(am + o + ls * 2, i32x4.extract_lane(at, 2));
            }
            if (nl > 3) {
              store<f32>(y + o + ls * 3, f32x4.extract_lane(best, 3));
              store<i32>(am + o + ls * 3, i32x4.extract_lane(at, 3));
            }
          }
        }
      }
    }
  }
}

// G[e][k][col] = (A dY Aᵀ)[e] for every 4×4 tile dY of the packed gradient at d (k planes of
// 4·q_th × 4·q_tw cells); m points at the lane group's first column.
function dyTransform4(d: usize, m: usize, tmp: usize): void {
  const es = <usize>q_esM;
  const row = <usize>(4 * q_tw * 16);
  for (let k = 0; k < q_k; k++) {
    const mk = m + <usize>(k * q_n * 4);
    for (let th = 0; th < q_th; th++) {
      for (let tw = 0; tw < q_tw; tw++) {
        const src = d + <usize>((((k * 4 * q_th + 4 * th) * 4 * q_tw) + 4 * tw) * 16);
        // W = A dY (W[r][j] at tmp + (4r + j)·16), then G = W Aᵀ, row by row.
        for (let j = 0; j < 4; j++) a4(src + <usize>(j * 16), row, tmp + <usize>(j * 16), 64);
        const o = mk + <usize>((th * q_tw + tw) * 16);
        for (let r = 0; r < 6; r++) a4(tmp + <usize>(r * 64), 16, o + es * <usize>(6 * r), es);
      }
    }
  }
}

// This worker's scratch (args words 56, 60), cut as winograd4ScratchBytes counts it, into
// thread-local globals: packed images, transform temporaries, V, M, gemm's buffers, packed dy.
let s_p: usize = 0;
let s_tmp: usize = 0;
let s_v: usize = 0;
let s_m: usize = 0;
let s_gs: usize = 0;
let s_d: usize = 0;
function cutScratch(args: usize, worker: i32): void {
  s_p = <usize>load<i32>(args, 56) + <usize>(load<i32>(args, 60) * worker);
  s_tmp = s_p + <usize>packedBytes();
  s_v = s_tmp + <usize>TMP_BYTES;
  s_m = s_v + <usize>(36 * q_esV);
  s_gs = s_m + <usize>(36 * q_esM);
  s_d = s_gs + <usize>gemmScratchBytes();
}

/**
 * y[img] = winograd(x[img], U) for the task's slice of the batch, in chunks of b images whose
 * columns share each of the 36 gemms. args: x, u, bias (0: none), y, n, c, h, w, k, outH, outW,
 * padTop, padLeft, relu, scratch, scratchStride (bytes), b, am, srcAm, flag, with am and srcAm as
 * in winograd.ts's winogradTask (a pooled output; a pooled gradient as the source); the i32 at
 * flag is set to 1 when an input is NaN or ±Inf (see pack4), and the task's outputs are then
 * incomplete.
 */
export function winograd4Task(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const x = <usize>load<i32>(args), u = <usize>load<i32>(args, 4), bias = <usize>load<i32>(args, 8), y = <usize>load<i32>(args, 12);
  const am = <usize>load<i32>(args, 68), srcAm = <usize>load<i32>(args, 72);
  const n = load<i32>(args, 16);
  setGeom4(load<i32>(args, 64), load<i32>(args, 20), load<i32>(args, 24), load<i32>(args, 28), load<i32>(args, 32), load<i32>(args, 36), load<i32>(args, 40));
  q_pt = load<i32>(args, 44);
  q_pl = load<i32>(args, 48);
  const relu = load<i32>(args, 52) != 0;
  cutScratch(args, worker);
  const p = s_p, tmp = s_tmp, v = s_v, m = s_m, gs = s_gs;
  const inImg = srcAm != 0 ? q_c * (q_h >> 1) * (q_w >> 1) : q_c * q_h * q_w;
  const outImg = am != 0 ? q_k * (q_oh >> 1) * (q_ow >> 1) : q_k * q_oh * q_ow;
  const r = imageRange(n, task, nTasks);
  for (let img0 = <i32>(r >> 32); img0 < <i32>r; img0 += q_b) {
    const nb = min(q_b, <i32>r - img0);
    const groups = (nb + 3) >> 2;
    for (let gi = 0; gi < groups; gi++) {
      const first = img0 + 4 * gi, nl = min(4, nb - 4 * gi);
      const src = x + <usize>(first * inImg * 4);
      const bad = srcAm == 0
        ? pack4(src, inImg, nl, q_c, q_h, q_w, p, q_hp, q_wp, q_pt, q_pl)
        : scatter4(src, srcAm + <usize>(first * inImg * 4), inImg, nl, q_c, q_h, q_w, p, q_hp, q_wp, q_pt, q_pl);
      if (bad) {
        store<i32>(<usize>load<i32>(args, 76), 1);
        return;
      }
      inputTransform4(p, v, gi * q_t * 4, true, tmp);
    }
    const cols = groups * q_t * 4;
    for (let e = 0; e < 36; e++) {
      gemmRect(u + <usize>(e * q_k * q_c * 4), q_c, 1, v + <usize>(e * q_esV), 0, 0, m + <usize>(e * q_esM), q_n, 0, q_k, 0, cols, q_c, false, gs, true);
    }
    for (let gi = 0; gi < groups; gi++) {
      const first = img0 + 4 * gi, nl = min(4, nb - 4 * gi);
      const mg = m + <usize>(gi * q_t * 16);
      const dst = <usize>(first * outImg * 4);
      if (am == 0) outputTransform4(mg, y + dst, outImg, nl, bias, relu, tmp);
      else outputTransformPool4(mg, y + dst, am + dst, outImg, nl, bias, tmp);
    }
  }
}

/**
 * Per-task partial dU[e][k][c] = Σ over the task's images and tiles of G_e[k][col] V_e[c][col],
 * in chunks of b images. args: x, dy, partials, partial stride (bytes), n, c, h, w, k, outH,
 * outW, padTop, padLeft, (unused), scratch, scratchStride, b, (unused), dyAm (dy a pooled
 * gradient and dyAm its argmax, as in winogradWeightGradTask), flag (as in winograd4Task).
 */
export function winograd4WeightGradTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const x = <usize>load<i32>(args), dy = <usize>load<i32>(args, 4);
  const du = <usize>load<i32>(args, 8) + <usize>(load<i32>(args, 12) * task);
  const dyAm = <usize>load<i32>(args, 72);
  const n = load<i32>(args, 16);
  setGeom4(load<i32>(args, 64), load<i32>(args, 20), load<i32>(args, 24), load<i32>(args, 28), load<i32>(args, 32), load<i32>(args, 36), load<i32>(args, 40));
  q_pt = load<i32>(args, 44);
  q_pl = load<i32>(args, 48);
  cutScratch(args, worker);
  const p = s_p, tmp = s_tmp, v = s_v, m = s_m, gs = s_gs, d = s_d;
  const xImg = q_c * q_h * q_w;
  const dyImg = dyAm != 0 ? q_k * (q_oh >> 1) * (q_ow >> 1) : q_k * q_oh * q_ow;
  const r = imageRange(n, task, nTasks);
  // The task's own partial, zeroed here rather than by the caller: in parallel, and left in cache.
  memory.fill(du, 0, <usize>(36 * q_k * q_c * 4));
  for (let img0 = <i32>(r >> 32); img0 < <i32>r; img0 += q_b) {
    const nb = min(q_b, <i32>r - img0);
    const groups = (nb + 3) >> 2;
    for (let gi = 0; gi < groups; gi++) {
      const first = img0 + 4 * gi, nl = min(4, nb - 4 * gi);
      const g = dy + <usize>(first * dyImg * 4);
      const bad = pack4(x + <usize>(first * xImg * 4), xImg, nl, q_c, q_h, q_w, p, q_hp, q_wp, q_pt, q_pl) ||
        (dyAm == 0
          ? pack4(g, dyImg, nl, q_k, q_oh, q_ow, d, 4 * q_th, 4 * q_tw, 0, 0)
          : scatter4(g, dyAm + <usize>(first * dyImg * 4), dyImg, nl, q_k, q_oh, q_ow, d, 4 * q_th, 4 * q_tw, 0, 0));
      if (bad) {
        store<i32>(<usize>load<i32>(args, 76), 1);
        return;
      }
      inputTransform4(p, v, gi * q_t * 4, false, tmp);
      dyTransform4(d, m + <usize>(gi * q_t * 16), tmp);
    }
    const cols = groups * q_t * 4;
    for (let e = 0; e < 36; e++) {
      // dU_e (k×c) += G_e (k×cols) · V_eᵀ (V_e is c×cols, read transposed).
      gemmRect(m + <usize>(e * q_esM), q_n, 1, v + <usize>(e * q_esV), 1, q_n, du + <usize>(e * q_k * q_c * 4), q_c, 0, q_k, 0, q_c, cols, true, gs);
    }
  }
}

/**
 * dw[k][c] (3×3) = Gᵀ (Σ over the nParts partials dU[·][k][c]) G, the partials added in their
 * order into the first; each task takes a range of the filters k. args: parts stride nParts dw kOut cIn.
 */
export function winograd4WeightGradFinishTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const parts = <usize>load<i32>(args), stride = load<i32>(args, 4), nParts = load<i32>(args, 8);
  const dw = <usize>load<i32>(args, 12), kOut = load<i32>(args, 16), cIn = load<i32>(args, 20);
  const range = imageRange(kOut, task, nTasks);
  const k0 = <i32>(range >> 32), k1 = <i32>range;
  const es = <usize>(kOut * cIn * 4);
  for (let e = 0; e < 36; e++) addPartials(parts + es * <usize>e + <usize>(k0 * cIn * 4), stride, nParts, (k1 - k0) * cIn);
  for (let k = k0; k < k1; k++) {
    for (let c = 0; c < cIn; c++) {
      const o = parts + <usize>((k * cIn + c) * 4);
      // Row a of Gᵀ dU G: row a of Gᵀ dU (six columns j), then · G.
      for (let a = 0; a < 3; a++) {
        const v0 = colT(o, es, 0, a), v1 = colT(o, es, 1, a), v2 = colT(o, es, 2, a);
        const v3 = colT(o, es, 3, a), v4 = colT(o, es, 4, a), v5 = colT(o, es, 5, a);
        const out = dw + <usize>(((k * cIn + c) * 9 + a * 3) * 4);
        store<f32>(out, gT0(v0, v1, v2, v3, v4));
        store<f32>(out, gT1(v1, v2, v3, v4), 4);
        store<f32>(out, gT2(v1, v2, v3, v4, v5), 8);
      }
    }
  }
}

// Row a of Gᵀ applied to column j of the 6×6 dU whose (0, 0) entry is at o, planes es bytes apart.
@inline function colT(o: usize, es: usize, j: i32, a: i32): f32 {
  const v0 = load<f32>(o + es * <usize>(j)), v1 = load<f32>(o + es * <usize>(6 + j)), v2 = load<f32>(o + es * <usize>(12 + j));
  const v3 = load<f32>(o + es * <usize>(18 + j)), v4 = load<f32>(o + es * <usize>(24 + j)), v5 = load<f32>(o + es * <usize>(30 + j));
  if (a == 0) return gT0(v0, v1, v2, v3, v4);
  if (a == 1) return gT1(v1, v2, v3, v4);
  return gT2(v1, v2, v3, v4, v5);
}

// The three rows of Gᵀ = [[1/4,-1/6,-1/6,1/24,1/24,0],[0,-1/6,1/6,1/12,-1/12,0],[0,-1/6,-1/6,1/6,1/6,1]].
@inline function gT0(v0: f32, v1: f32, v2: f32, v3: f32, v4: f32): f32 {
  return v0 * 0.25 - (v1 + v2) * SIXTH + (v3 + v4) * TWENTYFOURTH;
}
@inline function gT1(v1: f32, v2: f32, v3: f32, v4: f32): f32 {
  return (v2 - v1) * SIXTH + (v3 - v4) * TWELFTH;
}
@inline function gT2(v1: f32, v2: f32, v3: f32, v4: f32, v5: f32): f32 {
  return (v3 + v4 - v1 - v2) * SIXTH + v5;
}
