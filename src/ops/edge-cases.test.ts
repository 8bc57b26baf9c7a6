import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';
import { assertClose } from '../../test/util.js';

// Regression tests for op bugs found against PyTorch, and PyTorch's values at kinks and infinities.

const grad = (x: tg.Tensor): number[] => Array.from((x.grad as tg.Tensor).data());

test('matmul of two vectors is a 0-d dot product, with gradients', () => {
  const a = tg.tensor([1, 2, 3], { requiresGrad: true });
  const b = tg.tensor([4, 5, 6], { requiresGrad: true });
  const y = a.matmul(b);
  assert.deepEqual(y.shape, []);
  assert.equal(y.item(), 32);
  y.backward();
  assert.deepEqual(grad(a), [4, 5, 6]);
  assert.deepEqual(grad(b), [1, 2, 3]);
});

test('matmul writes every element of its product, whose array comes uninitialised (k = 0 too)', () => {
  const before = tg.getBackend();
  try {
    for (const backend of ['wasm', 'ref'] as const) {
      tg.setBackend(backend);
      // Leave NaN-filled memory behind for the allocator to hand out again.
      for (let i = 0; i < 20; i++) new Float32Array(300 * 300).fill(NaN);
      const empty = tg.matmul(tg.zeros([300, 0]), tg.zeros([0, 300]));
      assert.ok(
        empty.data().every((v) => v === 0),
        `${backend}: k = 0 gives zeros`,
      );
      const y = tg.matmul(tg.ones([300, 7]), tg.ones([7, 300]));
      assert.ok(
        y.data().every((v) => v === 7),
        `${backend}: every element is written`,
      );
    }
  } finally {
    tg.setBackend(before);
  }
});

test('logSumExp of a row holding +inf is +inf, of an all -inf row is -inf (not NaN)', () => {
  const y = tg
    .tensor([
      [Infinity, 0],
      [-Infinity, -Infinity],
      [0, 0],
    ])
    .logSumExp({ axis: 1 });
  assert.deepEqual(Array.from(y.data()), [Infinity, -Infinity, Math.fround(Math.LN2)]);
});

test('pow: gradients at base 0 are 0 where PyTorch gives 0, not NaN', () => {
  const x = tg.tensor([0, 2], { requiresGrad: true });
  x.pow(0).sum().backward();
  assert.deepEqual(grad(x), [0, 0]);
  const e = tg.tensor([2, 2], { requiresGrad: true });
  tg.tensor([0, 2]).pow(e).sum().backward();
  assertClose(grad(e), [0, 4 * Math.log(2)], { what: 'd(a^e)/de' });
  const z = tg.tensor([0, 3], { requiresGrad: true });
  z.pow(2).sum().backward();
  assert.deepEqual(grad(z), [0, 6]);
});

test('gradients at kinks follow PyTorch: relu, abs 0; leakyRelu slope; elu alpha; clamp passes at bounds', () => {
  const cases: Array<[string, (x: tg.Tensor) => tg.Tensor, number[], number[]]> = [
    ['relu', (x) => x.relu(), [0], [0]],
    ['abs', (x) => x.abs(), [0], [0]],
    ['leakyRelu', (x) => x.leakyRelu(0.25), [0], [0.25]],
    ['elu', (x) => x.elu(0.5), [0, 1], [0.5, 1]],
    ['clamp', (x) => x.clamp({ min: 0, max: 1 }), [-1, 0, 1, 2], [0, 1, 1, 0]],
  ];
  for (const [name, f, xs, want] of cases) {
    const x = tg.tensor(xs, { requiresGrad: true });
    f(x).sum().backward();
    assert.deepEqual(grad(x), want, name);
  }
});

test('ties share the gradient evenly in max reductions and in maximum (as torch.amax and torch.maximum)', () => {
  const x = tg.tensor(
    [
      [1, 3, 3],
      [2, 0, 1],
    ],
    { requiresGrad: true },
  );
  x.max({ axis: 1 }).sum().backward();
  assert.deepEqual(grad(x), [0, 0.5, 0.5, 1, 0, 0]);
  const a = tg.tensor([1, 3], { requiresGrad: true });
  const b = tg.tensor([1, 2], { requiresGrad: true });
  a.maximum(b).sum().backward();
  assert.deepEqual(grad(a), [0.5, 1]);
  assert.deepEqual(grad(b), [0.5, 0]);
});

test('erf keeps its relative accuracy near zero and is odd', () => {
  const xs = [0, 1e-8, 1e-5, 1e-3, 0.3, 0.5, 1, 2.5];
  // math.erf in Python (float64).
  const want = [
    0, 1.1283791670955126e-8, 1.1283791670579e-5, 0.0011283787909692365, 0.3286267594591274, 0.5204998778130465, 0.8427007929497149,
    0.999593047982555,
  ];
  const y = tg.tensor(xs, { dtype: 'float64' }).erf();
  assertClose(y.data(), want, { rtol: 2e-7, atol: 0, what: 'erf' });
  assertClose(
    tg
      .tensor(
        xs.map((v) => -v),
        { dtype: 'float64' },
      )
      .erf()
      .data(),
    want.map((v) => -v),
    { rtol: 2e-7, atol: 0, what: 'erf(-x)' },
  );
});

test('stable activations: sigmoid, softplus and softmax of large inputs stay finite', () => {
  assert.deepEqual(Array.from(tg.tensor([100, -100]).sigmoid().data()), [1, Math.fround(Math.exp(-100))]);
  assert.deepEqual(Array.from(tg.tensor([100, 21]).softplus().data()), [100, 21]);
  assert.deepEqual(
    Array.from(
      tg
        .tensor([[1000, 0]])
        .softmax()
        .data(),
    ),
    [1, 0],
  );
  assert.deepEqual(
    Array.from(
      tg
        .tensor([[0, -Infinity]])
        .logSoftmax()
        .data(),
    ),
    [0, -Infinity],
  );
});

test('dtypes: int32 stays int32 where integral, promotes to float otherwise', () => {
  const i = tg.tensor([1, 2], { dtype: 'int32' });
  assert.equal(i.add(1).dtype, 'int32');
  assert.equal(i.add(1.5).dtype, 'float32');
  assert.equal(i.div(2).dtype, 'float32');
  assert.equal(i.exp().dtype, 'float32');
  assert.equal(i.mean().item(), 1.5);
  assert.equal(tg.tensor([1], { dtype: 'float64' }).mul(tg.tensor([2])).dtype, 'float64');
});

test('reductions and matmul read strided views correctly', () => {
  tg.manualSeed(7);
  const base = tg.randn([4, 6, 5]);
  const views = [base.permute([2, 0, 1]), base.slice([[1, 4], [null, null, 2], [1]] as never), base.transpose(0, 2)];
  for (const v of views) {
    const dense = tg.tensor(v.data(), { shape: v.shape });
    for (const axis of [0, 1, 2, [0, 2]]) {
      assertClose(v.sum({ axis }).data(), dense.sum({ axis }).data(), { what: `sum ${JSON.stringify(axis)}` });
      assertClose(v.max({ axis }).data(), dense.max({ axis }).data(), { what: `max ${JSON.stringify(axis)}` });
    }
    const w = tg.randn([v.shape[2], 3]);
    assertClose(v.matmul(w).data(), dense.matmul(w).data(), { what: 'matmul' });
    assertClose(v.transpose().matmul(v).data(), dense.transpose().matmul(dense).data(), { what: 'vᵀv' });
  }
});
