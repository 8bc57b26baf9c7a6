import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';
import { topoOrder } from './engine.js';

const grad = (x: tg.Tensor): number[] => Array.from((x.grad as tg.Tensor).data());

test('gradients accumulate across two backward calls until reset', () => {
  const x = tg.tensor([1, 2, 3], { requiresGrad: true });
  x.mul(x).sum().backward();
  assert.deepEqual(grad(x), [2, 4, 6]);
  x.mul(3).sum().backward();
  assert.deepEqual(grad(x), [5, 7, 9]);
  x.grad = null;
  x.sum().backward();
  assert.deepEqual(grad(x), [1, 1, 1]);
});

test('backward(gradient) of a non-scalar is the vector-Jacobian product', () => {
  const x = tg.tensor(
    [
      [1, 2],
      [3, 4],
    ],
    { requiresGrad: true },
  );
  const y = x.mul(x);
  y.backward(
    tg.tensor([
      [1, 0],
      [0.5, 2],
    ]),
  );
  assert.deepEqual(grad(x), [2, 0, 3, 16]);
});

test('a shared subexpression used twice receives both gradients', () => {
  const x = tg.tensor([2], { requiresGrad: true });
  const h = x.exp();
  // y = h * h + h; dy/dx = (2h + 1) h
  h.mul(h).add(h).sum().backward();
  const e = Math.exp(2);
  assert.ok(Math.abs(grad(x)[0] - (2 * e + 1) * e) < 1e-3);
  // The same input reached along a broadcast path and a direct one.
  const a = tg.tensor([[1, 2, 3]], { requiresGrad: true });
  a.add(a.sum({ axis: 1, keepDim: true }))
    .expand([2, 3])
    .sum()
    .backward();
  assert.deepEqual(grad(a), [8, 8, 8]);
});

test('only leaves that require gradients receive them; intermediate tensors keep grad null', () => {
  const a = tg.tensor([1, 2], { requiresGrad: true });
  const b = tg.tensor([3, 4]);
  const h = a.mul(b);
  h.sum().backward();
  assert.deepEqual(grad(a), [3, 4]);
  assert.equal(b.grad, null);
  assert.equal(h.grad, null);
  assert.equal(b.requiresGrad, false);
});

test('detach cuts the graph and shares the data', () => {
  const x = tg.tensor([1, 2], { requiresGrad: true });
  const y = x.mul(2);
  const d = y.detach();
  assert.equal(d.requiresGrad, false);
  assert.equal(d.node, null);
  assert.equal(d.storage, y.storage);
  // y = x * detach(x): the detached factor is a constant.
  x.mul(x.detach()).sum().backward();
  assert.deepEqual(grad(x), [1, 2]);
});

test('noGrad records nothing and restores the previous mode, even after a throw', () => {
  const x = tg.tensor([1, 2], { requiresGrad: true });
  const y = tg.noGrad(() => {
    assert.equal(tg.isGradEnabled(), false);
    return x.mul(2);
  });
  assert.equal(y.requiresGrad, false);
  assert.equal(y.node, null);
  assert.equal(tg.isGradEnabled(), true);
  assert.throws(
    () =>
      tg.noGrad(() => {
        throw new Error('boom');
      }),
    /boom/,
  );
  assert.equal(tg.isGradEnabled(), true);
});

test('customOp: user forward and backward take part in the graph', () => {
  const cube = tg.customOp({
    name: 'cube',
    forward: ([x]) => x.mul(x).mul(x),
    backward: (dy, { inputs: [x] }) => [dy.mul(x.square()).mul(3)],
  });
  const x = tg.tensor([1, 2], { requiresGrad: true });
  const y = cube(x);
  assert.deepEqual(y.toArray(), [1, 8]);
  assert.equal(y.node?.op, 'cube');
  y.sum().backward();
  assert.deepEqual(grad(x), [3, 12]);
  assert.ok(tg.gradcheck((t) => cube(t), [tg.randn([4])]).ok);
});

test('broadcast gradients are summed back to each input shape by the engine', () => {
  const a = tg.tensor([[1], [2]], { requiresGrad: true });
  const b = tg.tensor([10, 20, 30], { requiresGrad: true });
  const c = tg.tensor(2, { requiresGrad: true });
  a.mul(b).mul(c).sum().backward();
  assert.deepEqual(grad(a), [120, 120]);
  assert.deepEqual(grad(b), [6, 6, 6]);
  assert.deepEqual(grad(c), [180]);
  assert.deepEqual(c.grad?.shape, []);
});

test('float64 leaves get float64 gradients; a deep chain does not overflow the stack', () => {
  const x = tg.tensor([0.5], { dtype: 'float64', requiresGrad: true });
  let y = x;
  for (let i = 0; i < 20000; i++) y = y.mul(1);
  y.sum().backward();
  assert.equal(x.grad?.dtype, 'float64');
  assert.deepEqual(grad(x), [1]);
});

test('topoOrder lists each tensor after its parents', () => {
  const a = tg.tensor([1], { requiresGrad: true });
  const b = a.exp();
  const c = b.add(a);
  const order = topoOrder(c);
  assert.deepEqual(
    order.map((t) => order.indexOf(t)),
    [0, 1, 2],
  );
  assert.ok(order.indexOf(a) < order.indexOf(b) && order.indexOf(b) < order.indexOf(c));
});
