import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';
import { nn } from '../index.js';

const quiet = { print: () => {} };

test('summary: the Keras MNIST CNN has 1,199,882 parameters, layer by layer', () => {
  tg.manualSeed(20);
  const model = nn.models.kerasMnistCnn();
  let printed = '';
  const r = model.summary([1, 28, 28], { print: (t) => (printed = t) });
  assert.equal(r.totalParams, 1199882);
  assert.equal(r.trainableParams, 1199882);
  assert.equal(r.totalParams, model.numParameters());
  assert.deepEqual(
    r.rows.map((row) => row.type),
    ['Conv2d', 'ReLU', 'Conv2d', 'ReLU', 'MaxPool2d', 'Dropout', 'Flatten', 'Linear', 'ReLU', 'Dropout', 'Linear'],
  );
  assert.deepEqual(
    r.rows.map((row) => row.params),
    [320, 0, 18496, 0, 0, 0, 0, 1179776, 0, 0, 1290],
  );
  assert.deepEqual(r.rows[4].outputShape, [1, 64, 12, 12]);
  assert.deepEqual(r.rows[6].outputShape, [1, 9216]);
  assert.equal(r.rows[0].name, '0');
  assert.equal(printed, r.text);
  assert.match(r.text, /7 \(Linear\) +\[-1,128\] +1,179,776/);
  assert.match(r.text, /Total params: 1,199,882/);
  // The standalone form gives the same result.
  assert.equal(nn.summary(model, [1, 28, 28], quiet).totalParams, 1199882);
});

test('summary: buffers count as non-trainable, training flags and running statistics are untouched', () => {
  const model = new nn.Sequential(
    new nn.Conv2d({ inChannels: 3, outChannels: 4, kernelSize: 3, padding: 1 }),
    new nn.Sequential(new nn.BatchNorm2d({ numFeatures: 4 }), new nn.ReLU()),
    new nn.Flatten(),
  );
  const before = model.stateDict().get('1.0.running_mean')!.data();
  const r = model.summary([3, 5, 5], quiet);
  assert.deepEqual(
    r.rows.map((row) => row.name),
    ['0', '1.0', '1.1', '2'],
  );
  assert.equal(r.trainableParams, 4 * 3 * 9 + 4 + 8);
  assert.equal(r.totalParams, r.trainableParams + 8);
  assert.match(r.text, /Non-trainable params: 8/);
  assert.ok(
    model.namedModules().every(([, m]) => m.training),
    'still in training mode',
  );
  assert.deepEqual(model.stateDict().get('1.0.running_mean')!.data(), before);
});

test('summary: a module that is not Sequential is one row; bad input shapes are named', () => {
  const r = nn.models.dnaCnn().layers[0].summary([4, 50], quiet);
  assert.equal(r.rows.length, 1);
  assert.deepEqual(r.rows[0], {
    name: '(model)',
    type: 'Conv1d',
    outputShape: [1, 32, 39],
    params: 32 * 4 * 12 + 32,
    trainable: 32 * 4 * 12 + 32,
  });
  const emb = new nn.Embedding({ numEmbeddings: 10, embeddingDim: 3 });
  assert.deepEqual(emb.summary([7], { ...quiet, dtype: 'int32' }).rows[0].outputShape, [1, 7, 3]);
  assert.throws(() => nn.models.kerasMnistCnn().summary([1, 28], quiet), /Conv2d: expected a 4-D input \[N,1,H,W\], got shape \[1,1,28\]/);
  assert.throws(() => nn.summary(emb, [0], quiet), /summary: inputShape must be positive integers/);
});
