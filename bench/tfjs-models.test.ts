import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import * as tfw from '@tensorflow/tfjs-backend-wasm';
import { registerWasmConvFilterGrad } from './tfjs-models.js';

/** dL/dW of sum(conv(x, w) · r) on the current backend, for a fixed x, w and r. */
function filterGrad(xs: number[], ws: number[], rs: number[], xShape: number[], wShape: number[], rShape: number[]): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(xs, xShape as [number, number, number, number]);
    const r = tf.tensor4d(rs, rShape as [number, number, number, number]);
    const g = tf.grad((w) =>
      tf
        .conv2d(x, w as tf.Tensor4D, 1, 'valid')
        .mul(r)
        .sum(),
    );
    return g(tf.tensor4d(ws, wShape as [number, number, number, number])).dataSync() as Float32Array;
  });
}

test('the bench shim for TF.js wasm Conv2DBackpropFilter matches the cpu backend', async () => {
  const dir = path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  tfw.setWasmPaths(path.join(dir, 'dist') + path.sep);
  registerWasmConvFilterGrad();
  // Odd sizes: batch 3, 7×6 images, 2 channels in, 5 out, 3×2 kernels.
  const xShape = [3, 7, 6, 2];
  const wShape = [3, 2, 2, 5];
  const rShape = [3, 5, 5, 5];
  const rand = (n: number) => Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 0.5);
  const [xs, ws, rs] = [xShape, wShape, rShape].map((s) => rand(s.reduce((a, b) => a * b)));
  await tf.setBackend('cpu');
  const want = filterGrad(xs, ws, rs, xShape, wShape, rShape);
  assert.ok(await tf.setBackend('wasm'));
  const got = filterGrad(xs, ws, rs, xShape, wShape, rShape);
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-4, `dW[${i}]: ${got[i]} vs ${want[i]}`);
});
