/**
 * The direct kernels of assembly/conv-direct.ts for a fused conv + ReLU + 2×2 max-pool block
 * with few input channels (a CNN's first layer): the convolution, its ReLU and the pool in
 * registers, the full-size convolution output never stored. Each entry point returns false
 * when the block is not one of theirs, and conv.ts then takes its general path.
 */
import type { ConvGeom, ConvPoolBackwardArgs, ConvPoolForwardArgs, FloatArray, PoolGeom } from '../types.js';
import { limits, runTask, runtimeIf, tasksFor } from './binding.js';
import type { Runtime } from './runtime.js';

/**
 * Whether the direct kernels compute this block: one group, stride 1, no dilation, at most
 * 4 input channels (more make the reduction deep enough for im2col + gemm to pay), kernels
 * up to 5×5, non-negative padding on every side, and a 2×2, stride-2, unpadded pool of the
 * whole convolution output (floor(out / 2) pooled rows and columns).
 */
function fits(g: ConvGeom, pool: PoolGeom): boolean {
  return (
    limits.directConv &&
    g.groups === 1 &&
    g.cIn <= 4 &&
    g.strideH === 1 &&
    g.strideW === 1 &&
    g.dilationH === 1 &&
    g.dilationW === 1 &&
    g.kh <= 5 &&
    g.kw <= 5 &&
    g.padTop >= 0 &&
    g.padLeft >= 0 &&
    // Bottom and right padding, implied by the output size.
    g.outH + g.kh - 1 >= g.h + g.padTop &&
    g.outW + g.kw - 1 >= g.w + g.padLeft &&
    pool.kh === 2 &&
    pool.kw === 2 &&
    pool.strideH === 2 &&
    pool.strideW === 2 &&
    pool.padTop === 0 &&
    pool.padLeft === 0 &&
    pool.n === g.n &&
    pool.c === g.cOut &&
    pool.h === g.outH &&
    pool.w === g.outW &&
    pool.outH === g.outH >> 1 &&
    pool.outW === g.outW >> 1 &&
    pool.outH > 0 &&
    pool.outW > 0
  );
}

/** The runtime, reset, when the block fits and the wasm conditions of conv.ts hold (float32, enough work). */
function directRuntime(g: ConvGeom, pool: PoolGeom, ...arrays: Array<FloatArray | null | undefined>): Runtime | null {
  const work = g.n * g.cOut * g.outH * g.outW * g.cIn * g.kh * g.kw;
  return runtimeIf(fits(g, pool) && g.n > 0 && work >= limits.minGemmWork, ...arrays);
}

/** The geometry words at args+20 and the scratch (address, bytes per thread) that follow them. */
function words(rt: Runtime, g: ConvGeom): number[] {
  const bytes = (rt.exports.convDirectScratchBytes as (...a: number[]) => number)(g.cIn, g.kh, g.kw, g.outH, g.outW);
  const s = rt.alloc(bytes * rt.threadCount);
  return [g.n, g.cIn, g.h, g.w, g.cOut, g.kh, g.kw, g.padTop, g.padLeft, g.outH, g.outW, s, bytes];
}

/** maxPool2×2(relu(conv(x, w) + bias)) and its argmax by the direct kernel; false when the block is not one for it. */
export function directConvPoolForward({ x, w, bias, y, argmax, g, pool }: ConvPoolForwardArgs): boolean {
  const rt = directRuntime(g, pool, x, w, bias, y);
  if (!rt) return false;
  const xp = rt.copyIn(x as Float32Array);
  const wp = rt.copyIn(w as Float32Array);
  const bp = bias ? rt.copyIn(bias as Float32Array) : 0;
  const yp = rt.alloc(y.length * 4);
  const ap = rt.outputAddress(argmax);
  runTask(rt, 'convDirectForwardTask', [xp, wp, bp, yp, ap, ...words(rt, g)], tasksFor(rt, g.n));
  rt.copyOut(yp, y as Float32Array);
  rt.copyOut(ap, argmax);
  return true;
}

/**
 * The block's weight and bias gradients from the pooled gradient and argmax, each pooled
 * output's gradient times the input patch under its winner. An input gradient is left to
 * conv.ts's path (false): a first layer never asks for one, and a deeper block has too
 * many input channels for these kernels.
 */
export function directConvPoolBackward({ x, w, dy, argmax, g, pool, dx, dw, dbias }: ConvPoolBackwardArgs): boolean {
  if (dx) return false;
  const rt = directRuntime(g, pool, x, w, dy, dw, dbias);
  if (!rt) return false;
  if (!dw && !dbias) return true;
  const tasks = tasksFor(rt, g.n);
  const k = g.cOut * g.cIn * g.kh * g.kw;
  // One float64 partial per task: k weight-gradient sums, then cOut bias-gradient sums.
  const partBytes = Math.ceil(((k + g.cOut) * 8) / 64) * 64;
  const xp = rt.copyIn(x as Float32Array);
  const dyp = rt.copyIn(dy as Float32Array);
  const ap = rt.copyIn(argmax);
  const parts = rt.alloc(partBytes * tasks);
  rt.f32.fill(0, parts >> 2, (parts + partBytes * tasks) >> 2);
  runTask(rt, 'convDirectBackwardTask', [xp, dyp, ap, parts, partBytes, ...words(rt, g)], tasks);
  // Summed in task order, rounded to float32 once: the same gradient on every run.
  const t0 = performance.now();
  const sums = new Float64Array(rt.f32.buffer, parts, (partBytes / 8) * tasks);
  const stride = partBytes / 8;
  const total = (i: number): number => {
    let s = 0;
    for (let t = 0; t < tasks; t++) s += sums[t * stride + i];
    return s;
  };
  if (dw) for (let i = 0; i < k; i++) dw[i] = total(i);
  if (dbias) for (let c = 0; c < g.cOut; c++) dbias[c] = total(k + c);
  rt.copyMs += performance.now() - t0;
  rt.copyBytes += (dw ? k * 4 : 0) + (dbias ? g.cOut * 4 : 0);
  return true;
}
