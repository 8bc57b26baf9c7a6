/**
 * The reductions in PyTorch's call forms (test/fixtures/reduce.json, made by
 * tools/make_reduce_fixtures.py): positional dims, lists of dims, keepdim, options objects with
 * PyTorch's names and tsgrad's aliases, 0-d tensors and NaN, plus cumsum, norm and topk; values
 * and input gradients on every backend. Then the errors a wrong call gives.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eachBackend } from '../../test/each-backend.js';
import { assertClose, loadFixture } from '../../test/util.js';
import { gradcheck } from '../autograd/gradcheck.js';
import { randn, tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import * as ops from './index.js';

type Encoded = number | 'nan' | 'inf' | '-inf';
interface Case {
  call: string;
  args: unknown[];
  input: { shape: number[]; data: Encoded[] };
  out: { shape: number[]; dtype: 'float32' | 'int32'; data: Encoded[] };
  w?: Encoded[];
  grad?: Encoded[];
}

const decode = (v: Encoded): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);
const decodeArgs = (v: unknown): unknown =>
  v === 'inf'
    ? Infinity
    : Array.isArray(v)
      ? v.map(decodeArgs)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, e]) => [k, decodeArgs(e)]))
        : v;

// Each call as a PyTorch user writes it: a method with PyTorch's positional arguments.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const CALLS: Record<string, (x: any, args: any[]) => Tensor> = {
  sum: (x, a) => x.sum(...a),
  mean: (x, a) => x.mean(...a),
  max: (x, a) => x.max(...a),
  min: (x, a) => x.min(...a),
  maxAll: (x) => x.max(),
  logSumExp: (x, a) => x.logSumExp(...a),
  var: (x, a) => x.var(...a),
  std: (x, a) => x.std(...a),
  argmax: (x, a) => x.argmax(...a),
  argmin: (x, a) => x.argmin(...a),
  softmax: (x, a) => x.softmax(...a),
  logSoftmax: (x, a) => x.logSoftmax(...a),
  cumsum: (x, a) => x.cumsum(...a),
  norm: (x, a) => x.norm(...a),
  topkValues: (x, a) => x.topk(...a).values,
  topkIndices: (x, a) => x.topk(...a)[1],
};

const cases = loadFixture<{ cases: Case[] }>('reduce').cases;

test('every reduce.json call has a tsgrad form and every form is exercised', () => {
  assert.deepEqual([...new Set(cases.map((c) => c.call))].sort(), Object.keys(CALLS).sort());
});

for (const [i, c] of cases.entries()) {
  test(`reduce.json #${i}: ${c.call}(${JSON.stringify(c.args)}) on shape [${c.input.shape}]`, () => {
    eachBackend(() => {
      const x = tensor(c.input.data.map(decode), { shape: c.input.shape, requiresGrad: c.grad !== undefined });
      const out = CALLS[c.call](x, decodeArgs(c.args) as unknown[]);
      assert.deepEqual(out.shape, c.out.shape, 'shape');
      assert.equal(out.dtype, c.out.dtype, 'dtype');
      assertClose(out.data(), c.out.data.map(decode), { what: 'out' });
      if (c.grad && c.w) {
        out
          .mul(tensor(c.w.map(decode), { shape: c.out.shape }))
          .sum()
          .backward();
        assertClose(x.grad!.data(), c.grad.map(decode), { what: 'grad' });
      }
    });
  });
}

test('gradcheck: cumsum, norm (p = 1, 2, 3, inf) and topk values in float64', () => {
  const x = randn([3, 4, 2], { dtype: 'float64' });
  const checks: Array<[string, (t: Tensor) => Tensor]> = [
    ['cumsum', (t) => t.cumsum(1)],
    ['norm2', (t) => t.norm(2, 1)],
    ['norm1', (t) => t.norm(1, [0, 2], true)],
    ['norm3', (t) => t.norm(3)],
    ['normInf', (t) => t.norm({ p: Infinity, dim: -1 })],
    ['topk', (t) => t.topk(2, 1).values],
  ];
  eachBackend(() => {
    for (const [name, f] of checks) {
      const r = gradcheck((t) => f(t), [x]);
      assert.ok(r.ok, `${name}: ${JSON.stringify(r.worst)}`);
    }
  });
});

test('the trap of a positional dim: argmax(1).eq(y) is a per-row accuracy', () => {
  const logits = tensor([
    [0.1, 2, 0.3],
    [3, 0, 1],
    [0, 0, 5],
    [1, 2, 0],
  ]);
  const y = tensor([1, 0, 2, 0], { dtype: 'int32' });
  eachBackend(() => {
    assert.deepEqual(logits.argmax(1).toArray(), [1, 0, 2, 1]);
    assert.equal(logits.argmax(1).eq(y).float().mean().item(), 0.75);
    assert.deepEqual(logits.sum(1).shape, [4]);
    assert.deepEqual(logits.mean(0).shape, [3]);
    assert.deepEqual(
      (logits.softmax({ axis: 1 }).sum(1).toArray() as number[]).map((v) => Math.round(v)),
      [1, 1, 1, 1],
    );
  });
});

test('0-d tensors reduce over dim 0 or -1 to themselves on every backend (no hang)', () => {
  eachBackend(() => {
    const s = tensor(5);
    assert.equal(s.sum({ axis: 0 }).item(), 5);
    assert.equal(s.sum(0).item(), 5);
    assert.equal(s.sum(-1, true).item(), 5);
    assert.deepEqual(s.sum(0).shape, []);
    assert.equal(s.mean(0).item(), 5);
    assert.equal(s.max(0).item(), 5);
    assert.equal(s.argmax(0).item(), 0);
    assert.equal(s.softmax(0).item(), 1);
    assert.equal(s.logSoftmax().item(), 0);
    assert.equal(s.norm().item(), 5);
    assert.throws(() => s.sum(1), /sum: axis 1 is out of range for a tensor of rank 0 \(expected an integer in \[-1, 0\]\)/);
    // The result is a value of its own: changing it leaves the input alone.
    const r = s.sum(0);
    r.storage[0] = 7;
    assert.equal(s.item(), 5);
  });
});

test('reductions refuse wrong arguments with the op, the argument and what was expected', () => {
  const x = randn([2, 3]);
  assert.throws(() => x.sum('1' as never), /sum: argument 'dim' must be an integer or an array of integers \(or undefined\), got "1"/);
  assert.throws(() => x.sum(1, 'yes' as never), /sum: argument 'keepdim' must be a boolean \(or undefined\), got "yes"/);
  assert.throws(() => x.sum({ dims: 1 } as never), /sum: unknown option 'dims' \(did you mean 'dim'\?\)/);
  assert.throws(() => x.mean({ keepdims: true } as never), /mean: unknown option 'keepdims' \(did you mean 'keepdim'\?\)/);
  assert.throws(() => x.max({ dim: 0, axis: 1 }), /max: give dim or its alias axis, not both/);
  assert.throws(() => x.sum({ dim: 1 }, true), /sum: keepdim goes inside the options object/);
  assert.throws(() => x.argmax([0, 1] as never), /argmax: takes one dim \(an integer\), got \[0,1\]/);
  assert.throws(() => x.var({ correction: 1, unbiased: true }), /var: give correction or unbiased, not both/);
  assert.throws(() => x.softmax({ dims: 1 } as never), /softmax: unknown option 'dims' \(did you mean 'dim'\?\)/);
  assert.throws(() => x.softmax(1.5), /softmax: argument 'dim' must be an integer/);
  assert.throws(() => x.cumsum(undefined as never), /cumsum: argument 'dim' must be an integer, got undefined/);
  assert.throws(() => x.norm(-1), /norm: p must be >= 0, Infinity or -Infinity, got -1/);
  assert.throws(() => x.topk(4, 1), /topk: k = 4 is larger than dim 1 of shape \[2,3\] \(size 3\)/);
  assert.throws(() => x.topk({ k: 1, largst: false } as never), /topk: unknown option 'largst' \(did you mean 'largest'\?\)/);
  assert.throws(() => ops.sum([1, 2] as never), /sum: argument 'input' must be a Tensor, got \[1, 2\]/);
  assert.throws(() => x.sum(2), /sum: axis 2 is out of range for a tensor of rank 2 \(expected an integer in \[-2, 1\]\)/);
});

test('topk returns [values, indices], also named, and keeps the lower index first among ties', () => {
  const x = tensor([[1, 3, 3, 2]]);
  const [values, indices] = x.topk(2);
  assert.deepEqual(values.toArray(), [[3, 3]]);
  assert.deepEqual(indices.toArray(), [[1, 2]]);
  assert.deepEqual(x.topk(2, -1, false).indices.toArray(), [[0, 3]]);
});
