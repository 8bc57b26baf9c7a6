import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';
import { F } from '../index.js';
import type { Tensor } from '../index.js';
import { assertGradcheck, eachBackend } from '../../test/each-backend.js';

const rnd = (shape: number[]) => tg.randn(shape, { dtype: 'float64' });

test('conv2d and conv1d: float64 gradcheck of input, weight and bias', () => {
  tg.manualSeed(1);
  eachBackend(() => {
    assertGradcheck('conv2d stride 2 pad 1', (x, w, b) => F.conv2d(x, w, b, { stride: 2, padding: 1 }), [
      rnd([2, 2, 5, 4]),
      rnd([3, 2, 3, 3]),
      rnd([3]),
    ]);
    assertGradcheck(
      'conv2d dilation 2 groups 2 pair padding',
      (x, w, b) => F.conv2d(x, w, b, { dilation: 2, groups: 2, padding: [2, 1] }),
      [rnd([1, 4, 5, 5]), rnd([2, 2, 2, 3]), rnd([2])],
    );
    assertGradcheck("conv2d 'same' even kernel", (x, w) => F.conv2d(x, w, null, { padding: 'same' }), [
      rnd([1, 1, 4, 5]),
      rnd([2, 1, 2, 4]),
    ]);
    assertGradcheck('conv2d pointwise', (x, w, b) => F.conv2d(x, w, b), [rnd([2, 3, 2, 3]), rnd([2, 3, 1, 1]), rnd([2])]);
    assertGradcheck('conv1d depthwise stride 2', (x, w, b) => F.conv1d(x, w, b, { stride: 2, groups: 2, padding: 1 }), [
      rnd([2, 2, 7]),
      rnd([4, 1, 3]),
      rnd([4]),
    ]);
  });
});

test('conv2d: output sizes follow floor((H + 2p - d(k - 1) - 1) / s) + 1', () => {
  const x = tg.zeros([1, 1, 28, 28]);
  assert.deepEqual(F.conv2d(x, tg.zeros([4, 1, 3, 3])).shape, [1, 4, 26, 26]);
  assert.deepEqual(F.conv2d(x, tg.zeros([4, 1, 3, 3]), null, { padding: 'same' }).shape, [1, 4, 28, 28]);
  assert.deepEqual(F.conv2d(x, tg.zeros([4, 1, 4, 4]), null, { padding: 'same', dilation: 3 }).shape, [1, 4, 28, 28]);
  assert.deepEqual(F.conv2d(x, tg.zeros([4, 1, 5, 3]), null, { stride: [2, 3], padding: [1, 0], dilation: [2, 1] }).shape, [1, 4, 11, 9]);
  assert.deepEqual(F.conv1d(tg.zeros([2, 4, 200]), tg.zeros([8, 4, 12])).shape, [2, 8, 189]);
  assert.deepEqual(F.conv1d(tg.zeros([2, 4, 200]), tg.zeros([8, 4, 12]), null, { padding: 'same' }).shape, [2, 8, 200]);
});

test('conv2d: a 3×3 box filter sums each neighbourhood (hand-computed)', () => {
  const x = tg.arange(0, 16, 1, { dtype: 'float32' }).reshape([1, 1, 4, 4]);
  const y = F.conv2d(x, tg.ones([1, 1, 3, 3]), tg.tensor([1]), { padding: 1 });
  // Corner (0,0) sums 0+1+4+5 = 10, plus the bias 1; centre (1,1) sums 0..2, 4..6, 8..10 = 45, plus 1.
  const v = y.toArray() as number[][][][];
  assert.equal(v[0][0][0][0], 11);
  assert.equal(v[0][0][1][1], 46);
});

test('conv errors name the op, the shapes and what was expected', () => {
  const w = tg.zeros([32, 1, 3, 3]);
  assert.throws(() => F.conv2d(tg.zeros([8, 3, 28, 28]), w), {
    message: 'conv2d: input has 3 channels but the layer expects 1 (input shape [8,3,28,28], weight shape [32,1,3,3])',
  });
  assert.throws(() => F.conv2d(tg.zeros([8, 28, 28]), w), { message: 'conv2d: expected a 4-D input [N,1,H,W], got shape [8,28,28]' });
  assert.throws(() => F.conv2d(tg.zeros([1, 1, 2, 9]), w), {
    message: 'conv2d: kernel 3×3 is larger than the padded input 2×9 (input shape [1,1,2,9], padding [0,0])',
  });
  assert.throws(
    () => F.conv2d(tg.zeros([1, 1, 4, 4]), w, null, { dilation: 2 }),
    /kernel 3×3 \(dilated extent 5×5\) is larger than the padded input 4×4/,
  );
  assert.throws(() => F.conv1d(tg.zeros([1, 4, 5]), tg.zeros([2, 4, 7])), {
    message: 'conv1d: kernel 7 is larger than the padded input 5 (input shape [1,4,5], padding 0)',
  });
  assert.throws(() => F.conv2d(tg.zeros([1, 6, 5, 5]), tg.zeros([4, 2, 3, 3]), null, { groups: 4 }), {
    message: 'conv2d: groups (4) must divide the input channels (6) (input shape [1,6,5,5])',
  });
  assert.throws(
    () => F.conv2d(tg.zeros([1, 6, 5, 5]), tg.zeros([5, 2, 3, 3]), null, { groups: 3 }),
    /groups \(3\) must divide the output channels \(5\)/,
  );
  assert.throws(() => F.conv2d(tg.zeros([1, 1, 5, 5]), w, null, { padding: 'same', stride: 2 }), /padding 'same' requires stride 1/);
  assert.throws(() => F.conv2d(tg.zeros([1, 1, 5, 5]), w, tg.zeros([3])), /bias must have shape \[32\]/);
  assert.throws(() => F.conv2d(tg.zeros([1, 1, 5, 5]), w, null, { stride: 0 }), /conv2d: option 'stride' must be a positive integer/);
  assert.throws(() => F.conv2d(tg.zeros([1, 1, 5, 5], { dtype: 'float64' }), w), /must share one floating-point dtype/);
});

test('a Sequential Conv2d/Conv1d + ReLU pair (fused) gives relu(conv) and the same gradients', () => {
  const { nn } = tg;
  tg.manualSeed(3);
  const cases: [tg.nn.Module & { forward(x: Tensor): Tensor }, number[]][] = [
    [new nn.Conv2d({ inChannels: 5, outChannels: 6, kernelSize: 3, padding: 1 }), [4, 5, 9, 7]],
    [new nn.Conv2d({ inChannels: 2, outChannels: 3, kernelSize: 2, stride: 2 }), [2, 2, 6, 6]],
    [new nn.Conv1d({ inChannels: 4, outChannels: 8, kernelSize: 5 }), [3, 4, 20]],
  ];
  for (const [conv, shape] of cases) {
    const x = tg.randn(shape, { requiresGrad: true });
    const fused = new nn.Sequential(conv, new nn.ReLU());
    const y1 = fused.forward(x);
    const dy = tg.randn(y1.shape);
    const y2 = conv.forward(x).relu();
    assert.deepEqual(y1.toArray(), y2.toArray());
    x.grad = null;
    conv.zeroGrad();
    fused.forward(x).mul(dy).sum().backward();
    const fusedGrads = [x.grad!, (conv as tg.nn.Conv2d).weight.grad!, (conv as tg.nn.Conv2d).bias!.grad!].map((t) => t.toArray());
    x.grad = null;
    conv.zeroGrad();
    y2.mul(dy).sum().backward();
    const plainGrads = [x.grad!, (conv as tg.nn.Conv2d).weight.grad!, (conv as tg.nn.Conv2d).bias!.grad!].map((t) => t.toArray());
    assert.deepEqual(fusedGrads, plainGrads);
  }
});
