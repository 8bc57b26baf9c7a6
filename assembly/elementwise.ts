// Dense float32 element-wise kernels, f32x4 where the op has a SIMD instruction. The op codes
// (U_*, B_*) are generated from src/kernels/elementwise-table.ts; the build checks that each
// dispatch below has a case for exactly the ops the table gives it.
import {
  U_NEG, U_ABS, U_SQRT, U_SQUARE, U_RELU, U_RECIPROCAL, U_HARDTANH, U_SOFTSIGN, U_EXP, U_LOG, U_SIGMOID, U_TANH, unaryIsSimd,
  B_ADD, B_SUB, B_MUL, B_DIV, B_MAXIMUM, B_MINIMUM, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE,
} from './op-codes';

// p0, p1: the op's parameters (hardtanh's min and max), splatted.
// @ts-ignore: decorator
@inline
function unaryV(op: i32, x: v128, p0: v128, p1: v128): v128 {
  switch (op) {
    case U_NEG: return f32x4.neg(x);
    case U_ABS: return f32x4.abs(x);
    case U_SQRT: return f32x4.sqrt(x);
    case U_SQUARE: return f32x4.mul(x, x);
    // max, not pmax(0, x) = 0 < x ? x : 0: a NaN must pass through (as in PyTorch), and
    // max(-0, 0) = +0 as in the ref kernel.
    case U_RELU: return f32x4.max(x, f32x4.splat(0));
    case U_RECIPROCAL: return f32x4.div(f32x4.splat(1), x);
    // max/min propagate a NaN x, as the ref definition does.
    case U_HARDTANH: return f32x4.min(f32x4.max(x, p0), p1);
    case U_SOFTSIGN: return f32x4.div(x, f32x4.add(f32x4.splat(1), f32x4.abs(x)));
    default: unreachable();
  }
  return x;
}

function unaryS(op: i32, x: f32, p0: f32, p1: f32): f32 {
  switch (op) {
    case U_EXP: return Mathf.exp(x);
    case U_LOG: return Mathf.log(x);
    case U_SIGMOID: {
      if (x >= 0) return 1 / (1 + Mathf.exp(-x));
      const e = Mathf.exp(x);
      return e / (1 + e);
    }
    case U_TANH: return Mathf.tanh(x);
    default: return f32x4.extract_lane(unaryV(op, f32x4.splat(x), f32x4.splat(p0), f32x4.splat(p1)), 0);
  }
}

/** out = op(x) on a slice of len elements; args: op x out len p0 p1 (p0, p1 as f32 bits). */
export function unaryTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const op = load<i32>(args), x = <usize>load<i32>(args, 4), out = <usize>load<i32>(args, 8), len = load<i32>(args, 12);
  const p0 = load<f32>(args, 16), p1 = load<f32>(args, 20);
  const chunk = ((len + nTasks - 1) / nTasks + 15) & ~15;
  const lo = min(len, task * chunk), hi = min(len, lo + chunk);
  let i = lo;
  if (unaryIsSimd(op)) {
    const v0 = f32x4.splat(p0), v1 = f32x4.splat(p1);
    for (; i + 4 <= hi; i += 4) v128.store(out + <usize>(i * 4), unaryV(op, v128.load(x + <usize>(i * 4)), v0, v1));
  }
  for (; i < hi; i++) store<f32>(out + <usize>(i * 4), unaryS(op, load<f32>(x + <usize>(i * 4)), p0, p1));
}

// @ts-ignore: decorator
@inline
function binaryV(op: i32, a: v128, b: v128): v128 {
  switch (op) {
    case B_ADD: return f32x4.add(a, b);
    case B_SUB: return f32x4.sub(a, b);
    case B_MUL: return f32x4.mul(a, b);
    case B_DIV: return f32x4.div(a, b);
    case B_MAXIMUM: return f32x4.max(a, b);
    case B_MINIMUM: return f32x4.min(a, b);
    // Comparisons give 1 or 0 (a lane mask ANDed with 1.0); NaN compares like in JavaScript.
    case B_EQ: return v128.and(f32x4.eq(a, b), f32x4.splat(1));
    case B_NE: return v128.and(f32x4.ne(a, b), f32x4.splat(1));
    case B_LT: return v128.and(f32x4.lt(a, b), f32x4.splat(1));
    case B_LE: return v128.and(f32x4.le(a, b), f32x4.splat(1));
    case B_GT: return v128.and(f32x4.gt(a, b), f32x4.splat(1));
    case B_GE: return v128.and(f32x4.ge(a, b), f32x4.splat(1));
    default: unreachable();
  }
  return a;
}

// out[i] = op(a[i*sa], b[i*sb]) for i < cnt, where sa, sb are 0 (broadcast) or 1.
function binaryRow(op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, cnt: i32): void {
  let i = 0;
  if (sa == 1 && sb == 1) {
    for (; i + 4 <= cnt; i += 4) {
      const o = <usize>(i * 4);
      v128.store(out + o, binaryV(op, v128.load(a + o), v128.load(b + o)));
    }
  } else if (sa == 1) {
    const bv = v128.load32_splat(b);
    for (; i + 4 <= cnt; i += 4) {
      const o = <usize>(i * 4);
      v128.store(out + o, binaryV(op, v128.load(a + o), bv));
    }
  } else if (sb == 1) {
    const av = v128.load32_splat(a);
    for (; i + 4 <= cnt; i += 4) {
      const o = <usize>(i * 4);
      v128.store(out + o, binaryV(op, av, v128.load(b + o)));
    }
  }
  for (; i < cnt; i++) {
    const r = binaryV(op, v128.load32_splat(a + <usize>(i * sa * 4)), v128.load32_splat(b + <usize>(i * sb * 4)));
    store<f32>(out + <usize>(i * 4), f32x4.extract_lane(r, 0));
  }
}

/**
 * out (dense d0×d1×d2) = op(a, b), a and b compact with element strides sa0 sa1 sa2
 * (sa2, sb2 in {0, 1}); tasks split the flat output range.
 * args: op a b out d0 d1 d2 sa0 sa1 sa2 sb0 sb1 sb2.
 */
export function binaryTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const op = load<i32>(args), a = <usize>load<i32>(args, 4), b = <usize>load<i32>(args, 8), out = <usize>load<i32>(args, 12);
  const d1 = load<i32>(args, 20), d2 = load<i32>(args, 24);
  const sa0 = load<i32>(args, 28), sa1 = load<i32>(args, 32), sa2 = load<i32>(args, 36);
  const sb0 = load<i32>(args, 40), sb1 = load<i32>(args, 44), sb2 = load<i32>(args, 48);
  const len = load<i32>(args, 16) * d1 * d2;
  const chunk = ((len + nTasks - 1) / nTasks + 15) & ~15;
  let o = min(len, task * chunk);
  const hi = min(len, o + chunk);
  while (o < hi) {
    const rowIdx = o / d2, col = o - rowIdx * d2;
    const cnt = min(d2 - col, hi - o);
    const i0 = rowIdx / d1, i1 = rowIdx - i0 * d1;
    const ao = a + <usize>((i0 * sa0 + i1 * sa1 + col * sa2) * 4);
    const bo = b + <usize>((i0 * sb0 + i1 * sb1 + col * sb2) * 4);
    binaryRow(op, ao, sa2, bo, sb2, out + <usize>(o * 4), cnt);
    o += cnt;
  }
}

/**
 * dst[b, r, c] = src[b, c, r] for dense [B, C, R] src: the copy that `contiguous()` makes
 * of a transposed matrix. 4×4 blocks go through registers; tasks split the rows r.
 * args: src dst B R C.
 */
export function transposeTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const src = <usize>load<i32>(args), dst = <usize>load<i32>(args, 4);
  const nb = load<i32>(args, 8), R = load<i32>(args, 12), C = load<i32>(args, 16);
  const units = (R + 3) >> 2;
  const r0 = min(R, <i32>(<i64>units * task / nTasks) * 4);
  const r1 = min(R, <i32>(<i64>units * (task + 1) / nTasks) * 4);
  for (let b = 0; b < nb; b++) {
    const s = src + <usize>(b * R * C * 4), d = dst + <usize>(b * R * C * 4);
    let r = r0;
    for (; r + 4 <= r1; r += 4) {
      let c = 0;
      for (; c + 4 <= C; c += 4) {
        const p = s + <usize>((c * R + r) * 4);
        const q = d + <usize>((r * C + c) * 4);
        const x0 = v128.load(p), x1 = v128.load(p + <usize>(R * 4));
        const x2 = v128.load(p + <usize>(2 * R * 4)), x3 = v128.load(p + <usize>(3 * R * 4));
        const t0 = v128.shuffle<i32>(x0, x1, 0, 4, 1, 5);
        const t1 = v128.shuffle<i32>(x0, x1, 2, 6, 3, 7);
        const t2 = v128.shuffle<i32>(x2, x3, 0, 4, 1, 5);
        const t3 = v128.shuffle<i32>(x2, x3, 2, 6, 3, 7);
        v128.store(q, v128.shuffle<i32>(t0, t2, 0, 1, 4, 5));
        v128.store(q + <usize>(C * 4), v128.shuffle<i32>(t0, t2, 2, 3, 6, 7));
        v128.store(q + <usize>(2 * C * 4), v128.shuffle<i32>(t1, t3, 0, 1, 4, 5));
        v128.store(q + <usize>(3 * C * 4), v128.shuffle<i32>(t1, t3, 2, 3, 6, 7));
      }
      for (; c < C; c++) {
        for (let i = 0; i < 4; i++) store<f32>(d + <usize>(((r + i) * C + c) * 4), load<f32>(s + <usize>((c * R + r + i) * 4)));
      }
    }
    for (; r < r1; r++) {
      for (let c = 0; c < C; c++) store<f32>(d + <usize>((r * C + c) * 4), load<f32>(s + <usize>((c * R + r) * 4)));
    }
  }
}
