import { refKernels } from '../ref/index.js';
import type { ConvGeom, FloatArray, PoolGeom } from '../types.js';
import { getRuntime, limits, runTask } from './binding.js';
import type { Runtime } from './runtime.js';

const f32 = (...xs: (FloatArray | null)[]): boolean => xs.every((x) => x === null || x instanceof Float32Array);

function geomWords(g: ConvGeom): number[] {
  return [g.n, g.cIn, g.h, g.w, g.cOut, g.kh, g.kw, g.strideH, g.strideW, g.padTop, g.padLeft, g.dilationH, g.dilationW, g.groups, g.outH, g.outW];
}

/** Per-thread scratch for one conv pass: [address, bytes per thread]. */
function convScratch(rt: Runtime, g: ConvGeom): [number, number] {
  const kk = (g.cIn / g.groups) * g.kh * g.kw;
  const bytes = (rt.exports.convScratchBytes as (kk: number, ohw: number) => number)(kk, g.outH * g.outW);
  return [rt.alloc(bytes * rt.threadCount), bytes];
}

// Tasks are slices of the batch, several per thread so that a thread that starts late
// (or is descheduled on a busy machine) leaves less work for the others to wait on.
const tasksFor = (rt: Runtime, n: number): number => (rt.threadCount === 1 ? 1 : Math.min(n, 4 * rt.threadCount));

const convWork = (g: ConvGeom): number => g.n * g.cOut * g.outH * g.outW * (g.cIn / g.groups) * g.kh * g.kw;

/** y = conv(x, w) + bias by im2col + packed gemm, one slice of the batch per thread. */
export function conv2dForward(x: FloatArray, w: FloatArray, bias: FloatArray | null, y: FloatArray, g: ConvGeom): void {
  const rt = getRuntime();
  if (!rt || !f32(x, w, bias, y) || convWork(g) < limits.minGemmWork || g.n === 0) {
    refKernels.conv2dForward(x, w, bias, y, g);
    return;
  }
  rt.reset();
  const xp = rt.copyIn(x as Float32Array);
  const wp = rt.copyIn(w as Float32Array);
  const bp = bias ? rt.copyIn(bias as Float32Array) : 0;
  const yp = rt.alloc(y.length * 4);
  const [s, sb] = convScratch(rt, g);
  // Fewer images than threads (inference on one image): split each image's output columns.
  const byColumns = g.n < rt.threadCount && g.outH * g.outW >= 16 * rt.threadCount;
  const tasks = byColumns ? rt.threadCount : tasksFor(rt, g.n);
  runTask(rt, 'convForwardTask', [xp, wp, bp, yp, ...geomWords(g), s, sb, byColumns ? 1 : 0], tasks);
  rt.copyOut(yp, y as Float32Array);
}

/** dx = the transposed convolution of dy: gemm Wᵀ·dy then col2im, per image. */
export function conv2dBackwardInput(dy: FloatArray, w: FloatArray, dx: FloatArray, g: ConvGeom): void {
  const rt = getRuntime();
  if (!rt || !f32(dy, w, dx) || convWork(g) < limits.minGemmWork || g.n === 0) {
    refKernels.conv2dBackwardInput(dy, w, dx, g);
    return;
  }
  rt.reset();
  const dyp = rt.copyIn(dy as Float32Array);
  const wp = rt.copyIn(w as Float32Array);
  const dxp = rt.alloc(dx.length * 4);
  const [s, sb] = convScratch(rt, g);
  runTask(rt, 'convBackwardInputTask', [dyp, wp, 0, dxp, ...geomWords(g), s, sb], tasksFor(rt, g.n));
  rt.copyOut(dxp, dx as Float32Array);
}

/** dw = Σ over images of dy·colᵀ; each thread sums its images into its own partial, summed here. */
export function conv2dBackwardWeight(x: FloatArray, dy: FloatArray, dw: FloatArray, g: ConvGeom): void {
  const rt = getRuntime();
  if (!rt || !f32(x, dy, dw) || convWork(g) < limits.minGemmWork || g.n === 0) {
    refKernels.conv2dBackwardWeight(x, dy, dw, g);
    return;
  }
  rt.reset();
  const xp = rt.copyIn(x as Float32Array);
  const dyp = rt.copyIn(dy as Float32Array);
  const threads = rt.threadCount;
  const partBytes = Math.ceil((dw.length * 4) / 64) * 64;
  const parts = rt.alloc(partBytes * threads);
  rt.f32.fill(0, parts >> 2, (parts + partBytes * threads) >> 2);
  const [s, sb] = convScratch(rt, g);
  runTask(rt, 'convBackwardWeightTask', [xp, dyp, parts, partBytes, ...geomWords(g), s, sb], tasksFor(rt, g.n));
  const heap = rt.f32;
  const t0 = performance.now();
  dw.set(heap.subarray(parts >> 2, (parts >> 2) + dw.length));
  for (let t = 1; t < threads; t++) {
    const p = (parts + t * partBytes) >> 2;
    for (let i = 0; i < dw.length; i++) dw[i] += heap[p + i];
  }
  rt.copyMs += performance.now() - t0;
  rt.copyBytes += dw.length * 4;
}

function poolWords(g: PoolGeom): number[] {
  return [g.n * g.c, g.h, g.w, g.kh, g.kw, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW];
}

const poolTasks = (rt: Runtime, g: PoolGeom): number => (rt.threadCount === 1 ? 1 : Math.min(g.n * g.c, 4 * rt.threadCount));
const poolSmall = (g: PoolGeom): boolean => g.n * g.c * g.h * g.w < limits.minElements;

/** Max pooling; argmax[o] = ih*w + iw of the window's first maximum within its plane. */
export function maxPool2dForward(x: FloatArray, y: FloatArray, argmax: Int32Array, g: PoolGeom): void {
  const rt = getRuntime();
  if (!rt || !f32(x, y) || poolSmall(g)) {
    refKernels.maxPool2dForward(x, y, argmax, g);
    return;
  }
  rt.reset();
  const xp = rt.copyIn(x as Float32Array);
  const yp = rt.alloc(y.length * 4);
  const ap = rt.alloc(argmax.length * 4);
  runTask(rt, 'maxPoolForwardTask', [xp, yp, ap, ...poolWords(g)], poolTasks(rt, g));
  rt.copyOut(yp, y as Float32Array);
  argmax.set(rt.i32.subarray(ap >> 2, (ap >> 2) + argmax.length));
}

export function maxPool2dBackward(dy: FloatArray, argmax: Int32Array, dx: FloatArray, g: PoolGeom): void {
  const rt = getRuntime();
  if (!rt || !f32(dy, dx) || poolSmall(g)) {
    refKernels.maxPool2dBackward(dy, argmax, dx, g);
    return;
  }
  rt.reset();
  const dyp = rt.copyIn(dy as Float32Array);
  const ap = rt.alloc(argmax.length * 4);
  rt.i32.set(argmax, ap >> 2);
  const dxp = rt.alloc(dx.length * 4);
  runTask(rt, 'maxPoolBackwardTask', [dyp, dxp, ap, ...poolWords(g)], poolTasks(rt, g));
  rt.copyOut(dxp, dx as Float32Array);
}

export function avgPool2dForward(x: FloatArray, y: FloatArray, g: PoolGeom): void {
  const rt = getRuntime();
  if (!rt || !f32(x, y) || poolSmall(g)) {
    refKernels.avgPool2dForward(x, y, g);
    return;
  }
  rt.reset();
  const xp = rt.copyIn(x as Float32Array);
  const yp = rt.alloc(y.length * 4);
  runTask(rt, 'avgPoolForwardTask', [xp, yp, 0, ...poolWords(g)], poolTasks(rt, g));
  rt.copyOut(yp, y as Float32Array);
}

export function avgPool2dBackward(dy: FloatArray, dx: FloatArray, g: PoolGeom): void {
  const rt = getRuntime();
  if (!rt || !f32(dy, dx) || poolSmall(g)) {
    refKernels.avgPool2dBackward(dy, dx, g);
    return;
  }
  rt.reset();
  const dyp = rt.copyIn(dy as Float32Array);
  const dxp = rt.alloc(dx.length * 4);
  runTask(rt, 'avgPoolBackwardTask', [dyp, dxp, 0, ...poolWords(g)], poolTasks(rt, g));
  rt.copyOut(dxp, dx as Float32Array);
}
