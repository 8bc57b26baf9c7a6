import { refKernels } from '../ref/index.js';
import type { BatchNormBackwardArgs, FloatArray, Kernels } from '../types.js';
import { limits, runTask, runtimeIf, tasksFor } from './binding.js';

/**
 * Batch norm's kernels in f32x4 over all threads (assembly/norm.ts); float64 and small inputs
 * go to ref. Every array is copied in and the results out: a pass over x in the heap costs
 * about what the copy does, and the three passes it replaces each cost more in TypeScript.
 */

const f32 = (a: FloatArray): Float32Array => a as Float32Array;

export function channelStats(x: FloatArray, n: number, c: number, inner: number, mean: FloatArray, variance: FloatArray): void {
  const rt = runtimeIf(x.length >= limits.minElements, x, mean, variance);
  if (!rt) return refKernels.channelStats(x, n, c, inner, mean, variance);
  const [xp, mp, vp] = [rt.copyIn(f32(x)), rt.alloc(c * 4), rt.alloc(c * 4)];
  runTask(rt, 'channelStatsTask', [xp, n, c, inner, mp, vp], tasksFor(rt, c));
  rt.copyOut(mp, f32(mean));
  rt.copyOut(vp, f32(variance));
}

export const channelAffine: Kernels['channelAffine'] = (x, n, c, inner, scale, shift, y) => {
  const rt = runtimeIf(x.length >= limits.minElements, x, scale, shift, y);
  if (!rt) return refKernels.channelAffine(x, n, c, inner, scale, shift, y);
  const [xp, sp, hp, yp] = [rt.copyIn(f32(x)), rt.copyIn(f32(scale)), rt.copyIn(f32(shift)), rt.alloc(y.length * 4)];
  runTask(rt, 'channelAffineTask', [xp, n, c, inner, sp, hp, yp], tasksFor(rt, n * c));
  rt.copyOut(yp, f32(y));
};

export function batchNormBackward(a: BatchNormBackwardArgs): void {
  const rt = runtimeIf(a.x.length >= limits.minElements, a.x, a.dy, a.mean, a.invStd, a.weight, a.dx, a.sumDy, a.sumDyXhat);
  if (!rt) return refKernels.batchNormBackward(a);
  const [xp, dyp] = [rt.copyIn(f32(a.x)), rt.copyIn(f32(a.dy))];
  const [mp, ip, wp] = [rt.copyIn(f32(a.mean)), rt.copyIn(f32(a.invStd)), rt.copyIn(f32(a.weight))];
  const dxp = a.dx ? rt.alloc(a.dx.length * 4) : 0;
  const [sp, sxp] = [rt.alloc(a.c * 4), rt.alloc(a.c * 4)];
  runTask(rt, 'batchNormBackwardTask', [xp, dyp, a.n, a.c, a.inner, mp, ip, wp, a.batchStats ? 1 : 0, dxp, sp, sxp], tasksFor(rt, a.c));
  if (a.dx) rt.copyOut(dxp, f32(a.dx));
  rt.copyOut(sp, f32(a.sumDy));
  rt.copyOut(sxp, f32(a.sumDyXhat));
}
