import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateTargets, fmtRatio, ratio, type Figure, type FrameworkRun } from './report.js';

const ok = (value: number): Figure => ({ status: 'ok', value });
const run = (name: string, cases: Record<string, Figure>, extras: FrameworkRun['extras'] = {}): FrameworkRun => ({
  name,
  info: {},
  cases,
  extras,
});

test('ratio divides tsgrad by the peer and carries a timeout bound over', () => {
  assert.deepEqual(ratio(ok(30), ok(10)), { value: 3, bound: undefined });
  // The peer timed out below 2: tsgrad at 30 is more than 15 times faster.
  assert.deepEqual(ratio(ok(30), { status: 'timeout', value: 2, bound: '<' }), { value: 15, bound: '>' });
  assert.equal(fmtRatio(ratio(ok(30), { status: 'timeout', value: 2, bound: '<' })), '> 15×');
  assert.equal(ratio(ok(30), { status: 'cannot' }), null);
  assert.equal(ratio(ok(30), undefined), null);
});

test('targets are met, not met or unknown from the figures', () => {
  const runs = {
    'tsgrad-wasm': run(
      'tsgrad-wasm',
      { 'sgemm-1024': ok(120), 'cnn-train': ok(900), 'mlp-train': ok(10_000) },
      { 'copy-share': { share: 0.04 }, 'leak-check': { growth: 0.2, batch: 64, steps: 200 }, 'simd-peak': { allThreads: 150 } },
    ),
    'tfjs-wasm': run('tfjs-wasm', { 'sgemm-1024': ok(45), 'cnn-train': ok(87) }),
    pytorch: run('pytorch', { 'cnn-train': ok(2000), 'mlp-train': ok(15_000) }),
  };
  const byName = Object.fromEntries(evaluateTargets(runs).map((t) => [t.target, t.status]));
  assert.equal(byName['sgemm n=1024 ≥ 75% of the SIMD ceiling'], 'met');
  assert.equal(byName['sgemm n=1024 ≥ 2× tfjs-wasm'], 'met'); // 2.67×
  assert.equal(byName['Keras CNN training ≥ 10× tfjs-wasm'], 'met'); // 10.3×
  assert.equal(byName['Keras CNN training ≥ 0.5× PyTorch'], 'not met'); // 0.45×
  assert.equal(byName['MLP training ≥ 0.5× PyTorch'], 'met');
  assert.equal(byName['CNN inference ≥ 0.5× PyTorch'], 'unknown');
  assert.equal(byName['wasm-heap copies ≤ 10% of a CNN training step'], 'met');
  assert.equal(byName['RSS after step 200 within 10% of step 10'], 'not met');
});

test('a comparison made while the machine was busy carries a caveat', () => {
  const runs = {
    'tsgrad-wasm': { ...run('tsgrad-wasm', { 'mlp-train': ok(9000) }), info: { loadAverageAtStart: 0.4 } },
    pytorch: { ...run('pytorch', { 'mlp-train': ok(2000) }), info: { loadAverageAtStart: 4.8 } },
  };
  const mlp = evaluateTargets(runs).find((t) => t.target.startsWith('MLP'));
  assert.equal(mlp?.status, 'met');
  assert.match(mlp?.caveat ?? '', /4\.8 as pytorch started/);
});

test('the sgemm target shows its figure against the SIMD ceiling measured in the same run', () => {
  const runs = { 'tsgrad-wasm': run('tsgrad-wasm', { 'sgemm-1024': ok(96) }, { 'simd-peak': { allThreads: 117, oneThread: 58.6 } }) };
  const sgemm = evaluateTargets(runs).find((t) => t.target === 'sgemm n=1024 ≥ 75% of the SIMD ceiling');
  assert.equal(sgemm?.status, 'met');
  assert.match(sgemm?.measured ?? '', /^96(\.0)? GFLOP\/s, 82% of the 117 GFLOP\/s SIMD ceiling measured in this run$/);
  // The same figure on a slower machine meets it: the target is a share of this run's ceiling.
  const slow = { 'tsgrad-wasm': run('tsgrad-wasm', { 'sgemm-1024': ok(48) }, { 'simd-peak': { allThreads: 58 } }) };
  assert.equal(evaluateTargets(slow).find((t) => t.target === 'sgemm n=1024 ≥ 75% of the SIMD ceiling')?.status, 'met');
  const short = { 'tsgrad-wasm': run('tsgrad-wasm', { 'sgemm-1024': ok(80) }, { 'simd-peak': { allThreads: 117 } }) };
  assert.equal(evaluateTargets(short).find((t) => t.target === 'sgemm n=1024 ≥ 75% of the SIMD ceiling')?.status, 'not met');
  const unmeasured = { 'tsgrad-wasm': run('tsgrad-wasm', { 'sgemm-1024': ok(200) }) };
  assert.equal(evaluateTargets(unmeasured).find((t) => t.target === 'sgemm n=1024 ≥ 75% of the SIMD ceiling')?.status, 'unknown');
});

test('a SIMD ceiling that fell during the sgemm cases makes the sgemm figure suspect', () => {
  const extras = { 'simd-peak': { allThreads: 117 }, 'simd-peak-after': { allThreads: 94 } };
  const runs = { 'tsgrad-wasm': run('tsgrad-wasm', { 'sgemm-1024': ok(95) }, extras) };
  const sgemm = evaluateTargets(runs).find((t) => t.target === 'sgemm n=1024 ≥ 75% of the SIMD ceiling');
  assert.equal(sgemm?.caveat, 'SIMD ceiling 117 GFLOP/s before the sgemm cases, 94.0 after');
  const steady = { 'tsgrad-wasm': run('tsgrad-wasm', { 'sgemm-1024': ok(102) }, { ...extras, 'simd-peak-after': { allThreads: 115 } }) };
  assert.equal(evaluateTargets(steady).find((t) => t.target === 'sgemm n=1024 ≥ 75% of the SIMD ceiling')?.caveat, undefined);
});
