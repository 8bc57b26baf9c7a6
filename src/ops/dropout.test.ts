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
    else
      assert.ok(Math.abs(ys[i] - xs[i] / (1 - p)) <= 1e-6 * ys[i], `element ${i}: ${ys[i]} is neither 0 nor x/(1-p) = ${xs[i] / (1 - p)}`);
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
  assert.ok(
    F.dropout(x, { p: 1 })
      .data()
      .every((v) => v === 0),
  );
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

test('dropout draws its mask from the generator as before: element i is dropped iff the i-th 32-bit draw < p·2^32', () => {
  const p = 0.3;
  const x = tg.randn([7, 33]);
  tg.manualSeed(21);
  const y = F.dropout(x, { p }).data();
  tg.manualSeed(21);
  const xs = x.data();
  for (let i = 0; i < xs.length; i++) {
    // x·0, not 0: a dropped negative value is -0, as x·mask gives it.
    const want = tg.rng.nextU32() < p * 4294967296 ? xs[i] * 0 : Math.fround(xs[i] * Math.fround(1 / (1 - p)));
    assert.equal(y[i], want, `element ${i}`);
  }
});

test('Rng.fillU32 gives the same sequence as nextU32', () => {
  const a = new tg.Rng(9);
  const b = new tg.Rng(9);
  const out = new Uint32Array(1000);
  a.fillU32(out, 3);
  a.fillU32(out.subarray(3));
  for (let i = 0; i < out.length; i++) assert.equal(out[i], b.nextU32(), `value ${i}`);
  assert.equal(a.nextU32(), b.nextU32());
});

test('dropout passes a float64 gradcheck (the mask fixed by reseeding inside the function)', () => {
  const x = tg.randn([6, 5], { dtype: 'float64', requiresGrad: true });
  const r = tg.gradcheck(
    (t) => {
      tg.manualSeed(3);
      return F.dropout(t, { p: 0.4 });
    },
    [x],
    { eps: 1e-6, atol: 1e-6, rtol: 1e-4 },
  );
  assert.ok(r.ok, `max error ${r.maxAbsError}`);
});
