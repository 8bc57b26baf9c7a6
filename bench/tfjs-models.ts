/**
 * The benchmark models in TF.js layers, the same architectures as in
 * tsgrad-bench.ts and torch_bench.py. TF.js is channels-last (NHWC / NWC);
 * the arithmetic is the same.
 */
import * as tf from '@tensorflow/tfjs';

export function mlp(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 512, activation: 'relu' }),
      tf.layers.dense({ units: 256, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

/** The Keras MNIST CNN (keras.io/examples/vision/mnist_convnet, its classic form). */
export function kerasMnistCnn(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.dropout({ rate: 0.25 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

/** One-hot DNA (200 × 4), Conv1d 32 × 12 relu, global max pool, Dense 32 relu, Dense 1 (a logit). */
export function dnaCnn(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv1d({ inputShape: [200, 4], filters: 32, kernelSize: 12, activation: 'relu' }),
      tf.layers.globalMaxPooling1d(),
      tf.layers.dense({ units: 32, activation: 'relu' }),
      tf.layers.dense({ units: 1 }),
    ],
  });
}

/**
 * TF.js's wasm backend has no Conv2DBackpropFilter kernel, so no convolution
 * can train on it. We give it one built from its own wasm kernels (XNNPACK
 * Conv2D and Transpose), valid for stride 1, no dilation, 'valid' padding, NHWC
 * (what both benchmark CNNs use):
 *   dW[i, j, c, o] = Σ_{n, y, x} X[n, y + i, x + j, c] · dY[n, y, x, o]
 * is a convolution of Xᵀ [c, H, W, n] with the filter dYᵀ [OH, OW, n, o],
 * giving [c, kh, kw, o], transposed to [kh, kw, c, o].
 */
export function registerWasmConvFilterGrad(): void {
  const conv = tf.getKernel('Conv2D', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!conv || !transpose) throw new Error('tfjs-wasm: Conv2D or Transpose kernel missing');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const a = attrs as unknown as { strides: number[] | number; pad: unknown; dataFormat: string; dilations?: number[] | number };
      const ones = (v: number[] | number | undefined) => v === undefined || [v].flat().every((s) => s === 1);
      if (!ones(a.strides) || !ones(a.dilations) || a.pad !== 'valid' || a.dataFormat !== 'NHWC') {
        throw new Error(`Conv2DBackpropFilter (bench shim): only stride 1, valid, NHWC; got ${JSON.stringify(attrs)}`);
      }
      const t = (v: tf.TensorInfo, perm: number[]) => transpose.kernelFunc({ inputs: { x: v }, backend, attrs: { perm } }) as tf.TensorInfo;
      const xT = t(x, [3, 1, 2, 0]);
      const dyT = t(dy, [1, 2, 0, 3]);
      const attrsConv = { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1, dimRoundingMode: undefined };
      const dwT = conv.kernelFunc({ inputs: { x: xT, filter: dyT }, backend, attrs: attrsConv as never }) as tf.TensorInfo;
      const dw = t(dwT, [1, 2, 0, 3]);
      for (const info of [xT, dyT, dwT]) (backend as tf.KernelBackend).disposeData(info.dataId);
      return dw;
    },
  });
}
