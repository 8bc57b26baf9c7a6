import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertClose } from '../../../test/util.js';
import { refKernels } from '../ref/index.js';
import type { ConvGeom } from '../types.js';
import { load, withWasmLimits } from './index.js';
import { type ConvCase, dotTol, geom, poolGeom, rand, randInt, withThreads } from './test-helpers.js';

const wasm = load();
if (!wasm) throw new Error('conv.test: the wasm backend did not load (run npm run build:wasm)');

/** Forward, input gradient and weight gradient of one geometry against ref. */
function checkConv(c: ConvCase, threads: number): void {
  const g = geom(c);
  const what = `conv ${JSON.stringify(g)} threads=${threads}`;
  const x = rand(g.n * g.cIn * g.h * g.w);
  const w = rand(g.cOut * (g.cIn / g.groups) * g.kh * g.kw);
  const bias = randInt(0, 2) ? rand(g.cOut) : null;
  const ySize = g.n * g.cOut * g.outH * g.outW;
  const kk = (g.cIn / g.groups) * g.kh * g.kw;
  const [y1, y2] = [new Float32Array(ySize), new Float32Array(ySize)];
  wasm!.conv2dForward(x, w, bias, y1, g);
  refKernels.conv2dForward(x, w, bias, y2, g);
  assertClose(y1, y2, { ...dotTol(kk), what: `${what} forward` });

  const dy = rand(ySize);
  // Garbage in the outputs: both backward passes must overwrite, not accumulate.
  const [dx1, dx2] = [rand(x.length), new Float32Array(x.length)];
  wasm!.conv2dBackwardInput(dy, w, dx1, g);
  refKernels.conv2dBackwardInput(dy, w, dx2, g);
  assertClose(dx1, dx2, { ...dotTol(g.cOut * g.kh * g.kw), what: `${what} backward input` });

  const [dw1, dw2] = [rand(w.length), new Float32Array(w.length)];
  wasm!.conv2dBackwardWeight(x, dy, dw1, g);
  refKernels.conv2dBackwardWeight(x, dy, dw2, g);
  assertClose(dw1, dw2, { ...dotTol(g.n * g.outH * g.outW), what: `${what} backward weight` });
}

const convEdge: ConvCase[] = [
  { n: 1, cIn: 1, h: 1, w: 1, cOut: 1, kh: 1, kw: 1 },
  { n: 2, cIn: 3, h: 5, w: 7, cOut: 4, kh: 1, kw: 1 },
  { n: 3, cIn: 1, h: 28, w: 28, cOut: 32, kh: 3, kw: 3 },
  { n: 2, cIn: 5, h: 13, w: 11, cOut: 7, kh: 3, kw: 3, padTop: 1, padLeft: 1 },
  { n: 5, cIn: 4, h: 9, w: 10, cOut: 6, kh: 3, kw: 2, strideH: 2, strideW: 3, padTop: 1, padLeft: 0 },
  { n: 2, cIn: 3, h: 12, w: 12, cOut: 5, kh: 3, kw: 3, dilationH: 2, dilationW: 3, padTop: 2, padLeft: 1 },
  { n: 3, cIn: 6, h: 8, w: 8, cOut: 9, kh: 3, kw: 3, groups: 3, padTop: 1, padLeft: 1 },
  { n: 2, cIn: 4, h: 7, w: 7, cOut: 4, kh: 3, kw: 3, groups: 4, padTop: 1, padLeft: 1 },
  // 'same' padding with an even kernel pads one more after than before.
  { n: 2, cIn: 2, h: 6, w: 9, cOut: 3, kh: 4, kw: 4, padTop: 1, padLeft: 1, padBottom: 2, padRight: 2 },
  // A 1-D convolution: h = kh = 1 (the DNA model's shape, smaller).
  { n: 4, cIn: 4, h: 1, w: 50, cOut: 8, kh: 1, kw: 12 },
  { n: 1, cIn: 2, h: 3, w: 3, cOut: 2, kh: 3, kw: 3 },
  // One image on two threads: the forward pass splits the output columns instead.
  { n: 1, cIn: 3, h: 12, w: 13, cOut: 5, kh: 3, kw: 3, padTop: 1, padLeft: 1 },
  { n: 1, cIn: 4, h: 9, w: 9, cOut: 6, kh: 1, kw: 1 },
];

test('wasm conv2d forward and backward match ref on edge cases (1 and 2 threads)', () => {
  withThreads((t) => {
    for (const c of convEdge) checkConv(c, t);
  });
});

test('wasm conv2d matches ref on random geometries', () => {
  withThreads((t) => {
    for (let i = 0; i < 12; i++) {
      const groups = [1, 1, 2][randInt(0, 3)];
      const kh = randInt(1, 4);
      const kw = randInt(1, 4);
      const dilationH = randInt(1, 3);
      const dilationW = randInt(1, 3);
      const h = randInt(dilationH * (kh - 1) + 1, 14);
      const w = randInt(dilationW * (kw - 1) + 1, 14);
      checkConv(
        {
          n: randInt(1, 5),
          cIn: groups * randInt(1, 4),
          cOut: groups * randInt(1, 5),
          h,
          w,
          kh,
          kw,
          groups,
          strideH: randInt(1, 3),
          strideW: randInt(1, 3),
          padTop: randInt(0, kh),
          padLeft: randInt(0, kw),
          dilationH,
          dilationW,
        },
        t,
      );
    }
  });
});

// Winograd F(2×2, 3×3) takes stride-1 3×3 convolutions with at least 4 channels each way and
// at least one image per thread: odd output sizes (partial tiles), tile rows that are not a
// multiple of 4 tiles, paddings 0..2 (the transposed pass pads by 2 - pad), asymmetric padding.
const winogradCases: ConvCase[] = [
  { n: 2, cIn: 4, h: 4, w: 4, cOut: 4, kh: 3, kw: 3 },
  { n: 3, cIn: 5, h: 9, w: 11, cOut: 7, kh: 3, kw: 3 },
  { n: 2, cIn: 6, h: 13, w: 10, cOut: 5, kh: 3, kw: 3, padTop: 1, padLeft: 1 },
  { n: 2, cIn: 4, h: 7, w: 19, cOut: 9, kh: 3, kw: 3, padTop: 2, padLeft: 2 },
  { n: 3, cIn: 7, h: 6, w: 9, cOut: 4, kh: 3, kw: 3, padTop: 1, padLeft: 1, padBottom: 2, padRight: 0 },
  { n: 2, cIn: 32, h: 26, w: 26, cOut: 64, kh: 3, kw: 3 },
  { n: 2, cIn: 9, h: 3, w: 35, cOut: 6, kh: 3, kw: 3 },
  // Whole groups of four images (F(4×4, 3×3)'s lanes all filled) and a partial group after them.
  { n: 5, cIn: 3, h: 14, w: 14, cOut: 8, kh: 3, kw: 3, padTop: 1, padLeft: 1 },
  { n: 4, cIn: 2, h: 7, w: 10, cOut: 3, kh: 3, kw: 3, padTop: 2, padLeft: 0, padBottom: 1, padRight: 2 },
];

/** The wasm forward pass (no bias) and the whole backward pass of one convolution. */
function forwardBackward(g: ConvGeom, x: Float32Array, w: Float32Array, dy: Float32Array) {
  const y = new Float32Array(dy.length);
  const dx = new Float32Array(x.length);
  const dw = new Float32Array(w.length);
  wasm!.conv2dForward(x, w, null, y, g);
  wasm!.conv2dBackward({ x, w, dy, g, dx, dw });
  return { y, dx, dw };
}

test('wasm Winograd 3×3 convolutions match ref, F(4×4, 3×3) and F(2×2, 3×3) (forward, input and weight gradients, 1 and 2 threads)', () => {
  for (const winograd4 of [true, false]) {
    withWasmLimits({ winograd4 }, () =>
      withThreads((t) => {
        for (const c of winogradCases) checkConv(c, t);
      }),
    );
  }
});

test('F(4×4, 3×3) gives way to F(2×2, 3×3) where a NaN or ±Inf would spread past its windows', () => {
  const g = geom({ n: 5, cIn: 4, h: 9, w: 10, cOut: 6, kh: 3, kw: 3, padTop: 1, padLeft: 1 });
  const run = (winograd4: boolean, x: Float32Array, w: Float32Array, dy: Float32Array) =>
    withWasmLimits({ winograd4 }, () => forwardBackward(g, x, w, dy));
  const clean = () => ({
    x: rand(g.n * g.cIn * g.h * g.w),
    w: rand(g.cOut * g.cIn * 9),
    dy: rand(g.n * g.cOut * g.outH * g.outW),
  });
  // Each case spoils one array; the passes that read it must be F(2×2, 3×3)'s bit for bit.
  const cases: Array<[string, (a: ReturnType<typeof clean>) => void, Array<'y' | 'dx' | 'dw'>]> = [
    ['a NaN input', (a) => (a.x[2 * g.cIn * g.h * g.w + 3 * g.w + 4] = NaN), ['y', 'dw']],
    ['an Inf input', (a) => (a.x[g.h * g.w + 6 * g.w + 2] = Infinity), ['y', 'dw']],
    ['a -Inf weight', (a) => (a.w[13] = -Infinity), ['y', 'dx']],
    ['an Inf gradient', (a) => (a.dy[4 * g.cOut * g.outH * g.outW + 5] = Infinity), ['dx', 'dw']],
  ];
  withThreads(() => {
    for (const [what, spoil, touched] of cases) {
      const a = clean();
      spoil(a);
      const f4 = run(true, a.x, a.w, a.dy);
      const f2 = run(false, a.x, a.w, a.dy);
      for (const key of touched) assert.deepEqual(f4[key], f2[key], `${what}: ${key}`);
      // F(2×2, 3×3)'s transforms keep a NaN to the outputs whose windows hold it, as ref.
      if (what !== 'a NaN input') continue;
      const want = new Float32Array(f2.y.length);
      refKernels.conv2dForward(a.x, a.w, null, want, g);
      assert.ok(want.some(Number.isNaN), `${what}: the case reaches the output`);
      for (let i = 0; i < want.length; i++) assert.equal(Number.isNaN(f4.y[i]), Number.isNaN(want[i]), `${what}: NaN at ${i}`);
    }
  });
});

test('Winograd gives the same results whatever the chunk of images its gemms share, F(4×4, 3×3) and F(2×2, 3×3)', () => {
  const c: ConvCase = { n: 11, cIn: 6, h: 7, w: 9, cOut: 5, kh: 3, kw: 3, padTop: 1, padLeft: 1 };
  const g = geom(c);
  const x = rand(g.n * g.cIn * g.h * g.w);
  const w = rand(g.cOut * g.cIn * 9);
  const dy = rand(g.n * g.cOut * g.outH * g.outW);
  for (const winograd4 of [true, false]) {
    const run = (columns: number) => withWasmLimits({ winogradColumns: columns, winograd4 }, () => forwardBackward(g, x, w, dy));
    // F(2×2, 3×3): 32 columns per image, so one image per chunk, 2 (a partial last chunk) and
    // all at once; F(4×4, 3×3): 24, so 4 images, 8 (a partial last group of 4) and all.
    withThreads(() => {
      const one = run(1);
      for (const columns of [48, 4096]) {
        const got = run(columns);
        const what = `${winograd4 ? 'F(4×4, 3×3)' : 'F(2×2, 3×3)'}, ${columns} columns`;
        assert.deepEqual(got.y, one.y, `forward, ${what}`);
        assert.deepEqual(got.dx, one.dx, `dx, ${what}`);
        assertClose(got.dw, one.dw, { ...dotTol(g.n * g.outH * g.outW), what: `dw, ${what}` });
      }
    });
  }
});

test('the Winograd and im2col paths agree', () => {
  const g = geom({ n: 2, cIn: 8, h: 11, w: 12, cOut: 6, kh: 3, kw: 3, padTop: 1, padLeft: 1 });
  const x = rand(g.n * g.cIn * g.h * g.w);
  const w = rand(g.cOut * g.cIn * 9);
  const dy = rand(g.n * g.cOut * g.outH * g.outW);
  const run = (wino: boolean): [Float32Array, Float32Array, Float32Array] => {
    return withWasmLimits({ winograd: wino }, () => {
      const y = new Float32Array(dy.length);
      const dx = new Float32Array(x.length);
      const dw = new Float32Array(w.length);
      wasm!.conv2dForward(x, w, null, y, g);
      wasm!.conv2dBackwardInput(dy, w, dx, g);
      wasm!.conv2dBackwardWeight(x, dy, dw, g);
      return [y, dx, dw];
    });
  };
  const [y1, dx1, dw1] = run(true);
  const [y2, dx2, dw2] = run(false);
  assertClose(y1, y2, { ...dotTol(g.cIn * 9), what: 'winograd vs im2col forward' });
  assertClose(dx1, dx2, { ...dotTol(g.cOut * 9), what: 'winograd vs im2col backward input' });
  assertClose(dw1, dw2, { ...dotTol(g.n * g.outH * g.outW), what: 'winograd vs im2col backward weight' });
});

test('fused conv + ReLU forward matches ref (im2col and Winograd paths, NaN kept, -0 gives 0)', () => {
  const cases: ConvCase[] = [
    winogradCases[1],
    winogradCases[4],
    convEdge[4],
    convEdge[9],
    { n: 1, cIn: 3, h: 12, w: 13, cOut: 5, kh: 3, kw: 3, padTop: 1, padLeft: 1 },
  ];
  withThreads((t) => {
    for (const c of cases) {
      const g = { ...geom(c), relu: true };
      const x = rand(g.n * g.cIn * g.h * g.w);
      const w = rand(g.cOut * (g.cIn / g.groups) * g.kh * g.kw);
      for (const bias of [rand(g.cOut), null]) {
        const ySize = g.n * g.cOut * g.outH * g.outW;
        const [y1, y2] = [rand(ySize), new Float32Array(ySize)];
        wasm!.conv2dForward(x, w, bias, y1, g);
        refKernels.conv2dForward(x, w, bias, y2, g);
        assertClose(y1, y2, { ...dotTol((g.cIn / g.groups) * g.kh * g.kw), what: `relu conv ${JSON.stringify(g)} threads=${t}` });
        assert.ok(
          y1.every((v) => v >= 0 && !Object.is(v, -0)),
          'relu output has a negative, NaN or -0',
        );
      }
    }
    // A NaN input makes NaN sums: the fused ReLU keeps them NaN, as PyTorch's relu does.
    const g = { ...geom(winogradCases[0]), relu: true };
    const x = rand(g.n * g.cIn * g.h * g.w).fill(NaN, 0, 3);
    const y = new Float32Array(g.n * g.cOut * g.outH * g.outW);
    wasm!.conv2dForward(x, rand(g.cOut * g.cIn * 9), null, y, g);
    assert.ok(Number.isNaN(y[0]), `relu of a NaN sum gave ${y[0]}`);
  });
});

test('wasm max and avg pooling match ref, forward and backward', () => {
  const cases = [
    poolGeom(1, 1, 1, 1, 1, 1, 1, 0),
    poolGeom(2, 3, 8, 8, 2, 2, 2, 0),
    poolGeom(3, 2, 7, 9, 3, 3, 2, 1),
    poolGeom(2, 5, 24, 24, 2, 2, 2, 0),
    // 2×2/2 windows four at a time in SIMD, then a scalar tail (outW = 11), odd input width.
    poolGeom(2, 3, 10, 23, 2, 2, 2, 0),
    poolGeom(1, 4, 5, 6, 3, 2, 1, 1),
    // Windows one row high and 8 or more wide (SIMD maximum, then a scan for the first):
    // global pooling of a sequence, and overlapping windows on every third row.
    poolGeom(2, 3, 1, 37, 1, 37, 1, 0),
    poolGeom(2, 3, 4, 41, 1, 10, 3, 0),
  ];
  withThreads((t) => {
    for (const g of cases) {
      const what = `pool ${JSON.stringify(g)} threads=${t}`;
      const x = rand(g.n * g.c * g.h * g.w);
      // Ties: a repeated value must pick the same (first) winner as ref.
      x[0] = x[1];
      // NaN propagates and its position is the argmax, as in PyTorch.
      if (x.length > 9) x[9] = NaN;
      const ySize = g.n * g.c * g.outH * g.outW;
      const [y1, y2] = [new Float32Array(ySize), new Float32Array(ySize)];
      const [a1, a2] = [new Int32Array(ySize), new Int32Array(ySize)];
      wasm!.maxPool2dForward(x, y1, a1, g);
      refKernels.maxPool2dForward(x, y2, a2, g);
      assertClose(y1, y2, { atol: 0, rtol: 0, what: `${what} max forward` });
      assertClose(a1, a2, { atol: 0, rtol: 0, what: `${what} argmax` });
      const dy = rand(ySize);
      const [dx1, dx2] = [rand(x.length), new Float32Array(x.length)];
      wasm!.maxPool2dBackward(dy, a2, dx1, g);
      refKernels.maxPool2dBackward(dy, a2, dx2, g);
      assertClose(dx1, dx2, { atol: 1e-6, rtol: 1e-6, what: `${what} max backward` });
      x[9] = 0.5;
      wasm!.avgPool2dForward(x, y1, g);
      refKernels.avgPool2dForward(x, y2, g);
      assertClose(y1, y2, { atol: 1e-6, rtol: 1e-5, what: `${what} avg forward` });
      const dx3 = rand(x.length);
      wasm!.avgPool2dBackward(dy, dx3, g);
      refKernels.avgPool2dBackward(dy, dx2, g);
      assertClose(dx3, dx2, { atol: 1e-6, rtol: 1e-5, what: `${what} avg backward` });
    }
  });
});

test('conv2dBackward (dy copied once; fused ReLU mask, bias gradient) matches ref, im2col and Winograd, 1 and 2 threads', () => {
  const cases = [
    convEdge[0],
    convEdge[2],
    convEdge[4],
    convEdge[9],
    winogradCases[1],
    { n: 5, cIn: 4, h: 1, w: 37, cOut: 3, kh: 1, kw: 12 },
  ];
  withThreads((t) => {
    for (const c of cases) {
      const g = { ...geom(c), relu: true };
      const x = rand(g.n * g.cIn * g.h * g.w);
      const w = rand(g.cOut * (g.cIn / g.groups) * g.kh * g.kw);
      const dy = rand(g.n * g.cOut * g.outH * g.outW);
      // A relu output: zeros (both signs) where the mask is off, one NaN that passes.
      const y = rand(dy.length).map((v, i) => (v > 0 ? v : i % 2 ? 0 : -0));
      y[y.length - 1] = NaN;
      const dyCopy = dy.slice();
      const masked = dy.map((v, i) => (y[i] !== 0 ? v : 0));
      for (const [relu, wantX, wantW, wantB] of [
        [true, true, true, true],
        [true, false, true, true],
        [false, true, false, true],
        [true, true, false, false],
        [false, false, true, false],
      ]) {
        const what = `conv2dBackward ${JSON.stringify(g)} relu=${relu} dx=${wantX} dw=${wantW} db=${wantB} threads=${t}`;
        const dx = wantX ? rand(x.length) : undefined;
        const dw = wantW ? rand(w.length) : undefined;
        const db = wantB ? rand(g.cOut) : undefined;
        wasm!.conv2dBackward({
          x,
          w,
          dy,
          g,
          ...(relu ? { reluOut: y } : {}),
          ...(dx ? { dx } : {}),
          ...(dw ? { dw } : {}),
          ...(db ? { dbias: db } : {}),
        });
        assert.deepEqual(dy, dyCopy, `${what}: dy was modified`);
        // Against the separate ref kernels on the explicitly masked dy.
        const d = relu ? masked : dy;
        if (dx) {
          const want = new Float32Array(x.length);
          refKernels.conv2dBackwardInput(d, w, want, g);
          assertClose(dx, want, { ...dotTol(g.cOut * g.kh * g.kw), what: `${what} dx` });
        }
        if (dw) {
          const want = new Float32Array(w.length);
          refKernels.conv2dBackwardWeight(x, d, want, g);
          assertClose(dw, want, { ...dotTol(g.n * g.outH * g.outW), what: `${what} dw` });
        }
        if (db) {
          const want = new Float32Array(g.cOut);
          refKernels.conv2dBackward({ x, w, dy, g, ...(relu ? { reluOut: y } : {}), dbias: want });
          const p = g.outH * g.outW;
          for (let ch = 0; ch < g.cOut; ch++) {
            let s = 0;
            for (let n = 0; n < g.n; n++) for (let i = 0; i < p; i++) s += d[(n * g.cOut + ch) * p + i];
            assert.ok(Math.abs(want[ch] - s) <= 1e-6 * Math.max(1, Math.abs(s)), `${what} ref dbias`);
          }
          assertClose(db, want, { atol: 1e-6, rtol: 1e-6, what: `${what} dbias` });
        }
      }
    }
  });
});

test('conv2dReluMaxPool forward and backward match ref (Winograd F(4×4) and F(2×2), im2col, several pools, 1 and 2 threads)', () => {
  // [case, pool kernel, stride, padding, how far the bias pushes outputs below zero (default 1.5)]
  const cases: [ConvCase, number, number, number, number?][] = [
    [winogradCases[1], 2, 2, 0],
    [winogradCases[5], 2, 2, 0],
    // Winograd with the pool in its output transform: padded, even and odd outputs, more
    // images than a chunk holds (the fast MNIST CNN's second and third blocks in small).
    [{ n: 9, cIn: 8, h: 14, w: 14, cOut: 16, kh: 3, kw: 3, padTop: 1, padLeft: 1 }, 2, 2, 0],
    [{ n: 11, cIn: 5, h: 7, w: 7, cOut: 6, kh: 3, kw: 3, padTop: 1, padLeft: 1 }, 2, 2, 0],
    [convEdge[3], 3, 2, 1],
    [convEdge[4], 2, 1, 0],
    [convEdge[9], 4, 4, 0],
    // The im2col path with one input channel (a first layer), and with groups.
    [convEdge[2], 2, 2, 0],
    [convEdge[6], 2, 2, 0],
    // A 1-D convolution whose pool spans the sequence (global max pooling, as the DNA CNN's).
    [convEdge[9], 39, 39, 0, 5],
  ];
  for (const winograd4 of [true, false]) {
    withWasmLimits({ winograd4 }, () =>
      withThreads((t) => {
        for (const [c, k, s, pad, below = 1.5] of cases) {
          const g = geom(c);
          const pool = poolGeom(g.n, g.cOut, g.outH, g.outW, g.h === 1 ? 1 : k, k, s, pad);
          const what = `conv2dReluMaxPool ${JSON.stringify(g)} pool ${k}/${s}/${pad} threads=${t} winograd4=${winograd4}`;
          const x = rand(g.n * g.cIn * g.h * g.w);
          const w = rand(g.cOut * (g.cIn / g.groups) * g.kh * g.kw);
          // A bias that pushes most outputs below zero, so that whole windows are cut by the ReLU.
          const bias = rand(g.cOut).map((v) => v - below);
          const ySize = pool.n * pool.c * pool.outH * pool.outW;
          const [y1, y2] = [new Float32Array(ySize), new Float32Array(ySize)];
          const [a1, a2] = [new Int32Array(ySize), new Int32Array(ySize)];
          wasm!.conv2dReluMaxPoolForward({ x, w, bias, y: y1, argmax: a1, g, pool });
          refKernels.conv2dReluMaxPoolForward({ x, w, bias, y: y2, argmax: a2, g, pool });
          const kk = (g.cIn / g.groups) * g.kh * g.kw;
          assertClose(y1, y2, { ...dotTol(kk), what: `${what} forward` });
          const cut = a2.filter((v) => v === -1).length;
          assert.ok(
            cut > 0 && cut < ySize,
            `${what}: the case must have windows cut by the ReLU and windows that pass (${cut} of ${ySize} cut)`,
          );
          // Where a maximum is 0 the ReLU cut it: argmax -1 there, a winner elsewhere. (The winners
          // themselves may differ from ref's at near-ties, since the two round differently.)
          for (let i = 0; i < ySize; i++) {
            assert.equal(a1[i] === -1, y1[i] === 0, `${what}: argmax -1 exactly where the pooled value is 0 (at ${i})`);
          }
          const dy = rand(ySize);
          const grads = (k: typeof refKernels, argmax: Int32Array) => {
            const dx = rand(x.length);
            const dw = rand(w.length);
            const db = rand(g.cOut);
            k.conv2dReluMaxPoolBackward({ x, w, dy, argmax, g, pool, dx, dw, dbias: db });
            return { dx, dw, db };
          };
          // Both kernels from the same argmax, so that a near-tie cannot route the gradients apart.
          const got = grads(wasm!, a2);
          const want = grads(refKernels, a2);
          assertClose(got.dx, want.dx, { ...dotTol(g.cOut * g.kh * g.kw), what: `${what} dx` });
          assertClose(got.dw, want.dw, { ...dotTol(g.n * g.outH * g.outW), what: `${what} dw` });
          assertClose(got.db, want.db, { ...dotTol(g.n * g.outH * g.outW), what: `${what} dbias` });
          // A first layer asks for no input gradient: the weight gradient is the same without it.
          const dwOnly = rand(w.length);
          wasm!.conv2dReluMaxPoolBackward({ x, w, dy, argmax: a2, g, pool, dw: dwOnly });
          assertClose(dwOnly, want.dw, { ...dotTol(g.n * g.outH * g.outW), what: `${what} dw without dx` });
        }
      }),
    );
  }
});
