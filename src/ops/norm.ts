import { arg, is } from '../util/args.js';
import { defineOp } from '../autograd/engine.js';
import { kernels } from '../kernels/index.js';
import type { FloatArray } from '../kernels/types.js';
import { ones, zeros } from '../tensor/create.js';
import { Tensor, bumpVersion, newArray } from '../tensor/tensor.js';
import { check, fmtShape } from '../util/errors.js';
import { dense } from './conv.js';
import { add, mul, sqrt, sub, square } from './elementwise.js';
import { mean } from './reduce.js';

const IS_TENSOR = is.instance(Tensor);

/**
 * Normalisation: batch norm is a primitive with its own kernels; layer norm a composite of
 * tensor ops, which differentiates by itself.
 */

export interface BatchNormOptions {
  /** Per-channel scale γ [C] (none: 1). */
  weight?: Tensor | null;
  /** Per-channel shift β [C] (none: 0). */
  bias?: Tensor | null;
  /** Normalise with the batch's statistics and update the running ones (default false, as in PyTorch's F.batch_norm). */
  training?: boolean;
  /** Weight of the new batch in the running averages (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/** Overwrites a dense tensor in place with new values (running statistics are buffers, outside the graph). */
function assign(dst: Tensor, values: ArrayLike<number>): void {
  check(dst.isContiguous(), 'batchNorm', () => 'running statistics must be dense tensors');
  for (let i = 0; i < values.length; i++) dst.storage[dst.offset + i] = values[i];
  bumpVersion(dst.storage);
}

/** The statistics a batch-norm node normalises with, fixed when it runs (its backward reads them). */
interface BatchNormState {
  n: number;
  c: number;
  inner: number;
  mean: FloatArray;
  invStd: FloatArray;
  /** The statistics are the batch's own (they depend on x: the backward has two more terms). */
  batchStats: boolean;
  eps: number;
}

// A primitive: the composite of mean, square, sub, mul and add took 10 passes over x forward
// and twice that backward, most of a small normalised CNN's step (BENCHMARKS.md).
// Inputs: x, weight, bias, and in evaluation the running mean and variance (for the graph and ONNX).
const batchNormOp = defineOp<BatchNormState>({
  name: 'batchNorm',
  forward: ([x, w, b], s) => {
    const wv = dense(w);
    const bv = dense(b);
    const scale = newArray(x.dtype, s.c) as FloatArray;
    const shift = newArray(x.dtype, s.c) as FloatArray;
    for (let ch = 0; ch < s.c; ch++) {
      scale[ch] = wv[ch] * s.invStd[ch];
      shift[ch] = bv[ch] - s.mean[ch] * scale[ch];
    }
    const y = newArray(x.dtype, x.size) as FloatArray;
    kernels().channelAffine(dense(x), s.n, s.c, s.inner, scale, shift, y);
    return new Tensor(y, x.shape);
  },
  backward: (dy, { inputs: [x, w, b], opts: s }) => {
    const sumDy = newArray(x.dtype, s.c) as FloatArray;
    const sumDyXhat = newArray(x.dtype, s.c) as FloatArray;
    const dx = x.requiresGrad ? (newArray(x.dtype, x.size) as FloatArray) : null;
    kernels().batchNormBackward({ x: dense(x), dy: dense(dy), ...s, weight: dense(w), dx, sumDy, sumDyXhat });
    return [
      dx && new Tensor(dx, x.shape),
      w.requiresGrad ? new Tensor(sumDyXhat, [s.c]) : null,
      b.requiresGrad ? new Tensor(sumDy, [s.c]) : null,
    ];
  },
  attrs: (s) => ({ eps: s.eps, batchStats: s.batchStats }),
});

/**
 * Batch normalisation over x [N, C], [N, C, L] or [N, C, H, W], per channel C:
 * y = (x - μ) / √(σ² + eps) · γ + β.
 * Training: μ and the biased σ² come from the batch (all axes but C); the running
 * statistics become (1 - momentum)·running + momentum·batch, with the unbiased variance
 * σ²·n/(n - 1), as in PyTorch. Evaluation: μ and σ² are the running statistics.
 * Without running statistics (null) the batch statistics are always used.
 * @example F.batchNorm(x, runningMean, runningVar, { weight, bias, training: true })
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormOptions = {}): Tensor {
  arg('batchNorm', 'x', x, IS_TENSOR);
  const { weight = null, bias = null, training = false, momentum = 0.1, eps = 1e-5 } = opts;
  check(x.ndim >= 2 && x.ndim <= 4, 'batchNorm', () => `expected an input [N,C], [N,C,L] or [N,C,H,W], got shape ${fmtShape(x.shape)}`);
  check(x.dtype !== 'int32', 'batchNorm', () => `expected a floating-point input, got ${x.dtype} (input shape ${fmtShape(x.shape)})`);
  const c = x.shape[1];
  for (const [name, t] of [
    ['runningMean', runningMean],
    ['runningVar', runningVar],
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    check(
      !t || (t.ndim === 1 && t.shape[0] === c),
      'batchNorm',
      () => `${name} must have shape [${c}] (one per channel of input shape ${fmtShape(x.shape)}), got ${fmtShape(t?.shape ?? [])}`,
    );
  }
  const n = x.shape[0];
  const inner = x.size / (n * c);
  const m = n * inner;
  const batchStats = training || !runningMean || !runningVar;
  const mean = newArray(x.dtype, c) as FloatArray;
  const variance = newArray(x.dtype, c) as FloatArray;
  if (batchStats) {
    check(
      !training || m > 1,
      'batchNorm',
      () => `expected more than 1 value per channel when training, got input shape ${fmtShape(x.shape)}`,
    );
    kernels().channelStats(dense(x), n, c, inner, mean, variance);
    if (training && runningMean && runningVar) {
      const rm = dense(runningMean);
      const rv = dense(runningVar);
      assign(
        runningMean,
        Array.from(mean, (mu, i) => (1 - momentum) * rm[i] + momentum * mu),
      );
      assign(
        runningVar,
        Array.from(variance, (v, i) => (1 - momentum) * rv[i] + (momentum * v * m) / (m - 1)),
      );
    }
  } else {
    mean.set(dense(runningMean as Tensor));
    variance.set(dense(runningVar as Tensor));
  }
  const invStd = variance.map((v) => 1 / Math.sqrt(v + eps)) as FloatArray;
  const w = weight ?? ones([c], { dtype: x.dtype });
  const b = bias ?? zeros([c], { dtype: x.dtype });
  const state: BatchNormState = { n, c, inner, mean, invStd, batchStats, eps };
  // Fixed statistics are inputs too, so that ONNX export finds them as constants; batch
  // statistics are not (they change with x), and the export refuses the op by name.
  const stats = batchStats ? [] : [new Tensor(mean, [c]), new Tensor(variance, [c])];
  return batchNormOp([x, w, b, ...stats], state);
}

export interface LayerNormOptions {
  /** Elementwise scale with shape normalizedShape (none: 1). */
  weight?: Tensor | null;
  /** Elementwise shift with shape normalizedShape (none: 0). */
  bias?: Tensor | null;
  /** Added to the variance (default 1e-5). */
  eps?: number;
}

/**
 * Layer normalisation over the last axes given by normalizedShape, for each sample:
 * y = (x - mean) / √(var + eps) · γ + β, with the biased variance (PyTorch's F.layer_norm).
 * @example F.layerNorm(x, [512], { weight, bias })
 */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], opts: LayerNormOptions = {}): Tensor {
  arg('layerNorm', 'x', x, IS_TENSOR);
  const { weight = null, bias = null, eps = 1e-5 } = opts;
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape.slice();
  const tail = x.shape.slice(x.ndim - ns.length);
  check(
    ns.length >= 1 && ns.length <= x.ndim && ns.every((d, i) => d === tail[i]),
    'layerNorm',
    () => `normalizedShape ${fmtShape(ns)} must match the last axes of the input shape ${fmtShape(x.shape)}`,
  );
  for (const [name, t] of [
    ['weight', weight],
    ['bias', bias],
  ] as const) {
    check(
      !t || (t.ndim === ns.length && t.shape.every((d, i) => d === ns[i])),
      'layerNorm',
      () => `${name} must have shape ${fmtShape(ns)}, got ${fmtShape(t?.shape ?? [])}`,
    );
  }
  const axes = ns.map((_, i) => x.ndim - ns.length + i);
  const mu = mean(x, { axis: axes, keepDim: true });
  const d = sub(x, mu);
  const v = mean(square(d), { axis: axes, keepDim: true });
  let y = mul(d, sqrt(add(v, eps)).reciprocal());
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
}
