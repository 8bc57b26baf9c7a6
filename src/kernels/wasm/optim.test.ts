import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { assertClose } from '../../../test/util.js';
import { refKernels } from '../ref/index.js';
import type { AdamArgs } from '../types.js';
import { getRuntime } from './binding.js';
import { load, resetWasmStats, wasmStats } from './index.js';
import { rand, withThreads } from './test-helpers.js';

const wasm = load();
if (!wasm) throw new Error('optim.test: the wasm backend did not load (run npm run build:wasm)');

test('wasm adam matches ref over several steps, with parameter and moments in the heap and in plain arrays, 1 and 2 threads', () => {
  withThreads((t) => {
    for (const n of [1, 7, 4099, 70001]) {
      for (const inHeap of [true, false]) {
        const what = `adam n=${n} moments ${inHeap ? 'in the heap' : 'in JS'} threads=${t}`;
        const p2 = rand(n);
        // In the heap, the parameter too: the kernel updates all three in place.
        const p1 = inHeap ? wasm!.persistentBuffer(n) : p2.slice();
        p1.set(p2);
        const [m1, v1] = inHeap ? [wasm!.persistentBuffer(n), wasm!.persistentBuffer(n)] : [new Float32Array(n), new Float32Array(n)];
        if (inHeap) assert.notEqual(getRuntime()!.addressOf(m1), undefined, `${what}: persistentBuffer must give a heap array`);
        const [m2, v2] = [new Float32Array(n), new Float32Array(n)];
        for (let step = 1; step <= 4; step++) {
          const g = rand(n);
          const h = { b1: 0.9, b2: 0.999, stepSize: 1e-2 / (1 - 0.9 ** step), invBc2: 1 / Math.sqrt(1 - 0.999 ** step), eps: 1e-8 };
          const args = (p: Float32Array, m: Float32Array, v: Float32Array): AdamArgs => ({ p, g, m, v, ...h });
          wasm!.adam(args(p1, m1, v1));
          refKernels.adam(args(p2, m2, v2));
          // float32 arithmetic against float64 with float32 moments: a few ulps of each result.
          assertClose(m1, m2, { atol: 1e-7, rtol: 1e-6, what: `${what} m, step ${step}` });
          assertClose(v1, v2, { atol: 1e-9, rtol: 1e-6, what: `${what} v, step ${step}` });
          assertClose(p1, p2, { atol: 1e-6, rtol: 1e-6, what: `${what} p, step ${step}` });
        }
      }
    }
  });
});

test('persistentBuffer gives zeroed heap arrays that survive the heap growing, and reuses a collected one', async () => {
  const rt = getRuntime()!;
  const a = wasm!.persistentBuffer(1000);
  assert.ok(a.every((x) => x === 0));
  a.fill(3);
  // A kernel call that needs a larger heap than any before grows the memory.
  const big = rand(1 << 23);
  wasm!.unary('neg', { data: big, offset: 0, shape: [big.length], strides: [1] }, new Float32Array(big.length));
  assert.equal(a[999], 3, 'the view must stay valid after the memory grows');
  assert.notEqual(rt.addressOf(a), undefined);
  const b = wasm!.persistentBuffer(1000);
  assert.notEqual(rt.addressOf(b), rt.addressOf(a), 'a live block is not handed out twice');
  assert.ok(b.every((x) => x === 0));
  // A block whose array has been collected is handed out again (after the finalizer ran).
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const dropped = ((): number => rt.addressOf(wasm!.persistentBuffer(777))!)();
  let again: Float32Array | null = null;
  for (let i = 0; i < 20 && !again; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
    const c = wasm!.persistentBuffer(777);
    if (rt.addressOf(c) === dropped) again = c;
  }
  assert.ok(again, 'the collected block was not reused');
  assert.ok(
    again.every((x) => x === 0),
    'a reused block is zeroed',
  );
});

test('kernels read heap-resident arrays (and views of them) in place: gemm copies only what is not in the heap', () => {
  withThreads((t) => {
    const [m, k, n] = [37, 50, 29];
    const a = wasm!.persistentBuffer(m * k + 3);
    a.set(rand(a.length));
    // A view that starts 3 floats in: its address is the block's plus 12 bytes.
    const av = a.subarray(3);
    assert.equal(getRuntime()!.addressOf(av), getRuntime()!.addressOf(a)! + 12);
    const before = a.slice();
    const b = rand(k * n);
    const args = (out: Float32Array) => ({ a: av, b, out, batch: 1, m, n, k, transA: false, transB: false, strideA: 0, strideB: 0 });
    const got = new Float32Array(m * n);
    const want = new Float32Array(m * n);
    resetWasmStats();
    wasm!.gemm(args(got));
    const copied = wasmStats().copyBytes;
    refKernels.gemm(args(want));
    assertClose(got, want, { atol: 1e-5, rtol: 1e-5, what: `gemm with A in the heap, threads=${t}` });
    // B in and C out; A was read where it lies.
    assert.equal(copied, (k * n + m * n) * 4, 'bytes copied');
    assert.deepEqual(a, before, 'the kernel must not write into A');
  });
});
