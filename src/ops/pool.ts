import { arg, is, options } from '../util/args.js';
import { defineOp } from '../autograd/engine.js';
import { kernels } from '../kernels/index.js';
import type { FloatArray, PoolGeom } from '../kernels/types.js';
import { Tensor, newArray } from '../tensor/tensor.js';
import { TsgradError, check, fmtShape } from '../util/errors.js';
import { dense, pair, type Pair } from './conv.js';
import { tensor } from '../tensor/create.js';
import { div, where } from './elementwise.js';
import { indexSelect } from './indexing.js';
import { reshape } from './movement.js';
import { mean, sum } from './reduce.js';

const IS_TENSOR = is.instance(Tensor);

/**
 * Pooling. Max and average pooling over windows are primitives with kernels (NCHW;
 * the 1-D forms view [N, C, L] as [N, C, 1, L]); global and adaptive pooling are
 * composites of reductions and matrix products.
 */

export interface Pool2dOptions {
  /** Window size: a number or an [h, w] pair. */
  kernelSize: Pair;
  /** Step between windows (default: kernelSize, as in PyTorch). */
  stride?: Pair;
  /** Implicit padding on each side, at most half the kernel (default 0); -inf for max, 0 for average. */
  padding?: Pair;
}

export interface Pool1dOptions {
  kernelSize: number;
  stride?: number;
  padding?: number;
}

/**
 * Validates and computes the pooling geometry of x (a tensor, or the shape and dtype of one
 * yet to be computed: a fused op's intermediate); oneD formats messages for [N, C, L] inputs.
 * @example F.poolGeom('maxPool2d', randn([1, 3, 28, 28]), { kernelSize: 2 }, false) // { ..., outH: 14, outW: 14 }
 */
export function poolGeom(op: string, x: Pick<Tensor, 'shape' | 'dtype'>, opts: Pool2dOptions, oneD: boolean): PoolGeom {
  const k = pair(op, 'kernelSize', opts.kernelSize, 1);
  const s = pair(op, 'stride', opts.stride ?? k, 1);
  const p = pair(op, 'padding', opts.padding ?? 0, 0);
  const dims = (v: readonly number[]): string => (oneD ? `${v[1]}` : `${v[0]}×${v[1]}`);
  const shown = oneD ? [x.shape[0], x.shape[1], x.shape[3]] : x.shape;
  check(x.dtype !== 'int32', op, () => `input must be floating point, got int32`);
  check(p[0] * 2 <= k[0] && p[1] * 2 <= k[1], op, () => `padding (${dims(p)}) must be at most half the kernel size (${dims(k)})`);
  const [n, c, h, w] = x.shape;
  const padded = [h + 2 * p[0], w + 2 * p[1]];
  if (k[0] > padded[0] || k[1] > padded[1]) {
    throw new TsgradError(
      `${op}: kernel ${dims(k)} is larger than the padded input ${dims(padded)} (input shape ${fmtShape(shown)}, padding ${dims(p)})`,
    );
  }
  const outH = Math.floor((padded[0] - k[0]) / s[0]) + 1;
  const outW = Math.floor((padded[1] - k[1]) / s[1]) + 1;
  return { n, c, h, w, kh: k[0], kw: k[1], strideH: s[0], strideW: s[1], padTop: p[0], padLeft: p[1], outH, outW };
}

function checkRank(op: string, x: Tensor, rank: number): void {
  const names = rank === 3 ? '[N,C,L]' : '[N,C,H,W]';
  check(x.ndim === rank, op, () => `expected a ${rank}-D input ${names}, got shape ${fmtShape(x.shape)}`);
}

const maxPoolOp = defineOp<PoolGeom, Int32Array>({
  name: 'maxPool2d',
  forward: ([x], g) => {
    const y = newArray(x.dtype, g.n * g.c * g.outH * g.outW) as FloatArray;
    const argmax = new Int32Array(y.length);
    kernels().maxPool2dForward(dense(x), y, argmax, g);
    return [new Tensor(y, [g.n, g.c, g.outH, g.outW]), argmax];
  },
  // Each output's gradient goes to the one input that won its window.
  backward: (dy, { inputs: [x], opts: g, saved: argmax }) => {
    const dx = newArray(x.dtype, x.size) as FloatArray;
    kernels().maxPool2dBackward(dense(dy), argmax, dx, g);
    return [new Tensor(dx, x.shape)];
  },
  attrs: (g) => ({ kernelSize: [g.kh, g.kw], stride: [g.strideH, g.strideW], padding: [g.padTop, g.padLeft] }),
});

const avgPoolOp = defineOp<PoolGeom>({
  name: 'avgPool2d',
  forward: ([x], g) => {
    const y = newArray(x.dtype, g.n * g.c * g.outH * g.outW) as FloatArray;
    kernels().avgPool2dForward(dense(x), y, g);
    return new Tensor(y, [g.n, g.c, g.outH, g.outW]);
  },
  // Each output spreads dy / (kh·kw) over its window.
  backward: (dy, { inputs: [x], opts: g }) => {
    const dx = newArray(x.dtype, x.size) as FloatArray;
    kernels().avgPool2dBackward(dense(dy), dx, g);
    return [new Tensor(dx, x.shape)];
  },
  attrs: (g) => ({ kernelSize: [g.kh, g.kw], stride: [g.strideH, g.strideW], padding: [g.padTop, g.padLeft] }),
});

/**
 * Max over kernelSize windows of x [N, C, H, W]; output size floor((H + 2·pad - k) / stride) + 1.
 * @example F.maxPool2d(x, { kernelSize: 2 }) // [N, C, H/2, W/2]
 */
export function maxPool2d(x: Tensor, opts: Pool2dOptions): Tensor {
  arg('maxPool2d', 'x', x, IS_TENSOR);
  checkRank('maxPool2d', x, 4);
  return maxPoolOp([x], poolGeom('maxPool2d', x, opts, false));
}

/**
 * Mean over kernelSize windows of x [N, C, H, W]; padded zeros count in the divisor kh·kw (PyTorch's default).
 * @example F.avgPool2d(randn([8, 16, 28, 28]), { kernelSize: 2 }).shape // [8, 16, 14, 14]
 */
export function avgPool2d(x: Tensor, opts: Pool2dOptions): Tensor {
  arg('avgPool2d', 'x', x, IS_TENSOR);
  checkRank('avgPool2d', x, 4);
  return avgPoolOp([x], poolGeom('avgPool2d', x, opts, false));
}

function pool1d(op: string, prim: typeof maxPoolOp, x: Tensor, opts: Pool1dOptions): Tensor {
  arg(op, 'x', x, is.instance(Tensor));
  options<Pool1dOptions>(op, opts, { kernelSize: is.positiveInt, stride: is.positiveInt, padding: is.nonNegativeInt }, ['kernelSize']);
  checkRank(op, x, 3);
  const x4 = reshape(x, [x.shape[0], x.shape[1], 1, x.shape[2]]);
  const g = poolGeom(
    op,
    x4,
    {
      kernelSize: [1, opts.kernelSize],
      stride: [1, opts.stride ?? opts.kernelSize],
      padding: [0, opts.padding ?? 0],
    },
    true,
  );
  const y = prim([x4], g);
  return reshape(y, [g.n, g.c, g.outW]);
}

/** Max over windows of x [N, C, L]. @example F.maxPool1d(x, { kernelSize: 3, stride: 2 }) */
export const maxPool1d = (x: Tensor, opts: Pool1dOptions): Tensor => pool1d('maxPool1d', maxPoolOp, x, opts);

/** Mean over windows of x [N, C, L] (padding counts in the divisor). */
export const avgPool1d = (x: Tensor, opts: Pool1dOptions): Tensor => pool1d('avgPool1d', avgPoolOp, x, opts);

/**
 * Largest value of each channel of x [N, C, L]: [N, C] (Keras's GlobalMaxPooling1D). A max
 * pool whose window is the whole length, so the gradient goes to the first maximum, as in
 * PyTorch's adaptive_max_pool1d(x, 1) (a max reduction would split it among exact ties,
 * which one-hot DNA makes common: two copies of a motif score the same).
 * @example F.globalMaxPool1d(randn([8, 32, 189])).shape // [8, 32]
 */
export function globalMaxPool1d(x: Tensor): Tensor {
  arg('globalMaxPool1d', 'x', x, IS_TENSOR);
  checkRank('globalMaxPool1d', x, 3);
  return reshape(maxPool1d(x, { kernelSize: x.shape[2] }), [x.shape[0], x.shape[1]]);
}

/**
 * Mean of each channel of x [N, C, L]: [N, C] (Keras's GlobalAveragePooling1D).
 * @example F.globalAvgPool1d(randn([8, 32, 189])).shape // [8, 32]
 */
export function globalAvgPool1d(x: Tensor): Tensor {
  arg('globalAvgPool1d', 'x', x, IS_TENSOR);
  checkRank('globalAvgPool1d', x, 3);
  return mean(x, { axis: 2 });
}

/**
 * Largest value of each channel of x [N, C, H, W]: [N, C]; the gradient goes to the first maximum (see globalMaxPool1d).
 * Keras's GlobalMaxPooling2D.
 * @example F.globalMaxPool2d(randn([8, 64, 7, 7])).shape // [8, 64]
 */
export function globalMaxPool2d(x: Tensor): Tensor {
  arg('globalMaxPool2d', 'x', x, IS_TENSOR);
  checkRank('globalMaxPool2d', x, 4);
  return reshape(maxPool2d(x, { kernelSize: [x.shape[2], x.shape[3]] }), [x.shape[0], x.shape[1]]);
}

/**
 * Mean of each channel of x [N, C, H, W]: [N, C] (Keras's GlobalAveragePooling2D; PyTorch's
 * adaptive_avg_pool2d(x, 1) flattened).
 * @example F.globalAvgPool2d(randn([8, 64, 7, 7])).shape // [8, 64]
 */
export function globalAvgPool2d(x: Tensor): Tensor {
  arg('globalAvgPool2d', 'x', x, IS_TENSOR);
  checkRank('globalAvgPool2d', x, 4);
  return mean(x, { axis: [2, 3] });
}

/** Start and length of PyTorch's adaptive bin i of out over size inputs (bins may overlap). */
function adaptiveBin(size: number, out: number, i: number): [number, number] {
  const start = Math.floor((i * size) / out);
  return [start, Math.ceil(((i + 1) * size) / out) - start];
}

/** [kernel, stride] when the bins of size inputs into out are windows of one length at a fixed step, else null. */
function uniformBins(size: number, out: number): [number, number] | null {
  const [, k] = adaptiveBin(size, out, 0);
  const s = out > 1 ? adaptiveBin(size, out, 1)[0] : 1;
  // More bins than inputs (1 -> 6) repeat inputs: step 0, which no pooling kernel takes.
  if (s === 0) return null;
  for (let i = 0; i < out; i++) {
    const [start, len] = adaptiveBin(size, out, i);
    if (len !== k || start !== i * s) return null;
  }
  return [k, s];
}

/**
 * The mean over PyTorch's adaptive bins along one axis of x: bin i covers inputs
 * floor(i·size/out) .. ceil((i+1)·size/out) - 1 (bins may overlap and differ by one in length).
 * Each bin is gathered, padded to the longest by repeating its last input, the padding replaced
 * by 0 with where, summed and divided by its length. Not a product with a bin matrix: its zeros
 * would turn a NaN or an Inf of one bin into NaN in every bin (0 · inf = NaN).
 */
function adaptiveMean(x: Tensor, axis: number, out: number): Tensor {
  const size = x.shape[axis];
  if (out === size) return x;
  const start = (i: number): number => adaptiveBin(size, out, i)[0];
  const len = (i: number): number => adaptiveBin(size, out, i)[1];
  let longest = 0;
  for (let i = 0; i < out; i++) longest = Math.max(longest, len(i));
  const idx: number[] = [];
  const keep: number[] = [];
  const lens: number[] = [];
  for (let i = 0; i < out; i++) {
    lens.push(len(i));
    for (let t = 0; t < longest; t++) {
      idx.push(start(i) + Math.min(t, len(i) - 1));
      keep.push(t < len(i) ? 1 : 0);
    }
  }
  const post = x.shape.slice(axis + 1).map(() => 1);
  const shape = [...x.shape.slice(0, axis), out, longest, ...x.shape.slice(axis + 1)];
  let bins = reshape(indexSelect(x, axis, tensor(idx, { dtype: 'int32' })), shape);
  if (keep.includes(0)) bins = where(tensor(keep, { shape: [out, longest, ...post], dtype: x.dtype }), bins, 0);
  return div(sum(bins, { axis: axis + 1 }), tensor(lens, { shape: [out, ...post], dtype: x.dtype }));
}

/**
 * Average pooling to a fixed output size [outH, outW] whatever the input size (PyTorch's
 * AdaptiveAvgPool2d; null keeps that axis). The bins are rectangles, so the mean over one
 * is a mean over the columns' bins then over the rows' bins.
 * @example F.adaptiveAvgPool2d(randn([1, 256, 13, 13]), 6).shape // [1, 256, 6, 6]
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | readonly [number | null, number | null]): Tensor {
  arg('adaptiveAvgPool2d', 'x', x, IS_TENSOR);
  checkRank('adaptiveAvgPool2d', x, 4);
  check(x.dtype !== 'int32', 'adaptiveAvgPool2d', () => 'input must be floating point, got int32');
  const [, , h, w] = x.shape;
  const [oh, ow] = typeof outputSize === 'number' ? [outputSize, outputSize] : [outputSize[0] ?? h, outputSize[1] ?? w];
  check(
    [oh, ow].every((d) => Number.isInteger(d) && d >= 1),
    'adaptiveAvgPool2d',
    () => `outputSize must be positive integers, got ${JSON.stringify(outputSize)}`,
  );
  // Windows of one size at a fixed step (13 -> 6: 3 wide, step 2; any exact division) are
  // average pooling, done by its kernel in one pass.
  const bh = uniformBins(h, oh);
  const bw = uniformBins(w, ow);
  if (bh && bw && (oh !== h || ow !== w)) return avgPool2d(x, { kernelSize: [bh[0], bw[0]], stride: [bh[1], bw[1]] });
  return adaptiveMean(adaptiveMean(x, 3, ow), 2, oh);
}
