import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';

test('toArray, item, data', () => {
  const t = tg.tensor([
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(t.toArray(), [
    [1, 2],
    [3, 4],
  ]);
  assert.equal(tg.tensor(3).toArray(), 3);
  assert.equal(tg.tensor([[7]]).item(), 7);
  assert.equal(
    tg
      .tensor([1, 2, 3])
      .slice([[2]])
      .item(),
    3,
    'item of a view reads at its offset',
  );
  const d = t.transpose().data();
  assert.ok(d instanceof Float32Array);
  assert.deepEqual(Array.from(d), [1, 3, 2, 4]);
  d[0] = 100;
  assert.equal((t.toArray() as number[][])[0][0], 1, 'data() is a copy');
  assert.deepEqual(t.transpose().toArray(), [
    [1, 3],
    [2, 4],
  ]);
});

test('toString prints values, shape, dtype and requiresGrad', () => {
  assert.equal(
    tg
      .tensor(
        [
          [1.5, 2],
          [3, 4],
        ],
        { requiresGrad: true },
      )
      .toString(),
    'tensor([[1.5000, 2.0000],\n        [3.0000, 4.0000]], shape=[2,2], requiresGrad=true)',
  );
  assert.equal(tg.tensor([1, 2], { dtype: 'int32' }).toString(), 'tensor([1, 2], shape=[2], dtype=int32)');
  assert.equal(tg.tensor([1, 2]).toString(), 'tensor([1., 2.], shape=[2])');
  assert.equal(tg.tensor(3.25).toString(), 'tensor(3.2500, shape=[])');
  assert.match(tg.tensor([1e-5, 2e-5]).toString(), /1\.0000e-5, 2\.0000e-5/);
});

test('toString abbreviates tensors above 1000 elements to the first and last three per axis', () => {
  const s = tg.arange(0, 2000).reshape([40, 50]).toString();
  assert.match(s, /^tensor\(\[\[0, 1, 2, \.\.\., 47, 48, 49\],/);
  assert.match(s, /\[1950, 1951, 1952, \.\.\., 1997, 1998, 1999\]\], shape=\[40,50\], dtype=int32\)$/);
  assert.equal(s.split('\n').length, 7, 'three rows, an ellipsis row, three rows');
  assert.ok(!s.includes('1000,'), 'middle values are left out');
  const small = tg.arange(0, 1000).toString();
  assert.ok(small.includes(' 500,'), 'up to 1000 elements print in full');
});

test('reshape of a contiguous tensor shares storage; of a transposed tensor it copies', () => {
  const x = tg.arange(0, 12).reshape([3, 4]);
  const r = x.reshape([2, 6]);
  assert.equal(r.storage, x.storage);
  const tr = x.transpose();
  const c = tr.reshape([12]);
  assert.notEqual(c.storage, x.storage);
  assert.deepEqual(c.toArray(), [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
  // A transpose reshaped only by splitting or merging unit axes stays a view.
  assert.equal(tr.reshape([4, 1, 3]).storage, x.storage);
  assert.equal(x.flatten().storage, x.storage);
  assert.equal(x.unsqueeze(0).squeeze().storage, x.storage);
});

test('slicing, narrow, select, permute and expand are O(1) views on the same storage', () => {
  const x = tg.arange(0, 24).reshape([4, 6]);
  const s = x.slice([
    [1, 4, 2],
    [1, null, 2],
  ] as never);
  assert.equal(s.storage, x.storage);
  assert.deepEqual([s.offset, s.strides], [7, [12, 2]]);
  assert.deepEqual(s.toArray(), [
    [7, 9, 11],
    [19, 21, 23],
  ]);
  assert.equal(x.narrow(1, 2, 3).storage, x.storage);
  assert.equal(x.select(0, 2).storage, x.storage);
  assert.equal(x.permute([1, 0]).storage, x.storage);
  const e = tg.tensor([[1], [2]]).expand([2, 3]);
  assert.deepEqual(e.strides, [1, 0]);
  assert.deepEqual(e.toArray(), [
    [1, 1, 1],
    [2, 2, 2],
  ]);
  // The slice's cost does not depend on the tensor's size: one big tensor, many slices, no copies.
  const big = tg.zeros([2000, 1000]);
  const t0 = performance.now();
  for (let i = 0; i < 1000; i++) big.slice([[i, i + 1000]]);
  assert.ok(performance.now() - t0 < 200, 'slicing must not copy');
});

test('reshape agrees with a copy for every view layout (random permutations and slices)', () => {
  tg.manualSeed(3);
  const base = tg.arange(0, 2 * 3 * 4 * 5).reshape([2, 3, 4, 5]);
  const targets = [[120], [6, 20], [2, 12, 5], [5, 4, 3, 2], [1, 2, 1, 60], [4, 30]];
  for (let trial = 0; trial < 40; trial++) {
    const perm = Array.from(tg.rng.permutation(4));
    const v = base.permute(perm);
    const dense = tg.tensor(v.data(), { shape: v.shape, dtype: 'int32' });
    for (const shape of targets) {
      assert.deepEqual(v.reshape(shape).toArray(), dense.reshape(shape).toArray(), `perm ${perm} -> [${shape}]`);
    }
    const sl = v.slice([null, [0, 1]]);
    const ds = tg.tensor(sl.data(), { shape: sl.shape, dtype: 'int32' });
    assert.deepEqual(sl.reshape([-1]).toArray(), ds.reshape([-1]).toArray());
  }
});

test('a view keeps reading its source: writes through storage are visible', () => {
  const x = tg.zeros([2, 3]);
  const v = x.transpose();
  (x.storage as Float32Array)[1] = 5;
  assert.equal((v.toArray() as number[][])[1][0], 5);
});
