import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';
import { F, nn } from '../index.js';
import type { Tensor } from '../tensor/tensor.js';
import { assertClose, loadFixture } from '../../test/util.js';

interface Entry {
  shape: number[];
  data: number[];
}
interface LossCase {
  name: string;
  fn: 'mseLoss' | 'l1Loss' | 'binaryCrossEntropy' | 'bceWithLogits' | 'crossEntropy' | 'nllLoss';
  input: Entry;
  target: Entry;
  options: Record<string, unknown>;
  value: number[];
  valueShape: number[];
  grad: number[];
}

const fixture = loadFixture<{ losses: LossCase[] }>('nn');
const CLASS_LOSSES = new Set(['crossEntropy', 'nllLoss']);

type LossFn = (input: Tensor, target: Tensor, opts: Record<string, unknown>) => Tensor;
const fns: Record<LossCase['fn'], LossFn> = {
  mseLoss: F.mseLoss as LossFn,
  l1Loss: F.l1Loss as LossFn,
  binaryCrossEntropy: F.binaryCrossEntropy as LossFn,
  bceWithLogits: F.bceWithLogits as LossFn,
  crossEntropy: F.crossEntropy as LossFn,
  nllLoss: F.nllLoss as LossFn,
};

function build(c: LossCase, dtype: 'float32' | 'float64') {
  const input = tg.tensor(c.input.data, { shape: c.input.shape, dtype, requiresGrad: true });
  const target = tg.tensor(c.target.data, { shape: c.target.shape, dtype: CLASS_LOSSES.has(c.fn) ? 'int32' : dtype });
  const opts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.options)) {
    opts[k] = typeof v === 'object' && v !== null ? tg.tensor((v as Entry).data, { shape: (v as Entry).shape, dtype }) : v;
  }
  return { input, target, opts };
}

for (const c of fixture.losses) {
  test(`loss matches PyTorch: ${c.name}`, () => {
    const { input, target, opts } = build(c, 'float32');
    const out = fns[c.fn](input, target, opts);
    assert.deepEqual(out.shape, c.valueShape, `${c.name}: output shape`);
    assertClose(out.data(), c.value, { rtol: 1e-4, atol: 1e-6, what: `${c.name} value` });
    out.sum().backward();
    assertClose(input.grad!.data(), c.grad, { rtol: 1e-4, atol: 1e-6, what: `${c.name} grad` });
  });
}

test('every loss passes a float64 gradcheck', () => {
  const seen = new Set<string>();
  for (const c of fixture.losses) {
    if (c.name.includes('1000')) continue; // the gradient is flat there; checked against PyTorch above
    const key = `${c.fn} ${Object.keys(c.options).join(',')} ${c.options.reduction}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const { input, target, opts } = build(c, 'float64');
    const r = tg.gradcheck((x) => fns[c.fn](x, target, opts), [input], { atol: 1e-6, rtol: 1e-4 });
    assert.ok(r.ok, `${c.name}: gradcheck failed, ${JSON.stringify(r.worst)}`);
  }
  assert.ok(seen.size >= 20, `checked ${seen.size} loss configurations`);
});

test('gradcheck reaches the target of mseLoss, bce and bceWithLogits', () => {
  tg.manualSeed(3);
  const x = tg.rand([3, 2], { dtype: 'float64', low: 0.1, high: 0.9 });
  const t = tg.rand([3, 2], { dtype: 'float64' });
  for (const f of [F.mseLoss, F.l1Loss, F.binaryCrossEntropy, F.bceWithLogits]) {
    const r = tg.gradcheck((a, b) => f(a, b), [x, t]);
    assert.ok(r.ok, `${f.name}: ${JSON.stringify(r.worst)}`);
  }
});

test('crossEntropy equals nllLoss of logSoftmax and is exact at ±1000', () => {
  tg.manualSeed(5);
  const x = tg.randn([6, 5]);
  const y = tg.randint(0, 5, [6]);
  const a = F.crossEntropy(x, y).item();
  const b = F.nllLoss(tg.logSoftmax(x, 1), y).item();
  assert.ok(Math.abs(a - b) < 1e-5, `${a} vs ${b}`);
  const big = tg.tensor(
    [
      [1000, -1000],
      [-1000, 1000],
    ],
    { requiresGrad: true },
  );
  const loss = F.crossEntropy(big, tg.tensor([0, 0], { dtype: 'int32' }), { reduction: 'sum' });
  assert.equal(loss.item(), 2000);
  loss.backward();
  assert.deepEqual(big.grad!.toArray(), [
    [0, 0],
    [-1, 1],
  ]);
});

test('crossEntropy is one fused node in the graph', () => {
  const x = tg.randn([4, 3], { requiresGrad: true });
  const loss = F.crossEntropy(x, tg.tensor([0, 1, 2, 0], { dtype: 'int32' }));
  assert.equal(loss.node?.op, 'crossEntropy');
  assert.deepEqual(loss.node?.parents, [x]);
});

test('bceWithLogits has the right slope at logit 0 and stays finite at ±100', () => {
  const x = tg.tensor([0, 100, -100], { requiresGrad: true });
  const loss = F.bceWithLogits(x, tg.tensor([1, 0, 1]), { reduction: 'sum' });
  assertClose([loss.item()], [Math.log(2) + 200], { rtol: 1e-6 });
  loss.backward();
  assertClose(x.grad!.data(), [-0.5, 1, -1], { atol: 1e-6 });
});

test('binaryCrossEntropy clamps the log at -100 and keeps gradients finite at p = 0 and 1', () => {
  const p = tg.tensor([0, 1, 1], { requiresGrad: true });
  const loss = F.binaryCrossEntropy(p, tg.tensor([1, 0, 1]), { reduction: 'none' });
  assert.deepEqual(
    Array.from(loss.data(), (v) => v + 0),
    [100, 100, 0],
  );
  loss.sum().backward();
  assert.ok(Array.from(p.grad!.data()).every(Number.isFinite), `grad ${p.grad!.toArray()}`);
});

test('loss errors name the problem', () => {
  const logits = tg.randn([4, 3]);
  assert.throws(
    () => F.crossEntropy(logits, tg.tensor([0, 1, 2, 1])),
    /crossEntropy: expects int32 class indices as target, got a float32 tensor of shape \[4\] \(logits shape \[4,3\]\)/,
  );
  assert.throws(
    () => F.crossEntropy(logits, tg.tensor([0, 1, 5, 1], { dtype: 'int32' })),
    /crossEntropy: target class index 5 .* out of range for 3 classes/,
  );
  assert.throws(
    () => F.crossEntropy(logits, tg.tensor([0, 1, 2], { dtype: 'int32' })),
    /crossEntropy: logits have batch size 4 \(shape \[4,3\]\) but target has batch size 3 \(shape \[3\]\)/,
  );
  assert.throws(
    () => F.crossEntropy(logits, tg.tensor([0, 1, 2, 0], { dtype: 'int32' }), { weight: tg.ones([4]) }),
    /crossEntropy: weight must have shape \[3\]/,
  );
  assert.throws(() => F.nllLoss(logits, tg.tensor([0, -1, 2, 0], { dtype: 'int32' })), /nllLoss: target class index -1/);
  assert.throws(() => F.mseLoss(tg.randn([4, 1]), tg.randn([4])), /mseLoss: pred shape \[4,1\] and target shape \[4\] differ/);
  assert.throws(() => F.mseLoss(tg.randn([4]), tg.randn([4]), { reduction: 'avg' as 'mean' }), /reduction must be/);
});

test('losses are reachable from nn and F', () => {
  assert.equal(nn.crossEntropy, F.crossEntropy);
  assert.equal(nn.mseLoss, F.mseLoss);
});

test("binaryCrossEntropy refuses inputs outside [0, 1] (NaN included) with PyTorch's message", () => {
  for (const v of [1.5, -0.1, NaN]) {
    assert.throws(
      () => F.binaryCrossEntropy(tg.tensor([0.5, v]), tg.tensor([1, 0])),
      /^TsgradError: binaryCrossEntropy: all elements of input should be between 0 and 1, got (1.5|-0.1|NaN)/,
    );
  }
  assert.ok(Number.isFinite(F.binaryCrossEntropy(tg.tensor([0, 1]), tg.tensor([0, 1])).item()));
});

test('loss options: an unknown key is an error with a did-you-mean, not ignored', () => {
  assert.throws(
    () => F.bceWithLogits(tg.zeros([2]), tg.zeros([2]), { pos_weight: tg.ones([2]) } as never),
    /bceWithLogits: unknown option 'pos_weight' \(did you mean 'posWeight'\?\)/,
  );
});
