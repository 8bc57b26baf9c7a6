// Optimiser updates on float32 parameters, f32x4. The hyper-parameters arrive as float32
// bit patterns among the i32 argument words (see src/kernels/wasm/optim.ts).

/**
 * One Adam step on a slice of n elements: m = b1·m + (1 - b1)·g, v = b2·v + (1 - b2)·g²,
 * p -= stepSize·m / (√v·invBc2 + eps), all in float32 as PyTorch computes it.
 * args: p g m v n b1 b2 stepSize invBc2 eps c1 c2, with c1 = 1 - b1 and c2 = 1 - b2 rounded from
 * float64 (1 - float32(0.999) would be 1.3e-5 off; PyTorch also rounds the float64 1 - b2).
 */
export function adamTask(args: usize, task: i32, nTasks: i32, worker: i32): void {
  const p = <usize>load<i32>(args), g = <usize>load<i32>(args, 4);
  const m = <usize>load<i32>(args, 8), v = <usize>load<i32>(args, 12);
  const n = load<i32>(args, 16);
  const b1 = load<f32>(args, 20), b2 = load<f32>(args, 24), stepSize = load<f32>(args, 28);
  const invBc2 = load<f32>(args, 32), eps = load<f32>(args, 36);
  const c1 = load<f32>(args, 40), c2 = load<f32>(args, 44);
  const chunk = ((n + nTasks - 1) / nTasks + 15) & ~15;
  const lo = min(n, task * chunk), hi = min(n, lo + chunk);
  const vb1 = f32x4.splat(b1), vb2 = f32x4.splat(b2), vc1 = f32x4.splat(c1), vc2 = f32x4.splat(c2);
  const vs = f32x4.splat(stepSize), vinv = f32x4.splat(invBc2), veps = f32x4.splat(eps);
  let i = lo;
  for (; i + 4 <= hi; i += 4) {
    const o = <usize>(i * 4);
    const gi = v128.load(g + o);
    const mi = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(vc1, gi));
    const vi = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(f32x4.mul(vc2, gi), gi));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const denom = f32x4.add(f32x4.mul(f32x4.sqrt(vi), vinv), veps);
    v128.store(p + o, f32x4.sub(v128.load(p + o), f32x4.div(f32x4.mul(vs, mi), denom)));
  }
  for (; i < hi; i++) {
    const o = <usize>(i * 4);
    const gi = load<f32>(g + o);
    const mi = b1 * load<f32>(m + o) + c1 * gi;
    const vi = b2 * load<f32>(v + o) + c2 * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(p + o, load<f32>(p + o) - (stepSize * mi) / (Mathf.sqrt(vi) * invBc2 + eps));
  }
}
