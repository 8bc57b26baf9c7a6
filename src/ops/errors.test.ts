import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';

// Errors a person can act on: each names the op, the shapes or values, and what was expected.
const throwsWith = (fn: () => unknown, pattern: RegExp): void => {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof tg.TsgradError, `expected a TsgradError, got ${e.name}: ${e.message}`);
    assert.match(e.message, pattern);
    return true;
  });
};

test('a broadcast mismatch names the op and both shapes', () => {
  throwsWith(() => tg.zeros([2, 3]).add(tg.zeros([4])), /^add: cannot broadcast shapes \[2,3\] and \[4\]/);
  throwsWith(() => tg.zeros([2, 3]).mul(tg.zeros([3, 3])), /^mul: .*\[2,3\] and \[3,3\]/);
  throwsWith(() => tg.where(tg.zeros([2]), tg.zeros([3]), 0), /^where: .*\[2\] and \[3\]/);
});

test('a matmul inner-dimension mismatch names both shapes', () => {
  throwsWith(() => tg.zeros([2, 3]).matmul(tg.zeros([4, 5])), /^matmul: inner dimensions differ: \[2,3\] @ \[4,5\] \(3 vs 4\)/);
  throwsWith(() => tg.zeros([3]).matmul(tg.zeros([4])), /^matmul: .*\[3\] @ \[4\]/);
  throwsWith(() => tg.zeros([2, 2, 3]).matmul(tg.zeros([3, 3, 1])), /^matmul: cannot broadcast shapes \[2\] and \[3\]/);
  throwsWith(() => tg.zeros([]).matmul(tg.zeros([3])), /^matmul: both operands need at least 1 dimension/);
});

test('backward() on a non-scalar without a gradient says to pass one', () => {
  const y = tg.zeros([2, 3], { requiresGrad: true }).mul(2);
  throwsWith(() => y.backward(), /^backward: tensor of shape \[2,3\] is not a scalar; pass backward\(gradient\)/);
  throwsWith(() => y.backward(tg.zeros([3])), /^backward: gradient shape \[3\] does not match tensor shape \[2,3\]/);
  throwsWith(() => tg.zeros([1]).backward(), /^backward: this tensor does not require gradients/);
});

test('a ragged nested array cannot become a tensor', () => {
  throwsWith(
    () => tg.tensor([[1, 2], [3]]),
    /^tensor: ragged nested array: element \[1\] has shape \[1\] but element \[0\] has shape \[2\]/,
  );
  throwsWith(() => tg.tensor([[1, 2], 3] as never), /^tensor: ragged/);
  throwsWith(() => tg.tensor([1, 2, 3], { shape: [2, 2] }), /^tensor: 3 values cannot take shape \[2,2\]/);
  throwsWith(() => tg.tensor(['a'] as never), /^tensor: expected numbers, got string/);
});

test('out-of-range indices name the op, the index and the axis size', () => {
  const x = tg.zeros([3, 4]);
  throwsWith(
    () => x.indexSelect(0, tg.tensor([0, 3], { dtype: 'int32' })),
    /^indexSelect: index 3 is out of range for axis 0 of shape \[3,4\] of size 3/,
  );
  throwsWith(() => x.indexSelect(1, tg.tensor([-1], { dtype: 'int32' })), /^indexSelect: index -1 is out of range .* size 4/);
  throwsWith(() => x.gather(1, tg.tensor([[0], [4], [1]], { dtype: 'int32' })), /^gather: index 4 is out of range for axis 1 .* size 4/);
  throwsWith(() => x.gather(1, tg.tensor([0, 1], { dtype: 'int32' })), /^gather: index shape \[2\] does not fit input shape \[3,4\]/);
  throwsWith(() => tg.tensor([0, 5], { dtype: 'int32' }).oneHot(5), /^oneHot: index 5 is out of range for 5 classes/);
  throwsWith(() => tg.tensor([0], { dtype: 'int32' }).oneHot(0), /^oneHot: numClasses must be a positive integer, got 0/);
});

test('float indices are refused with their dtype', () => {
  throwsWith(
    () => tg.zeros([3, 4]).indexSelect(0, tg.tensor([0, 1])),
    /^indexSelect: indices must be an int32 tensor, got float32 \(shape \[2\]\)/,
  );
  throwsWith(() => tg.zeros([3]).gather(0, tg.tensor([0.5])), /^gather: indices must be an int32 tensor, got float32/);
  throwsWith(() => tg.tensor([1]).oneHot(3), /^oneHot: indices must be an int32 tensor/);
});

test('movement and reduction errors name the op, the shape and the bad value', () => {
  const x = tg.zeros([2, 3]);
  throwsWith(() => x.reshape([4, 2]), /^reshape: cannot reshape 6 elements into shape \[4,2\]/);
  throwsWith(() => x.reshape([-1, 4]), /^reshape: cannot infer -1 in shape \[-1,4\] for 6 elements/);
  throwsWith(() => x.sum({ axis: 2 }), /^sum: axis 2 is out of range for a tensor of rank 2/);
  throwsWith(() => x.permute([0, 0]), /^permute: dims \[0,0\] repeat an axis/);
  throwsWith(() => x.expand([4, 3]), /^expand: cannot expand shape \[2,3\] to \[4,3\]/);
  throwsWith(() => tg.concat([x, tg.zeros([2, 2])], 0), /^concat: shapes \[2,3\], \[2,2\] differ outside axis 0/);
  throwsWith(() => tg.stack([x, tg.zeros([3, 2])]), /^stack: all tensors must have one shape, got \[2,3\], \[3,2\]/);
  throwsWith(() => x.narrow(1, 2, 2), /^narrow: range \[2, 2\+2\) is outside axis 1 of size 3/);
  throwsWith(() => x.select(0, 2), /^select: index 2 is out of range for axis 0 of size 2/);
  throwsWith(() => x.slice([[0, 1, 0]]), /^slice: step must be a positive integer, got 0/);
  throwsWith(() => x.pad([1]), /^pad: pads must hold \(before, after\) pairs/);
  throwsWith(() => x.max({ axis: 0 }).item(), /^item: tensor of shape \[3\] has 3 elements, expected exactly 1/);
  throwsWith(() => tg.zeros([0]).max(), /^max: cannot reduce an empty tensor of shape \[0\]/);
  throwsWith(() => x.clamp({ min: 1, max: 0 }), /^clamp: min \(1\) is greater than max \(0\)/);
});

test('creation errors name the function and the value', () => {
  throwsWith(() => tg.zeros([2, -1]), /^zeros: argument 'shape' must be .*, got \[2, -1\]/);
  throwsWith(() => tg.arange(0, 3, 0), /^arange: step must not be zero/);
  throwsWith(() => tg.randint(3, 3, [2]), /^randint: high \(3\) must be greater than low \(3\)/);
  throwsWith(() => tg.tensor([1], { dtype: 'int32', requiresGrad: true }), /^tensor: an int32 tensor cannot require gradients/);
  throwsWith(() => tg.setBackend('nope' as never), /^setBackend: backend 'nope' is not available/);
});
