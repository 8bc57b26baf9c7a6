import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { assertClose } from '../../../test/util.js';
import { refKernels } from '../ref/index.js';
import type { AdamArgs } from '../types.js';
import { getRuntime } from './binding.js';
import { load } from './index.js';
import { rand, withThreads } from './test-helpers.js';

const wasm = load();
if (!wasm) throw new Error('optim.test: the wasm backend did not load (run npm run build:wasm)');

test('wasm adam matches ref over several steps, with moments in the heap and in plain arrays, 1 and 2 threads', () => {
  withThreads((t) => {
    for (const n of [1, 7, 4099, 70001]) {
      for (const inHeap of [true, false]) {
        const what = `adam n=${n} moments ${inHeap ? 'in the heap' : 'in JS'} threads=${t}`;
        const p1 = rand(n);
        const p2 = p1.slice();
        const [m1, v1] = inHeap ? [wasm!.stateBuffer(n), wasm!.stateBuffer(n)] : [new Float32Array(n), new Float32Array(n)];
        if (inHeap) assert.notEqual(getRuntime()!.heapAddress(m1), undefined, `${what}: stateBuffer must give a heap array`);
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

test('stateBuffer gives zeroed heap arrays that survive the heap growing, and reuses a collected one', async () => {
  const rt = getRuntime()!;
  const a = wasm!.stateBuffer(1000);
  assert.ok(a.every((x) => x === 0));
  a.fill(3);
  // A kernel call that needs a larger heap than any before grows the memory.
  const big = rand(1 << 23);
  wasm!.unary('neg', { data: big, offset: 0, shape: [big.length], strides: [1] }, new Float32Array(big.length));
  assert.equal(a[999], 3, 'the view must stay valid after the memory grows');
  assert.notEqual(rt.heapAddress(a), undefined);
  const b = wasm!.stateBuffer(1000);
  assert.notEqual(rt.heapAddress(b), rt.heapAddress(a), 'a live block is not handed out twice');
  assert.ok(b.every((x) => x === 0));
  // A block whose array has been collected is handed out again (after the finalizer ran).
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const dropped = ((): number => rt.heapAddress(wasm!.stateBuffer(777))!)();
  let again: Float32Array | null = null;
  for (let i = 0; i < 20 && !again; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
    const c = wasm!.stateBuffer(777);
    if (rt.heapAddress(c) === dropped) again = c;
  }
  assert.ok(again, 'the collected block was not reused');
  assert.ok(again.every((x) => x === 0), 'a reused block is zeroed');
});
