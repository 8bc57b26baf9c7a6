import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../../index.js';
import { nn } from '../../index.js';

const quiet = { print: () => {} };

test('models: mlp, lenet5, kerasMnistCnn and dnaCnn give the expected shapes and sizes', () => {
  tg.manualSeed(30);
  const m = nn.models.mlp({ inFeatures: 10, hidden: [16, 8], outFeatures: 3, dropout: 0.1, activation: 'tanh' });
  assert.deepEqual(
    m.layers.map((l) => l.constructor.name),
    ['Linear', 'Tanh', 'Dropout', 'Linear', 'Tanh', 'Dropout', 'Linear'],
  );
  assert.deepEqual(m.forward(tg.zeros([5, 10])).shape, [5, 3]);
  assert.equal(nn.models.mlp({ inFeatures: 4, hidden: [], outFeatures: 2 }).layers.length, 1);
  assert.throws(
    () => nn.models.mlp({ inFeatures: 4, hidden: [3], outFeatures: 2, activation: 'swish' as never }),
    /unknown activation 'swish'/,
  );

  const lenet = nn.models.lenet5();
  assert.equal(lenet.numParameters(), 61706);
  assert.deepEqual(lenet.forward(tg.zeros([2, 1, 28, 28])).shape, [2, 10]);

  const cnn = nn.models.kerasMnistCnn({ dropout: 0.3 });
  assert.deepEqual(
    cnn.layers.filter((l) => l instanceof nn.Dropout).map((l) => (l as tg.nn.Dropout).options.p),
    [0.3, 0.3],
  );
  assert.deepEqual(cnn.forward(tg.zeros([2, 1, 28, 28])).shape, [2, 10]);

  const dna = nn.models.dnaCnn({ length: 60, filters: 8, width: 5 });
  const x = tg.oneHot(tg.randint(0, 4, [3, 60]), 4).permute([0, 2, 1]);
  assert.deepEqual(dna.forward(x).shape, [3, 1]);
  assert.equal(dna.summary([4, 60], quiet).totalParams, 8 * 4 * 5 + 8 + 8 * 32 + 32 + 33);
  assert.throws(() => nn.models.dnaCnn({ length: 10, width: 12 }), /width \(12\) must be a positive integer no longer than the sequences/);
});

test('models: a Keras MNIST CNN training step lowers the loss on a fixed batch', () => {
  tg.manualSeed(31);
  const model = nn.models.kerasMnistCnn({ dropout: 0 });
  const x = tg.randn([4, 1, 28, 28]);
  const y = tg.tensor([0, 1, 2, 3], { dtype: 'int32' });
  const opt = new tg.optim.SGD(model.parameters(), { lr: 0.05 });
  const losses: number[] = [];
  for (let i = 0; i < 3; i++) {
    opt.zeroGrad();
    const loss = tg.F.crossEntropy(model.forward(x), y);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  assert.ok(losses[2] < losses[0], `loss ${losses.join(' -> ')}`);
});

test('models: alexnet (torchvision layout) maps one 224×224 image to 1000 logits', () => {
  tg.manualSeed(32);
  const net = nn.models.alexnet();
  assert.equal(net.numParameters(), 61100840);
  const y = tg.noGrad(() => net.eval().forward(tg.randn([1, 3, 224, 224])));
  assert.deepEqual(y.shape, [1, 1000]);
  assert.ok(y.data().every(Number.isFinite));
});
