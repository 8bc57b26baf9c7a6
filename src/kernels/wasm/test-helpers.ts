// Shared by the wasm kernel tests: random float32 data, both thread counts, tolerances.
// A private generator keeps the tests independent of the global seed.
import { Rng } from '../../util/rng.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ConvGeom, PoolGeom } from '../types.js';
import type { Runtime } from './runtime.js';
import { getNumThreads, resetWasmStats, setNumThreads, wasmStats, withWasmLimits } from './index.js';

let rng = new Rng(1234);

/** Uniform values in [-1, 1). */
export function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = 2 * rng.random() - 1;
  return a;
}

export function randInt(lo: number, hi: number): number {
  return rng.int(lo, hi);
}

/**
 * Runs fn with 1 and then 2 threads, with the size cut-offs at 0 so that even 1×1
 * problems take the wasm path, and checks that fn did move data through the wasm heap
 * (so a silent fallback to ref cannot pass for a wasm result); restores the defaults.
 */
export function withThreads(fn: (threads: number) => void): void {
  const threads = getNumThreads();
  try {
    withWasmLimits({ minGemmWork: 0, minElements: 0 }, () => {
      for (const t of [1, 2]) {
        rng = new Rng(1234 + t);
        setNumThreads(t);
        assert.equal(getNumThreads(), t, 'setNumThreads did not start the threads');
        resetWasmStats();
        fn(t);
        assert.ok(wasmStats().copyBytes > 0, 'the test never reached the wasm kernels');
      }
    });
  } finally {
    setNumThreads(threads);
  }
}

/**
 * Tolerance of a K-term float32 dot product against the ref kernel: both round each
 * partial sum to float32 (unit roundoff u = 2^-24 ≈ 6e-8) but in different orders, so
 * they may differ by up to about 2·K·u·Σ|aᵢbᵢ|. With inputs in [-1, 1], Σ|aᵢbᵢ| ≤ K but
 * is typically K/4 and rounding errors partly cancel; atol = 1e-6·K (≈ 16·K·u) covers
 * that with room, rtol 1e-5 covers the final rounding of large results.
 */
export function dotTol(k: number): { atol: number; rtol: number } {
  return { atol: 1e-6 * Math.max(1, k), rtol: 1e-5 };
}

/** A convolution's shape for a test: ConvGeom's defaults (stride 1, no padding, dilation 1, one group) filled in by geom, with bottom and right padding of their own when they differ. */
export type ConvCase = Partial<ConvGeom> & {
  n: number;
  cIn: number;
  h: number;
  w: number;
  cOut: number;
  kh: number;
  kw: number;
  padBottom?: number;
  padRight?: number;
};

/** The full geometry of a case, its output size worked out as PyTorch does. */
export function geom(c: ConvCase): ConvGeom {
  const g = { strideH: 1, strideW: 1, padTop: 0, padLeft: 0, dilationH: 1, dilationW: 1, groups: 1, ...c };
  const outH = Math.floor((g.h + g.padTop + (c.padBottom ?? g.padTop) - g.dilationH * (g.kh - 1) - 1) / g.strideH) + 1;
  const outW = Math.floor((g.w + g.padLeft + (c.padRight ?? g.padLeft) - g.dilationW * (g.kw - 1) - 1) / g.strideW) + 1;
  return {
    n: g.n,
    cIn: g.cIn,
    h: g.h,
    w: g.w,
    cOut: g.cOut,
    kh: g.kh,
    kw: g.kw,
    strideH: g.strideH,
    strideW: g.strideW,
    padTop: g.padTop,
    padLeft: g.padLeft,
    dilationH: g.dilationH,
    dilationW: g.dilationW,
    groups: g.groups,
    outH,
    outW,
  };
}

/** A pool's geometry over [n, c, h, w] with a square stride and symmetric padding. */
export function poolGeom(n: number, c: number, h: number, w: number, kh: number, kw: number, s: number, pad: number): PoolGeom {
  const outH = Math.floor((h + 2 * pad - kh) / s) + 1;
  const outW = Math.floor((w + 2 * pad - kw) / s) + 1;
  return { n, c, h, w, kh, kw, strideH: s, strideW: s, padTop: pad, padLeft: pad, outH, outW };
}

/** One build of the kernels, instantiated on a memory of its own. */
export interface BuildInstance {
  file: string;
  ex: Record<string, (...a: number[]) => number>;
  memory: WebAssembly.Memory;
}

/**
 * The portable build (kernels.wasm: plain SIMD, no fused multiply-add, no relaxed lane select)
 * and the single-thread one (kernels-single.wasm, unshared memory). The runtime loads
 * kernels-fma.wasm here, so a test runs their tasks directly, in turn, to check them against ref.
 */
export function otherBuilds(): BuildInstance[] {
  const buildDir = fileURLToPath(new URL('../../../../build/', import.meta.url));
  return (
    [
      ['kernels.wasm', true],
      ['kernels-single.wasm', false],
    ] as const
  ).map(([file, shared]) => {
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 32768, shared });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(buildDir + file)), { env: { memory } });
    return { file, ex: inst.exports as BuildInstance['ex'], memory };
  });
}

/** A bump allocator over a build's heap, from its start: alloc reserves bytes, put copies an array in. */
export function arena({ ex, memory }: BuildInstance): { alloc(bytes: number): number; put(a: Float32Array | Int32Array): number } {
  let top = (ex.heapBase() + 1023) & ~63;
  const alloc = (bytes: number): number => {
    const p = top;
    top = (top + bytes + 63) & ~63;
    if (top > memory.buffer.byteLength) memory.grow(Math.ceil((top - memory.buffer.byteLength) / 65536));
    return p;
  };
  const put = (a: Float32Array | Int32Array): number => {
    const p = alloc(a.length * 4);
    new (a instanceof Int32Array ? Int32Array : Float32Array)(memory.buffer, p, a.length).set(a);
    return p;
  };
  return { alloc, put };
}

/**
 * Runs fn with the runtime's copies reported: copiedIn(src) for each array copied into the heap
 * (one outside it), copiedOut(dst) for each copied out of it (a kernel's output not written in
 * place); the runtime's own methods are back afterwards.
 */
export function watchCopies(
  rt: Runtime,
  on: { copiedIn?: (src: Float32Array | Int32Array) => void; copiedOut?: (dst: Float32Array | Int32Array) => void },
  fn: () => void,
): void {
  const { copyIn, copyOut } = rt;
  rt.copyIn = function (src, n) {
    if (rt.addressOf(src) === undefined) on.copiedIn?.(src);
    return copyIn.call(rt, src, n);
  };
  rt.copyOut = function (p, dst, n) {
    if (rt.addressOf(dst) !== p) on.copiedOut?.(dst);
    copyOut.call(rt, p, dst, n);
  };
  try {
    fn();
  } finally {
    rt.copyIn = copyIn;
    rt.copyOut = copyOut;
  }
}
