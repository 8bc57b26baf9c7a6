import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';
import { F } from '../index.js';
import { assertGradcheck, eachBackend } from '../../test/each-backend.js';

const rnd = (shape: number[]) => tg.randn(shape, { dtype: 'float64' });

test('pooling: float64 gradcheck of every form', () => {
  tg.manualSeed(2);
  eachBackend(() => {
    assertGradcheck('maxPool2d k3 s2 p1', (x) => F.maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }), [rnd([2, 2, 5, 6])]);
    assertGradcheck('avgPool2d k[2,3] s1 p[1,1]', (x) => F.avgPool2d(x, { kernelSize: [2, 3], stride: 1, padding: [1, 1] }), [
      rnd([1, 2, 4, 5]),
    ]);
    assertGradcheck('maxPool1d k2', (x) => F.maxPool1d(x, { kernelSize: 2 }), [rnd([2, 3, 7])]);
    assertGradcheck('avgPool1d k3 s2 p1', (x) => F.avgPool1d(x, { kernelSize: 3, stride: 2, padding: 1 }), [rnd([2, 2, 8])]);
    assertGradcheck('adaptiveAvgPool2d 5×7 -> 3×4', (x) => F.adaptiveAvgPool2d(x, [3, 4]), [rnd([1, 2, 5, 7])]);
    assertGradcheck('globalMaxPool1d', (x) => F.globalMaxPool1d(x), [rnd([2, 3, 5])]);
    assertGradcheck('globalAvgPool1d', (x) => F.globalAvgPool1d(x), [rnd([2, 3, 5])]);
    assertGradcheck('globalMaxPool2d', (x) => F.globalMaxPool2d(x), [rnd([2, 2, 3, 3])]);
    assertGradcheck('globalAvgPool2d', (x) => F.globalAvgPool2d(x), [rnd([2, 2, 3, 3])]);
  });
});

test('pooling: hand-computed values and shapes', () => {
  const x = tg.arange(0, 16, 1, { dtype: 'float32' }).reshape([1, 1, 4, 4]);
  assert.deepEqual(F.maxPool2d(x, { kernelSize: 2 }).toArray(), [
    [
      [
        [5, 7],
        [13, 15],
      ],
    ],
  ]);
  assert.deepEqual(F.avgPool2d(x, { kernelSize: 2 }).toArray(), [
    [
      [
        [2.5, 4.5],
        [10.5, 12.5],
      ],
    ],
  ]);
  // Padding counts in the average's divisor: the corner window holds 0, 1, 4, 5 and five zeros.
  assert.equal((F.avgPool2d(x, { kernelSize: 3, stride: 3, padding: 1 }).toArray() as number[][][][])[0][0][0][0], Math.fround(10 / 9));
  // Padding never wins a max, even over negative values.
  assert.deepEqual(F.maxPool2d(x.neg(), { kernelSize: 2, padding: 1 }).toArray(), [
    [
      [
        [-0, -1, -3],
        [-4, -5, -7],
        [-12, -13, -15],
      ],
    ],
  ]);
  assert.deepEqual(F.adaptiveAvgPool2d(x, 1).toArray(), [[[[7.5]]]]);
  assert.deepEqual(F.adaptiveAvgPool2d(x, [null, 2]).shape, [1, 1, 4, 2]);
  // More bins than inputs repeat them, as PyTorch's (AlexNet's 6×6 pool after a small image's 1×1 map).
  const up = F.adaptiveAvgPool2d(tg.tensor([1, 2, 3, 4], { shape: [1, 1, 2, 2] }), 4).toArray();
  assert.deepEqual(up, [
    [
      [
        [1, 1, 2, 2],
        [1, 1, 2, 2],
        [3, 3, 4, 4],
        [3, 3, 4, 4],
      ],
    ],
  ]);
  assert.deepEqual(F.adaptiveAvgPool2d(tg.full([1, 1, 1, 1], 5), 6).data(), new Float32Array(36).fill(5));
  assert.deepEqual(F.globalMaxPool2d(x).toArray(), [[15]]);
  assert.deepEqual(F.maxPool1d(tg.tensor([[[1, 3, 2, 5, 4]]]), { kernelSize: 2 }).toArray(), [[[3, 5]]]);
});

test('pooling errors name the op, the shapes and what was expected', () => {
  assert.throws(() => F.maxPool2d(tg.zeros([3, 8, 8]), { kernelSize: 2 }), {
    message: 'maxPool2d: expected a 4-D input [N,C,H,W], got shape [3,8,8]',
  });
  assert.throws(() => F.avgPool1d(tg.zeros([3, 8, 8, 1]), { kernelSize: 2 }), {
    message: 'avgPool1d: expected a 3-D input [N,C,L], got shape [3,8,8,1]',
  });
  assert.throws(() => F.maxPool2d(tg.zeros([1, 1, 2, 5]), { kernelSize: 3 }), {
    message: 'maxPool2d: kernel 3×3 is larger than the padded input 2×5 (input shape [1,1,2,5], padding 0×0)',
  });
  assert.throws(() => F.maxPool1d(tg.zeros([1, 1, 2]), { kernelSize: 3 }), {
    message: 'maxPool1d: kernel 3 is larger than the padded input 2 (input shape [1,1,2], padding 0)',
  });
  assert.throws(() => F.avgPool2d(tg.zeros([1, 1, 8, 8]), { kernelSize: 2, padding: 2 }), {
    message: 'avgPool2d: padding (2×2) must be at most half the kernel size (2×2)',
  });
  assert.throws(() => F.adaptiveAvgPool2d(tg.zeros([1, 1, 8, 8]), 0), /outputSize must be positive integers/);
});

test("globalMaxPool1d/2d route the gradient to the first maximum, as PyTorch's adaptive_max_pool(x, 1)", () => {
  const x = tg.tensor([[[1, 3, 0, 3, 2]]], { requiresGrad: true });
  F.globalMaxPool1d(x).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [[[0, 1, 0, 0, 0]]]);
  const x2 = tg.tensor(
    [
      [
        [
          [2, 5],
          [5, 1],
        ],
      ],
    ],
    { requiresGrad: true },
  );
  F.globalMaxPool2d(x2).mul(3).sum().backward();
  assert.deepEqual(x2.grad!.toArray(), [
    [
      [
        [0, 3],
        [0, 0],
      ],
    ],
  ]);
});
