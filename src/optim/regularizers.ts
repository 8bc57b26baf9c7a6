import { arg, is } from '../util/args.js';
import type { Tensor } from '../tensor/tensor.js';
import { abs, add, mul, square } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { TsgradError } from '../util/errors.js';

function penalty(op: string, params: Iterable<Tensor>, lambda: number, term: (p: Tensor) => Tensor): Tensor {
  if (typeof lambda !== 'number' || !(lambda >= 0))
    throw new TsgradError(`${op}: lambda must be a non-negative number, got ${String(lambda)}`);
  let total: Tensor | null = null;
  for (const p of params) {
    const s = sum(term(p));
    total = total ? add(total, s) : s;
  }
  if (!total) throw new TsgradError(`${op}: got no parameters`);
  return mul(total, lambda);
}

/**
 * L1 (lasso) penalty λ Σ|θ|, a scalar to add to the loss; it drives weights to exactly zero.
 * Pass all parameters for a global penalty or one layer's for a per-layer one.
 * @example const loss = F.mseLoss(pred, y).add(optim.l1Penalty([model.layers[0].weight], 1e-3));
 */
export function l1Penalty(params: Iterable<Tensor>, lambda: number): Tensor {
  arg('l1Penalty', 'lambda', lambda, is.nonNegative);
  return penalty('l1Penalty', params, lambda, abs);
}

/**
 * L2 (ridge) penalty λ Σθ², a scalar to add to the loss (Keras' convention). Its gradient is
 * 2λθ, so SGD's weightDecay = wd equals l2Penalty with λ = wd / 2.
 * @example const loss = F.crossEntropy(logits, y).add(optim.l2Penalty(model.parameters(), 1e-4));
 */
export function l2Penalty(params: Iterable<Tensor>, lambda: number): Tensor {
  arg('l2Penalty', 'lambda', lambda, is.nonNegative);
  return penalty('l2Penalty', params, lambda, square);
}
