import { test } from 'node:test';
import { assertClose } from '../../../test/util.js';
import { refKernels } from '../ref/index.js';
import { load } from './index.js';
import { rand, withThreads } from './test-helpers.js';

const wasm = load();
if (!wasm) throw new Error('norm.test: the wasm backend did not load (run npm run build:wasm)');

// Shapes [n, c, inner]: rows that are and are not multiples of four lanes, one channel, more
// channels than tasks, and a row of one value ([N, C] inputs).
const SHAPES: Array<[number, number, number]> = [
  [8, 3, 17 * 17],
  [4, 16, 28 * 28],
  [2, 1, 4099],
  [64, 37, 1],
  [3, 48, 7 * 7],
];

test('wasm batch-norm kernels match ref: statistics, affine pass, backward with batch and fixed statistics, 1 and 2 threads', () => {
  withThreads((t) => {
    for (const [n, c, inner] of SHAPES) {
      const what = `[${n}, ${c}, ${inner}] threads=${t}`;
      // An offset mean, so that the two-pass variance matters.
      const x = rand(n * c * inner).map((v) => 3 + v);
      const [m1, v1, m2, v2] = [new Float32Array(c), new Float32Array(c), new Float32Array(c), new Float32Array(c)];
      wasm!.channelStats(x, n, c, inner, m1, v1);
      refKernels.channelStats(x, n, c, inner, m2, v2);
      assertClose(m1, m2, { atol: 1e-5, rtol: 1e-5, what: `${what} mean` });
      assertClose(v1, v2, { atol: 1e-5, rtol: 1e-4, what: `${what} variance` });

      const [scale, shift] = [rand(c), rand(c)];
      const [y1, y2] = [new Float32Array(x.length), new Float32Array(x.length)];
      wasm!.channelAffine(x, n, c, inner, scale, shift, y1);
      refKernels.channelAffine(x, n, c, inner, scale, shift, y2);
      assertClose(y1, y2, { atol: 1e-6, rtol: 1e-6, what: `${what} affine` });

      const invStd = v2.map((v) => 1 / Math.sqrt(v + 1e-5));
      const [dy, weight] = [rand(x.length), rand(c)];
      for (const batchStats of [true, false]) {
        for (const withDx of [true, false]) {
          const run = (k: typeof refKernels) => {
            const out = { dx: withDx ? new Float32Array(x.length) : null, sumDy: new Float32Array(c), sumDyXhat: new Float32Array(c) };
            k.batchNormBackward({ x, dy, n, c, inner, mean: m2, invStd, weight, batchStats, ...out });
            return out;
          };
          const [got, want] = [run(wasm!), run(refKernels)];
          const tag = `${what} batchStats=${batchStats}${withDx ? '' : ' without dx'}`;
          const tol = { atol: 1e-4 * Math.sqrt(n * inner), rtol: 1e-4 };
          assertClose(got.sumDy, want.sumDy, { ...tol, what: `${tag} sumDy` });
          assertClose(got.sumDyXhat, want.sumDyXhat, { ...tol, what: `${tag} sumDyXhat` });
          if (withDx) assertClose(got.dx!, want.dx!, { atol: 1e-4, rtol: 1e-4, what: `${tag} dx` });
        }
      }
    }
  });
});
