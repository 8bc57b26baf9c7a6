import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';
import { F } from '../index.js';
import { eachBackend } from '../../test/each-backend.js';

const idx = (v: number[][]) => tg.tensor(v, { dtype: 'int32' });

test('embedding: looks up rows; gradcheck on the weight', () => {
  tg.manualSeed(6);
  eachBackend(() => {
    const ids = idx([
      [2, 0, 2],
      [4, 1, 0],
    ]);
    const r = tg.gradcheck((w) => F.embedding(ids, w), [tg.randn([5, 3], { dtype: 'float64' })], { atol: 1e-6, rtol: 1e-4 });
    assert.ok(r.ok, `gradcheck: ${JSON.stringify(r.worst)}`);
  });
  const w = tg.tensor([
    [0, 0],
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(F.embedding(idx([[2, 1]]), w).toArray(), [
    [
      [3, 4],
      [1, 2],
    ],
  ]);
});

test('embedding: the paddingIdx row keeps its value but receives no gradient', () => {
  const w = tg.tensor(
    [
      [9, 9],
      [1, 2],
      [3, 4],
    ],
    { requiresGrad: true },
  );
  const y = F.embedding(
    idx([
      [0, 1, 0],
      [1, 2, 0],
    ]),
    w,
    { paddingIdx: 0 },
  );
  assert.deepEqual(y.toArray(), [
    [
      [9, 9],
      [1, 2],
      [9, 9],
    ],
    [
      [1, 2],
      [3, 4],
      [9, 9],
    ],
  ]);
  y.sum().backward();
  assert.deepEqual(w.grad!.toArray(), [
    [0, 0],
    [2, 2],
    [1, 1],
  ]);
});

test('embedding errors', () => {
  const w = tg.zeros([3, 2]);
  assert.throws(() => F.embedding(tg.tensor([0, 1]), w), {
    message: 'embedding: indices must be an int32 tensor, got float32 (shape [2])',
  });
  assert.throws(() => F.embedding(idx([[3]]), w), /index 3 is out of range/);
  assert.throws(() => F.embedding(idx([[0]]), w, { paddingIdx: 3 }), {
    message: 'embedding: paddingIdx 3 is out of range for 3 embeddings',
  });
});
