import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';

const grad = (x: tg.Tensor): number[] => Array.from((x.grad as tg.Tensor).data());

/** loss = Σ (x·w)² with w [2,1] a parameter and one gradient already in w.grad. */
function setup(): { w: tg.Tensor; x: tg.Tensor; loss: () => tg.Tensor } {
  const w = tg.tensor([[0.5], [-1.5]], { requiresGrad: true });
  const x = tg.tensor([
    [1, 2],
    [3, -1],
  ]);
  const loss = (): tg.Tensor => x.matmul(w).square().sum();
  return { w, x, loss };
}

test('an optimizer step between forward and backward makes backward throw, naming the op', () => {
  // Two layers: the gradient of w1 flows through the second matmul, which reads w2's values.
  const w1 = tg.tensor(
    [
      [0.5, -1],
      [1.5, 0.25],
    ],
    { requiresGrad: true },
  );
  const w2 = tg.tensor([[1], [-2]], { requiresGrad: true });
  const x = tg.tensor([
    [1, 2],
    [3, -1],
  ]);
  const f = (): tg.Tensor => x.matmul(w1).tanh().matmul(w2).sum();
  f().backward();
  const right = grad(w1);
  const opt = new tg.optim.SGD([w1, w2], { lr: 0.5 });
  const l = f();
  opt.step();
  // Without the check, backward used the stepped w2: w1's gradient came out as 1.505 where the right value is 3.004.
  assert.throws(
    () => l.backward(),
    (e: Error) => {
      assert.ok(e instanceof tg.TsgradError);
      assert.match(e.message, /modified by an inplace operation/);
      assert.match(e.message, /matmul saved a tensor of shape \[2,1\] at version 0, now at version 1/);
      return true;
    },
  );
  // The refused backward left the gradients as they were; a fresh forward after the step works.
  assert.deepEqual(grad(w1), right);
  opt.zeroGrad();
  f().backward();
  assert.ok(grad(w1).every((g, i) => g !== right[i]));
});

test('Adam steps (the wasm kernel on a heap parameter included) bump the version', () => {
  const w = tg.nn.init.parameter([64, 64]);
  tg.nn.init.normal(w);
  const x = tg.randn([8, 64]);
  x.matmul(w).sum().backward();
  const opt = new tg.optim.Adam([w], { lr: 1e-3 });
  const v0 = w.version;
  const l = x.matmul(w).sum();
  opt.step();
  assert.equal(w.version, v0 + 1);
  assert.throws(() => l.backward(), /matmul saved a tensor of shape \[64,64\]/);
});

test('a direct write into storage followed by markModified() is refused; a write into data() is harmless', () => {
  const { w, loss } = setup();
  let l = loss();
  // data() is a copy: writing into it changes nothing, so backward is right.
  w.data()[0] = 100;
  l.backward();
  assert.deepEqual(grad(w), [2 * (1 * -2.5 + 3 * 3), 2 * (2 * -2.5 - 1 * 3)]);
  l = loss();
  w.storage[0] = 100;
  w.markModified();
  assert.throws(() => l.backward(), /matmul saved a tensor of shape \[2,1\] at version 0, now at version 1/);
});

test('views share their storage version: a write through a reshape is seen by the original', () => {
  const { w, loss } = setup();
  const l = loss();
  const flat = w.detach().reshape([2]);
  assert.equal(flat.version, w.version);
  flat.markModified();
  assert.equal(w.version, 1);
  assert.throws(() => l.backward(), /matmul saved a tensor/);
});

test('loadStateDict, init functions and copy_ bump the version', () => {
  const lin = new tg.nn.Linear({ inFeatures: 2, outFeatures: 1 });
  const x = tg.tensor([[1, 2]]);
  let l = lin.forward(x).sum();
  const v = (lin.bias as tg.Tensor).version;
  lin.loadStateDict(
    new Map([
      ['weight', tg.tensor([[1, 1]])],
      ['bias', tg.tensor([0])],
    ]),
  );
  assert.equal((lin.bias as tg.Tensor).version, v + 1);
  // The bias is met first, walking back from the loss.
  assert.throws(() => l.backward(), /add saved a tensor of shape \[1\]/);
  l = lin.forward(x).sum();
  tg.nn.init.zeros(lin.weight);
  // linear multiplies by the transposed weight, a view of the same storage.
  assert.throws(() => l.backward(), /matmul saved a tensor of shape \[2,1\]/);
  l = lin.forward(x).sum();
  lin.weight.copy_(tg.tensor([[3, 4]]));
  assert.deepEqual(lin.weight.toArray(), [[3, 4]]);
  assert.throws(() => l.backward(), /matmul saved a tensor of shape \[2,1\]/);
  lin.weight.copy_(tg.tensor([7], { dtype: 'float64' }));
  assert.deepEqual(lin.weight.toArray(), [[7, 7]]);
  assert.throws(() => lin.weight.copy_(tg.tensor([1, 2, 3])), /Tensor.copy_: cannot broadcast shapes \[3\] and \[1,2\]/);
});

test('a second backward through the same graph throws unless the first retained it', () => {
  const x = tg.tensor([1, 2, 3], { requiresGrad: true });
  const y = x.mul(x).sum();
  y.backward();
  assert.deepEqual(grad(x), [2, 4, 6]);
  // Without the check the gradients silently doubled.
  assert.throws(
    () => y.backward(),
    (e: Error) => {
      assert.ok(e instanceof tg.TsgradError);
      assert.match(e.message, /backward: the graph through 'sum'.*already been freed/);
      assert.match(e.message, /retainGraph: true/);
      return true;
    },
  );
  assert.deepEqual(grad(x), [2, 4, 6]);
  // A later graph sharing a freed part is refused too, naming the first freed op it meets.
  const h = x.exp();
  h.sum().backward();
  assert.throws(() => h.mul(2).sum().backward(), /the graph through 'exp'/);
});

test('retainGraph: true keeps the graph; a second backward accumulates', () => {
  const x = tg.tensor([1, 2, 3], { requiresGrad: true });
  const y = x.mul(x).sum();
  y.backward(undefined, { retainGraph: true });
  y.backward({ retainGraph: true });
  assert.deepEqual(grad(x), [4, 8, 12]);
  y.backward();
  assert.deepEqual(grad(x), [6, 12, 18]);
  assert.throws(() => y.backward(), /already been freed/);
  assert.throws(
    () =>
      x
        .mul(3)
        .sum()
        .backward(undefined, { retainGrapf: true } as never),
    /did you mean 'retainGraph'/,
  );
});

test('a refused backward changes no gradient (checks run before any accumulation)', () => {
  const a = tg.tensor([1, 2], { requiresGrad: true });
  const b = tg.tensor([3, 4], { requiresGrad: true });
  const l = a.add(1).mul(b).sum();
  b.markModified();
  assert.throws(() => l.backward(), /mul saved a tensor of shape \[2\]/);
  assert.equal(a.grad, null);
  assert.equal(b.grad, null);
});

test('backward frees what the forward saved, and the graph can still be drawn', () => {
  const x = tg.tensor(
    [
      [1, -2],
      [3, 4],
    ],
    { requiresGrad: true },
  );
  const y = tg.F.dropout(x.relu(), { p: 0.5, training: true }).sum();
  y.backward();
  assert.ok(y.node);
  assert.equal(y.node.released, true);
  assert.match(tg.toDot(y), /relu/);
});

test('batch norm keeps the statistics it normalised with: an eval-mode graph differentiates as it ran, after a training forward changed them', () => {
  const bn = new tg.nn.BatchNorm1d({ numFeatures: 2 });
  const x = tg.tensor(
    [
      [1, 2],
      [3, 5],
      [0, -1],
    ],
    { requiresGrad: true },
  );
  bn.eval();
  const l = bn.forward(x).sum();
  bn.train();
  bn.forward(x);
  assert.notEqual(bn.runningVar!.data()[0], 1, 'the training forward updated the running variance');
  l.backward();
  // The eval forward normalised with the running variance of then (1): dy/dx = 1/√(1 + eps).
  for (const g of x.grad!.data()) assert.ok(Math.abs(g - 1 / Math.sqrt(1 + 1e-5)) < 1e-6, `${g}`);
});

test('with retainGraph the saved values (a dropout mask) stay and a second backward doubles the gradient', () => {
  tg.manualSeed(3);
  const x = tg.ones([64], { requiresGrad: true });
  const y = tg.F.dropout(x, { p: 0.5, training: true }).sum();
  y.backward({ retainGraph: true });
  const once = grad(x);
  assert.ok(once.some((g) => g === 0) && once.some((g) => g === 2));
  y.backward();
  assert.deepEqual(
    grad(x),
    once.map((g) => 2 * g),
  );
});
