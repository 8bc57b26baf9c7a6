import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCheckpoint } from '../io/save.js';
import * as nn from '../nn/index.js';
import * as optim from '../optim/index.js';
import { slice } from '../ops/movement.js';
import { randn, tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { TsgradError } from '../util/errors.js';
import { manualSeed, rng } from '../util/rng.js';
import { EarlyStopping, LearningRateScheduler, TerminateOnNaN } from './callbacks.js';
import { CsvLogger, ModelCheckpoint } from './file-callbacks.js';
import { evaluate, fit, predict } from './fit.js';

const dir = mkdtempSync(join(tmpdir(), 'tsgrad-fit-'));

/** Two Gaussian blobs in 4-D: class = sign of a fixed projection. */
function blobs(n: number, flip = false): [Tensor, Tensor] {
  const x = randn([n, 4]);
  const d = x.data();
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = d[4 * i] + 0.5 * d[4 * i + 1] - d[4 * i + 2] > 0 ? 1 : 0;
    y[i] = flip ? 1 - s : s;
  }
  return [x, tensor(y, { dtype: 'int32' })];
}

function net(dropout = 0): nn.Sequential {
  const layers: nn.Module[] = [new nn.Linear({ inFeatures: 4, outFeatures: 16 }), new nn.Tanh()];
  if (dropout) layers.push(new nn.Dropout({ p: dropout }));
  layers.push(new nn.Linear({ inFeatures: 16, outFeatures: 2 }));
  return new nn.Sequential(...layers);
}

const quiet = { verbose: 0 as const };

test('fit: the loss falls on a toy problem and History keeps per-epoch training and validation results', () => {
  manualSeed(1);
  const train = blobs(256);
  const val = blobs(64);
  const model = net();
  const h = fit(model, {
    train,
    validation: val,
    epochs: 6,
    batchSize: 32,
    optimizer: new optim.Adam(model.parameters(), { lr: 0.02 }),
    metrics: ['accuracy'],
    ...quiet,
  });
  const loss = h.history.loss;
  assert.equal(loss.length, 6);
  assert.ok(loss[5] < loss[0] * 0.6, `loss ${loss[0]} -> ${loss[5]}`);
  assert.deepEqual(h.epoch, [0, 1, 2, 3, 4, 5]);
  for (const key of ['loss', 'accuracy', 'val_loss', 'val_accuracy', 'lr']) assert.equal(h.history[key].length, 6, key);
  assert.ok(h.history.val_accuracy[5] > 0.85, `val accuracy ${h.history.val_accuracy[5]}`);
  assert.deepEqual(Object.keys(h.validation[0]).sort(), ['accuracy', 'loss']);
  assert.equal(h.train[2].loss, loss[2]);
  // The History is plain JSON, and evaluate() agrees with the last validation entry.
  const json = JSON.parse(JSON.stringify(h));
  assert.deepEqual(json.history.val_loss, h.history.val_loss);
  const ev = evaluate(model, val, { loss: 'crossEntropy', metrics: ['accuracy'] });
  assert.ok(Math.abs(ev.loss - h.history.val_loss[5]) < 1e-6);
  assert.deepEqual(predict(model, val[0], { batchSize: 7 }).shape, [64, 2]);
});

test('fit: validationSplit holds out the last fraction', () => {
  manualSeed(2);
  const [x, y] = blobs(100);
  const model = net();
  const h = fit(model, {
    train: [x, y],
    validationSplit: 0.2,
    epochs: 1,
    optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }),
    ...quiet,
  });
  const last20 = evaluate(model, [slice(x, [[80, 100]]), slice(y, [[80, 100]])], { loss: 'crossEntropy' });
  assert.ok(Math.abs(last20.loss - h.history.val_loss[0]) < 1e-6);
});

test('EarlyStopping stops when validation loss rises and restores the best weights', () => {
  manualSeed(3);
  const train = blobs(256);
  // Validation labels are the opposite rule: the better the fit, the worse the validation loss.
  const val = blobs(64, true);
  const model = net();
  const es = new EarlyStopping({ monitor: 'val_loss', patience: 1, restoreBest: true });
  const h = fit(model, {
    train,
    validation: val,
    epochs: 20,
    batchSize: 32,
    optimizer: new optim.Adam(model.parameters(), { lr: 0.02 }),
    callbacks: [es],
    ...quiet,
  });
  assert.ok(h.epoch.length < 20, `stopped after ${h.epoch.length} epochs`);
  assert.match(h.stopped?.reason ?? '', /EarlyStopping: val_loss has not improved for 1 epoch \(best/);
  const vl = h.history.val_loss;
  const best = vl.indexOf(Math.min(...vl));
  assert.equal(es.bestEpoch, best);
  assert.ok(best < h.epoch.length - 1);
  const now = evaluate(model, val, { loss: 'crossEntropy' }).loss;
  assert.ok(Math.abs(now - vl[best]) < 1e-6, `restored val_loss ${now} vs best ${vl[best]}`);
});

test('a NaN loss stops training with an error naming the epoch and step', () => {
  manualSeed(4);
  const [x, y] = blobs(100);
  // An injected NaN in example 37: with batches of 10 in order, step 4 of epoch 1.
  const xd = x.data();
  xd[37 * 4] = NaN;
  const bad = tensor(xd, { shape: [100, 4] });
  const model = net();
  const opts = {
    train: [bad, y] as [Tensor, Tensor],
    epochs: 3,
    batchSize: 10,
    shuffle: false,
    optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }),
    ...quiet,
  };
  assert.throws(
    () => fit(model, opts),
    (e: unknown) => e instanceof TsgradError && /loss is NaN at epoch 1\/3, step 4\/10 \(examples 31-40/.test(e.message),
  );
  // With TerminateOnNaN the run ends quietly and History says where.
  const h = fit(net(), { ...opts, callbacks: [new TerminateOnNaN()] });
  assert.deepEqual({ epoch: h.stopped?.epoch, step: h.stopped?.step }, { epoch: 0, step: 3 });
  assert.match(h.stopped?.reason ?? '', /epoch 1, step 4\/10/);
  // A learning rate of 1e10 blows up within the first epochs.
  const m2 = new nn.Sequential(
    new nn.Linear({ inFeatures: 4, outFeatures: 16 }),
    new nn.ReLU(),
    new nn.Linear({ inFeatures: 16, outFeatures: 2 }),
  );
  assert.throws(
    () => fit(m2, { train: blobs(200), epochs: 5, batchSize: 10, optimizer: new optim.SGD(m2.parameters(), { lr: 1e10 }), ...quiet }),
    /fit: loss is (NaN|Infinity) at epoch \d\/5, step \d+\/20/,
  );
});

test('checkpoint + resume with optimizer state and an lr schedule continues bit-identically', () => {
  const run = (): nn.Sequential => {
    const model = net(0.2);
    return model;
  };
  const data = (): { train: [Tensor, Tensor]; validation: [Tensor, Tensor] } => ({ train: blobs(96), validation: blobs(32) });
  // Uninterrupted: 4 epochs.
  manualSeed(5);
  const d1 = data();
  const a = run();
  // StepLR halves the lr after epoch 3 (1-based): the resumed run must do so after its first epoch.
  const schedule = (opt: optim.Adam) => new LearningRateScheduler(new optim.StepLR(opt, { stepSize: 3, gamma: 0.5 }));
  const optA = new optim.Adam(a.parameters(), { lr: 0.01 });
  const hA = fit(a, { ...d1, epochs: 4, batchSize: 16, optimizer: optA, callbacks: [schedule(optA)], ...quiet });
  assert.deepEqual(hA.history.lr, [0.01, 0.01, 0.01, 0.005]);
  // Interrupted after 2 epochs, checkpointed, the process state disturbed, then resumed.
  manualSeed(5);
  const d2 = data();
  const b = run();
  const ckdir = join(dir, 'ckpt');
  const optB = new optim.Adam(b.parameters(), { lr: 0.01 });
  fit(b, { ...d2, epochs: 2, batchSize: 16, optimizer: optB, callbacks: [schedule(optB), new ModelCheckpoint({ dir: ckdir })], ...quiet });
  for (let i = 0; i < 10; i++) rng.random();
  const ck = loadCheckpoint(ckdir);
  assert.equal(ck.epoch, 2);
  const opt = new optim.Adam(ck.model.parameters(), { lr: 0.5 });
  opt.loadStateDict(ck.optimizerState as optim.OptimizerStateDict);
  assert.equal(opt.lr, 0.01);
  ck.restoreRng();
  const hB = fit(ck.model, { ...d2, epochs: 4, initialEpoch: 2, batchSize: 16, optimizer: opt, callbacks: [schedule(opt)], ...quiet });
  assert.deepEqual(hB.epoch, [2, 3]);
  assert.deepEqual(hB.history.lr, hA.history.lr.slice(2));
  assert.deepEqual(hB.history.loss, hA.history.loss.slice(2));
  const wa = a.stateDict();
  for (const [name, t] of ck.model.stateDict()) assert.deepEqual(t.data(), wa.get(name)!.data(), name);
});

test('progress: a live bar on a terminal, one line per epoch otherwise, nothing with verbose 0', () => {
  const capture = (isTTY: boolean, verbose: 0 | 1 | 2): string => {
    let out = '';
    manualSeed(6);
    const model = net();
    fit(model, {
      train: blobs(64),
      validation: blobs(16),
      epochs: 2,
      batchSize: 8,
      metrics: ['accuracy'],
      verbose,
      optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }),
      stream: { isTTY, columns: 200, write: (s: string) => (out += s) },
    });
    return out;
  };
  const plain = capture(false, 1);
  const lines = plain.trim().split('\n');
  assert.equal(lines.length, 2);
  assert.match(
    lines[0],
    /^Epoch 1\/2 - [\d.]+s - loss: [\d.]+ - accuracy: [\d.]+ - val_loss: [\d.]+ - val_accuracy: [\d.]+ - \d+ samples\/s$/,
  );
  assert.ok(!plain.includes('\r'));
  const live = capture(true, 1);
  assert.ok(live.includes('\r'));
  assert.match(live, /Epoch 1\/2 8\/8 \[=+\] ETA \d+s - loss: [\d.]+ - accuracy: [\d.]+ - \d+ samples\/s/);
  assert.equal(live.split('\n').filter(Boolean).length, 2);
  assert.equal(capture(true, 0), '');
});

test('CsvLogger, LearningRateScheduler and L2 regularisation', () => {
  manualSeed(7);
  const model = net();
  const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
  const path = join(dir, 'log.csv');
  const h = fit(model, {
    train: blobs(64),
    validation: blobs(16),
    epochs: 3,
    batchSize: 16,
    optimizer: opt,
    metrics: ['accuracy'],
    ...quiet,
    callbacks: [new LearningRateScheduler(new optim.StepLR(opt, { stepSize: 1, gamma: 0.5 })), new CsvLogger({ path })],
  });
  assert.deepEqual(h.history.lr, [0.1, 0.05, 0.025]);
  const csv = readFileSync(path, 'utf8').trim().split('\n');
  assert.equal(csv[0], 'epoch,loss,accuracy,val_loss,val_accuracy,lr');
  assert.equal(csv.length, 4);
  assert.equal(Number(csv[2].split(',')[1]), h.history.loss[1]);
  // A strong L2 penalty keeps the weights small; biases are not penalised.
  const norm = (m: nn.Module): number =>
    m
      .namedParameters()
      .filter(([n]) => n.endsWith('weight'))
      .reduce((s, [, p]) => s + Array.from(p.data()).reduce((a, v) => a + v * v, 0), 0);
  const train = blobs(128);
  manualSeed(8);
  const free = net();
  fit(free, { train, epochs: 5, optimizer: new optim.SGD(free.parameters(), { lr: 0.1 }), ...quiet });
  manualSeed(8);
  const tied = net();
  fit(tied, { train, epochs: 5, optimizer: new optim.SGD(tied.parameters(), { lr: 0.1 }), regularization: { l2: 0.05 }, ...quiet });
  assert.ok(norm(tied) < 0.7 * norm(free), `L2: ${norm(tied)} vs ${norm(free)}`);
  assert.throws(() => fit(tied, { train, optimizer: opt, regularization: { l1: { '7': 1 } }, ...quiet }), /no weight matches/);
});
