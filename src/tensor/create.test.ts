import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';

test('tensor() from nested arrays infers the shape; booleans become 0/1', () => {
  const t = tg.tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(t.shape, [2, 3]);
  assert.equal(t.dtype, 'float32');
  assert.deepEqual(t.toArray(), [
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(tg.tensor([true, false]).toArray(), [1, 0]);
  assert.deepEqual(tg.tensor(2.5).shape, []);
  assert.deepEqual(tg.tensor([]).shape, [0]);
  assert.equal(tg.tensor([[1]], { requiresGrad: true }).requiresGrad, true);
});

test('tensor() from typed arrays copies them and keeps their dtype; shape option reshapes a flat array', () => {
  const src = new Float64Array([1, 2, 3, 4, 5, 6]);
  const t = tg.tensor(src, { shape: [3, 2] });
  assert.equal(t.dtype, 'float64');
  assert.deepEqual(t.shape, [3, 2]);
  src[0] = 99;
  assert.equal((t.toArray() as number[][])[0][0], 1, 'the tensor owns a copy');
  assert.equal(tg.tensor(new Int32Array([1, 2])).dtype, 'int32');
  assert.equal(tg.tensor(new Float32Array([1, 2]), { dtype: 'float64' }).dtype, 'float64');
  assert.deepEqual(tg.tensor([1, 2, 3, 4], { shape: [2, 2] }).toArray(), [
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(Array.from(tg.tensor([1.7, -2.2], { dtype: 'int32' }).data()), [1, -2]);
});

test('zeros, ones, full, zerosLike, onesLike, eye', () => {
  assert.deepEqual(tg.zeros([2, 2]).toArray(), [
    [0, 0],
    [0, 0],
  ]);
  assert.deepEqual(tg.ones([3], { dtype: 'int32' }).toArray(), [1, 1, 1]);
  assert.equal(tg.ones([3], { dtype: 'int32' }).dtype, 'int32');
  assert.deepEqual(tg.full([2], 7.5).toArray(), [7.5, 7.5]);
  const like = tg.zerosLike(tg.ones([2, 3], { dtype: 'float64' }));
  assert.deepEqual([like.shape, like.dtype], [[2, 3], 'float64']);
  assert.deepEqual(tg.onesLike(tg.zeros([1, 2])).toArray(), [[1, 1]]);
  assert.deepEqual(tg.eye(2, 3).toArray(), [
    [1, 0, 0],
    [0, 1, 0],
  ]);
  assert.deepEqual(tg.eye(2).toArray(), [
    [1, 0],
    [0, 1],
  ]);
  assert.equal(tg.zeros([2], { requiresGrad: true }).requiresGrad, true);
});

test('arange and linspace', () => {
  assert.deepEqual(tg.arange(4).toArray(), [0, 1, 2, 3]);
  assert.equal(tg.arange(4).dtype, 'int32');
  assert.deepEqual(tg.arange(5, 0, -2).toArray(), [5, 3, 1]);
  assert.deepEqual(tg.arange(0, 1, 0.25).toArray(), [0, 0.25, 0.5, 0.75]);
  assert.equal(tg.arange(0, 1, 0.25).dtype, 'float32');
  assert.deepEqual(tg.arange(3, undefined, 1, { dtype: 'float64' }).dtype, 'float64');
  assert.deepEqual(tg.linspace(0, 1, 5).toArray(), [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(tg.linspace(2, 2, 1).toArray(), [2]);
  assert.deepEqual(tg.linspace(0, 1, 0).shape, [0]);
});

test('rand, randn, randint: same seed gives the same values, ranges and moments hold', () => {
  const draw = () => [tg.rand([50]), tg.randn([50]), tg.randint(3, 9, [50])].map((t) => Array.from(t.data()));
  tg.manualSeed(42);
  const first = draw();
  tg.manualSeed(42);
  assert.deepEqual(draw(), first);
  tg.manualSeed(43);
  assert.notDeepEqual(draw()[0], first[0]);

  tg.manualSeed(1);
  const u = tg.rand([10000], { low: -2, high: 3 });
  const [lo, hi] = [u.min().item(), u.max().item()];
  assert.ok(lo >= -2 && hi < 3, `rand range [${lo}, ${hi}]`);
  assert.ok(Math.abs(u.mean().item() - 0.5) < 0.05);
  const n = tg.randn([10000], { mean: 1, std: 2 });
  assert.ok(Math.abs(n.mean().item() - 1) < 0.06, `randn mean ${n.mean().item()}`);
  assert.ok(Math.abs(n.std().item() - 2) < 0.06, `randn std ${n.std().item()}`);
  const r = tg.randint(3, 9, [10000]);
  assert.equal(r.dtype, 'int32');
  assert.equal(r.min().item(), 3);
  assert.equal(r.max().item(), 8);
});

test("zeros(3) and zeros(2, 3) take PyTorch's meaning; options follow the sizes", () => {
  assert.deepEqual(tg.zeros(3).shape, [3]);
  assert.deepEqual(tg.ones(2, 3).toArray(), [
    [1, 1, 1],
    [1, 1, 1],
  ]);
  assert.equal(tg.zeros(2, 3, { dtype: 'int32' }).dtype, 'int32');
  assert.deepEqual(tg.randn(4, 2).shape, [4, 2]);
  assert.deepEqual(tg.full(2, 7).toArray(), [7, 7]);
  assert.throws(() => tg.zeros(2, 3.5), /^TsgradError: zeros: argument 'size 1' must be a non-negative integer, got 3.5/);
});

test('int32 values outside the int32 range are refused instead of wrapping', () => {
  assert.throws(() => tg.tensor([1, 2 ** 31], { dtype: 'int32' }), /tensor: value 2147483648 cannot be converted to int32/);
  assert.throws(() => tg.tensor(new Float64Array([-(2 ** 31) - 1]), { dtype: 'int32' }), /tensor: value -2147483649 cannot be converted/);
  assert.throws(() => tg.full([2], 3e9, { dtype: 'int32' }), /full: value 3000000000 cannot be converted to int32/);
  assert.deepEqual(tg.tensor([-(2 ** 31), 2 ** 31 - 1], { dtype: 'int32' }).toArray(), [-(2 ** 31), 2 ** 31 - 1]);
});

test('the Tensor constructor refuses a storage too short for its shape, strides and offset', () => {
  assert.throws(() => new tg.Tensor(new Float32Array(3), [2, 2]), /Tensor: a storage of 3 elements cannot hold shape \[2,2\]/);
  assert.throws(() => new tg.Tensor(new Float32Array(4), [2, 2], [2, 1], 1), /reaches element 4/);
  assert.throws(() => new tg.Tensor(new Float32Array(4), [2, -2]), /Tensor: argument 'shape' must be an array of non-negative integers/);
  assert.deepEqual(new tg.Tensor(new Float32Array([1, 2, 3, 4]), [2, 2], [1, 2]).toArray(), [
    [1, 3],
    [2, 4],
  ]);
  assert.deepEqual(new tg.Tensor(new Float32Array(1), [3], [0]).shape, [3]);
});
