import { refKernels } from '../ref/index.js';
import type { ConvBackwardArgs, ConvGeom, ConvPoolBackwardArgs, ConvPoolForwardArgs, FloatArray, PoolGeom } from '../types.js';
import { limits, runTask, runtimeIf, tasksFor } from './binding.js';
import { directConvPoolBackward, directConvPoolForward } from './conv-direct.js';
import type { Runtime } from './runtime.js';

function geomWords(g: ConvGeom): number[] {
  return [
    g.n,
    g.cIn,
    g.h,
    g.w,
    g.cOut,
    g.kh,
    g.kw,
    g.strideH,
    g.strideW,
    g.padTop,
    g.padLeft,
    g.dilationH,
    g.dilationW,
    g.groups,
    g.outH,
    g.outW,
  ];
}

/** Per-thread scratch for one conv pass: [address, bytes per thread]. */
function convScratch(rt: Runtime, g: ConvGeom): [number, number] {
  const kk = (g.cIn / g.groups) * g.kh * g.kw;
  const bytes = (rt.exports.convScratchBytes as (kk: number, ohw: number) => number)(kk, g.outH * g.outW);
  return [rt.alloc(bytes * rt.threadCount), bytes];
}

const convWork = (g: ConvGeom): number => g.n * g.cOut * g.outH * g.outW * (g.cIn / g.groups) * g.kh * g.kw;

/**
 * Whether Winograd F(2×2, 3×3) serves this convolution: 3×3, stride 1, no dilation, one
 * group, enough channels for the 16 gemms to pay, at least one image per thread (a smaller
 * batch keeps im2col's split of the output columns), and for the transposed pass
 * (dx from dy, padding 2 - pad) a padding of at most 2.
 */
function winogradFits(rt: Runtime, g: ConvGeom): boolean {
  return (
    limits.winograd &&
    g.kh === 3 &&
    g.kw === 3 &&
    g.strideH === 1 &&
    g.strideW === 1 &&
    g.dilationH === 1 &&
    g.dilationW === 1 &&
    g.groups === 1 &&
    g.cIn >= 4 &&
    g.cOut >= 4 &&
    g.padTop <= 2 &&
    g.padLeft <= 2 &&
    g.outH >= 2 &&
    g.outW >= 2 &&
    g.n >= rt.threadCount
  );
}

/**
 * Images per Winograd chunk: the chunk's tiles share each of the 16 (F(2×2, 3×3)) or 36
 * (F(4×4, 3×3)) gemms, so that a small image (7×7 outputs: 4 or 16 tiles) still gives gemms wide
 * enough to pay for packing the weights.
 * It depends on the geometry only, so that dw sums in the same order on every run.
 */
function winogradChunk(oh: number, ow: number, f4: boolean): number {
  if (f4) {
    // F(4×4, 3×3): lanes run over four images, so chunks are whole fours.
    const tiles = ((oh + 3) >> 2) * ((ow + 3) >> 2);
    return 4 * Math.max(1, Math.min(8, Math.round(limits.winogradColumns / (4 * tiles))));
  }
  const tiles = ((oh + 1) >> 1) * ((((ow + 1) >> 1) + 3) & ~3);
  return Math.max(1, Math.min(32, Math.round(limits.winogradColumns / tiles)));
}

interface WinogradVariant {
  /** Transforms the weights; false (transforming nothing) when F(4×4, 3×3) meets a NaN or ±Inf weight. */
  weights: (w: number, u: number, k: number, c: number, flip: number) => boolean;
  scratchBytes: (c: number, h: number, w: number, k: number, oh: number, ow: number, b: number) => number;
  /** Adds up the weight gradient's partials and transforms the sum into dw. */
  finish: (parts: number, stride: number, nParts: number, dw: number, k: number, c: number) => void;
  planes: number;
  task: 'winogradTask' | 'winograd4Task';
  gradTask: 'winogradWeightGradTask' | 'winograd4WeightGradTask';
}

/**
 * The exports of F(4×4, 3×3) (f4) or F(2×2, 3×3), and its number of planes. F(4×4, 3×3)'s weight
 * transforms (36 planes, into and out of) run as tasks over the filters: on the main thread alone
 * they took 0.8 ms of the fast recipe's step while the other thread waited.
 */
function variant(rt: Runtime, f4: boolean): WinogradVariant {
  const fn = <T>(name: string): T => rt.exports[f4 ? name.replace('winograd', 'winograd4') : name] as T;
  if (!f4) {
    const weights = fn<(w: number, u: number, k: number, c: number, flip: number) => void>('winogradWeights');
    return {
      weights: (w, u, k, c, flip) => (weights(w, u, k, c, flip), true),
      scratchBytes: fn('winogradScratchBytes'),
      finish: fn('winogradWeightGradFinish'),
      planes: 16,
      task: 'winogradTask',
      gradTask: 'winogradWeightGradTask',
    };
  }
  const nonFinite = fn<(w: number, n: number) => number>('winogradNonFinite');
  return {
    weights: (w, u, k, c, flip) => {
      if (nonFinite(w, k * c * 9)) return false;
      runTask(rt, 'winograd4WeightsTask', [w, u, k, c, flip], tasksFor(rt, k));
      return true;
    },
    scratchBytes: fn('winogradScratchBytes'),
    finish: (parts, stride, nParts, dw, k, c) =>
      runTask(rt, 'winograd4WeightGradFinishTask', [parts, stride, nParts, dw, k, c], tasksFor(rt, k)),
    planes: 36,
    task: 'winograd4Task',
    gradTask: 'winograd4WeightGradTask',
  };
}

/**
 * Runs winogradTask on src [n, c, h, w] already in the heap into dst [n, k, oh, ow]; the
 * weights at wp are transformed first (flip: the transposed convolution's filters). With
 * pooledArgmax (a heap address; relu set), dst is the 2×2, stride-2 max pool of the output
 * [n, k, oh/2, ow/2] and pooledArgmax its argmax; with srcArgmax, src is a pooled gradient
 * [n, c, h/2, w/2] routed through srcArgmax to the h × w planes as it is read.
 */
function winograd(
  rt: Runtime,
  src: number,
  wp: number,
  bp: number,
  dst: number,
  n: number,
  c: number,
  h: number,
  w: number,
  k: number,
  oh: number,
  ow: number,
  pt: number,
  pl: number,
  flip: boolean,
  relu = false,
  pooledArgmax = 0,
  srcArgmax = 0,
  f4 = limits.winograd4,
): void {
  const v = variant(rt, f4);
  const u = rt.alloc(v.planes * k * c * 4);
  const b = winogradChunk(oh, ow, f4);
  const sb = v.scratchBytes(c, h, w, k, oh, ow, b);
  const s = rt.alloc(sb * rt.threadCount);
  const flag = nonFiniteFlag(rt);
  const words = [src, u, bp, dst, n, c, h, w, k, oh, ow, pt, pl, relu ? 1 : 0, s, sb, b, pooledArgmax, srcArgmax, flag];
  // A NaN or ±Inf in F(4×4, 3×3)'s way (see pack4 in winograd4.ts): F(2×2, 3×3) instead.
  if (!v.weights(wp, u, k, c, flip ? 1 : 0) || (runTask(rt, v.task, words, tasksFor(rt, n)), rt.i32[flag >> 2])) {
    winograd(rt, src, wp, bp, dst, n, c, h, w, k, oh, ow, pt, pl, flip, relu, pooledArgmax, srcArgmax, false);
  }
}

/** A zeroed i32 in the arena that winograd4's tasks set when they meet a NaN or ±Inf. */
function nonFiniteFlag(rt: Runtime): number {
  const p = rt.alloc(4);
  rt.i32[p >> 2] = 0;
  return p;
}

/**
 * The runtime, reset for a convolution of geometry g on these arrays; null when the convolution
 * belongs to ref (no wasm, float64, too little work for the copies to pay, or an empty batch).
 */
function convRuntime(g: ConvGeom, ...arrays: Array<FloatArray | null | undefined>): Runtime | null {
  return runtimeIf(convWork(g) >= limits.minGemmWork && g.n > 0, ...arrays);
}

/** y = conv(x, w) + bias by Winograd or im2col + packed gemm, one slice of the batch per thread. */
export function conv2dForward(x: FloatArray, w: FloatArray, bias: FloatArray | null, y: FloatArray, g: ConvGeom): void {
  const rt = convRuntime(g, x, w, bias, y);
  if (!rt) return refKernels.conv2dForward(x, w, bias, y, g);
  const yp = forward(rt, x, w, bias, g);
  rt.copyOut(yp, y as Float32Array);
}

/** The heap addresses of a convolution's x, w and bias (0: none), copied in. */
function copyConvInputs(rt: Runtime, x: FloatArray, w: FloatArray, bias: FloatArray | null): [number, number, number] {
  return [rt.copyIn(x as Float32Array), rt.copyIn(w as Float32Array), bias ? rt.copyIn(bias as Float32Array) : 0];
}

/** Copies x, w and bias in and runs the convolution; returns the heap address of its output. */
function forward(rt: Runtime, x: FloatArray, w: FloatArray, bias: FloatArray | null, g: ConvGeom): number {
  const [xp, wp, bp] = copyConvInputs(rt, x, w, bias);
  const yp = rt.alloc(g.n * g.cOut * g.outH * g.outW * 4);
  if (winogradFits(rt, g)) {
    winograd(rt, xp, wp, bp, yp, g.n, g.cIn, g.h, g.w, g.cOut, g.outH, g.outW, g.padTop, g.padLeft, false, g.relu === true);
    return yp;
  }
  const [s, sb] = convScratch(rt, g);
  // Fewer images than threads (inference on one image): split each image's output columns.
  const byColumns = g.n < rt.threadCount && g.outH * g.outW >= 16 * rt.threadCount;
  const tasks = byColumns ? rt.threadCount : tasksFor(rt, g.n);
  runTask(rt, 'convForwardTask', [xp, wp, bp, yp, ...geomWords(g), s, sb, byColumns ? 1 : 0, g.relu ? 1 : 0], tasks);
  return yp;
}

/**
 * maxPool(relu(conv)) with the convolution's output kept in the heap: only the pooled
 * output and its argmax are copied out (on the Keras CNN's conv2, 9.4 MB instead of the
 * 18.9 MB output copied out, copied back in for the pool, and its gradient twice more).
 */
export function conv2dReluMaxPoolForward(args: ConvPoolForwardArgs): void {
  // A first layer (few input channels, a 2×2 pool): the direct kernel, in registers.
  if (directConvPoolForward(args)) return;
  const { x, w, bias, y, argmax, g, pool } = args;
  const rt = convRuntime(g, x, w, bias, y);
  if (!rt) return refKernels.conv2dReluMaxPoolForward(args);
  if (winogradFits(rt, g) && tilePool(g, pool)) {
    // Each Winograd tile is one pooling window: pooled in the output transform.
    const yp = rt.alloc(y.length * 4);
    const ap = rt.outputAddress(argmax);
    const [xp, wp, bp] = copyConvInputs(rt, x, w, bias);
    winograd(rt, xp, wp, bp, yp, g.n, g.cIn, g.h, g.w, g.cOut, g.outH, g.outW, g.padTop, g.padLeft, false, true, ap);
    rt.copyOut(yp, y as Float32Array);
    rt.copyOut(ap, argmax);
    return;
  }
  const cp = forward(rt, x, w, bias, { ...g, relu: true });
  const yp = rt.alloc(y.length * 4);
  const ap = rt.outputAddress(argmax);
  runTask(rt, 'maxPoolForwardTask', [cp, yp, ap, ...poolWords(pool), 1], poolTasks(rt, pool));
  rt.copyOut(yp, y as Float32Array);
  rt.copyOut(ap, argmax);
}

/** Whether the pool is 2×2, stride 2, unpadded, with floor sizes: the Winograd tiles' own windows. */
const tilePool = (g: ConvGeom, p: PoolGeom): boolean =>
  p.kh === 2 &&
  p.kw === 2 &&
  p.strideH === 2 &&
  p.strideW === 2 &&
  p.padTop === 0 &&
  p.padLeft === 0 &&
  p.h === g.outH &&
  p.w === g.outW &&
  p.outH === g.outH >> 1 &&
  p.outW === g.outW >> 1;

/**
 * Its backward: a first layer's direct kernel; Winograd with the pooled gradient routed through
 * argmax inside the transforms; else the pooled gradient scattered through argmax into the
 * heap, then conv2dBackward's passes on it.
 */
export function conv2dReluMaxPoolBackward(p: ConvPoolBackwardArgs): void {
  if (directConvPoolBackward(p)) return;
  const rt = convRuntime(p.g, p.x, p.w, p.dy, p.dx, p.dw, p.dbias);
  if (!rt) return refKernels.conv2dReluMaxPoolBackward(p);
  const { g } = p;
  if (winogradFits(rt, g) && tilePool(g, p.pool)) {
    // The pooled gradient goes to Winograd's transforms as it is, each window's value routed
    // through argmax as the tiles are cut: the full-size gradient is never written.
    const dyp = rt.copyIn(p.dy as Float32Array);
    const ap = rt.copyIn(p.argmax);
    if (p.dbias) {
      const tasks = tasksFor(rt, g.n);
      const acc = rt.alloc(tasks * g.cOut * 8);
      runTask(rt, 'reluMaskSumTask', [dyp, ap, g.n, g.cOut, p.pool.outH * p.pool.outW, 2, acc, 1], tasks);
      sumPartials(rt, acc, tasks, p.dbias, g.cOut);
    }
    if (p.dx) {
      const wp = rt.copyIn(p.w as Float32Array);
      const dxp = rt.outputAddress(p.dx as Float32Array);
      winograd(rt, dyp, wp, 0, dxp, g.n, g.cOut, g.outH, g.outW, g.cIn, g.h, g.w, 2 - g.padTop, 2 - g.padLeft, true, false, 0, ap);
      rt.copyOut(dxp, p.dx as Float32Array);
    }
    if (p.dw) backwardWeight(rt, rt.copyIn(p.x as Float32Array), dyp, p.dw, g, ap);
    return;
  }
  const dyp = rt.copyIn(p.dy as Float32Array);
  const ap = rt.copyIn(p.argmax);
  const dcp = rt.alloc(p.g.n * p.g.cOut * p.g.outH * p.g.outW * 4);
  runTask(rt, 'maxPoolBackwardTask', [dyp, dcp, ap, ...poolWords(p.pool), 0], poolTasks(rt, p.pool));
  backwardPasses(rt, dcp, null, p);
}

/** dx = the transposed convolution of dy: gemm Wᵀ·dy then col2im, per image. */
export function conv2dBackwardInput(dy: FloatArray, w: FloatArray, dx: FloatArray, g: ConvGeom): void {
  const rt = convRuntime(g, dy, w, dx);
  if (!rt) return refKernels.conv2dBackwardInput(dy, w, dx, g);
  backwardInput(rt, rt.copyIn(dy as Float32Array), w, dx, g);
}

/** conv2dBackwardInput with dy already in the heap at dyp. */
function backwardInput(rt: Runtime, dyp: number, w: FloatArray, dx: FloatArray, g: ConvGeom): void {
  const wp = rt.copyIn(w as Float32Array);
  const dxp = rt.outputAddress(dx as Float32Array);
  if (winogradFits(rt, g)) {
    // dx[c, i, j] = Σ w[k, c, a, b] dy[k, i + pt - a, j + pl - b]: a correlation of dy, padded
    // by 2 - pad, with the filters flipped and their channel axes swapped.
    winograd(rt, dyp, wp, 0, dxp, g.n, g.cOut, g.outH, g.outW, g.cIn, g.h, g.w, 2 - g.padTop, 2 - g.padLeft, true);
    rt.copyOut(dxp, dx as Float32Array);
    return;
  }
  const [s, sb] = convScratch(rt, g);
  runTask(rt, 'convBackwardInputTask', [dyp, wp, 0, dxp, ...geomWords(g), s, sb], tasksFor(rt, g.n));
  rt.copyOut(dxp, dx as Float32Array);
}

/** dw = Σ over images of dy·colᵀ; each task sums its images into its own partial, summed here. */
export function conv2dBackwardWeight(x: FloatArray, dy: FloatArray, dw: FloatArray, g: ConvGeom): void {
  const rt = convRuntime(g, x, dy, dw);
  if (!rt) return refKernels.conv2dBackwardWeight(x, dy, dw, g);
  backwardWeight(rt, rt.copyIn(x as Float32Array), rt.copyIn(dy as Float32Array), dw, g);
}

/**
 * The whole backward pass on one heap copy of dy: a fused ReLU's mask and the bias
 * gradient by one threaded pass over it, then dx and dw from the same copy, so that dy is
 * copied into the heap once rather than once per gradient.
 */
export function conv2dBackward(p: ConvBackwardArgs): void {
  const rt = convRuntime(p.g, p.x, p.w, p.dy, p.reluOut, p.dx, p.dw, p.dbias);
  if (!rt) return refKernels.conv2dBackward(p);
  // The ReLU mask is applied in place: on a copy, also when dy lies in the heap already (a
  // gradient another op may still read).
  const dy = p.dy as Float32Array;
  backwardPasses(rt, p.reluOut ? rt.copyInPrivate(dy) : rt.copyIn(dy), p.reluOut ?? null, p);
}

/**
 * The passes of a convolution's backward from the gradient of its output already in the heap
 * at dyp: the ReLU mask and bias gradient (one pass over it, masking in place), then dx, dw.
 */
function backwardPasses(
  rt: Runtime,
  dyp: number,
  reluOut: FloatArray | null,
  p: { x: FloatArray; w: FloatArray; g: ConvGeom; dx?: FloatArray; dw?: FloatArray; dbias?: FloatArray },
): void {
  if (reluOut || p.dbias) reluMaskSum(rt, dyp, reluOut, p.dbias ?? null, p.g);
  if (p.dx) backwardInput(rt, dyp, p.w, p.dx, p.g);
  if (p.dw) backwardWeight(rt, rt.copyIn(p.x as Float32Array), dyp, p.dw, p.g);
}

/**
 * conv2dBackwardWeight with x and dy already in the heap; with dyArgmax (Winograd only), dy is
 * a 2×2-pooled gradient and dyArgmax its argmax.
 */
function backwardWeight(rt: Runtime, xp: number, dyp: number, dw: FloatArray, g: ConvGeom, dyArgmax = 0): void {
  // One partial per task (not per thread), summed in task order: the same dw on every run.
  const tasks = tasksFor(rt, g.n);
  if (winogradFits(rt, g)) return winogradWeightGrad(rt, xp, dyp, dw, g, dyArgmax, tasks);
  const partBytes = Math.ceil((dw.length * 4) / 64) * 64;
  const parts = rt.alloc(partBytes * tasks);
  rt.f32.fill(0, parts >> 2, (parts + partBytes * tasks) >> 2);
  const [s, sb] = convScratch(rt, g);
  runTask(rt, 'convBackwardWeightTask', [xp, dyp, parts, partBytes, ...geomWords(g), s, sb], tasks);
  const heap = rt.f32;
  const t0 = performance.now();
  dw.set(heap.subarray(parts >> 2, (parts >> 2) + dw.length));
  for (let t = 1; t < tasks; t++) {
    const p = (parts + t * partBytes) >> 2;
    for (let i = 0; i < dw.length; i++) dw[i] += heap[p + i];
  }
  rt.copyMs += performance.now() - t0;
  rt.copyBytes += dw.length * 4;
}

/**
 * dU_e = Σ over tiles of (A dY Aᵀ)_e ⊙ (Bᵀ d B)_e, per task, then dw = Gᵀ dU G; by F(2×2, 3×3)
 * when F(4×4, 3×3) meets a NaN or ±Inf (see winograd()).
 */
function winogradWeightGrad(
  rt: Runtime,
  xp: number,
  dyp: number,
  dw: FloatArray,
  g: ConvGeom,
  dyArgmax: number,
  tasks: number,
  f4 = limits.winograd4,
): void {
  const v = variant(rt, f4);
  const pb = Math.ceil((v.planes * g.cOut * g.cIn * 4) / 64) * 64;
  // Each task zeroes its own partial.
  const pw = rt.alloc(pb * tasks);
  const b = winogradChunk(g.outH, g.outW, f4);
  const sb = v.scratchBytes(g.cIn, g.h, g.w, g.cOut, g.outH, g.outW, b);
  const s = rt.alloc(sb * rt.threadCount);
  const flag = nonFiniteFlag(rt);
  const words = [xp, dyp, pw, pb, g.n, g.cIn, g.h, g.w, g.cOut, g.outH, g.outW, g.padTop, g.padLeft, 0, s, sb, b, 0, dyArgmax, flag];
  runTask(rt, v.gradTask, words, tasks);
  if (rt.i32[flag >> 2]) return winogradWeightGrad(rt, xp, dyp, dw, g, dyArgmax, tasks, false);
  const dwp = rt.alloc(dw.length * 4);
  v.finish(pw, pb, tasks, dwp, g.cOut, g.cIn);
  rt.copyOut(dwp, dw as Float32Array);
}

/** reluMaskSumTask on the heap copy of dy; the per-task float64 channel sums are added here. */
function reluMaskSum(rt: Runtime, dyp: number, reluOut: FloatArray | null, db: FloatArray | null, g: ConvGeom): void {
  const yp = reluOut ? rt.copyIn(reluOut as Float32Array) : 0;
  const tasks = tasksFor(rt, g.n);
  const acc = rt.alloc(tasks * g.cOut * 8);
  runTask(rt, 'reluMaskSumTask', [dyp, yp, g.n, g.cOut, g.outH * g.outW, yp ? 1 : 0, acc, db ? 1 : 0], tasks);
  if (db) sumPartials(rt, acc, tasks, db, g.cOut);
}

/** db[c] = Σ over tasks of reluMaskSumTask's float64 channel sums at acc, in task order. */
function sumPartials(rt: Runtime, acc: number, tasks: number, db: FloatArray, c: number): void {
  const sums = new Float64Array(rt.f32.buffer, acc, tasks * c);
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    for (let t = 0; t < tasks; t++) s += sums[t * c + ch];
    db[ch] = s;
  }
}

/** The pool tasks' geometry words; a last word follows: maxPoolForwardTask's relu-mask flag (0 elsewhere). */
function poolWords(g: PoolGeom): number[] {
  return [g.n * g.c, g.h, g.w, g.kh, g.kw, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW];
}

const poolTasks = (rt: Runtime, g: PoolGeom): number => tasksFor(rt, g.n * g.c);
const poolSmall = (g: PoolGeom): boolean => g.n * g.c * g.h * g.w < limits.minElements;

/**
 * One pooling pass in wasm: src copied in, dst copied out, and max pooling's argmax (written by
 * the forward pass, read by the backward pass; absent for average pooling). False when the pass
 * belongs to ref (no wasm, float64, too small).
 */
function poolPass(
  task: 'maxPoolForwardTask' | 'maxPoolBackwardTask' | 'avgPoolForwardTask' | 'avgPoolBackwardTask',
  src: FloatArray,
  dst: FloatArray,
  g: PoolGeom,
  argmax?: { array: Int32Array; written: boolean },
): boolean {
  const rt = runtimeIf(!poolSmall(g), src, dst);
  if (!rt) return false;
  const sp = rt.copyIn(src as Float32Array);
  const ap = !argmax ? 0 : argmax.written ? rt.alloc(argmax.array.length * 4) : rt.copyIn(argmax.array);
  const dp = rt.alloc(dst.length * 4);
  runTask(rt, task, [sp, dp, ap, ...poolWords(g), 0], poolTasks(rt, g));
  rt.copyOut(dp, dst as Float32Array);
  if (argmax?.written) rt.copyOut(ap, argmax.array);
  return true;
}

/** Max pooling; argmax[o] = ih*w + iw of the window's first maximum within its plane. */
export function maxPool2dForward(x: FloatArray, y: FloatArray, argmax: Int32Array, g: PoolGeom): void {
  if (!poolPass('maxPoolForwardTask', x, y, g, { array: argmax, written: true })) refKernels.maxPool2dForward(x, y, argmax, g);
}

export function maxPool2dBackward(dy: FloatArray, argmax: Int32Array, dx: FloatArray, g: PoolGeom): void {
  if (!poolPass('maxPoolBackwardTask', dy, dx, g, { array: argmax, written: false })) refKernels.maxPool2dBackward(dy, argmax, dx, g);
}

export function avgPool2dForward(x: FloatArray, y: FloatArray, g: PoolGeom): void {
  if (!poolPass('avgPoolForwardTask', x, y, g)) refKernels.avgPool2dForward(x, y, g);
}

export function avgPool2dBackward(dy: FloatArray, dx: FloatArray, g: PoolGeom): void {
  if (!poolPass('avgPoolBackwardTask', dy, dx, g)) refKernels.avgPool2dBackward(dy, dx, g);
}
