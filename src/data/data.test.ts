import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rand, tensor } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { manualSeed } from '../util/rng.js';
import { compose, cutmix, mixup, randomAffine, randomCrop, randomErasing, randomHorizontalFlip } from './augment.js';
import { TensorDataset } from './dataset.js';
import { DataLoader } from './loader.js';
import { randomSplit, trainValTestSplit } from './split.js';

const ds = (n: number): TensorDataset =>
  new TensorDataset(
    tensor(
      Float32Array.from({ length: n }, (_, i) => i),
      { shape: [n, 1] },
    ),
    tensor(
      Int32Array.from({ length: n }, (_, i) => i % 3),
      { dtype: 'int32' },
    ),
  );

test('DataLoader: batch sizes, dropLast, and a seeded shuffle that changes every epoch', () => {
  const d = ds(10);
  const sizes = [...new DataLoader(d, { batchSize: 4 })].map(([x]) => x.shape[0]);
  assert.deepEqual(sizes, [4, 4, 2]);
  assert.deepEqual(
    [...new DataLoader(d, { batchSize: 4, dropLast: true })].map(([x]) => x.shape[0]),
    [4, 4],
  );
  const order = (l: DataLoader): number[] => [...l].flatMap(([x]) => Array.from(x.data()));
  assert.deepEqual(order(new DataLoader(d, { batchSize: 3 })), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  manualSeed(1);
  const l = new DataLoader(d, { batchSize: 3, shuffle: true });
  const e1 = order(l);
  const e2 = order(l);
  assert.deepEqual(
    [...e1].sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  assert.notDeepEqual(e1, e2);
  manualSeed(1);
  assert.deepEqual(order(l), e1);
  assert.throws(() => new DataLoader(d, { batchSize: 0 }), /batchSize must be a positive integer/);
});

test('randomSplit and a stratified trainValTestSplit', () => {
  manualSeed(2);
  const d = ds(30);
  const [a, b] = randomSplit(d, [0.8, 0.2]);
  assert.equal(a.length + b.length, 30);
  assert.equal(b.length, 6);
  const all = [...a.indices, ...b.indices].sort((x, y) => x - y);
  assert.deepEqual(
    all,
    Array.from({ length: 30 }, (_, i) => i),
  );
  const { train, validation, test: t } = trainValTestSplit(d, { validation: 0.2, test: 0.2, stratify: true });
  // 10 examples per class: 2 validation, 2 test, 6 training of each.
  const counts = (s: typeof train): number[] => {
    const c = [0, 0, 0];
    for (const i of s.indices) c[i % 3]++;
    return c;
  };
  assert.deepEqual(counts(validation), [2, 2, 2]);
  assert.deepEqual(counts(t), [2, 2, 2]);
  assert.deepEqual(counts(train), [6, 6, 6]);
  assert.throws(() => randomSplit(d, [10, 10]), /must sum to the dataset length 30/);
});

function images(): Tensor[] {
  manualSeed(3);
  return [rand([4, 2, 6, 5]), tensor([0, 1, 2, 1], { dtype: 'int32' })];
}

test('augment: identities, flips and crops move pixels exactly', () => {
  const batch = images();
  const x = batch[0].data();
  assert.deepEqual(randomAffine()(batch)[0].data(), x);
  const flip = randomHorizontalFlip({ p: 1 });
  const once = flip(batch)[0];
  assert.equal(once.data()[0], x[4]); // row 0: pixel 0 now holds pixel 4 of a width-5 row
  assert.deepEqual(flip(flip(batch))[0].data(), x);
  assert.deepEqual(randomCrop({ padding: 0 })(batch)[0].data(), x);
  // A shift by translation of whole pixels equals the crop shift: content is preserved inside.
  const cropped = randomCrop({ padding: 2 })(batch)[0];
  assert.deepEqual(cropped.shape, [4, 2, 6, 5]);
  assert.deepEqual(batch[1], randomCrop({ padding: 2 })(batch)[1]);
  // Rotation and zoom turn about the centre: the centre pixel of an odd-sized image stays put,
  // and a 2x zoom reads the neighbour of the centre halfway (bilinear: the mean of two pixels).
  const sq = rand([1, 1, 5, 5]);
  const s = sq.data();
  const r = randomAffine({ degrees: 45 })([sq])[0].data();
  assert.ok(Math.abs(r[12] - s[12]) < 1e-6);
  const z = randomAffine({ scale: [2, 2] })([sq])[0].data();
  assert.ok(Math.abs(z[13] - (s[12] + s[13]) / 2) < 1e-6);
});

test('augment: erasing, mixup and cutmix, seeded and composable', () => {
  const batch = images();
  const erased = randomErasing({ p: 1, value: -1 })(batch)[0].data();
  const nErased = erased.filter((v) => v === -1).length;
  assert.ok(nErased > 0 && nErased < erased.length / 2, `${nErased} erased`);
  const m = mixup({ alpha: 0.4, numClasses: 3 })(batch);
  assert.deepEqual(m[1].shape, [4, 3]);
  const rows = m[1].toArray() as number[][];
  for (const row of rows) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  const c = cutmix({ numClasses: 3 })(batch);
  assert.deepEqual(c[0].shape, batch[0].shape);
  for (const row of c[1].toArray() as number[][]) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  const aug = compose([
    randomAffine({ degrees: 10, translate: [0.1, 0.1], scale: [0.9, 1.1] }),
    randomErasing({ p: 0.5 }),
    mixup({ numClasses: 3 }),
  ]);
  manualSeed(11);
  const a1 = aug(batch);
  manualSeed(11);
  const a2 = aug(batch);
  assert.deepEqual(a1[0].data(), a2[0].data());
  assert.deepEqual(a1[1].data(), a2[1].data());
  assert.notDeepEqual(a1[0].data(), batch[0].data());
  assert.throws(() => randomAffine()([tensor([1, 2])]), /expects float images of shape \[N,C,H,W\]/);
});
