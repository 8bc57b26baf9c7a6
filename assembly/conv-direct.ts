// Direct convolution fused with ReLU and a 2×2, stride-2 max pool, for the first layers of a
// CNN (at most 4 input channels, stride 1, no dilation, one group, kernels up to 5×5). With a
// reduction depth of cIn·kh·kw ≤ 9 or so, im2col + gemm spends its time moving the column
// matrix, and the full-size convolution output is written, pooled and scattered back: here
// each task computes a pooled row at a time in registers and writes only y and argmax.
//
// args (i32 words): five pointers at 0..16 (per pass, see each task), then n cIn h w cOut
// kh kw padTop padLeft outH outW at 20..60 (outH, outW: the convolution's output), scratch at
// 64 and its bytes per thread at 68. See src/kernels/wasm/conv-direct.ts.
import { imageRange, routedSum } from './conv';
import { maxWindow, pick, windowArgmax } from './pool';

// Geometry of the current job: globals are per instance, hence per thread.
let d_n: i32 = 0;
let d_cIn: i32 = 0;
let d_h: i32 = 0;
let d_w: i32 = 0;
let d_cOut: i32 = 0;
let d_kh: i32 = 0;
let d_kw: i32 = 0;
let d_pt: i32 = 0;
let d_pl: i32 = 0;
let d_outH: i32 = 0;
let d_outW: i32 = 0;
// The padded input: hp rows of wp columns (the convolution reads rows oh..oh+kh-1 of it).
let d_hp: i32 = 0;
let d_wp: i32 = 0;
// The forward pass's deinterleaved rows: even columns, then odd ones, `half` floats each.
let d_half: i32 = 0;
// The backward pass's plain rows: wp plus room for the 4-wide loads of a patch's last row.
let d_row: i32 = 0;

function setGeom(cIn: i32, kh: i32, kw: i32, outH: i32, outW: i32): void {
  d_cIn = cIn;
  d_kh = kh;
  d_kw = kw;
  d_outH = outH;
  d_outW = outW;
  d_hp = outH + kh - 1;
  d_wp = outW + kw - 1;
  // A block of 4 pooled columns starting at q reads even/odd entries q .. q + 3 + kw/2.
  d_half = ((d_wp + 1) >> 1) + 4;
  d_row = d_wp + 8;
}

function readGeom(args: usize): void {
  d_n = load<i32>(args, 20);
  d_h = load<i32>(args, 28);
  d_w = load<i32>(args, 32);
  d_cOut = load<i32>(args, 36);
  d_pt = load<i32>(args, 48);
  d_pl = load<i32>(args, 52);
  setGeom(load<i32>(args, 24), load<i32>(args, 40), load<i32>(args, 44), load<i32>(args, 56), load<i32>(args, 60));
}

const align64 = (b: i32): i32 => (b + 63) & ~63;

// Backward scratch: the padded image, then the generic path's accumulators (2 vectors a row).
function accOffset(): i32 {
  return align64(d_cIn * d_hp * d_row * 4);
}

/** Scratch bytes per thread for both passes of this geometry. */
export function convDirectScratchBytes(cIn: i32, kh: i32, kw: i32, outH: i32, outW: i32): i32 {
  setGeom(cIn, kh, kw, outH, outW);
  const fwd = align64(cIn * d_hp * 2 * d_half * 4) + 128;
  const bwd = accOffset() + align64(cIn * kh * 2 * 16);
  return max(fwd, bwd);
}

function scratchOf(args: usize, worker: i32): usize {
  return <usize>load<i32>(args, 64) + <usize>(load<i32>(args, 68) * worker);
}

// a·b + c: one fused instruction in the relaxed-SIMD build (kernels-fma.wasm).
// @ts-ignore: decorator
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}


/**
 * Copies image img into the forward scratch, zero-padded (the padding was zeroed once per
 * task and is never written): padded column c of row r goes to even[c/2] or odd[c/2], so that
 * the even and odd convolution columns of a pooled block are plain 4-wide loads.
 */
function padDeinterleaved(x: usize, img: i32, s: usize): void {
  const rowBytes = <usize>(2 * d_half * 4);
  const oddAt = <usize>(d_half * 4);
  const flip = (d_pl & 1) != 0;
  for (let ci = 0; ci < d_cIn; ci++) {
    for (let ih = 0; ih < d_h; ih++) {
      const src = x + <usize>((((img * d_cIn + ci) * d_h + ih) * d_w) * 4);
      const row = s + <usize>((ci * d_hp + ih + d_pt) * rowBytes);
      let iw = 0;
      // Input column iw is padded column c = iw + pl: with pl odd, even inputs land in odd columns.
      for (; iw + 8 <= d_w; iw += 8) {
        const v0 = v128.load(src + <usize>(iw * 4)), v1 = v128.load(src + <usize>(iw * 4), 16);
        const ev = v128.shuffle<f32>(v0, v1, 0, 2, 4, 6);
        const od = v128.shuffle<f32>(v0, v1, 1, 3, 5, 7);
        const c = iw + d_pl;
        if (flip) {
          v128.store(row + oddAt + <usize>((c >> 1) * 4), ev);
          v128.store(row + <usize>(((c + 1) >> 1) * 4), od);
        } else {
          v128.store(row + <usize>((c >> 1) * 4), ev);
          v128.store(row + oddAt + <usize>((c >> 1) * 4), od);
        }
      }
      for (; iw < d_w; iw++) {
        const c = iw + d_pl;
        store<f32>(row + ((c & 1) != 0 ? oddAt : 0) + <usize>((c >> 1) * 4), load<f32>(src + <usize>(iw * 4)));
      }
    }
  }
}

// Three taps of one filter row: a·w0 + b·w1 + c·w2 + acc.
// @ts-ignore: decorator
@inline
function taps(a: v128, b: v128, c: v128, w0: v128, w1: v128, w2: v128, acc: v128): v128 {
  return madd(c, w2, madd(b, w1, madd(a, w0, acc)));
}


/**
 * The 2×2 max of a pooled block's four convolution vectors at acc (row 2p's even and odd
 * columns, then row 2p+1's: the pool kernel's comparison chain in its scan order), then the
 * ReLU on the maximum: a window whose maximum is cut to 0 gets argmax -1. (max(relu(v)) =
 * relu(max(v)), and where the maximum is positive, or NaN, the first maximum is the same
 * before and after the ReLU.) Writes `lanes` pooled outputs at y and their argmax at am.
 */
// @ts-ignore: decorator
@inline
function pool4(acc: usize, p: i32, q0: i32, y: usize, am: usize, lanes: i32): void {
  const ow = d_outW;
  const idx = i32x4.add(i32x4.splat(2 * p * ow + 2 * q0), i32x4(0, 2, 4, 6));
  let best = maxWindow(v128.load(acc), v128.load(acc, 16), v128.load(acc, 32), v128.load(acc, 48), idx, ow);
  let at = windowArgmax;
  // The ReLU: pmax keeps NaN (best < 0 is false), and the zero test catches -0, stored as +0.
  const zero = f32x4.splat(0);
  best = f32x4.pmax(best, zero);
  const cut = f32x4.eq(best, zero);
  best = v128.andnot(best, cut);
  at = v128.or(at, cut);
  if (lanes == 4) {
    v128.store(y, best);
    v128.store(am, at);
    return;
  }
  // A row of fewer than 4 pooled columns: only those are written (the next belong to the next row).
  v128.store(acc, best);
  v128.store(acc, at, 16);
  for (let l = 0; l < lanes; l++) {
    store<f32>(y + <usize>(l * 4), load<f32>(acc + <usize>(l * 4)));
    store<i32>(am + <usize>(l * 4), load<i32>(acc + <usize>(l * 4), 16));
  }
}

/**
 * A pooled block of kh×3 convolutions for two output channels a and b (filters at wa, wb,
 * biases ba, bb): 4 pooled columns from q0 of pooled row p, each conv row (2p, then 2p+1)
 * as its even and odd columns, left at acc (channel a) and acc + 64 (channel b) for pool4.
 * The two channels share every input load, and their four accumulators are independent chains.
 */
function block3Pair(s: usize, wa: usize, wb: usize, ba: v128, bb: v128, p: i32, q0: i32, acc: usize): void {
  const rowBytes = <usize>(2 * d_half * 4);
  const oddAt = <usize>(d_half * 4);
  const fBytes = <usize>(d_kh * 12);
  for (let j = 0; j < 2; j++) {
    let ea = ba, oa = ba, eb = bb, ob = bb;
    for (let ci = 0; ci < d_cIn; ci++) {
      let r = s + <usize>((ci * d_hp + 2 * p + j) * rowBytes) + <usize>(q0 * 4);
      let fa = wa + <usize>ci * fBytes, fb = wb + <usize>ci * fBytes;
      // Even conv column 2q reads padded columns 2q, 2q+1, 2q+2 = even[q], odd[q], even[q+1];
      // odd column 2q+1 reads odd[q], even[q+1], odd[q+1].
      for (let a = 0; a < d_kh; a++) {
        const ev = v128.load(r), od = v128.load(r + oddAt);
        const ev1 = v128.load(r, 4), od1 = v128.load(r + oddAt, 4);
        let w0 = v128.load32_splat(fa), w1 = v128.load32_splat(fa, 4), w2 = v128.load32_splat(fa, 8);
        ea = taps(ev, od, ev1, w0, w1, w2, ea);
        oa = taps(od, ev1, od1, w0, w1, w2, oa);
        w0 = v128.load32_splat(fb);
        w1 = v128.load32_splat(fb, 4);
        w2 = v128.load32_splat(fb, 8);
        eb = taps(ev, od, ev1, w0, w1, w2, eb);
        ob = taps(od, ev1, od1, w0, w1, w2, ob);
        r += rowBytes;
        fa += 12;
        fb += 12;
      }
    }
    const t = acc + <usize>(j * 32);
    v128.store(t, ea);
    v128.store(t, oa, 16);
    v128.store(t, eb, 64);
    v128.store(t, ob, 80);
  }
}

/** A pooled block of one output channel for any kh, kw ≤ 5 (filter at wc, bias bc), as block3Pair's channel a. */
function blockAny(s: usize, wc: usize, bc: v128, p: i32, q0: i32, acc: usize): void {
  let e0 = bc, o0 = bc, e1 = bc, o1 = bc;
  const rowBytes = <usize>(2 * d_half * 4);
  const oddAt = <usize>(d_half * 4);
  for (let ci = 0; ci < d_cIn; ci++) {
    for (let a = 0; a < d_kh; a++) {
      const ra = s + <usize>((ci * d_hp + 2 * p + a) * rowBytes) + <usize>(q0 * 4);
      const rb = ra + rowBytes;
      const f = wc + <usize>(((ci * d_kh + a) * d_kw) * 4);
      for (let b = 0; b < d_kw; b++) {
        const wv = v128.load32_splat(f + <usize>(b * 4));
        // Column 2q + b is even[q + b/2] (b even) or odd[q + (b-1)/2]; 2q + 1 + b the other way.
        const eOff = (b & 1) != 0 ? oddAt + <usize>((b >> 1) * 4) : <usize>((b >> 1) * 4);
        const oOff = (b & 1) != 0 ? <usize>(((b + 1) >> 1) * 4) : oddAt + <usize>((b >> 1) * 4);
        e0 = madd(v128.load(ra + eOff), wv, e0);
        o0 = madd(v128.load(ra + oOff), wv, o0);
        e1 = madd(v128.load(rb + eOff), wv, e1);
        o1 = madd(v128.load(rb + oOff), wv, o1);
      }
    }
  }
  v128.store(acc, e0);
  v128.store(acc, o0, 16);
  v128.store(acc, e1, 32);
  v128.store(acc, o1, 48);
}

/**
 * y = maxPool2×2(relu(conv(x, w) + bias)) and argmax (ih·outW + iw of each window's first
 * maximum in its conv-output plane, -1 where the ReLU cut the whole window), one slice of the
 * batch per task. args: x w bias(0: none) y argmax, geometry, scratch.
 */
export function convDirectForwardTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const x = <usize>load<i32>(args), wt = <usize>load<i32>(args, 4), bias = <usize>load<i32>(args, 8);
  const y = <usize>load<i32>(args, 12), am = <usize>load<i32>(args, 16);
  readGeom(args);
  const s = scratchOf(args, worker);
  const padBytes = align64(d_cIn * d_hp * 2 * d_half * 4);
  const acc = s + <usize>padBytes;
  memory.fill(s, 0, <usize>padBytes);
  const ph = d_outH >> 1, pw = d_outW >> 1, pHW = ph * pw;
  const k = d_cIn * d_kh * d_kw;
  const pairs = d_kw == 3 ? d_cOut >> 1 : 0;
  const lanes = min(pw, 4);
  const r = imageRange(d_n, task, nTasks);
  for (let img = <i32>(r >> 32); img < <i32>r; img++) {
    padDeinterleaved(x, img, s);
    for (let co = 0; co < d_cOut; co++) {
      const pair = co < 2 * pairs;
      const wc = wt + <usize>(co * k * 4);
      const bc = f32x4.splat(bias != 0 ? load<f32>(bias + <usize>(co * 4)) : 0);
      const bn = f32x4.splat(bias != 0 && pair ? load<f32>(bias + <usize>(co * 4), 4) : 0);
      const plane = <usize>(((img * d_cOut + co) * pHW) * 4);
      const next = <usize>(pHW * 4);
      for (let p = 0; p < ph; p++) {
        const yr = y + plane + <usize>(p * pw * 4), ar = am + plane + <usize>(p * pw * 4);
        // Blocks of 4 pooled columns; a last partial block overlaps the one before it
        // (rewriting equal values), unless the row is narrower than a block.
        for (let q = 0; q < pw; q += 4) {
          const q0 = pw >= 4 ? min(q, pw - 4) : 0;
          const o = <usize>(q0 * 4);
          if (pair) {
            block3Pair(s, wc, wc + <usize>(k * 4), bc, bn, p, q0, acc);
            pool4(acc + 64, p, q0, yr + o + next, ar + o + next, lanes);
          } else {
            blockAny(s, wc, bc, p, q0, acc);
          }
          pool4(acc, p, q0, yr + o, ar + o, lanes);
        }
      }
      if (pair) co++;
    }
  }
}

/** Copies image img into the backward scratch: plain zero-padded rows of d_row floats. */
function padPlain(x: usize, img: i32, s: usize): void {
  for (let ci = 0; ci < d_cIn; ci++) {
    for (let ih = 0; ih < d_h; ih++) {
      const src = x + <usize>((((img * d_cIn + ci) * d_h + ih) * d_w) * 4);
      memory.copy(s + <usize>(((ci * d_hp + ih + d_pt) * d_row + d_pl) * 4), src, <usize>(d_w * 4));
    }
  }
}

/** dst[0..n) (float64) += the first n lanes of v. */
// @ts-ignore: decorator
@inline
function addLanes(dst: usize, v: v128, n: i32): void {
  store<f64>(dst, load<f64>(dst) + <f64>f32x4.extract_lane(v, 0));
  if (n > 1) store<f64>(dst, load<f64>(dst, 8) + <f64>f32x4.extract_lane(v, 1), 8);
  if (n > 2) store<f64>(dst, load<f64>(dst, 16) + <f64>f32x4.extract_lane(v, 2), 16);
  if (n > 3) store<f64>(dst, load<f64>(dst, 24) + <f64>f32x4.extract_lane(v, 3), 24);
}

/**
 * dw[0..3, 0..kw) (float64, at dst) += Σ over one plane's pooled outputs of dy·(the 3×kw
 * patch at the winner), for one input channel and kw ≤ 4: a patch row is one 4-wide load
 * (lanes past kw are dropped). Four pooled outputs at a time, their positions computed in
 * SIMD lanes; two sets of accumulators halve the dependency chains.
 */
function patches3(s: usize, dyc: usize, amc: usize, dst: usize): void {
  const ph = d_outH >> 1, pw = d_outW >> 1;
  const rb = <usize>(d_row * 4);
  const skew = d_row - d_outW;
  const zero = i32x4.splat(0);
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, b0 = a0, b1 = a0, b2 = a0;
  let q = 0;
  for (let p = 0; p < ph; p++) {
    // Conv output (ih, iw) = at = ih·outW + iw is padded position ih·row + iw; ih is 2p or 2p + 1.
    const rowStart = 2 * p * d_outW, rowMid = rowStart + d_outW, shift = 2 * p * skew;
    const corner = i32x4.add(i32x4.splat(rowStart), i32x4(0, 2, 4, 6));
    let j = 0;
    for (; j + 4 <= pw; j += 4, q += 4) {
      const at = v128.load(amc + <usize>(q * 4));
      const ok = i32x4.ge_s(at, zero);
      const d = v128.and(v128.load(dyc + <usize>(q * 4)), ok);
      const a = pick(at, i32x4.add(corner, i32x4.splat(2 * j)), ok);
      let pos = i32x4.add(i32x4.add(a, i32x4.splat(shift)), v128.and(i32x4.ge_s(a, i32x4.splat(rowMid)), i32x4.splat(skew)));
      pos = i32x4.add(i32x4.shl(pos, 2), i32x4.splat(<i32>s));
      let dv = v128.shuffle<f32>(d, d, 0, 0, 0, 0);
      let x = <usize>i32x4.extract_lane(pos, 0);
      a0 = madd(dv, v128.load(x), a0);
      a1 = madd(dv, v128.load(x + rb), a1);
      a2 = madd(dv, v128.load(x + 2 * rb), a2);
      dv = v128.shuffle<f32>(d, d, 1, 1, 1, 1);
      x = <usize>i32x4.extract_lane(pos, 1);
      b0 = madd(dv, v128.load(x), b0);
      b1 = madd(dv, v128.load(x + rb), b1);
      b2 = madd(dv, v128.load(x + 2 * rb), b2);
      dv = v128.shuffle<f32>(d, d, 2, 2, 2, 2);
      x = <usize>i32x4.extract_lane(pos, 2);
      a0 = madd(dv, v128.load(x), a0);
      a1 = madd(dv, v128.load(x + rb), a1);
      a2 = madd(dv, v128.load(x + 2 * rb), a2);
      dv = v128.shuffle<f32>(d, d, 3, 3, 3, 3);
      x = <usize>i32x4.extract_lane(pos, 3);
      b0 = madd(dv, v128.load(x), b0);
      b1 = madd(dv, v128.load(x + rb), b1);
      b2 = madd(dv, v128.load(x + 2 * rb), b2);
    }
    for (; j < pw; j++, q++) {
      const at = load<i32>(amc + <usize>(q * 4));
      const ok = at >= 0;
      const dv = f32x4.splat(select<f32>(load<f32>(dyc + <usize>(q * 4)), 0, ok));
      const a = select<i32>(at, rowStart + 2 * j, ok);
      const x = s + <usize>((a + shift + select<i32>(skew, 0, a >= rowMid)) * 4);
      a0 = madd(dv, v128.load(x), a0);
      a1 = madd(dv, v128.load(x + rb), a1);
      a2 = madd(dv, v128.load(x + 2 * rb), a2);
    }
  }
  addLanes(dst, f32x4.add(a0, b0), d_kw);
  addLanes(dst + <usize>(d_kw * 8), f32x4.add(a1, b1), d_kw);
  addLanes(dst + <usize>(2 * d_kw * 8), f32x4.add(a2, b2), d_kw);
}

/**
 * The weight and bias gradients of the fused block from the pooled gradient dy and the
 * forward pass's argmax: dw[co, ci, a, b] += dy[q]·xpad[ci, ih + a, iw + b] and
 * dbias[co] += dy[q] for every pooled output q whose argmax (ih, iw) is not -1. Each task
 * adds its images into its own float64 partial [cOut·cIn·kh·kw dw, then cOut dbias] (one per
 * task, not per thread, so the sum JavaScript makes in task order is the same on every run);
 * a plane's terms are summed in float32 first. args: x dy argmax partials partialBytes, geometry.
 */
export function convDirectBackwardTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const x = <usize>load<i32>(args), dy = <usize>load<i32>(args, 4), am = <usize>load<i32>(args, 8);
  const part = <usize>load<i32>(args, 12) + <usize>(load<i32>(args, 16) * task);
  readGeom(args);
  const s = scratchOf(args, worker);
  const accs = s + <usize>accOffset();
  memory.fill(s, 0, <usize>(accOffset() + d_cIn * d_kh * 32));
  const ph = d_outH >> 1, pw = d_outW >> 1, pHW = ph * pw;
  const k = d_cIn * d_kh * d_kw;
  const fast = d_cIn == 1 && d_kh == 3 && d_kw <= 4;
  const rowBytes = d_row * 4, planeBytes = d_hp * d_row * 4;
  // Padded position of conv output (ih, iw): ih·row + iw = am + ih·(row - outW).
  const skew = d_row - d_outW;
  const r = imageRange(d_n, task, nTasks);
  for (let img = <i32>(r >> 32); img < <i32>r; img++) {
    padPlain(x, img, s);
    for (let co = 0; co < d_cOut; co++) {
      const off = <usize>(((img * d_cOut + co) * pHW) * 4);
      const dyc = dy + off, amc = am + off;
      // dbias: dy where argmax ≥ 0, summed in float64 like the other bias gradients.
      const pb = part + <usize>((d_cOut * k + co) * 8);
      store<f64>(pb, load<f64>(pb) + routedSum(dyc, amc, pHW));

      // dw: one patch per pooled output, at its winner (the window's corner where argmax is -1,
      // with the gradient zeroed: no branch to mispredict).
      const pw0 = part + <usize>(co * k * 8);
      if (fast) {
        patches3(s, dyc, amc, pw0);
        continue;
      }
      let q = 0;
      for (let p = 0; p < ph; p++) {
        const rowStart = 2 * p * d_outW, rowMid = rowStart + d_outW, shift = 2 * p * skew;
        for (let j = 0; j < pw; j++, q++) {
          const at = load<i32>(amc + <usize>(q * 4));
          const ok = at >= 0;
          const d = f32x4.splat(select<f32>(load<f32>(dyc + <usize>(q * 4)), 0, ok));
          const a = select<i32>(at, rowStart + 2 * j, ok);
          const pos = s + <usize>((a + shift + select<i32>(skew, 0, a >= rowMid)) * 4);
          for (let ci = 0; ci < d_cIn; ci++) {
            for (let ra = 0; ra < d_kh; ra++) {
              const src = pos + <usize>(ci * planeBytes + ra * rowBytes);
              const dst = accs + <usize>(((ci * d_kh + ra) * 2) * 16);
              v128.store(dst, madd(d, v128.load(src), v128.load(dst)));
              if (d_kw > 4) v128.store(dst, madd(d, v128.load(src, 16), v128.load(dst, 16)), 16);
            }
          }
        }
      }
      for (let ci = 0; ci < d_cIn; ci++) {
        for (let ra = 0; ra < d_kh; ra++) {
          const src = accs + <usize>(((ci * d_kh + ra) * 2) * 16);
          const dst = pw0 + <usize>(((ci * d_kh + ra) * d_kw) * 8);
          addLanes(dst, v128.load(src), min(d_kw, 4));
          if (d_kw > 4) addLanes(dst + 32, v128.load(src, 16), d_kw - 4);
          v128.store(src, f32x4.splat(0));
          v128.store(src, f32x4.splat(0), 16);
        }
      }
    }
  }
}
