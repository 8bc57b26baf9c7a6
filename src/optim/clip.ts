import { Tensor, bumpVersion, denseArray } from '../tensor/tensor.js';
import { arg, is, options } from '../util/args.js';
import { TsgradError } from '../util/errors.js';

function gradsOf(op: string, params: unknown): Tensor[] {
  arg(op, 'params', params, is.arrayOf(is.instance(Tensor)));
  const grads: Tensor[] = [];
  for (const p of params as Tensor[]) {
    if (!p.grad) continue;
    // Gradients are dense tensors of their own (the engine makes them so): scaled in place.
    if (!p.grad.isContiguous() || p.grad.dtype === 'int32') throw new TsgradError(`${op}: a gradient is not a dense float tensor`);
    grads.push(p.grad);
  }
  return grads;
}

/**
 * Scales the gradients of `params` in place so that their total norm (the norm of all of them
 * as one vector) is at most maxNorm, as `torch.nn.utils.clip_grad_norm_`: every gradient is
 * multiplied by min(1, maxNorm / (total + 1e-6)). Returns the total norm before clipping.
 * normType is 2 by default, any p > 0, or Infinity (the largest |g|). Parameters without a
 * gradient are skipped.
 * @example
 * loss.backward();
 * const norm = optim.clipGradNorm(model.parameters(), 1.0);
 * opt.step();
 */
export function clipGradNorm(params: Tensor[], maxNorm: number, normType: number = 2, opts: { errorIfNonfinite?: boolean } = {}): number {
  const grads = gradsOf('clipGradNorm', params);
  arg('clipGradNorm', 'maxNorm', maxNorm, is.nonNegative);
  arg('clipGradNorm', 'normType', normType, is.positive);
  const o = options<{ errorIfNonfinite?: boolean }>('clipGradNorm', opts, { errorIfNonfinite: is.bool });
  let total = 0;
  for (const g of grads) {
    const d = denseArray(g);
    if (normType === Infinity) for (let i = 0; i < d.length; i++) total = Math.max(total, Math.abs(d[i]));
    else for (let i = 0; i < d.length; i++) total += Math.abs(d[i]) ** normType;
  }
  if (normType !== Infinity) total **= 1 / normType;
  if (!Number.isFinite(total) && o.errorIfNonfinite) {
    throw new TsgradError(
      `clipGradNorm: the total norm of order ${normType} of the gradients is ${total}; ` +
        'pass { errorIfNonfinite: false } to clip anyway',
    );
  }
  // PyTorch multiplies even when the factor is 1 (so NaN gradients stay NaN): the same here.
  const coef = Math.min(1, maxNorm / (total + 1e-6));
  for (const g of grads) {
    const d = denseArray(g);
    for (let i = 0; i < d.length; i++) d[i] *= coef;
    bumpVersion(g.storage);
  }
  return total;
}

/**
 * Clamps every gradient of `params` in place to [-clipValue, clipValue], as
 * `torch.nn.utils.clip_grad_value_`.
 * @example optim.clipGradValue(model.parameters(), 0.5)
 */
export function clipGradValue(params: Tensor[], clipValue: number): void {
  const grads = gradsOf('clipGradValue', params);
  arg('clipGradValue', 'clipValue', clipValue, is.nonNegative);
  for (const g of grads) {
    const d = denseArray(g);
    for (let i = 0; i < d.length; i++) d[i] = Math.min(clipValue, Math.max(-clipValue, d[i]));
    bumpVersion(g.storage);
  }
}
