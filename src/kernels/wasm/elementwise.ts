import { BINARY_OPS, UNARY_OPS, binaryEntry, hasWasmKernel, unaryEntry } from '../elementwise-table.js';
import { refKernels } from '../ref/index.js';
import type { BinaryOp, ReduceOp, TypedArray, UnaryOp, View } from '../types.js';
import { getRuntime, limits, runTask } from './binding.js';
import type { Runtime } from './runtime.js';

// An op's code is its position in the table (tools/build-wasm.mjs gives assembly the same codes);
// -1 marks the ops the table keeps on ref.
const UNARY_CODE = new Map<UnaryOp, number>(UNARY_OPS.map((op, i) => [op, hasWasmKernel(unaryEntry(op)) ? i : -1]));
const BINARY_CODE = new Map<BinaryOp, number>(BINARY_OPS.map((op, i) => [op, hasWasmKernel(binaryEntry(op)) ? i : -1]));
const REDUCE_CODES: Record<ReduceOp, number> = { sum: 0, max: 1, min: 2 };

function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * Tasks of at least ~16K elements; up to four per thread, so that when a thread is slow
 * to run (a busy machine) the others take over its share instead of waiting for it.
 */
function tasksFor(rt: Runtime, n: number): number {
  if (rt.threadCount === 1) return 1;
  return Math.max(1, Math.min(4 * rt.threadCount, Math.floor(n / 16384)));
}

/** Start and length of the elements a view reads when it is dense (row-major, no gaps), else null. */
function denseRange(v: View): [number, number] | null {
  let expect = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== expect) return null;
    expect *= v.shape[i];
  }
  return [v.offset, expect];
}

const f32bits = new Float32Array(1);
const i32bits = new Int32Array(f32bits.buffer);

/** The int32 word holding the float32 bits of v (the kernels' parameters are words). */
function bitsOf(v: number): number {
  f32bits[0] = v;
  return i32bits[0];
}

/** out = op(x) for dense float32 x; ref-only ops, strided views and small sizes go to ref. */
export function unary(op: UnaryOp, x: View, out: TypedArray, params: readonly number[] = []): void {
  const rt = getRuntime();
  const code = UNARY_CODE.get(op) ?? -1;
  const range = denseRange(x);
  if (!rt || code < 0 || !(x.data instanceof Float32Array) || !(out instanceof Float32Array) || !range || range[1] < limits.minElements) {
    refKernels.unary(op, x, out, params);
    return;
  }
  const [off, n] = range;
  rt.reset();
  const xp = rt.copyIn(x.data.subarray(off, off + n));
  const op2 = rt.alloc(n * 4);
  runTask(rt, 'unaryTask', [code, xp, op2, n, bitsOf(params[0] ?? 0), bitsOf(params[1] ?? 0)], tasksFor(rt, n));
  rt.copyOut(op2, out, n);
}

/**
 * Collapses the two operand views of one shape to at most three axes on which each
 * operand is either broadcast (stride 0) or compact, merging neighbours that agree.
 * Returns dims, per-operand element strides into the compact copy, and each copy's
 * [offset, length]; null when a pattern needs more axes or an operand has gaps.
 */
function broadcastPlan(a: View, b: View): { dims: number[]; st: number[][]; src: [number, number][] } | null {
  const views = [a, b];
  const src: [number, number][] = [];
  // Per operand: which axes it really has, checked to be laid out densely.
  const real: boolean[][] = [];
  for (const v of views) {
    let expect = 1;
    const r: boolean[] = [];
    for (let i = v.shape.length - 1; i >= 0; i--) {
      const has = v.shape[i] !== 1 && v.strides[i] !== 0;
      if (has && v.strides[i] !== expect) return null;
      if (has) expect *= v.shape[i];
      r[i] = has;
    }
    real.push(r);
    src.push([v.offset, expect]);
  }
  const dims: number[] = [];
  const flags: boolean[][] = [[], []];
  for (let i = 0; i < a.shape.length; i++) {
    if (a.shape[i] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && flags[0][last] === real[0][i] && flags[1][last] === real[1][i]) {
      dims[last] *= a.shape[i];
      continue;
    }
    dims.push(a.shape[i]);
    flags[0].push(real[0][i]);
    flags[1].push(real[1][i]);
  }
  while (dims.length < 3) {
    dims.unshift(1);
    flags[0].unshift(false);
    flags[1].unshift(false);
  }
  if (dims.length > 3) return null;
  const st = flags.map((f) => {
    const s = [0, 0, 0];
    let e = 1;
    for (let i = 2; i >= 0; i--)
      if (f[i]) {
        s[i] = e;
        e *= dims[i];
      }
    return s;
  });
  // The innermost stride must be 0 or 1 for the SIMD rows.
  if (st[0][2] > 1 || st[1][2] > 1) return null;
  return { dims, st, src };
}

/** out = op(a, b) for float32 with the common broadcasts (scalar, row, column, channel). */
export function binary(op: BinaryOp, a: View, b: View, out: TypedArray): void {
  const rt = getRuntime();
  const code = BINARY_CODE.get(op) ?? -1;
  const n = size(a.shape);
  const plan =
    rt &&
    code >= 0 &&
    a.data instanceof Float32Array &&
    b.data instanceof Float32Array &&
    out instanceof Float32Array &&
    n >= limits.minElements
      ? broadcastPlan(a, b)
      : null;
  if (!rt || !plan) {
    refKernels.binary(op, a, b, out);
    return;
  }
  rt.reset();
  const [ao, al] = plan.src[0];
  const [bo, bl] = plan.src[1];
  const ap = rt.copyIn((a.data as Float32Array).subarray(ao, ao + al));
  const bp = rt.copyIn((b.data as Float32Array).subarray(bo, bo + bl));
  const op2 = rt.alloc(n * 4);
  runTask(rt, 'binaryTask', [code, ap, bp, op2, ...plan.dims, ...plan.st[0], ...plan.st[1]], tasksFor(rt, n));
  rt.copyOut(op2, out as Float32Array, n);
}

/** Sum/max/min over the middle axis of dense float32 [outer, red, inner]. */
export function reduce(op: ReduceOp, x: TypedArray, outer: number, red: number, inner: number, out: TypedArray): void {
  const rt = getRuntime();
  const n = outer * red * inner;
  if (!rt || !(x instanceof Float32Array) || !(out instanceof Float32Array) || n < limits.minElements || red === 0) {
    refKernels.reduce(op, x, outer, red, inner, out);
    return;
  }
  rt.reset();
  const xp = rt.copyIn(x, n);
  const op2 = rt.alloc(outer * inner * 4);
  // Split the outer axis when it has enough rows, else the columns; f64 sums need scratch.
  const threads = Math.min(rt.threadCount, Math.max(1, Math.floor(n / 16384)));
  const mode = outer >= threads || inner < 4 * threads ? 0 : 1;
  const tasks = mode === 0 ? Math.min(outer, threads) : threads;
  const accBytes = Math.ceil((inner * 8) / 64) * 64;
  const acc = rt.alloc(accBytes * rt.threadCount);
  runTask(rt, 'reduceTask', [REDUCE_CODES[op], xp, op2, outer, red, inner, mode, acc, accBytes], tasks);
  rt.copyOut(op2, out, outer * inner);
}

/**
 * The (batched) transpose [B, C, R] -> [B, R, C] of a dense block, with shape and strides
 * after dropping unit axes and merging contiguous ones; null for any other copy.
 */
function transposePlan(src: View, dst: View): { nb: number; r: number; c: number; off: number } | null {
  if (denseRange(dst) === null) return null;
  const dims: number[] = [];
  const st: number[] = [];
  for (let i = 0; i < src.shape.length; i++) {
    if (src.shape[i] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && st[last] === src.strides[i] * src.shape[i]) {
      dims[last] *= src.shape[i];
      st[last] = src.strides[i];
      continue;
    }
    dims.push(src.shape[i]);
    st.push(src.strides[i]);
  }
  if (dims.length === 3 && st[0] !== dims[1] * dims[2]) return null;
  if (dims.length === 2) {
    dims.unshift(1);
    st.unshift(dims[1] * dims[2]);
  }
  if (dims.length !== 3) return null;
  const [nb, r, c] = dims;
  return st[1] === 1 && st[2] === r ? { nb, r, c, off: src.offset } : null;
}

/** Copies a view; the transposes that contiguous() makes run in wasm, the rest in ref. */
export function copy(src: View, dst: View): void {
  const rt = getRuntime();
  const n = size(src.shape);
  const plan =
    rt && src.data instanceof Float32Array && dst.data instanceof Float32Array && n >= limits.minElements ? transposePlan(src, dst) : null;
  if (!rt || !plan) {
    refKernels.copy(src, dst);
    return;
  }
  rt.reset();
  const sp = rt.copyIn((src.data as Float32Array).subarray(plan.off, plan.off + n));
  const dp = rt.alloc(n * 4);
  const tasks = rt.threadCount === 1 ? 1 : Math.max(1, Math.min(4 * rt.threadCount, Math.floor(n / 16384)));
  runTask(rt, 'transposeTask', [sp, dp, plan.nb, plan.r, plan.c], tasks);
  rt.copyOut(dp, (dst.data as Float32Array).subarray(dst.offset, dst.offset + n));
}
