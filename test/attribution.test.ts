/**
 * Grad-CAM and integrated gradients: integrated gradients' completeness within 1% at 64 steps on
 * the Keras MNIST CNN, Grad-CAM on a model whose answer is known, and the refusals of bad input.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tg from '../src/index.js';

const { nn } = tg;

test('integrated gradients on the Keras MNIST CNN: the attributions sum to the score difference within 1% at 64 steps', () => {
  tg.manualSeed(1);
  const model = nn.models.kerasMnistCnn();
  const { train, test: digits } = tg.datasets.mnist({ trainSize: 2000, testSize: 3 });
  tg.fit(model, { train, epochs: 1, batchSize: 64, optimizer: new tg.optim.Adam(model.parameters(), { lr: 1e-3 }), verbose: 0 });
  for (let i = 0; i < 3; i++) {
    const [x] = digits.get(i);
    const ig = tg.integratedGradients(model, x.unsqueeze(0), { steps: 64 });
    assert.ok(ig.completeness.relativeError < 0.01, `digit ${i}: ${JSON.stringify(ig.completeness)}`);
    assert.deepEqual(ig.map.shape, [28, 28]);
    assert.deepEqual(ig.values.shape, [1, 28, 28]);
  }
});

test('Grad-CAM finds the one position a detector filter responds to', () => {
  // An "A" detector: a 1×1 convolution reading the A channel, ReLU, global max pool, one output.
  const conv = new nn.Conv1d({ inChannels: 4, outChannels: 1, kernelSize: 1 });
  conv.weight.storage.set([1, 0, 0, 0]);
  conv.bias!.storage.set([0]);
  const head = new nn.Linear({ inFeatures: 1, outFeatures: 2 });
  head.weight.storage.set([-1, 1]);
  const model = new nn.Sequential(conv, new nn.ReLU(), new nn.GlobalMaxPool1d(), head);
  const x = tg.oneHotDna(['CCGTTGCAGGTC']);
  const cam = tg.gradCam(model, x, { classIndex: 1 });
  assert.deepEqual(cam.map.shape, [12]);
  const m = Array.from(cam.map.data());
  assert.equal(m.indexOf(Math.max(...m)), 7);
  assert.ok(
    m.every((v, i) => (i === 7 ? v > 0 : v === 0)),
    `map ${m}`,
  );
  assert.equal(cam.layer, '0');
});

test('bad input: a layer that is not convolutional, a baseline of the wrong shape, zero steps', () => {
  const model = new nn.Sequential(new nn.Conv1d({ inChannels: 4, outChannels: 2, kernelSize: 3 }), new nn.ReLU(), new nn.GlobalMaxPool1d());
  const x = tg.oneHotDna(['ACGTAC']);
  assert.throws(() => tg.gradCam(model, x, { layer: 1 }), /gradCam: layer 1 is not a convolution/);
  assert.throws(
    () => tg.gradCam(new nn.Linear({ inFeatures: 2, outFeatures: 2 }), tg.zeros([1, 2])),
    /gradCam: the model has no convolution layer/,
  );
  assert.throws(
    () => tg.integratedGradients(model, x, { baseline: tg.zeros([1, 4, 5]) }),
    /integratedGradients: the baseline's shape \[1, ?4, ?5\] must be the input's \[1, ?4, ?6\]/,
  );
  assert.throws(
    () => tg.integratedGradients(model, x, { steps: 0 }),
    /integratedGradients: option 'steps' must be a positive integer, got 0/,
  );
});
