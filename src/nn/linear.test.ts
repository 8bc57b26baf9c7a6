import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';
import { F, nn, optim } from '../index.js';
import { assertClose } from '../../test/util.js';

test('F.linear computes x·wᵀ + b for any leading batch axes', () => {
  tg.manualSeed(1);
  const x = tg.randn([2, 3, 4]);
  const w = tg.randn([5, 4]);
  const b = tg.randn([5]);
  const y = F.linear(x, w, b);
  assert.deepEqual(y.shape, [2, 3, 5]);
  const xs = x.toArray() as number[][][];
  const ws = w.toArray() as number[][];
  const bs = b.toArray() as number[];
  const want = xs.flat().map((row) => ws.map((wr, o) => wr.reduce((s, v, i) => s + v * row[i], bs[o])));
  assertClose(y.data(), want.flat(), { rtol: 1e-5, atol: 1e-6 });
  assert.deepEqual(F.linear(x, w).shape, [2, 3, 5]);
});

test('F.linear gradients pass a float64 gradcheck', () => {
  tg.manualSeed(2);
  const r = tg.gradcheck((x, w, b) => F.linear(x, w, b), [tg.randn([3, 4]), tg.randn([2, 4]), tg.randn([2])]);
  assert.ok(r.ok, JSON.stringify(r.worst));
});

test('F.linear errors name the shapes', () => {
  assert.throws(
    () => F.linear(tg.randn([2, 3]), tg.randn([5, 4])),
    /linear: input has 3 features \(shape \[2,3\]\) but the weight expects 4 \(weight shape \[5,4\]\)/,
  );
  assert.throws(() => F.linear(tg.randn([2, 4]), tg.randn([5, 4]), tg.randn([4])), /bias must have shape \[5\]/);
  assert.throws(() => new nn.Linear({ inFeatures: 0, outFeatures: 2 }), /Linear: option 'inFeatures' must be a positive integer/);
});

test('Linear: shapes, PyTorch init bound, options, no-bias variant', () => {
  tg.manualSeed(3);
  const fc = new nn.Linear({ inFeatures: 256, outFeatures: 128 });
  assert.deepEqual(fc.weight.shape, [128, 256]);
  assert.deepEqual(fc.bias!.shape, [128]);
  assert.deepEqual(JSON.parse(JSON.stringify(fc.options)), { inFeatures: 256, outFeatures: 128, bias: true });
  const bound = 1 / 16;
  const w = Array.from(fc.weight.data());
  assert.ok(w.every((v) => Math.abs(v) <= bound) && fc.bias!.data().every((v) => Math.abs(v) <= bound));
  const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
  assert.ok(Math.abs(std - bound / Math.sqrt(3)) < 0.03 * bound, `std ${std}`);
  const nb = new nn.Linear({ inFeatures: 3, outFeatures: 2, bias: false });
  assert.equal(nb.bias, null);
  assert.deepEqual(
    nb.namedParameters().map(([n]) => n),
    ['weight'],
  );
  assert.deepEqual(nb.forward(tg.ones([4, 3])).shape, [4, 2]);
  tg.manualSeed(3);
  assert.deepEqual(new nn.Linear({ inFeatures: 256, outFeatures: 128 }).weight.data(), fc.weight.data(), 'seeded init repeats');
});

function mlp() {
  return new nn.Sequential(
    new nn.Linear({ inFeatures: 2, outFeatures: 8 }),
    new nn.Tanh(),
    new nn.Linear({ inFeatures: 8, outFeatures: 1 }),
  );
}

test('Sequential: dotted names, length, at, add, forward', () => {
  tg.manualSeed(4);
  const model = mlp();
  assert.deepEqual(
    model.namedParameters().map(([n]) => n),
    ['0.weight', '0.bias', '2.weight', '2.bias'],
  );
  assert.equal(model.length, 3);
  assert.ok(model.at(-1) instanceof nn.Linear && model.at(1) instanceof nn.Tanh);
  assert.throws(() => model.at(3), /Sequential.at: index 3 is out of range for 3 layers/);
  model.add(new nn.Sigmoid());
  assert.equal(model.length, 4);
  const y = model.forward(tg.randn([5, 2]));
  assert.deepEqual(y.shape, [5, 1]);
  assert.ok(y.data().every((v) => v > 0 && v < 1));
  assert.equal(model.numParameters(), 2 * 8 + 8 + 8 + 1);
});

test('Module: stateDict round trip and its errors, train/eval, zeroGrad', () => {
  tg.manualSeed(5);
  const a = mlp();
  const b = mlp();
  const x = tg.randn([3, 2]);
  assert.notDeepEqual(a.forward(x).data(), b.forward(x).data());
  b.loadStateDict(a.stateDict());
  assert.deepEqual(b.forward(x).data(), a.forward(x).data());
  assert.notEqual(b.parameters()[0], a.parameters()[0], 'values are copied, not shared');

  const bad = new Map(a.stateDict());
  bad.set('0.weight', tg.zeros([2, 8]));
  assert.throws(() => b.loadStateDict(bad), /0.weight has shape \[2,8\] but the model expects \[8,2\]/);
  const missing = new Map(a.stateDict());
  missing.delete('2.bias');
  assert.throws(() => b.loadStateDict(missing), /missing 2.bias/);

  a.eval();
  assert.ok(a.namedModules().every(([, m]) => !m.training));
  a.train();
  assert.ok(a.layers.every((m) => m.training));

  F.mseLoss(a.forward(x), tg.zeros([3, 1])).backward();
  assert.ok(a.parameters().every((p) => p.grad !== null));
  a.zeroGrad();
  assert.ok(a.parameters().every((p) => p.grad === null));
});

test('a 2-8-1 MLP learns XOR to 100% accuracy', () => {
  tg.manualSeed(0);
  const model = mlp();
  const x = tg.tensor([
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ]);
  const y = tg.tensor([[0], [1], [1], [0]]);
  const opt = new optim.Adam(model.parameters(), { lr: 0.05 });
  let loss = Infinity;
  for (let i = 0; i < 300; i++) {
    opt.zeroGrad();
    const l = F.bceWithLogits(model.forward(x), y);
    l.backward();
    opt.step();
    loss = l.item();
  }
  assert.ok(loss < 0.05, `final loss ${loss}`);
  const pred = Array.from(tg.sigmoid(model.forward(x)).data(), (p) => (p > 0.5 ? 1 : 0));
  assert.deepEqual(pred, [0, 1, 1, 0]);
});
