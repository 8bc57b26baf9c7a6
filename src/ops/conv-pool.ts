import { arg, is, options } from '../util/args.js';
import { defineOp } from '../autograd/engine.js';
import { kernels } from '../kernels/index.js';
import type { ConvGeom, FloatArray, PoolGeom } from '../kernels/types.js';
import { Tensor, newArray } from '../tensor/tensor.js';
import { TsgradError } from '../util/errors.js';
import { conv1dAs2d, convAct, convGrads, dense, geom, resolve, type Conv1dOptions, type Conv2dOptions, type ConvOpts } from './conv.js';
import { reshape } from './movement.js';
import { poolGeom, type Pool1dOptions, type Pool2dOptions } from './pool.js';

/**
 * The convolution block of most CNNs, conv → ReLU → max-pool, as one op. Its values and
 * gradients are those of the three ops in turn; what it saves is the convolution's output,
 * which is never stored: the op keeps the pooled output and the argmax of each window (-1
 * where the ReLU cut the whole window), and the backward pass routes the pooled gradient
 * straight to the convolution's output, which saves four passes over the largest array of
 * a typical CNN's step.
 */

interface Saved {
  g: ConvGeom;
  pool: PoolGeom;
  argmax: Int32Array;
  /** x as the kernels saw it, where the backend keeps a copy (the wasm heap); else null. */
  xs: Float32Array | null;
}

const convReluPoolOp = defineOp<{ conv: ConvOpts; pool: Pool2dOptions; oneD: boolean }, Saved>({
  name: 'conv2dReluMaxPool',
  forward: ([x, w, b], o) => {
    const g = geom(x, w, o.conv);
    const op = o.oneD ? 'conv1dReluMaxPool' : 'conv2dReluMaxPool';
    const pool = poolGeom(op, { shape: [g.n, g.cOut, g.outH, g.outW], dtype: x.dtype }, o.pool, o.oneD);
    const y = newArray(x.dtype, pool.n * pool.c * pool.outH * pool.outW) as FloatArray;
    // The argmax, and a copy of x, where the kernels read them without copying them in: the
    // forward kernel reads x there, and the weight gradient reads it again.
    const k = kernels();
    const argmax = k.savedIndices(y.length);
    const xd = dense(x);
    const xs = x.dtype === 'float32' ? k.savedFloats(xd.length) : null;
    xs?.set(xd);
    k.conv2dReluMaxPoolForward({ x: xs ?? xd, w: dense(w), bias: b ? dense(b) : null, y, argmax, g, pool });
    return [new Tensor(y, [pool.n, pool.c, pool.outH, pool.outW]), { g, pool, argmax, xs }];
  },
  dropsGradient: true,
  backward: (dy, { inputs: [x, w, b], saved: { g, pool, argmax, xs } }) => {
    return convGrads(x, w, b, (grads) =>
      kernels().conv2dReluMaxPoolBackward({ x: xs ?? dense(x), w: dense(w), dy: dense(dy), argmax, g, pool, ...grads }),
    );
  },
  release: ({ argmax, xs }) => {
    kernels().releaseSaved(argmax);
    if (xs) kernels().releaseSaved(xs);
  },
  attrs: ({ conv, pool }) => ({
    stride: conv.stride,
    padding: conv.padBefore,
    dilation: conv.dilation,
    groups: conv.groups,
    activation: 'relu',
    pool: `max ${JSON.stringify(pool.kernelSize)}`,
  }),
});

/** The pool that ends a fused block: a max pool with its options, or a global max pool. */
export type BlockPool = ({ type: 'max' } & Pool2dOptions) | ({ type: 'max' } & Pool1dOptions) | { type: 'globalMax' };

/** What a fused convolution block does after the convolution. */
export interface ConvBlockOptions {
  /** The activation applied to the convolution's output (the one kernels fuse today). */
  activation: 'relu';
  /** An optional pool after the activation. */
  pool?: BlockPool;
}

/**
 * A convolution block as one op: pool(activation(conv(x))), for 1-D (weight [Cout, Cin, k]) and
 * 2-D (weight [Cout, Cin, kh, kw]) convolutions, with the values and gradients of the layers run
 * one after another. Without a pool the kernel applies the activation as it writes the output;
 * with a max pool (or a global max pool, 1-D) the convolution's output is never stored. The
 * fusion pass (nn/fuse.ts) maps runs of layers in a Sequential onto it.
 * @example
 * F.convBlock(x, w, b, { padding: 1 }, { activation: 'relu', pool: { type: 'max', kernelSize: 2 } })
 * // = F.maxPool2d(F.conv2d(x, w, b, { padding: 1 }).relu(), { kernelSize: 2 })
 */
export function convBlock(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  conv: Conv1dOptions | Conv2dOptions,
  block: ConvBlockOptions,
): Tensor {
  arg('convBlock', 'input', x, is.instance(Tensor));
  options<ConvBlockOptions>('convBlock', block, { activation: is.oneOf(['relu']), pool: is.object }, ['activation']);
  const pool = block.pool;
  if (!pool) return convAct(x, weight, bias, conv, true);
  const oneD = weight.ndim === 3;
  const op = `conv${oneD ? 1 : 2}dReluMaxPool`;
  if (!oneD) {
    const o = resolve(op, x, weight, bias, conv as Conv2dOptions);
    if (pool.type === 'globalMax') throw new TsgradError(`${op}: a global max pool is fused for 1-D convolutions only`);
    return convReluPoolOp(bias ? [x, weight, bias] : [x, weight], { conv: o, pool: pool as Pool2dOptions, oneD: false });
  }
  const { x4, w4, o } = conv1dAs2d(op, x, weight, bias, conv as Conv1dOptions);
  let pool2: Pool2dOptions;
  if (pool.type === 'globalMax') {
    pool2 = { kernelSize: [1, geom(x4, w4, o).outW] };
  } else {
    const p = pool as Pool1dOptions;
    pool2 = { kernelSize: [1, p.kernelSize], stride: [1, p.stride ?? p.kernelSize], padding: [0, p.padding ?? 0] };
  }
  const y = convReluPoolOp(bias ? [x4, w4, bias] : [x4, w4], { conv: o, pool: pool2, oneD: true });
  return pool.type === 'globalMax' ? reshape(y, [y.shape[0], y.shape[1]]) : reshape(y, [y.shape[0], y.shape[1], y.shape[3]]);
}
