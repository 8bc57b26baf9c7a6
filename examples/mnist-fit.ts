// Keras-style training on a slice of MNIST: a small CNN, fit() with validation, evaluate, save and load.
import * as tg from 'tsgrad';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const { nn, optim } = tg;

tg.manualSeed(0);
const { train, test } = tg.datasets.mnist({ trainSize: 3000, testSize: 1000 });

const model = new nn.Sequential(
  new nn.Conv2d({ inChannels: 1, outChannels: 8, kernelSize: 3 }),
  new nn.ReLU(),
  new nn.MaxPool2d({ kernelSize: 2 }),
  new nn.Flatten(),
  new nn.Linear({ inFeatures: 8 * 13 * 13, outFeatures: 10 }),
);
model.summary([1, 28, 28]);

const history = tg.fit(model, {
  train,
  validationSplit: 0.1,
  epochs: 3,
  batchSize: 64,
  optimizer: new optim.Adam(model.parameters(), { lr: 2e-3 }),
  loss: 'crossEntropy',
  metrics: ['accuracy'],
  verbose: 2,
});

const scores = tg.evaluate(model, test, { metrics: ['accuracy'] });
console.log(`test accuracy on 1,000 images: ${(100 * scores.accuracy).toFixed(1)}%`);

const dir = mkdtempSync(join(tmpdir(), 'tsgrad-example-'));
tg.save(model, dir, { history: history.toJSON() });
const again = tg.load(dir);
const [x] = test.get(0);
const same = tg.predict(model, x.unsqueeze(0)).data().join() === tg.predict(again, x.unsqueeze(0)).data().join();
console.log(`saved to ${dir}; reloaded model predicts identically: ${same}`);
if (scores.accuracy < 0.85 || !same) process.exit(1);
