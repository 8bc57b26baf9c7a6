/**
 * Convolution, pooling, normalisation, embedding, upsampling and the image tasks' losses against PyTorch 1.13
 * (test/fixtures/conv.json, made by tools/make_conv_fixtures.py): the output and the
 * gradient of sum(y * dy) for every input, on every backend that loads, in float32 and float64.
 *
 * Tolerances, |got - want| <= atol + rtol·|want|:
 * - float32: rtol 1e-4; atol 1e-5, for entries that are near zero only through cancellation
 *   (sums of up to 100 products of size ~1 lose about 1e-7 each in float32).
 * - float64: rtol 1e-8, atol 1e-9 (the fixture stores 10 significant digits).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';
import { F } from '../index.js';
import type { Tensor } from '../index.js';
import { assertClose, loadFixture } from '../../test/util.js';
import { eachBackend } from '../../test/each-backend.js';

interface Fx {
  shape: number[];
  data: number[];
}
interface Case {
  name: string;
  op: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixture options of every op, passed through as the op takes them
  opts: Record<string, any>;
  inputs: Record<string, Fx>;
  dy: Fx;
  y: Fx;
  grads: Record<string, Fx>;
  runningMean?: Fx;
  runningVar?: Fx;
  newRunningMean?: Fx;
  newRunningVar?: Fx;
}

const cases = loadFixture<{ cases: Case[] }>('conv').cases;
const TOL = { float32: { rtol: 1e-4, atol: 1e-5 }, float64: { rtol: 1e-8, atol: 1e-9 } } as const;

type Ins = Record<string, Tensor>;
/* eslint-disable @typescript-eslint/no-explicit-any -- the fixture's options, typed by each op */
const run: Record<string, (t: Ins, o: Record<string, any>, c: Case) => Tensor> = {
  conv2d: (t, o) => F.conv2d(t.x, t.w, t.b ?? null, o),
  conv1d: (t, o) => F.conv1d(t.x, t.w, t.b ?? null, o),
  maxPool2d: (t, o) => F.maxPool2d(t.x, o as any),
  avgPool2d: (t, o) => F.avgPool2d(t.x, o as any),
  maxPool1d: (t, o) => F.maxPool1d(t.x, o as any),
  avgPool1d: (t, o) => F.avgPool1d(t.x, o as any),
  adaptiveAvgPool2d: (t, o) => F.adaptiveAvgPool2d(t.x, o.outputSize),
  globalMaxPool1d: (t) => F.globalMaxPool1d(t.x),
  globalAvgPool1d: (t) => F.globalAvgPool1d(t.x),
  globalMaxPool2d: (t) => F.globalMaxPool2d(t.x),
  globalAvgPool2d: (t) => F.globalAvgPool2d(t.x),
  batchNorm: (t, o) => F.batchNorm(t.x, t.runningMean, t.runningVar, { ...o, weight: t.weight, bias: t.bias }),
  layerNorm: (t, o) => F.layerNorm(t.x, o.normalizedShape, { weight: t.weight, bias: t.bias, eps: o.eps }),
  embedding: (t, o) => F.embedding(t.indices, t.weight, { paddingIdx: o.paddingIdx }),
  convTranspose2d: (t, o) => F.convTranspose2d(t.x, t.w, t.b ?? null, o),
  interpolate: (t, o) => F.interpolate(t.x, o),
  pixelShuffle: (t, o) => F.pixelShuffle(t.x, o.upscaleFactor),
  smoothL1Loss: (t, o) => F.smoothL1Loss(t.x, t.target, o),
  crossEntropy: (t, o) => F.crossEntropy(t.x, t.indices, o),
};
/* eslint-enable @typescript-eslint/no-explicit-any */

function checkCase(c: Case, dtype: 'float32' | 'float64'): void {
  const tol = TOL[dtype];
  const make = (f: Fx, requiresGrad: boolean, dt: 'float32' | 'float64' | 'int32' = dtype) =>
    tg.tensor(f.data, { shape: f.shape, dtype: dt, requiresGrad });
  const ins: Ins = {};
  for (const [k, f] of Object.entries(c.inputs)) ins[k] = k === 'indices' ? make(f, false, 'int32') : make(f, true);
  if (c.runningMean && c.runningVar) {
    ins.runningMean = make(c.runningMean, false);
    ins.runningVar = make(c.runningVar, false);
  }
  const y = run[c.op](ins, c.opts, c);
  assert.deepEqual(y.shape, c.y.shape, `${c.name}: output shape`);
  assertClose(y.data(), c.y.data, { ...tol, what: `${c.name} (${dtype}) y` });
  y.mul(make(c.dy, false)).sum().backward();
  for (const [k, g] of Object.entries(c.grads)) {
    const got = ins[k].grad;
    assert.ok(got, `${c.name}: no gradient for ${k}`);
    assert.deepEqual(got.shape, g.shape, `${c.name}: shape of the gradient of ${k}`);
    assertClose(got.data(), g.data, { ...tol, what: `${c.name} (${dtype}) d${k}` });
  }
  if (c.newRunningMean && c.newRunningVar) {
    assertClose(ins.runningMean.data(), c.newRunningMean.data, { ...tol, what: `${c.name} running mean` });
    assertClose(ins.runningVar.data(), c.newRunningVar.data, { ...tol, what: `${c.name} running var` });
  }
}

test('conv fixtures: forward and every gradient match PyTorch on each backend', async (t) => {
  assert.ok(cases.length > 30, 'fixture has its cases');
  const backends = eachBackend((backend) => {
    for (const c of cases) {
      for (const dtype of ['float32', 'float64'] as const) {
        try {
          checkCase(c, dtype);
        } catch (e) {
          throw new Error(`[${backend}] ${c.name} ${dtype}: ${(e as Error).message}`, { cause: e });
        }
      }
    }
  });
  assert.ok(backends.includes('ref'));
  t.diagnostic(`backends tested: ${backends.join(', ')}; ${cases.length} cases`);
});
