import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refKernels } from '../ref/index.js';
import type { ConvGeom, ConvPoolBackwardArgs, ConvPoolForwardArgs, PoolGeom } from '../types.js';
import { directConvPoolBackward, directConvPoolForward } from './conv-direct.js';
import { load, setNumThreads, getNumThreads, withWasmLimits } from './index.js';
import { arena, type ConvCase, dotTol, geom, otherBuilds, poolGeom, rand, randInt, withThreads } from './test-helpers.js';

const wasm = load();
if (!wasm) throw new Error('conv-direct.test: the wasm backend did not load (run npm run build:wasm)');

/** A conv block's geometry and its k×k, stride-k pool (2 for the direct kernels). */
function block(c: ConvCase, k = 2): { g: ConvGeom; pool: PoolGeom } {
  const g = geom(c);
  return { g, pool: poolGeom(g.n, g.cOut, g.outH, g.outW, k, k, k, 0) };
}

/**
 * Inputs with exact ties and cut windows: the top third of every image is 0, so the conv
 * output there is the bias alone, equal across each window (positive bias: the first element
 * must win, as in ref) or cut by the ReLU (negative bias: argmax -1); the rest is random.
 */
function inputs(g: ConvGeom): { x: Float32Array; w: Float32Array; bias: Float32Array } {
  const x = rand(g.n * g.cIn * g.h * g.w);
  const rows = Math.ceil(g.h / 3);
  for (let p = 0; p < g.n * g.cIn; p++) x.fill(0, p * g.h * g.w, (p * g.h + rows) * g.w);
  const w = rand(g.cOut * g.cIn * g.kh * g.kw);
  const bias = rand(g.cOut).map((v, c) => (c % 2 ? -0.2 - Math.abs(v) : 0.1 + Math.abs(v) / 2));
  return { x, w, bias };
}

/**
 * The forward pass against ref: values within float32 rounding; argmax -1 exactly where the
 * pooled value is 0; otherwise a winner inside its window whose (ref) conv value is the
 * window's maximum within rounding, and ref's own winner wherever the window holds an exact tie.
 */
function checkForward(p: ConvPoolForwardArgs, what: string): Int32Array {
  const { g, pool, y, argmax } = p;
  const want = { y: new Float32Array(y.length), argmax: new Int32Array(y.length) };
  refKernels.conv2dReluMaxPoolForward({ ...p, ...want });
  const k = g.cIn * g.kh * g.kw;
  const tol = dotTol(k);
  assertCloseArr(y, want.y, tol, `${what} forward`);
  const conv = new Float32Array(g.n * g.cOut * g.outH * g.outW);
  refKernels.conv2dForward(p.x, p.w, p.bias, conv, { ...g, relu: true });
  const hw = g.outH * g.outW;
  const phw = pool.outH * pool.outW;
  let cut = 0;
  for (let o = 0; o < y.length; o++) {
    const at = argmax[o];
    const plane = Math.floor(o / phw);
    const i = o % phw;
    const corner = 2 * Math.floor(i / pool.outW) * g.outW + 2 * (i % pool.outW);
    const window = [corner, corner + 1, corner + g.outW, corner + g.outW + 1];
    const vals = window.map((a) => conv[plane * hw + a]);
    assert.equal(at === -1, y[o] === 0, `${what}: argmax -1 exactly where the pooled value is 0 (at ${o})`);
    assert.ok(!Object.is(y[o], -0), `${what}: -0 at ${o}`);
    if (at === -1) {
      cut++;
      assert.ok(want.y[o] <= tol.atol, `${what}: window ${o} cut, but ref's maximum is ${want.y[o]}`);
      continue;
    }
    assert.ok(window.includes(at), `${what}: argmax ${at} outside window ${window} (at ${o})`);
    const best = Math.max(...vals);
    assert.ok(best - conv[plane * hw + at] <= tol.atol + tol.rtol * best, `${what}: argmax ${at} is not a maximum of ${vals} (at ${o})`);
    if (vals.every((v) => v === vals[0])) assert.equal(at, want.argmax[o], `${what}: an exact tie must pick the first (at ${o})`);
  }
  assert.ok(cut > 0 && cut < y.length, `${what}: needs cut windows and passing ones (${cut} of ${y.length} cut)`);
  return want.argmax;
}

function assertCloseArr(got: ArrayLike<number>, want: ArrayLike<number>, tol: { atol: number; rtol: number }, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    const ok = Math.abs(got[i] - want[i]) <= tol.atol + tol.rtol * Math.abs(want[i]);
    if (!ok) assert.fail(`${what}[${i}]: got ${got[i]}, expected ${want[i]}`);
  }
}

/** Every element within rel times the largest magnitude of want. */
function assertRel(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, what: string): void {
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  assertCloseArr(got, want, { atol: rel * scale, rtol: 0 }, what);
}

/** The weight and bias gradients from ref's argmax (so that a near-tie cannot route them apart). */
function checkBackward(p: ConvPoolBackwardArgs, what: string): void {
  // Garbage in the outputs: the kernel must overwrite them.
  const dw = rand(p.w.length);
  const dbias = rand(p.g.cOut);
  assert.ok(directConvPoolBackward({ ...p, dw, dbias }), `${what}: the direct backward kernel did not take the block`);
  const want = { dw: new Float32Array(p.w.length), dbias: new Float32Array(p.g.cOut) };
  refKernels.conv2dReluMaxPoolBackward({ ...p, ...want });
  assertRel(dw, want.dw, 1e-5, `${what} dw`);
  assertRel(dbias, want.dbias, 1e-5, `${what} dbias`);
  // Each gradient alone, as a layer whose bias is frozen (or absent) asks.
  const dwOnly = rand(p.w.length);
  directConvPoolBackward({ ...p, dw: dwOnly });
  assert.deepEqual(dwOnly, dw, `${what}: dw alone differs from dw with dbias`);
  const dbOnly = rand(p.g.cOut);
  directConvPoolBackward({ ...p, dbias: dbOnly });
  assert.deepEqual(dbOnly, dbias, `${what}: dbias alone differs from dbias with dw`);
}

// The fast MNIST CNN's first block (batch smaller than the 8 tasks of two threads); odd conv
// outputs (the pool drops a row and a column) and an odd channel count (the last channel
// alone); 5×5, 3×4 and 2×3 kernels; paddings 0, 1, 2 and asymmetric; pooled rows narrower
// than a 4-wide block and ones that end in a partial block; batches equal to and above 8.
const cases: ConvCase[] = [
  { n: 3, cIn: 1, h: 28, w: 28, cOut: 16, kh: 3, kw: 3, padTop: 1, padLeft: 1 },
  { n: 8, cIn: 1, h: 13, w: 11, cOut: 5, kh: 3, kw: 3 },
  { n: 11, cIn: 2, h: 10, w: 9, cOut: 4, kh: 5, kw: 5, padTop: 2, padLeft: 2 },
  { n: 2, cIn: 3, h: 7, w: 7, cOut: 3, kh: 2, kw: 3, padTop: 1, padLeft: 1 },
  { n: 9, cIn: 1, h: 6, w: 20, cOut: 2, kh: 3, kw: 3, padTop: 2, padLeft: 2 },
  { n: 5, cIn: 4, h: 12, w: 12, cOut: 6, kh: 3, kw: 3, padTop: 1, padLeft: 1 },
  { n: 4, cIn: 2, h: 9, w: 10, cOut: 3, kh: 3, kw: 3, padTop: 1, padLeft: 0, padBottom: 2, padRight: 1 },
  { n: 16, cIn: 1, h: 12, w: 12, cOut: 6, kh: 5, kw: 5 },
  { n: 3, cIn: 1, h: 9, w: 9, cOut: 2, kh: 3, kw: 4, padTop: 1, padLeft: 1 },
  { n: 1, cIn: 2, h: 12, w: 6, cOut: 3, kh: 3, kw: 3 },
];

test('direct conv + ReLU + 2×2 max-pool matches ref, forward and backward (1 and 2 threads)', () => {
  withThreads((t) => {
    for (const c of cases) {
      const { g, pool } = block(c);
      const what = `direct block ${JSON.stringify(c)} threads=${t}`;
      const { x, w, bias } = inputs(g);
      for (const b of [bias, null]) {
        const y = rand(pool.n * pool.c * pool.outH * pool.outW);
        const argmax = new Int32Array(y.length).fill(7);
        const p = { x, w, bias: b, y, argmax, g, pool };
        assert.ok(directConvPoolForward(p), `${what}: the direct forward kernel did not take the block`);
        if (b) {
          const refArgmax = checkForward(p, what);
          checkBackward({ x, w, dy: rand(y.length), argmax: refArgmax, g, pool }, what);
        } else {
          const want = new Float32Array(y.length);
          refKernels.conv2dReluMaxPoolForward({ ...p, y: want, argmax: new Int32Array(y.length) });
          assertCloseArr(y, want, dotTol(g.cIn * g.kh * g.kw), `${what} forward without bias`);
        }
      }
    }
  });
});

test('direct kernels keep NaN: a NaN conv output wins its window and routes its gradient', () => {
  withThreads(() => {
    const { g, pool } = block(cases[0]);
    const { x, w, bias } = inputs(g);
    x[g.h * g.w - 1] = NaN;
    const y = new Float32Array(pool.n * pool.c * pool.outH * pool.outW);
    const argmax = new Int32Array(y.length);
    assert.ok(directConvPoolForward({ x, w, bias, y, argmax, g, pool }));
    const want = { y: new Float32Array(y.length), argmax: new Int32Array(y.length) };
    refKernels.conv2dReluMaxPoolForward({ x, w, bias, g, pool, ...want });
    for (let i = 0; i < y.length; i++) {
      assert.equal(Number.isNaN(y[i]), Number.isNaN(want.y[i]), `NaN at ${i}`);
      if (Number.isNaN(y[i])) assert.equal(argmax[i], want.argmax[i], `the last NaN wins (at ${i})`);
    }
    assert.ok(y.some(Number.isNaN), 'the NaN input gave no NaN output');
  });
});

test('direct kernels are deterministic: two runs on two threads give the same bits', () => {
  const threads = getNumThreads();
  try {
    setNumThreads(2);
    const { g, pool } = block({ ...cases[0], n: 37 });
    const { x, w, bias } = inputs(g);
    const run = (): [Float32Array, Int32Array, Float32Array, Float32Array] => {
      const y = new Float32Array(pool.n * pool.c * pool.outH * pool.outW);
      const argmax = new Int32Array(y.length);
      assert.ok(directConvPoolForward({ x, w, bias, y, argmax, g, pool }));
      const dw = new Float32Array(w.length);
      const dbias = new Float32Array(g.cOut);
      const dy = new Float32Array(y.length).map((_, i) => Math.sin(i));
      assert.ok(directConvPoolBackward({ x, w, dy, argmax, g, pool, dw, dbias }));
      return [y, argmax, dw, dbias];
    };
    const a = run();
    for (let r = 0; r < 3; r++) assert.deepEqual(run(), a, `run ${r + 2} differs from run 1`);
  } finally {
    setNumThreads(threads);
  }
});

test('blocks the direct kernels do not fit fall back to the general path and still match ref', () => {
  withThreads((t) => {
    const misfits: [ConvCase, number, string][] = [
      [{ n: 3, cIn: 8, h: 10, w: 10, cOut: 4, kh: 3, kw: 3, padTop: 1, padLeft: 1 }, 2, '8 input channels'],
      [{ n: 3, cIn: 1, h: 13, w: 13, cOut: 4, kh: 3, kw: 3, strideH: 2 }, 2, 'stride 2'],
      [{ n: 3, cIn: 1, h: 14, w: 14, cOut: 4, kh: 3, kw: 3, padTop: 1, padLeft: 1 }, 3, 'a 3×3 pool'],
      [{ n: 3, cIn: 1, h: 10, w: 10, cOut: 4, kh: 7, kw: 3, padTop: 3, padLeft: 1 }, 2, 'a 7-row kernel'],
    ];
    for (const [c, k, why] of misfits) {
      const { g, pool } = block(c, k);
      if (c.strideH === 2) Object.assign(g, { strideW: 2, outW: Math.floor((c.w - c.kw) / 2) + 1 });
      Object.assign(pool, { w: g.outW, outW: Math.floor((g.outW - k) / k) + 1 });
      const what = `fallback (${why}) threads=${t}`;
      const { x, w, bias } = inputs(g);
      const size = pool.n * pool.c * pool.outH * pool.outW;
      const p = { x, w, bias, y: new Float32Array(size), argmax: new Int32Array(size), g, pool };
      assert.equal(directConvPoolForward(p), false, `${what}: the direct kernel took the block`);
      wasm!.conv2dReluMaxPoolForward(p);
      const want = { y: new Float32Array(size), argmax: new Int32Array(size) };
      refKernels.conv2dReluMaxPoolForward({ ...p, ...want });
      assertCloseArr(p.y, want.y, dotTol(g.cIn * 9), `${what} forward`);
      const dy = rand(size);
      const got = { dw: new Float32Array(w.length), dbias: new Float32Array(g.cOut) };
      wasm!.conv2dReluMaxPoolBackward({ x, w, dy, argmax: want.argmax, g, pool, ...got });
      const ref = { dw: new Float32Array(w.length), dbias: new Float32Array(g.cOut) };
      refKernels.conv2dReluMaxPoolBackward({ x, w, dy, argmax: want.argmax, g, pool, ...ref });
      assertRel(got.dw, ref.dw, 1e-5, `${what} dw`);
      assertRel(got.dbias, ref.dbias, 1e-5, `${what} dbias`);
    }
    // An input gradient is the general path's, even for a block that fits.
    const { g, pool } = block(cases[0]);
    const { x, w, bias } = inputs(g);
    const size = pool.n * pool.c * pool.outH * pool.outW;
    const argmax = new Int32Array(size);
    refKernels.conv2dReluMaxPoolForward({ x, w, bias, y: new Float32Array(size), argmax, g, pool });
    const dy = rand(size);
    const dx = new Float32Array(x.length);
    assert.equal(directConvPoolBackward({ x, w, dy, argmax, g, pool, dx }), false, 'the direct kernel took a block that asks for dx');
    const got = { dx, dw: new Float32Array(w.length), dbias: new Float32Array(g.cOut) };
    wasm!.conv2dReluMaxPoolBackward({ x, w, dy, argmax, g, pool, ...got });
    const want = { dx: new Float32Array(x.length), dw: new Float32Array(w.length), dbias: new Float32Array(g.cOut) };
    refKernels.conv2dReluMaxPoolBackward({ x, w, dy, argmax, g, pool, ...want });
    assertRel(got.dx, want.dx, 1e-5, 'fallback dx');
    assertRel(got.dw, want.dw, 1e-5, 'fallback dx: dw');
    // Switched off (as the benchmark does), the general path gives the same block.
    withWasmLimits({ directConv: false, minGemmWork: 0 }, () => {
      assert.equal(directConvPoolForward({ x, w, bias, y: new Float32Array(size), argmax: new Int32Array(size), g, pool }), false);
    });
  });
});

/** The portable and single-thread builds (otherBuilds), each task run in turn. */
test('the portable and single-thread builds compute the same blocks', () => {
  for (const build of otherBuilds()) {
    const { file, ex, memory } = build;
    for (const c of [cases[0], cases[2], cases[3], cases[6]]) {
      const what = `${file} ${JSON.stringify(c)}`;
      const { g, pool } = block(c);
      const { x, w, bias } = inputs(g);
      const { alloc, put } = arena(build);
      const size = pool.n * pool.c * pool.outH * pool.outW;
      const sb = ex.convDirectScratchBytes(g.cIn, g.kh, g.kw, g.outH, g.outW);
      const scratch = alloc(2 * sb);
      const geomWords = [g.n, g.cIn, g.h, g.w, g.cOut, g.kh, g.kw, g.padTop, g.padLeft, g.outH, g.outW, scratch, sb];
      const args = alloc(4 * 32);
      const xp = put(x);
      const yp = alloc(size * 4);
      const ap = alloc(size * 4);
      new Int32Array(memory.buffer, args, 18).set([xp, put(w), put(bias), yp, ap, ...geomWords]);
      // Three tasks, on the scratch of two workers.
      for (let task = 0; task < 3; task++) ex.convDirectForwardTask(args, task, 3, task % 2);
      const y = new Float32Array(memory.buffer, yp, size).slice();
      const argmax = new Int32Array(memory.buffer, ap, size).slice();
      const refArgmax = checkForward({ x, w, bias, y, argmax, g, pool }, what);

      const dy = rand(size);
      const k = g.cOut * g.cIn * g.kh * g.kw;
      const partBytes = Math.ceil(((k + g.cOut) * 8) / 64) * 64;
      const parts = alloc(3 * partBytes);
      new Float64Array(memory.buffer, parts, (3 * partBytes) / 8).fill(0);
      new Int32Array(memory.buffer, args, 18).set([xp, put(dy), put(refArgmax), parts, partBytes, ...geomWords]);
      for (let task = 0; task < 3; task++) ex.convDirectBackwardTask(args, task, 3, task % 2);
      const sums = new Float64Array(memory.buffer, parts, (3 * partBytes) / 8);
      const total = (i: number): number => sums[i] + sums[partBytes / 8 + i] + sums[partBytes / 4 + i];
      const want = { dw: new Float32Array(w.length), dbias: new Float32Array(g.cOut) };
      refKernels.conv2dReluMaxPoolBackward({ x, w, dy, argmax: refArgmax, g, pool, ...want });
      assertRel(
        Array.from(want.dw, (_, i) => total(i)),
        want.dw,
        1e-5,
        `${what} dw`,
      );
      assertRel(
        Array.from(want.dbias, (_, i) => total(k + i)),
        want.dbias,
        1e-5,
        `${what} dbias`,
      );
    }
  }
});

test('random small blocks match ref', () => {
  withThreads((t) => {
    for (let i = 0; i < 10; i++) {
      const kh = randInt(1, 6);
      const kw = randInt(1, 6);
      const c: ConvCase = {
        n: randInt(1, 12),
        cIn: randInt(1, 5),
        cOut: randInt(1, 6),
        h: randInt(Math.max(kh, 2), 16),
        w: randInt(Math.max(kw, 2), 16),
        kh,
        kw,
        padTop: randInt(0, 3),
        padLeft: randInt(0, 3),
      };
      const { g, pool } = block(c);
      if (pool.outH < 1 || pool.outW < 1) continue;
      const what = `random block ${JSON.stringify(c)} threads=${t}`;
      const { x, w } = inputs(g);
      // Biases around 0: some windows cut, most not.
      const bias = rand(g.cOut).map((v) => v / 4);
      const size = pool.n * pool.c * pool.outH * pool.outW;
      const p = { x, w, bias, y: new Float32Array(size), argmax: new Int32Array(size), g, pool };
      assert.ok(directConvPoolForward(p), `${what}: not taken`);
      const want = { y: new Float32Array(size), argmax: new Int32Array(size) };
      refKernels.conv2dReluMaxPoolForward({ ...p, ...want });
      assertCloseArr(p.y, want.y, dotTol(g.cIn * g.kh * g.kw), `${what} forward`);
      for (let o = 0; o < size; o++) assert.equal(p.argmax[o] === -1, p.y[o] === 0, `${what}: argmax -1 where y is 0 (at ${o})`);
      const dy = rand(size);
      const got = { dw: new Float32Array(w.length), dbias: new Float32Array(g.cOut) };
      assert.ok(directConvPoolBackward({ x, w, dy, argmax: want.argmax, g, pool, ...got }));
      const ref = { dw: new Float32Array(w.length), dbias: new Float32Array(g.cOut) };
      refKernels.conv2dReluMaxPoolBackward({ x, w, dy, argmax: want.argmax, g, pool, ...ref });
      assertRel(got.dw, ref.dw, 1e-5, `${what} dw`);
      assertRel(got.dbias, ref.dbias, 1e-5, `${what} dbias`);
    }
  });
});
