import { is, options } from '../util/args.js';
import { ones, zeros } from '../tensor/create.js';
import { bumpVersion, type Tensor } from '../tensor/tensor.js';
import { batchNorm, layerNorm } from '../ops/norm.js';
import { check, fmtShape } from '../util/errors.js';
import { constant, parameter } from './init.js';
import { Module } from './module.js';
import { register } from './registry.js';

export interface BatchNormOptions {
  /** Channels C of the input [N, C, ...]. */
  numFeatures: number;
  /** Default 1e-5. */
  eps?: number;
  /** Weight of each new batch in the running statistics (default 0.1). */
  momentum?: number;
  /** Learn a per-channel scale (init 1) and shift (init 0). Default true. */
  affine?: boolean;
  /** Keep running mean and variance for evaluation; without them batch statistics are always used. Default true. */
  trackRunningStats?: boolean;
}

/** Shared by BatchNorm1d and BatchNorm2d: they differ only in the ranks they accept. */
abstract class BatchNormBase extends Module {
  readonly options: Required<BatchNormOptions>;
  weight: Tensor | null;
  bias: Tensor | null;
  /** Buffers (no requiresGrad): saved with the model, updated in training. */
  runningMean: Tensor | null;
  runningVar: Tensor | null;
  /** Training batches seen (0-d int32), PyTorch's num_batches_tracked: kept so that state dicts match. */
  numBatchesTracked: Tensor | null;

  protected abstract readonly layer: string;
  protected abstract readonly ranks: readonly number[];
  protected abstract readonly layout: string;

  constructor(opts: BatchNormOptions) {
    super();
    const { numFeatures, eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true } = opts;
    check(
      Number.isInteger(numFeatures) && numFeatures > 0,
      this.constructor.name,
      () => `numFeatures must be a positive integer, got ${String(numFeatures)}`,
    );
    this.options = { numFeatures, eps, momentum, affine, trackRunningStats };
    this.weight = affine ? constant(parameter([numFeatures]), 1) : null;
    this.bias = affine ? parameter([numFeatures]) : null;
    this.runningMean = trackRunningStats ? zeros([numFeatures]) : null;
    this.runningVar = trackRunningStats ? ones([numFeatures]) : null;
    this.numBatchesTracked = trackRunningStats ? zeros([], { dtype: 'int32' }) : null;
  }

  forward(x: Tensor): Tensor {
    const c = this.options.numFeatures;
    const expected = this.layout.replaceAll('C', String(c));
    check(
      this.ranks.includes(x.ndim),
      this.layer,
      () => `expected a ${this.ranks.join('-D or ')}-D input ${expected}, got shape ${fmtShape(x.shape)}`,
    );
    check(
      x.shape[1] === c,
      this.layer,
      () => `input has ${x.shape[1]} channels but the layer expects ${c} (input shape ${fmtShape(x.shape)}, expected ${expected})`,
    );
    const { eps, momentum } = this.options;
    const y = batchNorm(x, this.runningMean, this.runningVar, {
      weight: this.weight,
      bias: this.bias,
      training: this.training,
      momentum,
      eps,
    });
    if (this.training && this.numBatchesTracked) {
      this.numBatchesTracked.storage[this.numBatchesTracked.offset] += 1;
      bumpVersion(this.numBatchesTracked.storage);
    }
    return y;
  }
}

/**
 * Batch normalisation of [N, C] or [N, C, L] per channel (see F.batchNorm): batch statistics
 * in training (running statistics updated with momentum), running statistics after eval().
 * @example new nn.BatchNorm1d({ numFeatures: 64 })
 */
export class BatchNorm1d extends BatchNormBase {
  protected readonly layer = 'BatchNorm1d';
  protected readonly ranks = [2, 3];
  protected readonly layout = '[N,C] or [N,C,L]';
}

/** Batch normalisation of [N, C, H, W] per channel. @example new nn.BatchNorm2d({ numFeatures: 32 }) */
export class BatchNorm2d extends BatchNormBase {
  protected readonly layer = 'BatchNorm2d';
  protected readonly ranks = [4];
  protected readonly layout = '[N,C,H,W]';
}

export interface LayerNormOptions {
  /** The trailing shape to normalise over, e.g. [512] or [C, H, W]. */
  normalizedShape: number | readonly number[];
  /** Default 1e-5. */
  eps?: number;
  /** Learn an elementwise scale (init 1) and shift (init 0). Default true. */
  elementwiseAffine?: boolean;
}

/**
 * Layer normalisation over the last axes of each sample (see F.layerNorm).
 * @example new nn.LayerNorm({ normalizedShape: 512 })
 */
export class LayerNorm extends Module {
  readonly options: { normalizedShape: number[]; eps: number; elementwiseAffine: boolean };
  weight: Tensor | null;
  bias: Tensor | null;

  constructor(opts: LayerNormOptions) {
    super();
    options<LayerNormOptions>(
      'LayerNorm',
      opts,
      {
        normalizedShape: is.anyOf(is.positiveInt, is.arrayOf(is.positiveInt)),
        eps: is.positive,
        elementwiseAffine: is.bool,
      },
      ['normalizedShape'],
    );
    const ns = typeof opts.normalizedShape === 'number' ? [opts.normalizedShape] : opts.normalizedShape.slice();
    check(
      ns.length > 0 && ns.every((d) => Number.isInteger(d) && d > 0),
      'LayerNorm',
      () => `normalizedShape must be positive integers, got ${JSON.stringify(opts.normalizedShape)}`,
    );
    const { eps = 1e-5, elementwiseAffine = true } = opts;
    this.options = { normalizedShape: ns, eps, elementwiseAffine };
    this.weight = elementwiseAffine ? constant(parameter(ns), 1) : null;
    this.bias = elementwiseAffine ? parameter(ns) : null;
  }

  forward(x: Tensor): Tensor {
    const ns = this.options.normalizedShape;
    const tail = x.shape.slice(x.ndim - ns.length);
    check(
      x.ndim >= ns.length && ns.every((d, i) => d === tail[i]),
      'LayerNorm',
      () => `expected an input of shape [*,${ns.join(',')}], got shape ${fmtShape(x.shape)}`,
    );
    return layerNorm(x, ns, { weight: this.weight, bias: this.bias, eps: this.options.eps });
  }
}

// Explicit names, so that saved models and the printed model survive a minifier.
// PyTorch's names for the running statistics, so that a state dict loads into torch.nn.BatchNorm*d.
const BN_NAMES = { runningMean: 'running_mean', runningVar: 'running_var', numBatchesTracked: 'num_batches_tracked' };
register(BatchNorm1d, { name: 'BatchNorm1d', stateNames: BN_NAMES });
register(BatchNorm2d, { name: 'BatchNorm2d', stateNames: BN_NAMES });
register(LayerNorm, 'LayerNorm');
