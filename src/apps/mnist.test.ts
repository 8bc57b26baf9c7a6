import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeIdx } from '../data/idx.js';
import { mnist } from '../data/mnist.js';
import * as tg from '../index.js';
import { evaluateDir, mnistModel, mnistRecipe, predictFile, trainMnist } from './mnist.js';

const dir = mkdtempSync(join(tmpdir(), 'tsgrad-mnist-'));

test('trainMnist (logistic regression, small) -> evaluateDir -> predictFile on PNG and IDX', () => {
  const out = join(dir, 'model');
  let log = '';
  const r = trainMnist({
    model: 'logreg',
    epochs: 2,
    trainSize: 3000,
    validationSize: 1000,
    batchSize: 64,
    lr: 3e-3,
    out,
    verbose: 2,
    stream: { write: (s: string) => (log += s) },
  });
  assert.equal(r.task, 'mnist');
  assert.equal(r.model, 'logreg');
  assert.equal(r.epochs, 2);
  assert.equal(r.parameters, 7850);
  assert.ok(r.testAccuracy > 0.8, `test accuracy ${r.testAccuracy}`);
  assert.ok(r.secondsPerEpoch > 0);
  assert.equal(r.history.history.val_accuracy.length, 2);
  assert.match(log, /Epoch 2\/2 .* val_accuracy/);
  assert.match(log, /test accuracy [\d.]+% \(10000 images\)/);
  JSON.parse(JSON.stringify(r));

  const ev = evaluateDir(out);
  assert.equal(ev.testAccuracy, r.testAccuracy);
  assert.equal(
    ev.confusionMatrix.flat().reduce((a, b) => a + b, 0),
    10000,
  );

  // Test image 0 is a 7: as IDX (uint8 [1,28,28]) and as a black-on-white 56x56 PNG.
  const { test: t } = mnist({ trainSize: 0, testSize: 3, normalize: false });
  const px = t.tensors[0].data();
  writeFileSync(join(dir, 'digits.idx'), encodeIdx({ type: 'uint8', shape: [3, 28, 28], data: Uint8Array.from(px) }));
  const fromIdx = predictFile(out, join(dir, 'digits.idx'));
  assert.equal(fromIdx.predictions.length, 3);
  const { PNG } = createRequire(import.meta.url)('pngjs') as {
    PNG: { sync: { write(p: unknown): Buffer } } & (new (o: { width: number; height: number }) => { data: Buffer });
  };
  const png = new PNG({ width: 56, height: 56 });
  for (let y = 0; y < 56; y++) {
    for (let x = 0; x < 56; x++) {
      const v = 255 - px[(y >> 1) * 28 + (x >> 1)];
      png.data.set([v, v, v, 255], 4 * (y * 56 + x));
    }
  }
  writeFileSync(join(dir, 'seven.png'), PNG.sync.write(png));
  const fromPng = predictFile(out, join(dir, 'seven.png'));
  assert.equal(fromPng.predictions[0].label, fromIdx.predictions[0].label);
  assert.equal(fromPng.predictions[0].label, 7);
  const p = fromPng.predictions[0].probabilities;
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  assert.throws(() => predictFile(out, join(dir, 'missing.png')), /not a readable PNG|cannot read/);
});

test('the fast recipe is the default: the small convnet, one-cycle Adam, label smoothing and augmentation', () => {
  let log = '';
  const r = trainMnist({
    epochs: 2,
    trainSize: 4000,
    validationSize: 1000,
    verbose: 1,
    stream: { write: (s: string) => (log += s) },
  });
  assert.equal(r.recipe, 'fast');
  assert.equal(r.model, 'fast');
  assert.equal(r.parameters, 29066);
  assert.ok(r.testAccuracy > 0.9, `test accuracy ${r.testAccuracy}`);
  assert.ok(r.imagesPerSecond > 0 && r.trainSeconds > 0);
  // One-cycle: the lr rises from 1e-2/25 to 1e-2, then anneals far below where it started.
  const lr = r.history.history.lr;
  assert.ok(lr[0] > 4e-4 && lr[1] < 4e-4, `lr per epoch ${lr.join(', ')}`);
  assert.match(log, /after [\d.]+ s of training \(2 epochs, [\d.]+ s\/epoch, \d+ images\/s\)/);

  // The setup itself: the loss smooths the labels (a confident right answer still costs some).
  const model = mnistModel('fast');
  const fast = mnistRecipe(model, { recipe: 'fast', model: 'fast', epochs: 4, batchSize: 128, trainSize: 55000 });
  const keras = mnistRecipe(model, { recipe: 'keras', model: 'cnn', epochs: 12, batchSize: 128, trainSize: 55000 });
  assert.ok(fast.augment && !keras.augment);
  assert.equal(keras.loss, 'crossEntropy');
  const logits = tg.tensor([[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]]);
  const target = tg.tensor([0], { dtype: 'int32' });
  const smoothed = (fast.loss as (p: tg.Tensor, t: tg.Tensor) => tg.Tensor)(logits, target).item();
  assert.ok(Math.abs(smoothed - tg.F.crossEntropy(logits, target, { labelSmoothing: 0.1 }).item()) < 1e-6);
  assert.ok(smoothed > 1, `smoothed loss ${smoothed}`);
});

test('naming another model picks the keras recipe unless a recipe is named', () => {
  const r = trainMnist({ model: 'logreg', epochs: 1, trainSize: 1000, validationSize: 500, verbose: 0 });
  assert.equal(r.recipe, 'keras');
  const f = trainMnist({ model: 'logreg', recipe: 'fast', epochs: 1, trainSize: 1000, validationSize: 500, verbose: 0 });
  assert.equal(f.recipe, 'fast');
  assert.throws(() => trainMnist({ recipe: 'dawn' as never }), /trainMnist: option 'recipe' must be one of/);
});
