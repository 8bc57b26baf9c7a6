/**
 * dtype conversion against PyTorch 1.13 (test/fixtures/cast.json, made by
 * tools/make_cast_fixtures.py): x.float() rounds, x.int() truncates toward zero, and gradients
 * cross float32 <-> float64 casts converted back to the leaf's dtype; on every backend.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eachBackend } from '../../test/each-backend.js';
import { assertClose, loadFixture } from '../../test/util.js';
import type { DType } from '../kernels/types.js';
import { randn, tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { requiresGrad } from './methods.js';

interface Fx {
  shape: number[];
  dtype: DType;
  data: number[];
}
type Cases = Record<'float64' | 'float32', Record<string, Fx>> & {
  grad_up: { x: Fx; grad: Fx };
  grad_down: { x: Fx; w: Fx; grad: Fx };
};
const cases = loadFixture<{ cases: Cases }>('cast').cases;
const fromFx = (f: Fx, requiresGrad = false): Tensor => tensor(f.data, { shape: f.shape, dtype: f.dtype, requiresGrad });

function same(got: Tensor, want: Fx, what: string): void {
  assert.equal(got.dtype, want.dtype, what);
  assert.deepEqual(got.shape, want.shape, what);
  assert.deepEqual(Array.from(got.data()), want.data, what);
}

test("float(), double(), int() and to(dtype) give PyTorch's values exactly", () => {
  eachBackend(() => {
    for (const from of ['float64', 'float32'] as const) {
      const c = cases[from];
      const x = fromFx(c.x);
      for (const [method, dtype] of [
        ['float', 'float32'],
        ['double', 'float64'],
        ['int', 'int32'],
      ] as const) {
        if (!c[method]) continue;
        same(x[method](), c[method], `${from}.${method}()`);
        same(x.to(dtype), c[method], `${from}.to('${dtype}')`);
      }
    }
  });
});

test('to(dtype) returns the tensor itself when it already has that dtype, and a copy otherwise', () => {
  const x = randn([2, 2]);
  assert.equal(x.to('float32'), x);
  assert.equal(x.float(), x);
  const y = x.double();
  y.storage[0] = 42;
  assert.notEqual(x.storage[0], 42);
});

test("gradients cross float32 <-> float64 casts in the leaf's dtype, as in PyTorch", () => {
  eachBackend(() => {
    const up = cases.grad_up;
    const a = fromFx(up.x, true);
    a.double().pow(3).sum().backward();
    assert.equal(a.grad!.dtype, 'float32');
    assertClose(a.grad!.data(), up.grad.data, { rtol: 1e-6, what: 'd sum(x.double()^3) / dx' });
    const down = cases.grad_down;
    const b = fromFx(down.x, true);
    b.float().pow(2).mul(fromFx(down.w)).sum().backward();
    assert.equal(b.grad!.dtype, 'float64');
    assertClose(b.grad!.data(), down.grad.data, { rtol: 1e-6, what: 'd sum(x.float()^2 w) / dx' });
  });
});

test('a cast to int32 carries no gradient; an unknown dtype lists the supported ones', () => {
  const x = randn([3], { requiresGrad: true });
  const i = x.int();
  assert.equal(i.requiresGrad, false);
  assert.equal(i.node, null);
  assert.throws(() => x.to('float16' as DType), /to: argument 'dtype' must be one of "float32", "float64", "int32", got "float16"/);
  assert.throws(() => x.to(undefined as never), /to: argument 'dtype' must be one of "float32", "float64", "int32", got undefined/);
});

test('requiresGrad_: float leaves only, in place, chainable', () => {
  const w = randn([2, 2]);
  assert.equal(w.requiresGrad_(), w);
  assert.equal(w.requiresGrad, true);
  w.mul(w).sum().backward();
  assert.ok(w.grad);
  assert.equal(w.requiresGrad_(false).requiresGrad, false);
  const y = randn([2], { requiresGrad: true }).mul(2);
  assert.equal(y.requiresGrad_(), y, 'a no-op on a result that already requires gradients');
  assert.throws(() => y.requiresGrad_(false), /requiresGrad_: the tensor of shape \[2\] was made by 'mul', not a leaf; only leaf tensors/);
  assert.throws(
    () => tensor([1, 2], { dtype: 'int32' }).requiresGrad_(),
    /requiresGrad_: only floating-point tensors can require gradients, got int32 of shape \[2\]/,
  );
  assert.throws(() => w.requiresGrad_(1 as never), /requiresGrad_: argument 'on' must be a boolean, got 1/);
  // The function form makes the same checks: an int32 tensor is refused, not silently marked.
  assert.throws(() => requiresGrad(tensor([1, 2], { dtype: 'int32' })), /only floating-point tensors can require gradients/);
  assert.equal(requiresGrad(randn([2])).requiresGrad, true);
});
