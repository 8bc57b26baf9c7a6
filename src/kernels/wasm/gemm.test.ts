import { test } from 'node:test';
import { assertClose } from '../../../test/util.js';
import { refKernels } from '../ref/index.js';
import type { GemmArgs } from '../types.js';
import assert from 'node:assert/strict';
import { getRuntime, runTask } from './binding.js';
import { getNumThreads, load, setNumThreads, simdPeak, wasmStats } from './index.js';
import { dotTol, rand, randInt, withThreads } from './test-helpers.js';

const wasm = load();
if (!wasm) throw new Error('gemm.test: the wasm backend did not load (run npm run build:wasm)');

interface Case {
  batch?: number;
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  shareA?: boolean;
  shareB?: boolean;
  accumulate?: boolean;
}

/** Runs one product on wasm and on ref from the same inputs and compares. */
function check(c: Case, threads: number): void {
  const batch = c.batch ?? 1;
  const strideA = c.shareA ? 0 : c.m * c.k;
  const strideB = c.shareB ? 0 : c.k * c.n;
  const a = rand(c.shareA ? c.m * c.k : batch * c.m * c.k);
  const b = rand(c.shareB ? c.k * c.n : batch * c.k * c.n);
  const init = rand(batch * c.m * c.n);
  const args = (out: Float32Array): GemmArgs => ({
    a,
    b,
    out,
    batch,
    m: c.m,
    n: c.n,
    k: c.k,
    transA: !!c.transA,
    transB: !!c.transB,
    strideA,
    strideB,
    accumulate: c.accumulate,
  });
  const got = init.slice();
  const want = init.slice();
  wasm!.gemm(args(got));
  refKernels.gemm(args(want));
  assertClose(got, want, { ...dotTol(c.k), what: `gemm ${JSON.stringify(c)} threads=${threads}` });
}

const edge: Case[] = [
  { m: 1, n: 1, k: 1 },
  { m: 1, n: 1, k: 37 },
  { m: 5, n: 7, k: 1 },
  { m: 3, n: 9, k: 0 },
  { m: 1, n: 300, k: 20 },
  { m: 300, n: 1, k: 20 },
  { m: 4, n: 8, k: 256 },
  { m: 5, n: 9, k: 257 },
  { m: 129, n: 1030, k: 300 },
  { m: 200, n: 33, k: 513, transA: true },
  { m: 31, n: 47, k: 65, transB: true },
  { m: 67, n: 45, k: 23, transA: true, transB: true },
  { m: 13, n: 17, k: 19, accumulate: true },
  { m: 13, n: 17, k: 19, transA: true, transB: true, accumulate: true },
  { batch: 3, m: 7, n: 11, k: 5 },
  { batch: 5, m: 9, n: 6, k: 10, shareA: true },
  { batch: 5, m: 9, n: 6, k: 10, shareB: true, transB: true },
  { batch: 9, m: 33, n: 20, k: 17, transA: true, accumulate: true },
  { batch: 2, m: 140, n: 260, k: 70, shareA: true },
];

test('wasm gemm matches ref on edge cases (1 and 2 threads)', () => {
  withThreads((t) => {
    for (const c of edge) check(c, t);
  });
});

test('wasm gemm matches ref on random shapes and layouts', () => {
  withThreads((t) => {
    for (let i = 0; i < 25; i++) {
      check(
        {
          batch: randInt(1, 4),
          m: randInt(1, 90),
          n: randInt(1, 90),
          k: randInt(1, 300),
          transA: randInt(0, 2) === 1,
          transB: randInt(0, 2) === 1,
          shareA: randInt(0, 4) === 0,
          shareB: randInt(0, 4) === 0,
          accumulate: randInt(0, 3) === 0,
        },
        t,
      );
    }
  });
});

test('wasm gemm hands float64 to ref', () => {
  const a = new Float64Array([1, 2, 3, 4]);
  const b = new Float64Array([5, 6, 7, 8]);
  const out = new Float64Array(4);
  wasm.gemm({ a, b, out, batch: 1, m: 2, n: 2, k: 2, transA: false, transB: false, strideA: 0, strideB: 0 });
  assertClose(out, [19, 22, 43, 50], { what: 'float64 gemm' });
});

test('worker threads take tasks and give the same result', () => {
  const rt = getRuntime()!;
  const before = getNumThreads();
  setNumThreads(2);
  const n = 256;
  const a = rand(n * n);
  const b = rand(n * n);
  const want = new Float32Array(n * n);
  refKernels.gemm({ a, b, out: want, batch: 1, m: n, n, k: n, transA: false, transB: false, strideA: 0, strideB: 0 });
  const start = rt.workerTasks;
  // A worker that has just started may miss the first jobs; the calling thread then runs them.
  for (let i = 0; i < 200 && rt.workerTasks === start; i++) {
    const got = new Float32Array(n * n);
    wasm!.gemm({ a, b, out: got, batch: 1, m: n, n, k: n, transA: false, transB: false, strideA: 0, strideB: 0 });
    assertClose(got, want, { ...dotTol(n), what: 'two-thread gemm' });
  }
  assert.ok(rt.workerTasks > start, 'no task ran on a worker thread');
  setNumThreads(before);
});

test('a kernel that traps throws, and the pool keeps working', () => {
  const rt = getRuntime()!;
  setNumThreads(2);
  rt.reset();
  // Pointers far beyond the heap: every task traps, on whichever thread runs it.
  const bad = 0x7ff00000;
  const words = [bad, bad, bad, 1, 64, 64, 64, 0, 0, 0, 0, 0, bad, 0, 1];
  for (let i = 0; i < 5; i++) assert.throws(() => runTask(rt, 'gemmTask', words, 2));
  check({ m: 40, n: 70, k: 30 }, 2);
});

test('simdPeak: the multiply-add ceiling on 1 and all threads, the thread count left as it was', () => {
  const before = getNumThreads();
  const one = simdPeak(1);
  const workerTasks = wasmStats().workerTasks;
  const all = simdPeak(before);
  assert.equal(getNumThreads(), before);
  // A 4-lane multiply-add per cycle at 1 GHz is 8 GFLOP/s; any SIMD engine exceeds 2.
  assert.ok(one > 2 && all > 2, `${one} GFLOP/s on one thread, ${all} on ${before}`);
  // Timing on a shared machine proves nothing about threads; the worker's task count does.
  if (before > 1) assert.ok(wasmStats().workerTasks > workerTasks, 'the kernel threads took part');
});
