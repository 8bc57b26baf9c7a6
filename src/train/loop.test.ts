/**
 * What users reach for in a training loop: gradient accumulation, clipping and per-step
 * schedules inside fit, top-k metric names, a DataLoader collate function, and EarlyStopping's
 * patience as Keras means it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataLoader } from '../data/loader.js';
import { TensorDataset } from '../data/dataset.js';
import { Linear } from '../nn/linear.js';
import { Sequential } from '../nn/sequential.js';
import { Tanh } from '../nn/activation.js';
import { OneCycleLR } from '../optim/schedulers.js';
import { SGD } from '../optim/sgd.js';
import { randn, tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { manualSeed } from '../util/rng.js';
import { EarlyStopping, LearningRateScheduler, type Callback } from './callbacks.js';
import { fit } from './fit.js';
import { resolveMetric } from './metrics.js';

const quiet = { verbose: 0 as const };

function data(n: number): [Tensor, Tensor] {
  manualSeed(11);
  const x = randn([n, 3]);
  return [x, x.matmul(tensor([[1], [-2], [0.5]])).add(0.1)];
}

const model = (): Sequential => {
  manualSeed(5);
  return new Sequential(new Linear({ inFeatures: 3, outFeatures: 4 }), new Tanh(), new Linear({ inFeatures: 4, outFeatures: 1 }));
};

test('accumulateSteps: 4 batches of 8 step as one batch of 32 (mean loss, SGD)', () => {
  const [x, y] = data(64);
  const a = model();
  fit(a, {
    train: [x, y],
    epochs: 2,
    batchSize: 8,
    accumulateSteps: 4,
    shuffle: false,
    loss: 'mse',
    optimizer: new SGD(a.parameters(), { lr: 0.1 }),
    ...quiet,
  });
  const b = model();
  fit(b, {
    train: [x, y],
    epochs: 2,
    batchSize: 32,
    shuffle: false,
    loss: 'mse',
    optimizer: new SGD(b.parameters(), { lr: 0.1 }),
    ...quiet,
  });
  const c = model();
  fit(c, {
    train: [x, y],
    epochs: 2,
    batchSize: 8,
    shuffle: false,
    loss: 'mse',
    optimizer: new SGD(c.parameters(), { lr: 0.1 }),
    ...quiet,
  });
  a.parameters().forEach((p, i) => {
    const q = b.parameters()[i].data();
    p.data().forEach((v, j) => assert.ok(Math.abs(v - q[j]) < 1e-5, `param ${i}[${j}]: ${v} vs ${q[j]}`));
  });
  // Without accumulation the result differs: the test can tell them apart.
  assert.ok(
    c
      .parameters()[0]
      .data()
      .some((v, j) => Math.abs(v - b.parameters()[0].data()[j]) > 1e-4),
  );
  assert.throws(
    () => fit(a, { train: [x, y], accumulateSteps: 0, optimizer: new SGD(a.parameters(), { lr: 0.1 }), ...quiet }),
    /fit: accumulateSteps must be a positive integer, got 0/,
  );
});

test('fit clips the gradients before each step, and steps a OneCycleLR after every optimizer step', () => {
  const [x, y] = data(64);
  const m = model();
  const opt = new SGD(m.parameters(), { lr: 0.1, momentum: 0.9 });
  const sched = new OneCycleLR(opt, { maxLr: 0.05, epochs: 2, stepsPerEpoch: 4 });
  const norms: number[] = [];
  const lrs: number[] = [];
  const probe: Callback = {
    onBatchEnd: () => {
      lrs.push(opt.paramGroups[0].lr);
      let s = 0;
      for (const p of m.parameters()) for (const v of p.grad!.data()) s += v * v;
      norms.push(Math.sqrt(s));
    },
  };
  fit(m, {
    train: [x, y],
    epochs: 2,
    batchSize: 16,
    loss: 'mse',
    optimizer: opt,
    clipGradNorm: 0.01,
    callbacks: [probe, new LearningRateScheduler(sched)],
    ...quiet,
  });
  assert.equal(norms.length, 8);
  for (const n of norms) assert.ok(n <= 0.01 + 1e-6, `gradient norm ${n} after clipping to 0.01`);
  assert.equal(sched.lastEpoch, 8);
  // Up from maxLr/25 to near maxLr in the first 30% of the 8 steps, then down (the callback
  // runs after the probe, so lrs[k] is the lr step k used).
  assert.ok(Math.abs(lrs[0] - 0.002) < 1e-9, `first lr ${lrs[0]}`);
  const peak = lrs.indexOf(Math.max(...lrs));
  assert.ok(peak >= 1 && peak <= 2 && lrs[peak] > 0.04, `lrs ${lrs}`);
  assert.ok(lrs[7] < 0.002, `last lr ${lrs[7]}`);
});

test('metric names top1 … topK for any k, with a clear error otherwise', () => {
  const scores = tensor([
    [0.1, 0.5, 0.4],
    [0.8, 0.15, 0.05],
    [0.2, 0.3, 0.5],
  ]);
  const y = tensor([2, 1, 0], { dtype: 'int32' });
  assert.equal(resolveMetric('top1').fn(scores, y), 0);
  assert.ok(Math.abs(resolveMetric('top2').fn(scores, y) - 2 / 3) < 1e-9);
  assert.equal(resolveMetric('top3').fn(scores, y), 1);
  assert.equal(resolveMetric('top7').name, 'top7');
  assert.throws(() => resolveMetric('top0'), /metrics: 'top0' asks for the top 0 classes/);
  assert.throws(() => resolveMetric('topx'), /metrics: unknown metric 'topx' \(known: .*and top1 … topK for any k\)/);
});

test('DataLoader collate makes the batch from the samples', () => {
  const ds = new TensorDataset(
    tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]),
    tensor([0, 1, 0], { dtype: 'int32' }),
  );
  const seen: number[] = [];
  const loader = new DataLoader(ds, {
    batchSize: 2,
    collate: (samples) => {
      seen.push(samples.length);
      // Sum the features of each sample instead of stacking them.
      return [
        tensor(samples.map(([x]) => x.sum().item())),
        tensor(
          samples.map(([, l]) => l.item()),
          { dtype: 'int32' },
        ),
      ];
    },
  });
  const batches = [...loader];
  assert.deepEqual(seen, [2, 1]);
  assert.deepEqual(batches[0][0].toArray(), [3, 7]);
  assert.deepEqual(batches[1][1].toArray(), [0]);
  const bad = new DataLoader(ds, { batchSize: 2, collate: () => 'batch' as never });
  assert.throws(() => [...bad], /DataLoader: collate must return an array of tensors, got "batch"/);
  assert.throws(
    () => new DataLoader(ds, { colate: () => [] } as never),
    /DataLoader: unknown option 'colate' \(did you mean 'collate'\?\)/,
  );
});

test('EarlyStopping({ patience: 2 }) stops after 2 epochs without improvement, as Keras does', () => {
  const losses = [1.0, 0.8, 0.9, 0.85, 0.7, 0.6];
  const es = new EarlyStopping({ monitor: 'val_loss', patience: 2 });
  const ctx = { stopTraining: false, stopReason: undefined as string | undefined } as never as Parameters<EarlyStopping['onEpochEnd']>[2];
  es.onTrainBegin?.();
  let stoppedAt = -1;
  for (let e = 0; e < losses.length && stoppedAt < 0; e++) {
    es.onEpochEnd(e, { val_loss: losses[e] }, ctx);
    if ((ctx as { stopTraining: boolean }).stopTraining) stoppedAt = e;
  }
  // Best at epoch 1 (0.8); epochs 2 and 3 bring no improvement: stop at epoch 3, not 4.
  assert.equal(stoppedAt, 3);
  assert.match((ctx as { stopReason: string }).stopReason, /has not improved for 2 epochs \(best 0.80000 at epoch 2\)/);
});
