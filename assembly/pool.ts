// Max and average pooling over [planes, h, w], one slice of planes per task.
// args: x y argmax planes h w kh kw sh sw pt pl outH outW mask (see src/kernels/wasm/conv.ts).

let p_h: i32 = 0, p_w: i32 = 0, p_kh: i32 = 0, p_kw: i32 = 0, p_sh: i32 = 0, p_sw: i32 = 0;
let p_pt: i32 = 0, p_pl: i32 = 0, p_outH: i32 = 0, p_outW: i32 = 0, p_lo: i32 = 0, p_hi: i32 = 0;
// maxPoolForwardTask only: argmax -1 where the maximum is 0 (a ReLU before the pool cut the window).
let p_mask: bool = false;

// Globals are per instance, hence per thread.
function readPool(args: usize, task: i32, nTasks: i32): void {
  const planes = load<i32>(args, 12);
  p_h = load<i32>(args, 16); p_w = load<i32>(args, 20); p_kh = load<i32>(args, 24); p_kw = load<i32>(args, 28);
  p_sh = load<i32>(args, 32); p_sw = load<i32>(args, 36); p_pt = load<i32>(args, 40); p_pl = load<i32>(args, 44);
  p_outH = load<i32>(args, 48); p_outW = load<i32>(args, 52); p_mask = load<i32>(args, 56) != 0;
  p_lo = <i32>(<i64>planes * task / nTasks);
  p_hi = <i32>(<i64>planes * (task + 1) / nTasks);
}

/**
 * y = max over each window; argmax = ih*w + iw of the first maximum (as the ref kernel), or
 * with the mask flag -1 where that maximum is 0 (x is a ReLU's output: no gradient passes).
 */
export function maxPoolForwardTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const x = <usize>load<i32>(args), y = <usize>load<i32>(args, 4), am = <usize>load<i32>(args, 8);
  readPool(args, task, nTasks);
  const hw = p_h * p_w, ohw = p_outH * p_outW;
  if (p_kh == 2 && p_kw == 2 && p_sh == 2 && p_sw == 2 && p_pt == 0 && p_pl == 0) {
    maxPool2x2(x, y, am);
    return;
  }
  if (p_kh == 1 && p_kw >= 8 && p_pt == 0 && p_pl == 0) {
    maxPoolWide(x, y, am);
    return;
  }
  for (let pl = p_lo; pl < p_hi; pl++) {
    const xp = x + <usize>(pl * hw * 4);
    let o = pl * ohw;
    for (let oh = 0; oh < p_outH; oh++) {
      const h0 = oh * p_sh - p_pt;
      const ha = max(h0, 0), hb = min(h0 + p_kh, p_h);
      for (let ow = 0; ow < p_outW; ow++) {
        const w0 = ow * p_sw - p_pl;
        const wa = max(w0, 0), wb = min(w0 + p_kw, p_w);
        let best = -Infinity as f32;
        let arg = -1;
        for (let ih = ha; ih < hb; ih++) {
          for (let iw = wa; iw < wb; iw++) {
            const v = load<f32>(xp + <usize>((ih * p_w + iw) * 4));
            // Every NaN wins, so the last one stays (as PyTorch); an all-padding window keeps argmax -1.
            const c = arg < 0 || better(v, best);
            best = select<f32>(v, best, c);
            arg = select<i32>(ih * p_w + iw, arg, c);
          }
        }
        store<f32>(y + <usize>(o * 4), best);
        store<i32>(am + <usize>(o * 4), select<i32>(-1, arg, p_mask && best == 0));
        o++;
      }
    }
  }
}

// @ts-ignore: decorator
@inline
function better(v: f32, best: f32): bool {
  // Bitwise, not short-circuit: on random data a branch here mispredicts half the time.
  return <bool>(<i32>(v > best) | <i32>(v != v));
}

// better() on four lanes: v > best, or v is a NaN.
// @ts-ignore: decorator
@inline
export function betterV(v: v128, best: v128): v128 {
  return v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
}

// m ? a : b per lane, m all ones or all zeros in each lane: one blend where relaxed SIMD is on.
// @ts-ignore: decorator
@inline
export function pick(a: v128, b: v128, m: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.relaxed_laneselect(a, b, m);
  return v128.bitselect(a, b, m);
}

/** The argmax lanes of the windows maxWindow last took, beside the maxima it returns. */
export let windowArgmax: v128 = i32x4(0, 0, 0, 0);

/**
 * The maxima of four 2×2 windows in f32x4 lanes, v00 v01 the first row's cells and v10 v11
 * the second's, compared in the ref kernel's scan order so that ties and NaNs pick the same
 * winner; sets windowArgmax to idx (each window's first cell, ih·w + iw in its plane), + 1,
 * + w or + w + 1. Every 2×2, stride-2 max pool of the wasm kernels takes its windows here.
 */
// @ts-ignore: decorator
@inline
export function maxWindow(v00: v128, v01: v128, v10: v128, v11: v128, idx: v128, w: i32): v128 {
  let best = v00;
  let at = idx;
  let c = betterV(v01, best);
  best = pick(v01, best, c);
  at = pick(i32x4.add(idx, i32x4.splat(1)), at, c);
  c = betterV(v10, best);
  best = pick(v10, best, c);
  at = pick(i32x4.add(idx, i32x4.splat(w)), at, c);
  c = betterV(v11, best);
  best = pick(v11, best, c);
  windowArgmax = pick(i32x4.add(idx, i32x4.splat(w + 1)), at, c);
  return best;
}

// The CNN's 2×2, stride 2, unpadded window: four loads and three comparisons per output,
// in the ref kernel's scan order so that ties and NaNs pick the same winner.
function maxPool2x2(x: usize, y: usize, am: usize): void {
  const hw = p_h * p_w, ohw = p_outH * p_outW;
  for (let pl = p_lo; pl < p_hi; pl++) {
    const xp = x + <usize>(pl * hw * 4);
    let o = pl * ohw;
    for (let oh = 0; oh < p_outH; oh++) {
      const i0 = 2 * oh * p_w;
      const r0 = xp + <usize>(i0 * 4), r1 = r0 + <usize>(p_w * 4);
      // Four windows at a time: even and odd columns of two loads per row, the same
      // comparison chain as below in f32x4 lanes (maxWindow).
      let ow = 0;
      for (; ow + 4 <= p_outW; ow += 4) {
        const q = <usize>(ow * 8);
        const a0 = v128.load(r0 + q), b0 = v128.load(r0 + q, 16);
        const a1 = v128.load(r1 + q), b1 = v128.load(r1 + q, 16);
        const idx = i32x4.add(i32x4.splat(i0 + 2 * ow), i32x4(0, 2, 4, 6));
        const best = maxWindow(
          v128.shuffle<f32>(a0, b0, 0, 2, 4, 6),
          v128.shuffle<f32>(a0, b0, 1, 3, 5, 7),
          v128.shuffle<f32>(a1, b1, 0, 2, 4, 6),
          v128.shuffle<f32>(a1, b1, 1, 3, 5, 7),
          idx,
          p_w,
        );
        let at = windowArgmax;
        v128.store(y + <usize>(o * 4), best);
        if (p_mask) at = v128.or(at, f32x4.eq(best, f32x4.splat(0)));
        v128.store(am + <usize>(o * 4), at);
        o += 4;
      }
      for (; ow < p_outW; ow++) {
        const q = <usize>(ow * 8);
        let best = load<f32>(r0 + q);
        let at = i0 + 2 * ow;
        const v1 = load<f32>(r0 + q, 4), v2 = load<f32>(r1 + q), v3 = load<f32>(r1 + q, 4);
        let c = better(v1, best);
        best = select<f32>(v1, best, c);
        at = select<i32>(i0 + 2 * ow + 1, at, c);
        c = better(v2, best);
        best = select<f32>(v2, best, c);
        at = select<i32>(i0 + p_w + 2 * ow, at, c);
        c = better(v3, best);
        best = select<f32>(v3, best, c);
        at = select<i32>(i0 + p_w + 2 * ow + 1, at, c);
        store<f32>(y + <usize>(o * 4), best);
        store<i32>(am + <usize>(o * 4), select<i32>(-1, at, p_mask && best == 0));
        o++;
      }
    }
  }
}

// Windows one row high and at least 8 wide (1-D pooling; global pooling over a sequence):
// the maximum by f32x4.max (which, like the ref kernel, lets a NaN win), then the first
// element equal to it (or the last NaN, scanning from the end) by a scan that stops there.
// The value stored is that element, so a -0 that came first is kept as the ref kernel keeps it.
function maxPoolWide(x: usize, y: usize, am: usize): void {
  const hw = p_h * p_w, ohw = p_outH * p_outW;
  for (let pl = p_lo; pl < p_hi; pl++) {
    const xp = x + <usize>(pl * hw * 4);
    let o = pl * ohw;
    for (let oh = 0; oh < p_outH; oh++) {
      const row = oh * p_sh * p_w;
      for (let ow = 0; ow < p_outW; ow++) {
        const start = row + ow * p_sw;
        const s = xp + <usize>(start * 4);
        let m = v128.load(s);
        let j = 4;
        for (; j + 4 <= p_kw; j += 4) m = f32x4.max(m, v128.load(s + <usize>(j * 4)));
        let best = max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
        for (; j < p_kw; j++) best = max(best, load<f32>(s + <usize>(j * 4)));
        let k = 0;
        if (best != best) {
          k = p_kw - 1;
          while (load<f32>(s + <usize>(k * 4)) == load<f32>(s + <usize>(k * 4))) k--;
        } else {
          while (load<f32>(s + <usize>(k * 4)) != best) k++;
        }
        const v = load<f32>(s + <usize>(k * 4));
        store<f32>(y + <usize>(o * 4), v);
        store<i32>(am + <usize>(o * 4), select<i32>(-1, start + k, p_mask && v == 0));
        o++;
      }
    }
  }
}

/** dx = 0, then dx[argmax] += dy within each plane. */
export function maxPoolBackwardTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const dy = <usize>load<i32>(args), dx = <usize>load<i32>(args, 4), am = <usize>load<i32>(args, 8);
  readPool(args, task, nTasks);
  const hw = p_h * p_w, ohw = p_outH * p_outW;
  for (let pl = p_lo; pl < p_hi; pl++) {
    const dp = dx + <usize>(pl * hw * 4);
    memory.fill(dp, 0, <usize>(hw * 4));
    for (let o = pl * ohw; o < (pl + 1) * ohw; o++) {
      const at = load<i32>(am + <usize>(o * 4));
      if (at < 0) continue;
      const p = dp + <usize>(at * 4);
      store<f32>(p, load<f32>(p) + load<f32>(dy + <usize>(o * 4)));
    }
  }
}

/** y = window sum / (kh*kw): padding counts in the divisor. */
export function avgPoolForwardTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const x = <usize>load<i32>(args), y = <usize>load<i32>(args, 4);
  readPool(args, task, nTasks);
  const hw = p_h * p_w, ohw = p_outH * p_outW;
  const div = <f32>(p_kh * p_kw);
  for (let pl = p_lo; pl < p_hi; pl++) {
    const xp = x + <usize>(pl * hw * 4);
    let o = pl * ohw;
    for (let oh = 0; oh < p_outH; oh++) {
      const h0 = oh * p_sh - p_pt;
      const ha = max(h0, 0), hb = min(h0 + p_kh, p_h);
      for (let ow = 0; ow < p_outW; ow++) {
        const w0 = ow * p_sw - p_pl;
        const wa = max(w0, 0), wb = min(w0 + p_kw, p_w);
        let s: f32 = 0;
        for (let ih = ha; ih < hb; ih++) for (let iw = wa; iw < wb; iw++) s += load<f32>(xp + <usize>((ih * p_w + iw) * 4));
        store<f32>(y + <usize>(o * 4), s / div);
        o++;
      }
    }
  }
}

/** dx = 0, then every window receives dy / (kh*kw). */
export function avgPoolBackwardTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const dy = <usize>load<i32>(args), dx = <usize>load<i32>(args, 4);
  readPool(args, task, nTasks);
  const hw = p_h * p_w, ohw = p_outH * p_outW;
  const div = <f32>(p_kh * p_kw);
  for (let pl = p_lo; pl < p_hi; pl++) {
    const dp = dx + <usize>(pl * hw * 4);
    memory.fill(dp, 0, <usize>(hw * 4));
    let o = pl * ohw;
    for (let oh = 0; oh < p_outH; oh++) {
      const h0 = oh * p_sh - p_pt;
      const ha = max(h0, 0), hb = min(h0 + p_kh, p_h);
      for (let ow = 0; ow < p_outW; ow++) {
        const w0 = ow * p_sw - p_pl;
        const wa = max(w0, 0), wb = min(w0 + p_kw, p_w);
        const g = load<f32>(dy + <usize>(o * 4)) / div;
        for (let ih = ha; ih < hb; ih++) {
          for (let iw = wa; iw < wb; iw++) {
            const p = dp + <usize>((ih * p_w + iw) * 4);
            store<f32>(p, load<f32>(p) + g);
          }
        }
        o++;
      }
    }
  }
}
