import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';
import { F } from '../index.js';

// Mask-independent checks: tsgrad's generator differs from PyTorch's, so no fixture can hold the mask.

test('dropout: each value is 0 or x/(1-p), about p of them are dropped, and the mean is preserved', () => {
  tg.manualSeed(3);
  const p = 0.3;
  const x = tg.rand([200, 500], { low: 1, high: 2 });
  const y = F.dropout(x, { p, training: true });
  const xs = x.data();
  const ys = y.data();
  let dropped = 0;
  for (let i = 0; i < xs.length; i++) {
    if (ys[i] === 0) dropped++;
    else assert.ok(Math.abs(ys[i] - xs[i] / (1 - p)) <= 1e-6 * ys[i], `element ${i}: ${ys[i]} is neither 0 nor x/(1-p) = ${xs[i] / (1 - p)}`);
  }
  // 100,000 Bernoulli(0.3) draws: the dropped fraction's standard deviation is 0.0014.
  assert.ok(Math.abs(dropped / xs.length - p) < 0.01, `dropped fraction ${dropped / xs.length}`);
  const mx = x.mean().item();
  const my = y.mean().item();
  assert.ok(Math.abs(my - mx) / mx < 0.01, `mean ${my} vs ${mx}`);
});

test('dropout: identity in evaluation and for p = 0; all zeros for p = 1', () => {
  const x = tg.randn([4, 5]);
  assert.equal(F.dropout(x, { p: 0.5, training: false }), x);
  assert.equal(F.dropout(x, { p: 0 }), x);
  assert.ok(F.dropout(x, { p: 1 }).data().every((v) => v === 0));
  assert.throws(() => F.dropout(x, { p: 1.5 }), { message: 'dropout: p must be a probability in [0, 1], got 1.5' });
});

test('dropout: the gradient is the mask scaled by 1/(1-p)', () => {
  tg.manualSeed(4);
  const p = 0.5;
  const x = tg.randn([50, 40], { requiresGrad: true });
  const y = F.dropout(x, { p });
  y.sum().backward();
  const g = x.grad!.data();
  const ys = y.data();
  for (let i = 0; i < g.length; i++) assert.equal(g[i], ys[i] === 0 ? 0 : 1 / (1 - p));
});

test('dropout: manualSeed repeats the mask', () => {
  const x = tg.ones([100]);
  tg.manualSeed(7);
  const a = F.dropout(x).data();
  tg.manualSeed(7);
  assert.deepEqual(F.dropout(x).data(), a);
});
