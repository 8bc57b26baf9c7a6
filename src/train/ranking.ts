import { Tensor } from '../tensor/tensor.js';
import { arg, is } from '../util/args.js';
import { TsgradError, fmtShape } from '../util/errors.js';
import type { Metric } from './metrics.js';

/**
 * Ranking metrics for recommendation: each row of scores [N, C] scores C candidates for one query
 * (a user), and target [N] gives the column of the relevant candidate. Ties with the relevant
 * candidate are broken at random in expectation (the metric averages over the tie's orders), so
 * that a scorer giving many candidates the same score (ItemPop) is neither favoured nor punished.
 */
function perRow(name: string, scores: Tensor, target: Tensor, k: number, gain: (position: number) => number): number {
  arg(name, 'scores', scores, is.instance(Tensor));
  arg(name, 'target', target, is.instance(Tensor));
  if (scores.ndim !== 2 || target.size !== scores.shape[0]) {
    throw new TsgradError(
      `${name}: expected scores [N, C] and one target column per row [N], got ${fmtShape(scores.shape)} and ${fmtShape(target.shape)}`,
    );
  }
  const [n, c] = scores.shape;
  const s = scores.data();
  const t = target.data();
  let total = 0;
  for (let r = 0; r < n; r++) {
    const j = t[r];
    if (!Number.isInteger(j) || j < 0 || j >= c)
      throw new TsgradError(`${name}: target ${j} of row ${r} is not a column of the ${c} candidates`);
    const v = s[r * c + j];
    let greater = 0;
    let ties = 0;
    for (let q = 0; q < c; q++) {
      if (q === j) continue;
      if (s[r * c + q] > v) greater++;
      else if (s[r * c + q] === v) ties++;
    }
    let g = 0;
    for (let p = greater; p <= greater + ties && p < k; p++) g += gain(p);
    total += g / (ties + 1);
  }
  return n ? total / n : NaN;
}

/**
 * Hit rate at k: the share of rows whose relevant candidate is among the k best scored.
 * @example evaluate(model, data, { metrics: [hitRate(10), ndcg(10)] })
 */
export function hitRate(k = 10): Metric {
  arg('hitRate', 'k', k, is.positiveInt);
  return { name: `hr${k}`, fn: (scores, target) => perRow('hitRate', scores, target, k, () => 1) };
}

/**
 * Normalised discounted cumulative gain at k with one relevant candidate: 1 / log2(position + 2) when it is in the top k.
 * @example ndcg(10).fn(tensor([[0.1, 0.9, 0.5]]), tensor([2], { dtype: 'int32' })) // 1 / log2(3) ≈ 0.631
 */
export function ndcg(k = 10): Metric {
  arg('ndcg', 'k', k, is.positiveInt);
  return { name: `ndcg${k}`, fn: (scores, target) => perRow('ndcg', scores, target, k, (p) => 1 / Math.log2(p + 2)) };
}
