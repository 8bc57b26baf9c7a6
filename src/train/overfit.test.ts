import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomAffine } from '../data/augment.js';
import { mnist } from '../data/mnist.js';
import * as nn from '../nn/index.js';
import { slice } from '../ops/movement.js';
import * as optim from '../optim/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { manualSeed } from '../util/rng.js';
import { evaluate, fit } from './fit.js';

/**
 * The course's over-fitting story on real digits: 1,000 training images are too
 * few for an MLP with 50k weights; its training loss keeps falling while the
 * validation loss turns upward. Dropout, an L2 penalty and augmentation
 * (random shifts, rotations, zooms) shrink the gap between the two.
 * Validation comes from the 60k training file; the test file is not touched.
 */
test('MNIST, 1,000 images: an MLP over-fits, and dropout + L2 + augmentation shrink the gap', () => {
  const { train } = mnist({ trainSize: 2000, testSize: 1 });
  const [x, y] = train.tensors;
  const tr: [Tensor, Tensor] = [slice(x, [[0, 1000]]), slice(y, [[0, 1000]])];
  const va: [Tensor, Tensor] = [slice(x, [[1000, 2000]]), slice(y, [[1000, 2000]])];
  const run = (regularise: boolean) => {
    manualSeed(0);
    const model = new nn.Sequential(
      new nn.Flatten(),
      ...nn.models.mlp({ inFeatures: 784, hidden: [64], outFeatures: 10, dropout: regularise ? 0.3 : 0 }).layers,
    );
    const history = fit(model, {
      train: tr,
      validation: va,
      epochs: 20,
      batchSize: 32,
      verbose: 0,
      optimizer: new optim.Adam(model.parameters(), { lr: 2e-3 }),
      regularization: regularise ? { l2: 5e-5 } : undefined,
      augment: regularise ? randomAffine({ degrees: 8, translate: [0.08, 0.08], scale: [0.9, 1.1] }) : undefined,
    });
    // The gap is measured the same way for both: clean training images in eval mode against validation.
    const gap = evaluate(model, va, { loss: 'crossEntropy' }).loss - evaluate(model, tr, { loss: 'crossEntropy' }).loss;
    return { history, gap };
  };
  const plain = run(false);
  const trainLoss = plain.history.history.loss;
  const valLoss = plain.history.history.val_loss;
  const best = valLoss.indexOf(Math.min(...valLoss));
  const last = valLoss.length - 1;
  assert.ok(
    best <= last - 4,
    `validation loss should bottom out early, best epoch ${best + 1} of ${last + 1}: ${valLoss.map((v) => v.toFixed(3))}`,
  );
  assert.ok(valLoss[last] > valLoss[best] * 1.05, `validation loss rises: ${valLoss[best].toFixed(3)} -> ${valLoss[last].toFixed(3)}`);
  assert.ok(
    trainLoss[last] < trainLoss[best] * 0.6,
    `while training loss falls: ${trainLoss[best].toFixed(3)} -> ${trainLoss[last].toFixed(3)}`,
  );
  const reg = run(true);
  assert.ok(reg.gap < 0.5 * plain.gap, `gap (val - train loss): plain ${plain.gap.toFixed(3)}, regularised ${reg.gap.toFixed(3)}`);
});
