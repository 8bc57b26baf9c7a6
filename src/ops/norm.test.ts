import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';
import { F } from '../index.js';
import { assertGradcheck, eachBackend } from '../../test/each-backend.js';

const rnd = (shape: number[]) => tg.randn(shape, { dtype: 'float64' });

test('batchNorm and layerNorm: float64 gradcheck', () => {
  tg.manualSeed(5);
  eachBackend(() => {
    assertGradcheck('batchNorm train [N,C,H,W]', (x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }), [
      rnd([3, 2, 2, 3]),
      rnd([2]),
      rnd([2]),
    ]);
    assertGradcheck('batchNorm train [N,C]', (x) => F.batchNorm(x, null, null, { training: true }), [rnd([4, 3])]);
    const rm = rnd([3]);
    const rv = tg.rand([3], { low: 0.5, high: 2, dtype: 'float64' });
    assertGradcheck('batchNorm eval [N,C,L]', (x, w, b) => F.batchNorm(x, rm, rv, { weight: w, bias: b, training: false }), [
      rnd([2, 3, 4]),
      rnd([3]),
      rnd([3]),
    ]);
    assertGradcheck('layerNorm over [3,4]', (x, w, b) => F.layerNorm(x, [3, 4], { weight: w, bias: b }), [
      rnd([2, 3, 4]),
      rnd([3, 4]),
      rnd([3, 4]),
    ]);
  });
});

test('batchNorm: training normalises each channel and updates the running statistics like PyTorch', () => {
  const x = tg.tensor([
    [1, 10],
    [3, 20],
    [5, 60],
  ]);
  const rm = tg.zeros([2]);
  const rv = tg.ones([2]);
  const y = F.batchNorm(x, rm, rv, { training: true, momentum: 0.5, eps: 0 });
  // Channel 0: mean 3, biased variance 8/3; unbiased 4.
  const col0 = (y.toArray() as number[][]).map((r) => r[0]);
  const s = Math.sqrt(8 / 3);
  col0.forEach((v, i) => assert.ok(Math.abs(v - [-2 / s, 0, 2 / s][i]) < 1e-6));
  assert.deepEqual([...rm.data()], [1.5, 15]);
  assert.ok(Math.abs(rv.data()[0] - (0.5 + 0.5 * 4)) < 1e-6);
  // Evaluation uses the running statistics and leaves them alone.
  // (As PyTorch's CPU kernel, x·scale + shift: zero up to float32 rounding.)
  const e = F.batchNorm(tg.tensor([[1.5, 15]]), rm, rv, { training: false, eps: 0 });
  for (const v of e.data()) assert.ok(Math.abs(v) < 1e-6, `${v}`);
  assert.deepEqual([...rm.data()], [1.5, 15]);
});

test('norm errors name the op and the shapes', () => {
  assert.throws(() => F.batchNorm(tg.zeros([2, 3, 4]), tg.zeros([4]), tg.ones([4])), {
    message: 'batchNorm: runningMean must have shape [3] (one per channel of input shape [2,3,4]), got [4]',
  });
  assert.throws(() => F.batchNorm(tg.zeros([2, 3], { dtype: 'int32' }), null, null), {
    message: 'batchNorm: expected a floating-point input, got int32 (input shape [2,3])',
  });
  assert.throws(
    () => F.batchNorm(tg.zeros([1, 3]), null, null, { training: true }),
    /expected more than 1 value per channel when training/,
  );
  assert.throws(() => F.layerNorm(tg.zeros([2, 3, 4]), [3]), {
    message: 'layerNorm: normalizedShape [3] must match the last axes of the input shape [2,3,4]',
  });
});
