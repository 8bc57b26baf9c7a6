import { arg, is } from '../util/args.js';
import { noGrad } from '../autograd/engine.js';
import { castRaw } from '../tensor/raw.js';
import { Tensor, bumpVersion, denseArray } from '../tensor/tensor.js';
import { check, fmtShape } from '../util/errors.js';
import { add, mul, sqrt, sub, square } from './elementwise.js';
import { reshape } from './movement.js';
import { mean } from './reduce.js';

const IS_TENSOR = is.instance(Tensor);

/**
 * Normalisation layers as composites of tensor ops: they differentiate by themselves.
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
function assign(dst: Tensor, values: Tensor): void {
  check(dst.isContiguous(), 'batchNorm', () => 'running statistics must be dense tensors');
  dst.storage.set(denseArray(castRaw(values, dst.dtype)), dst.offset);
  bumpVersion(dst.storage);
}

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
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  // [C] statistics broadcast against x as [1, C, 1, ...].
  const chan = x.shape.map((d, i) => (i === 1 ? c : 1));
  const useBatch = training || !runningMean || !runningVar;
  let mu: Tensor;
  let v: Tensor;
  if (useBatch) {
    const n = x.size / c;
    check(
      !training || n > 1,
      'batchNorm',
      () => `expected more than 1 value per channel when training, got input shape ${fmtShape(x.shape)}`,
    );
    mu = mean(x, { axis: axes, keepDim: true });
    v = mean(square(sub(x, mu)), { axis: axes, keepDim: true });
    if (training && runningMean && runningVar) {
      noGrad(() => {
        const m = momentum;
        assign(runningMean, add(mul(runningMean, 1 - m), mul(reshape(mu, [c]), m)));
        assign(runningVar, add(mul(runningVar, 1 - m), mul(reshape(v, [c]), (m * n) / (n - 1))));
      });
    }
  } else {
    mu = reshape(runningMean as Tensor, chan);
    v = reshape(runningVar as Tensor, chan);
  }
  let y = mul(sub(x, mu), sqrt(add(v, eps)).reciprocal());
  if (weight) y = mul(y, reshape(weight, chan));
  if (bias) y = add(y, reshape(bias, chan));
  return y;
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
