import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, manualSeed, rng } from './rng.js';

test('the same seed repeats the same stream; another seed gives another', () => {
  const a = new Rng(5);
  const b = new Rng(5);
  const xs = Array.from({ length: 10 }, () => a.random());
  assert.deepEqual(
    Array.from({ length: 10 }, () => b.random()),
    xs,
  );
  assert.notDeepEqual(
    Array.from({ length: 10 }, () => new Rng(6).random()),
    xs,
  );
  manualSeed(9);
  const first = [rng.random(), rng.normal(), rng.int(0, 10)];
  manualSeed(9);
  assert.deepEqual([rng.random(), rng.normal(), rng.int(0, 10)], first);
});

test('random is uniform in [0, 1), int in [low, high), normal has mean 0 and variance 1', () => {
  const r = new Rng(1);
  const n = 20000;
  let sum = 0;
  let sq = 0;
  const counts = new Array(5).fill(0);
  for (let i = 0; i < n; i++) {
    const u = r.random();
    assert.ok(u >= 0 && u < 1);
    counts[r.int(0, 5)]++;
    const z = r.normal();
    sum += z;
    sq += z * z;
  }
  assert.ok(Math.abs(sum / n) < 0.03, `normal mean ${sum / n}`);
  assert.ok(Math.abs(sq / n - 1) < 0.04, `normal variance ${sq / n}`);
  for (const c of counts) assert.ok(Math.abs(c / n - 0.2) < 0.02, `int bucket ${c / n}`);
});

test('permutation holds each index once', () => {
  const p = new Rng(3).permutation(100);
  assert.deepEqual(
    Array.from(p).sort((x, y) => x - y),
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.notDeepEqual(
    Array.from(p),
    Array.from({ length: 100 }, (_, i) => i),
  );
});
