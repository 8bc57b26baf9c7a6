import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertClose } from '../../../test/util.js';
import { randomAffine } from '../../data/augment.js';
import { Tensor } from '../../tensor/tensor.js';
import { manualSeed } from '../../util/rng.js';
import { withBackend } from '../index.js';
import { refKernels } from '../ref/index.js';
import type { AffineWarpArgs } from '../types.js';
import { load, resetWasmStats, wasmStats } from './index.js';
import { arena, otherBuilds, rand, randInt, withThreads } from './test-helpers.js';

const wasm = load();
if (!wasm) throw new Error('augment.test: the wasm backend did not load (run npm run build:wasm)');

// [n, c, h, w]: MNIST's, several channels on odd and non-square sizes, rows shorter than the
// kernel's four lanes or not a multiple of them, a single pixel.
const SHAPES: Array<[number, number, number, number]> = [
  [9, 1, 28, 28],
  [5, 3, 17, 23],
  [4, 2, 6, 5],
  [3, 4, 2, 3],
  [6, 3, 32, 7],
  [2, 2, 1, 1],
];

/**
 * Per-image transforms [a, b, tx, ty] (a = cos θ / s, b = sin θ / s): the MNIST recipe's, wild
 * ones (any angle, zoom 0.3-2.5, shifts of half the image) that leave many points at or past
 * the edge, extreme ones whose points lie far outside, and exact ones (the identity, whole-pixel
 * shifts, quarter turns) whose points land on pixel centres, at the last row and column
 * included. About a third of the images are copied.
 */
function transforms(n: number, h: number, w: number): { params: Float64Array; warp: Uint8Array } {
  const params = new Float64Array(4 * n);
  const warp = new Uint8Array(n);
  const u = (lo: number, hi: number) => lo + ((rand(1)[0] + 1) / 2) * (hi - lo);
  for (let i = 0; i < n; i++) {
    warp[i] = randInt(0, 3) === 0 ? 0 : 1;
    const kind = randInt(0, 4);
    let p: number[];
    if (kind === 0) {
      const theta = (u(-8, 8) * Math.PI) / 180;
      const s = u(0.92, 1.08);
      p = [Math.cos(theta) / s, Math.sin(theta) / s, u(-0.06, 0.06) * w, u(-0.06, 0.06) * h];
    } else if (kind === 1) {
      const theta = u(-Math.PI, Math.PI);
      const s = u(0.3, 2.5);
      p = [Math.cos(theta) / s, Math.sin(theta) / s, u(-0.5, 0.5) * w, u(-0.5, 0.5) * h];
    } else if (kind === 2) {
      // Zoomed out a million times: nearly every point far outside, up to the kernel's limit.
      p = [u(-1e6, 1e6), u(-1e6, 1e6), u(-0.5, 0.5) * w, u(-0.5, 0.5) * h];
    } else {
      const [a, b] = [
        [1, 0],
        [0, 1],
        [-1, 0],
        [0, -1],
      ][randInt(0, 4)];
      p = [a, b, randInt(-2, 3), randInt(-2, 3)];
    }
    params.set(p, 4 * i);
  }
  return { params, warp };
}

/** The kernel's output on a backend, written over a sentinel so that a pixel left out shows. */
function run(k: typeof refKernels, a: Omit<AffineWarpArgs, 'out'>): Float32Array | Float64Array {
  const out = a.x instanceof Float64Array ? new Float64Array(a.x.length) : new Float32Array(a.x.length);
  out.fill(12345);
  k.affineWarp({ ...a, out });
  return out;
}

test('wasm affine warp matches ref: random transforms, channels, odd sizes, fill, copied images and NaN, 1 and 2 threads', () => {
  withThreads((t) => {
    for (const [n, c, h, w] of SHAPES) {
      for (const fill of [0, 0.5, -2]) {
        const x = rand(n * c * h * w);
        // A NaN spreads to every sample that reads it, in both kernels; -0 survives a copy.
        x[randInt(0, x.length)] = NaN;
        x[randInt(0, x.length)] = -0;
        const a = { x, n, c, h, w, fill, ...transforms(n, h, w) };
        const what = `[${n}, ${c}, ${h}, ${w}] fill=${fill} threads=${t}`;
        const [got, want] = [run(wasm!, a), run(refKernels, a)];
        assertClose(got, want, { atol: 1e-5, rtol: 0, what });
        const size = c * h * w;
        for (let i = 0; i < n; i++) {
          if (a.warp[i]) continue;
          for (let j = i * size; j < (i + 1) * size; j++) assert.ok(Object.is(got[j], x[j]), `${what}: copied image ${i} changed at ${j}`);
        }
      }
    }
  });
});

test('randomAffine: a seed gives the same batch on wasm as on ref, float32 within 1e-5 and float64 exactly (ref)', () => {
  withThreads(() => {
    const x = new Tensor(rand(6 * 3 * 19 * 26), [6, 3, 19, 26]);
    const x64 = new Tensor(Float64Array.from(x.data()), x.shape);
    for (const opts of [
      { degrees: 8, translate: [0.06, 0.06] as [number, number], scale: [0.92, 1.08] as [number, number] },
      { degrees: 30, translate: [0.2, 0.1] as [number, number], scale: [0.6, 1.4] as [number, number], p: 0.5, fill: 0.25 },
    ]) {
      const augment = randomAffine(opts);
      const on = (backend: 'ref' | 'wasm', input: Tensor) =>
        withBackend(backend, () => {
          manualSeed(5);
          return augment([input])[0].data();
        });
      assertClose(on('wasm', x), on('ref', x), { atol: 1e-5, rtol: 0, what: JSON.stringify(opts) });
      assert.deepEqual(on('wasm', x64), on('ref', x64));
    }
  });
});

test('wasm affine warp leaves float64 images and transforms beyond its range to ref', () => {
  withThreads(() => {
    const [n, c, h, w] = [3, 2, 9, 11];
    const base = { n, c, h, w, fill: 0, ...transforms(n, h, w) };
    resetWasmStats();
    const x64 = Float64Array.from(rand(n * c * h * w));
    assert.deepEqual(run(wasm!, { ...base, x: x64 }), run(refKernels, { ...base, x: x64 }));
    // a = 1e8 puts source points beyond the kernel's ±2³⁰; a fill beyond float32's range becomes Inf.
    const x = rand(n * c * h * w);
    const huge = { ...base, x, params: base.params.map((v, i) => (i === 0 ? 1e8 : v)) };
    assert.deepEqual(run(wasm!, huge), run(refKernels, huge));
    const bigFill = { ...base, x, fill: 1e39 };
    assert.deepEqual(run(wasm!, bigFill), run(refKernels, bigFill));
    assert.equal(wasmStats().copyBytes, 0, 'these calls must not reach the wasm kernel');
    // withThreads checks that something reached it.
    run(wasm!, { ...base, x });
  });
});

/** The portable and single-thread builds (otherBuilds), three tasks on two workers' scratch. */
test('the portable and single-thread builds warp as ref does', () => {
  for (const build of otherBuilds()) {
    const { file, ex, memory } = build;
    for (const [n, c, h, w] of [SHAPES[1], SHAPES[3]]) {
      const fill = 0.5;
      const x = rand(n * c * h * w);
      const { params, warp } = transforms(n, h, w);
      const { alloc, put } = arena(build);
      const xp = put(x);
      const op = alloc(x.length * 4);
      const pp = alloc((1 + 5 * n) * 8);
      const block = new Float64Array(memory.buffer, pp, 1 + 5 * n);
      block[0] = fill;
      for (let i = 0; i < n; i++) block.set([warp[i], ...params.subarray(4 * i, 4 * i + 4)], 1 + 5 * i);
      const sb = ex.affineWarpScratchBytes(c, h, w);
      const scratch = alloc(2 * sb);
      const args = alloc(4 * 16);
      new Int32Array(memory.buffer, args, 9).set([xp, op, n, c, h, w, pp, scratch, sb]);
      for (let task = 0; task < 3; task++) ex.affineWarpTask(args, task, 3, task % 2);
      const want = run(refKernels, { x, n, c, h, w, params, warp, fill });
      assertClose(new Float32Array(memory.buffer, op, x.length).slice(), want, {
        atol: 1e-5,
        rtol: 0,
        what: `${file} [${n}, ${c}, ${h}, ${w}]`,
      });
    }
  }
});
