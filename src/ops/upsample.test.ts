import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';
import { F } from '../index.js';
import { assertGradcheck, eachBackend } from '../../test/each-backend.js';

const rnd = (shape: number[]) => tg.randn(shape, { dtype: 'float64' });

test('upsampling: float64 gradcheck of the transposed convolution, interpolation, pixel shuffle and smooth L1', () => {
  tg.manualSeed(3);
  eachBackend(() => {
    assertGradcheck('convTranspose2d s2 p1 op1', (x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }), [
      rnd([2, 3, 3, 4]),
      rnd([3, 2, 3, 3]),
      rnd([2]),
    ]);
    assertGradcheck('convTranspose2d groups 2 dilation 2', (x, w) => F.convTranspose2d(x, w, null, { groups: 2, dilation: 2 }), [
      rnd([1, 4, 3, 3]),
      rnd([4, 1, 2, 2]),
    ]);
    assertGradcheck('interpolate bilinear', (x) => F.interpolate(x, { size: [5, 7], mode: 'bilinear' }), [rnd([1, 2, 3, 4])]);
    assertGradcheck(
      'interpolate bilinear alignCorners',
      (x) => F.interpolate(x, { scaleFactor: 2, mode: 'bilinear', alignCorners: true }),
      [rnd([1, 1, 3, 3])],
    );
    assertGradcheck('interpolate nearest', (x) => F.interpolate(x, { scaleFactor: 3 }), [rnd([1, 2, 2, 3])]);
    assertGradcheck('pixelShuffle', (x) => F.pixelShuffle(x, 2), [rnd([1, 8, 2, 3])]);
    assertGradcheck('smoothL1Loss', (x, y) => F.smoothL1Loss(x, y, { beta: 0.5 }), [rnd([3, 4]), rnd([3, 4])]);
  });
});

test('upsampling layers: shapes, and the modules over the functions', () => {
  const up = new tg.nn.ConvTranspose2d({ inChannels: 8, outChannels: 4, kernelSize: 2, stride: 2 });
  assert.deepEqual(up.forward(tg.randn([2, 8, 7, 7])).shape, [2, 4, 14, 14]);
  assert.deepEqual(up.weight.shape, [8, 4, 2, 2]);
  assert.deepEqual(new tg.nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }).forward(tg.randn([1, 3, 5, 6])).shape, [1, 3, 10, 12]);
  assert.deepEqual(new tg.nn.PixelShuffle({ upscaleFactor: 2 }).forward(tg.randn([1, 4, 14, 14])).shape, [1, 1, 28, 28]);
  // Pixel shuffle's channel order: output (2h + i, 2w + j) of channel 0 is input channel 2i + j.
  const x = tg.arange(16).reshape([1, 4, 2, 2]);
  assert.deepEqual(F.pixelShuffle(x, 2).reshape([16]).toArray(), [0, 4, 1, 5, 8, 12, 9, 13, 2, 6, 3, 7, 10, 14, 11, 15]);
});

test('bad input: an upsampling factor that is not positive, channels that do not split, an output padding too large', () => {
  const x = tg.randn([1, 4, 3, 3]);
  assert.throws(() => F.interpolate(x, { scaleFactor: 0 }), /interpolate: scaleFactor must be positive/);
  assert.throws(() => F.interpolate(x, { scaleFactor: -2 }), /interpolate: scaleFactor must be positive/);
  assert.throws(() => F.interpolate(x, { size: [4, 4], scaleFactor: 2 }), /interpolate: give exactly one of size and scaleFactor/);
  assert.throws(() => F.interpolate(x, { size: 4, alignCorners: true }), /alignCorners applies to mode 'bilinear' only/);
  assert.throws(() => F.interpolate(tg.randn([4, 3]), { size: 4 }), /interpolate: expected an input \[N, C, H, W\], got shape \[4,3\]/);
  assert.throws(() => F.pixelShuffle(x, 0), /pixelShuffle: argument 'upscaleFactor' must be a positive integer/);
  assert.throws(() => F.pixelShuffle(tg.randn([1, 6, 2, 2]), 2), /channels divisible by upscaleFactor² = 4\), got shape \[1,6,2,2\]/);
  assert.throws(() => new tg.nn.Upsample({ scaleFactor: 0 }), /Upsample: option 'scaleFactor' must be/);
  assert.throws(
    () => F.convTranspose2d(x, tg.randn([4, 2, 3, 3]), null, { stride: 2, outputPadding: 2 }),
    /convTranspose2d: outputPadding \(\[2,2\]\) must be smaller than stride or dilation/,
  );
  assert.throws(
    () => F.convTranspose2d(x, tg.randn([3, 2, 3, 3])),
    /convTranspose2d: input has 4 channels but the weight \[3,2,3,3\] expects 3/,
  );
  assert.throws(() => F.smoothL1Loss(tg.zeros([2, 3]), tg.zeros([3, 2])), /smoothL1Loss/);
});
