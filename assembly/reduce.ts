// Sum / max / min over the middle axis of dense float32 [outer, red, inner].
// Sums accumulate in f64 like the ref kernel, so long reductions keep their accuracy.

// @ts-ignore: decorator
@inline
function hi2(v: v128): v128 {
  return v128.shuffle<i32>(v, v, 2, 3, 0, 1);
}

function sumRow(x: usize, red: i32): f64 {
  let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
  let r = 0;
  for (; r + 4 <= red; r += 4) {
    const v = v128.load(x + <usize>(r * 4));
    a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v));
    a1 = f64x2.add(a1, f64x2.promote_low_f32x4(hi2(v)));
  }
  const s = f64x2.add(a0, a1);
  let acc = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; r < red; r++) acc += <f64>load<f32>(x + <usize>(r * 4));
  return acc;
}

// Max (op 1) or min (op 2) of one contiguous row: four vector accumulators, then the lanes,
// then the tail. wasm max/min propagate NaN, as the ref kernel does, in any order of folding.
function extremeRow(op: i32, x: usize, red: i32): f32 {
  let a0 = v128.load32_splat(x), a1 = a0, a2 = a0, a3 = a0;
  let r = 0;
  if (op == 1) {
    for (; r + 16 <= red; r += 16) {
      const p = x + <usize>(r * 4);
      a0 = f32x4.max(a0, v128.load(p));
      a1 = f32x4.max(a1, v128.load(p, 16));
      a2 = f32x4.max(a2, v128.load(p, 32));
      a3 = f32x4.max(a3, v128.load(p, 48));
    }
    for (; r + 4 <= red; r += 4) a0 = f32x4.max(a0, v128.load(x + <usize>(r * 4)));
    for (; r < red; r++) a0 = f32x4.max(a0, v128.load32_splat(x + <usize>(r * 4)));
    a0 = f32x4.max(f32x4.max(a0, a1), f32x4.max(a2, a3));
    a0 = f32x4.max(a0, hi2(a0));
    a0 = f32x4.max(a0, v128.shuffle<i32>(a0, a0, 1, 0, 3, 2));
  } else {
    for (; r + 16 <= red; r += 16) {
      const p = x + <usize>(r * 4);
      a0 = f32x4.min(a0, v128.load(p));
      a1 = f32x4.min(a1, v128.load(p, 16));
      a2 = f32x4.min(a2, v128.load(p, 32));
      a3 = f32x4.min(a3, v128.load(p, 48));
    }
    for (; r + 4 <= red; r += 4) a0 = f32x4.min(a0, v128.load(x + <usize>(r * 4)));
    for (; r < red; r++) a0 = f32x4.min(a0, v128.load32_splat(x + <usize>(r * 4)));
    a0 = f32x4.min(f32x4.min(a0, a1), f32x4.min(a2, a3));
    a0 = f32x4.min(a0, hi2(a0));
    a0 = f32x4.min(a0, v128.shuffle<i32>(a0, a0, 1, 0, 3, 2));
  }
  return f32x4.extract_lane(a0, 0);
}

// out[i] for i in [i0, i1) of one outer slice; acc is f64 scratch for sums.
function columns(op: i32, x: usize, red: i32, inner: i32, i0: i32, i1: i32, out: usize, acc: usize): void {
  if (op == 0) {
    for (let i = i0; i < i1; i++) store<f64>(acc + <usize>((i - i0) * 8), 0);
    for (let r = 0; r < red; r++) {
      const row = x + <usize>(r * inner * 4);
      let i = i0;
      for (; i + 4 <= i1; i += 4) {
        const v = v128.load(row + <usize>(i * 4));
        const p = acc + <usize>((i - i0) * 8);
        v128.store(p, f64x2.add(v128.load(p), f64x2.promote_low_f32x4(v)));
        v128.store(p, f64x2.add(v128.load(p, 16), f64x2.promote_low_f32x4(hi2(v))), 16);
      }
      for (; i < i1; i++) {
        const p = acc + <usize>((i - i0) * 8);
        store<f64>(p, load<f64>(p) + <f64>load<f32>(row + <usize>(i * 4)));
      }
    }
    for (let i = i0; i < i1; i++) store<f32>(out + <usize>(i * 4), <f32>load<f64>(acc + <usize>((i - i0) * 8)));
    return;
  }
  memory.copy(out + <usize>(i0 * 4), x + <usize>(i0 * 4), <usize>((i1 - i0) * 4));
  for (let r = 1; r < red; r++) {
    const row = x + <usize>(r * inner * 4);
    let i = i0;
    // wasm max/min propagate NaN, as the ref kernel does.
    for (; i + 4 <= i1; i += 4) {
      const p = out + <usize>(i * 4);
      const v = v128.load(row + <usize>(i * 4));
      v128.store(p, op == 1 ? f32x4.max(v128.load(p), v) : f32x4.min(v128.load(p), v));
    }
    for (; i < i1; i++) {
      const p = out + <usize>(i * 4);
      const v = v128.load32_splat(row + <usize>(i * 4));
      const c = v128.load32_splat(p);
      store<f32>(p, f32x4.extract_lane(op == 1 ? f32x4.max(c, v) : f32x4.min(c, v), 0));
    }
  }
}

/**
 * args: op (0 sum, 1 max, 2 min) x out outer red inner mode scratch scratchStride.
 * mode 0 splits outer across tasks, mode 1 splits the inner columns.
 */
export function reduceTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const op = load<i32>(args), x = <usize>load<i32>(args, 4), out = <usize>load<i32>(args, 8);
  const outer = load<i32>(args, 12), red = load<i32>(args, 16), inner = load<i32>(args, 20), mode = load<i32>(args, 24);
  const acc = <usize>load<i32>(args, 28) + <usize>(load<i32>(args, 32) * worker);
  let o0 = 0, o1 = outer, i0 = 0, i1 = inner;
  if (mode == 0) {
    o0 = <i32>(<i64>outer * task / nTasks);
    o1 = <i32>(<i64>outer * (task + 1) / nTasks);
  } else {
    const units = (inner + 3) >> 2;
    i0 = min(inner, <i32>(<i64>units * task / nTasks) * 4);
    i1 = min(inner, <i32>(<i64>units * (task + 1) / nTasks) * 4);
  }
  for (let o = o0; o < o1; o++) {
    const xo = x + <usize>(o * red * inner * 4);
    const oo = out + <usize>(o * inner * 4);
    if (inner == 1) {
      if (op == 0) {
        store<f32>(oo, <f32>sumRow(xo, red));
      } else {
        store<f32>(oo, extremeRow(op, xo, red));
      }
    } else if (i0 < i1) {
      columns(op, xo, red, inner, i0, i1, oo, acc);
    }
  }
}
