import { defineOp } from '../autograd/engine.js';
import { kernels } from '../kernels/index.js';
import type { ConvGeom, FloatArray, PoolGeom } from '../kernels/types.js';
import { contiguousRaw } from '../tensor/raw.js';
import { Tensor, denseArray, newArray } from '../tensor/tensor.js';
import { conv1dAs2d, geom, resolve, type Conv1dOptions, type Conv2dOptions, type ConvOpts } from './conv.js';
import { reshape } from './movement.js';
import { poolGeom, type Pool1dOptions, type Pool2dOptions } from './pool.js';

/**
 * The convolution block of most CNNs, conv → ReLU → max-pool, as one op. Its values and
 * gradients are those of the three ops in turn; what it saves is the convolution's output,
 * which is never stored: the op keeps the pooled output and the argmax of each window (-1
 * where the ReLU cut the whole window), and the backward pass routes the pooled gradient
 * straight to the convolution's output. On the Keras MNIST CNN's conv2 that removes four
 * passes over an 18.9 MB array (see ops/conv.ts and BENCHMARKS.md).
 */

interface Saved {
  g: ConvGeom;
  pool: PoolGeom;
  argmax: Int32Array;
}

const dense = (t: Tensor): FloatArray => denseArray(contiguousRaw(t)) as FloatArray;

const convReluPoolOp = defineOp<{ conv: ConvOpts; pool: Pool2dOptions; oneD: boolean }, Saved>({
  name: 'conv2dReluMaxPool',
  forward: ([x, w, b], o) => {
    const g = geom(x, w, o.conv);
    const op = o.oneD ? 'conv1dReluMaxPool' : 'conv2dReluMaxPool';
    const pool = poolGeom(op, { shape: [g.n, g.cOut, g.outH, g.outW], dtype: x.dtype }, o.pool, o.oneD);
    const y = newArray(x.dtype, pool.n * pool.c * pool.outH * pool.outW) as FloatArray;
    const argmax = new Int32Array(y.length);
    kernels().conv2dReluMaxPoolForward(dense(x), dense(w), b ? dense(b) : null, y, argmax, g, pool);
    return [new Tensor(y, [pool.n, pool.c, pool.outH, pool.outW]), { g, pool, argmax }];
  },
  backward: (dy, { inputs: [x, w, b], saved: { g, pool, argmax } }) => {
    const dx = x.requiresGrad ? (newArray(x.dtype, x.size) as FloatArray) : undefined;
    const dw = w.requiresGrad ? (newArray(w.dtype, w.size) as FloatArray) : undefined;
    const db = b?.requiresGrad ? (newArray(b.dtype, b.size) as FloatArray) : undefined;
    kernels().conv2dReluMaxPoolBackward({
      x: dense(x), w: dense(w), dy: dense(dy), argmax, g, pool,
      ...(dx ? { dx } : {}), ...(dw ? { dw } : {}), ...(db ? { dbias: db } : {}),
    });
    return [dx ? new Tensor(dx, x.shape) : null, dw ? new Tensor(dw, w.shape) : null, db ? new Tensor(db, b!.shape) : null];
  },
  attrs: ({ conv, pool }) => ({
    stride: conv.stride, padding: conv.padBefore, dilation: conv.dilation, groups: conv.groups,
    activation: 'relu', pool: `max ${JSON.stringify(pool.kernelSize)}`,
  }),
});

/**
 * maxPool2d(relu(conv2d(x, weight, bias, conv)), pool) as one op: the same values and
 * gradients without the convolution's full-size output (nn.Sequential uses it for a Conv2d,
 * ReLU, MaxPool2d run of layers).
 * @example F.conv2dReluMaxPool(x, w, b, {}, { kernelSize: 2 }) // = F.maxPool2d(F.conv2d(x, w, b).relu(), { kernelSize: 2 })
 */
export function conv2dReluMaxPool(
  x: Tensor, weight: Tensor, bias: Tensor | null | undefined, conv: Conv2dOptions, pool: Pool2dOptions,
): Tensor {
  const o = resolve('conv2dReluMaxPool', x, weight, bias, conv);
  return convReluPoolOp(bias ? [x, weight, bias] : [x, weight], { conv: o, pool, oneD: false });
}

/**
 * maxPool1d(relu(conv1d(x, weight, bias, conv)), pool) as one op (see conv2dReluMaxPool): x [N, Cin, L].
 * @example F.conv1dReluMaxPool(dna, w, b, {}, { kernelSize: 4 }) // = F.maxPool1d(F.conv1d(dna, w, b).relu(), { kernelSize: 4 })
 */
export function conv1dReluMaxPool(
  x: Tensor, weight: Tensor, bias: Tensor | null | undefined, conv: Conv1dOptions, pool: Pool1dOptions,
): Tensor {
  const { x4, w4, o } = conv1dAs2d('conv1dReluMaxPool', x, weight, bias, conv);
  const pool2: Pool2dOptions = { kernelSize: [1, pool.kernelSize], stride: [1, pool.stride ?? pool.kernelSize], padding: [0, pool.padding ?? 0] };
  const y = convReluPoolOp(bias ? [x4, w4, bias] : [x4, w4], { conv: o, pool: pool2, oneD: true });
  return reshape(y, [y.shape[0], y.shape[1], y.shape[3]]);
}

/**
 * globalMaxPool1d(relu(conv1d(x, weight, bias, conv))) as one op: [N, Cin, L] -> [N, Cout], a
 * max pool over the whole output length (the DNA CNN's convolution block).
 */
export function conv1dReluGlobalMaxPool(x: Tensor, weight: Tensor, bias: Tensor | null | undefined, conv: Conv1dOptions): Tensor {
  const { x4, w4, o } = conv1dAs2d('conv1dReluGlobalMaxPool', x, weight, bias, conv);
  const outW = geom(x4, w4, o).outW;
  const y = convReluPoolOp(bias ? [x4, w4, bias] : [x4, w4], { conv: o, pool: { kernelSize: [1, outW] }, oneD: true });
  return reshape(y, [y.shape[0], y.shape[1]]);
}
