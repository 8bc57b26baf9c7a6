import { refKernels } from '../ref/index.js';
import type { AffineWarpArgs } from '../types.js';
import { limits, runTask, runtimeIf, tasksFor } from './binding.js';

/**
 * randomAffine's warp by assembly/augment.ts over all threads, the images split among the
 * tasks; whatever warpInHeap declines goes to ref.
 */
export function affineWarp(a: AffineWarpArgs): void {
  if (!warpInHeap(a)) refKernels.affineWarp(a);
}

/**
 * The warp in the wasm heap; false, computing nothing, when the kernel cannot take the call:
 * wasm not loaded, float64 images, a batch too small to be worth the copies, or numbers
 * the kernel cannot treat as the reference does (see `representable`).
 */
function warpInHeap(args: AffineWarpArgs): boolean {
  const { x, out, n, c, h, w, params, warp, fill } = args;
  const rt = runtimeIf(n > 0 && x.length >= limits.minElements && representable(args), x, out);
  if (!rt) return false;
  const xp = rt.copyIn(x as Float32Array);
  const op = rt.alloc(out.length * 4);
  // The kernel's parameter block: fill, then five f64 per image (the warp flag, a, b, tx, ty).
  const pp = rt.alloc((1 + 5 * n) * 8);
  const block = new Float64Array(rt.f32.buffer, pp, 1 + 5 * n);
  block[0] = fill;
  for (let i = 0; i < n; i++) {
    const at = 1 + 5 * i;
    block[at] = warp[i] ? 1 : 0;
    for (let j = 0; j < 4; j++) block[at + 1 + j] = params[4 * i + j];
  }
  const scratchBytes = (rt.exports.affineWarpScratchBytes as (...a: number[]) => number)(c, h, w);
  const scratch = rt.alloc(scratchBytes * rt.threadCount);
  runTask(rt, 'affineWarpTask', [xp, op, n, c, h, w, pp, scratch, scratchBytes], tasksFor(rt, n));
  rt.copyOut(op, out as Float32Array);
  return true;
}

/**
 * Whether the kernel computes what the reference does: it turns whole source coordinates into
 * int32 lanes by adding 1.5·2⁵², exact while they stay within ±2³¹, so every image's points must
 * (|sx|, |sy| ≤ (|a| + |b|)·(size + |t|) + size bounds them; NaN fails the test), and a fill
 * beyond float32's range would become Inf (0·Inf is NaN where the reference's 0·fill is 0).
 * Neither happens with any sensible augmentation.
 */
function representable({ n, h, w, params, fill }: AffineWarpArgs): boolean {
  const size = Math.max(h, w) + 4;
  for (let i = 0; i < n; i++) {
    const [a, b, tx, ty] = params.subarray(4 * i, 4 * i + 4);
    const bound = (Math.abs(a) + Math.abs(b)) * (size + Math.max(Math.abs(tx), Math.abs(ty))) + size;
    if (!(bound < 2 ** 30)) return false;
  }
  return !Number.isFinite(fill) || Number.isFinite(Math.fround(fill));
}
