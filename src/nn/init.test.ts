import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';
import { nn } from '../index.js';
import type { Tensor } from '../tensor/tensor.js';

const { init } = nn;

function stats(t: Tensor): { mean: number; std: number } {
  const d = t.data();
  let s = 0;
  for (const v of d) s += v;
  const mean = s / d.length;
  let q = 0;
  for (const v of d) q += (v - mean) ** 2;
  return { mean, std: Math.sqrt(q / d.length) };
}

test('xavier and kaiming give the intended standard deviation on a 512x512 weight', () => {
  tg.manualSeed(8);
  const n = 512;
  const cases: Array<[string, (t: Tensor) => Tensor, number]> = [
    ['xavierUniform', (t) => init.xavierUniform(t), Math.sqrt(2 / (2 * n))],
    ['xavierNormal gain 2', (t) => init.xavierNormal(t, { gain: 2 }), 2 * Math.sqrt(2 / (2 * n))],
    ['kaimingUniform relu', (t) => init.kaimingUniform(t, { nonlinearity: 'relu' }), Math.sqrt(2 / n)],
    ['kaimingNormal relu fanOut', (t) => init.kaimingNormal(t, { nonlinearity: 'relu', mode: 'fanOut' }), Math.sqrt(2 / n)],
    ['kaimingUniform a=√5', (t) => init.kaimingUniform(t, { a: Math.sqrt(5) }), 1 / Math.sqrt(3 * n)],
    ['heNormal', (t) => init.heNormal(t), Math.sqrt(2 / n)],
    ['glorotUniform', (t) => init.glorotUniform(t), Math.sqrt(1 / n)],
    ['normal', (t) => init.normal(t, { mean: 1, std: 0.5 }), 0.5],
    ['uniform', (t) => init.uniform(t, { low: -1, high: 1 }), 1 / Math.sqrt(3)],
  ];
  for (const [name, f, want] of cases) {
    const w = tg.zeros([n, n], { requiresGrad: true });
    assert.equal(f(w), w, `${name} returns its argument`);
    const { std } = stats(w);
    assert.ok(Math.abs(std - want) < 0.1 * want, `${name}: std ${std}, expected ${want}`);
    assert.ok(w.requiresGrad && w.node === null, `${name} stays a leaf`);
  }
  const { mean } = stats(init.normal(tg.zeros([n, n]), { mean: 1, std: 0.5 }));
  assert.ok(Math.abs(mean - 1) < 0.01);
});

test('init is seeded and repeatable', () => {
  tg.manualSeed(42);
  const a = init.kaimingNormal(tg.zeros([16, 8]));
  tg.manualSeed(42);
  const b = init.kaimingNormal(tg.zeros([16, 8]));
  assert.deepEqual(a.data(), b.data());
  assert.notDeepEqual(init.kaimingNormal(tg.zeros([16, 8])).data(), a.data());
});

test('fan rules, gains and constant fills', () => {
  assert.deepEqual(init.fanInOut([10, 20]), { fanIn: 20, fanOut: 10 });
  assert.deepEqual(init.fanInOut([32, 16, 3, 3]), { fanIn: 144, fanOut: 288 });
  assert.throws(() => init.fanInOut([5]), /at least 2 dimensions, got shape \[5\]/);
  assert.equal(init.calculateGain('tanh'), 5 / 3);
  assert.equal(init.calculateGain('relu'), Math.SQRT2);
  assert.equal(init.calculateGain('leakyRelu', 0.2), Math.sqrt(2 / 1.04));
  assert.equal(init.calculateGain('sigmoid'), 1);
  assert.throws(() => init.calculateGain('swish' as 'relu'), /unknown nonlinearity 'swish'/);
  assert.deepEqual(init.ones(tg.zeros([2, 2])).toArray(), [
    [1, 1],
    [1, 1],
  ]);
  assert.deepEqual(init.zeros(tg.ones([3])).toArray(), [0, 0, 0]);
  assert.deepEqual(init.constant(tg.zeros([2]), 0.5).toArray(), [0.5, 0.5]);
  assert.throws(() => init.constant(tg.zeros([2, 3]).transpose(), 1), /expects a dense tensor/);
});
