import { Tensor, denseArray } from '../tensor/tensor.js';
import { TsgradError, fmtShape } from '../util/errors.js';
import { arg, check, is, options } from '../util/args.js';

/**
 * Evaluation metrics on whole prediction tensors, as plain numbers.
 * Classification metrics accept scores [N, C] (argmax is the predicted class),
 * or for two classes probabilities [N] / [N, 1] (thresholded at 0.5); targets
 * are int32 class indices [N], or soft/one-hot rows [N, C] (argmax).
 */

/**
 * Predicted classes from scores [N, C], or from probabilities [N]/[N,1] by a threshold.
 * @example predictedClasses(tensor([[0.1, 0.9], [0.8, 0.2]])) // Int32Array [1, 0]
 */
export function predictedClasses(pred: Tensor, threshold = 0.5): Int32Array {
  arg('predictedClasses', 'pred', pred, IS_TENSOR);
  arg('predictedClasses', 'threshold', threshold, is.number);
  const d = denseArray(pred);
  if (pred.ndim === 2 && pred.shape[1] > 1) return argmaxRows(d, pred.shape[0], pred.shape[1]);
  if (pred.ndim === 1 || (pred.ndim === 2 && pred.shape[1] === 1)) {
    if (pred.dtype === 'int32') return Int32Array.from(d);
    return Int32Array.from(d, (v) => (v >= threshold ? 1 : 0));
  }
  throw new TsgradError(`metrics: predictions must be [N, C] scores or [N] probabilities, got ${fmtShape(pred.shape)}`);
}

/**
 * True classes from int32 labels [N] or one-hot/soft rows [N, C].
 * @example targetClasses(tensor([[0, 1], [1, 0]])) // Int32Array [1, 0]
 */
export function targetClasses(target: Tensor): Int32Array {
  arg('targetClasses', 'target', target, IS_TENSOR);
  const d = denseArray(target);
  if (target.ndim === 2 && target.shape[1] > 1) return argmaxRows(d, target.shape[0], target.shape[1]);
  if (target.ndim === 1 || (target.ndim === 2 && target.shape[1] === 1)) return Int32Array.from(d, (v) => Math.round(v));
  throw new TsgradError(`metrics: targets must be [N] labels or [N, C] rows, got ${fmtShape(target.shape)}`);
}

function argmaxRows(d: ArrayLike<number>, n: number, c: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (d[i * c + j] > d[i * c + best]) best = j;
    out[i] = best;
  }
  return out;
}

function pair(op: string, pred: Tensor, target: Tensor): [Int32Array, Int32Array] {
  const p = predictedClasses(pred);
  const t = targetClasses(target);
  if (p.length !== t.length)
    throw new TsgradError(
      `${op}: ${p.length} predictions (shape ${fmtShape(pred.shape)}) but ${t.length} targets (shape ${fmtShape(target.shape)})`,
    );
  return [p, t];
}

/**
 * Fraction of examples whose predicted class is the target.
 * @example accuracy(tensor([[0.1, 0.9], [0.8, 0.2]]), tensor([1, 1], { dtype: 'int32' })) // 0.5
 */
export function accuracy(pred: Tensor, target: Tensor): number {
  tensors('accuracy', pred, target);
  const [p, t] = pair('accuracy', pred, target);
  let hit = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === t[i]) hit++;
  return p.length ? hit / p.length : NaN;
}

/**
 * Fraction of examples whose target is among the k highest scores (default k 5; ties count against).
 * @example topKAccuracy(tensor([[0.5, 0.3, 0.2]]), tensor([1], { dtype: 'int32' }), { k: 2 }) // 1
 */
export function topKAccuracy(pred: Tensor, target: Tensor, opts: { k?: number } = {}): number {
  tensors('topKAccuracy', pred, target);
  options<{ k?: number }>('topKAccuracy', opts, { k: is.positiveInt });
  const k = opts.k ?? 5;
  if (pred.ndim !== 2) throw new TsgradError(`topKAccuracy: predictions must be [N, C] scores, got ${fmtShape(pred.shape)}`);
  const [n, c] = pred.shape;
  const t = targetClasses(target);
  if (t.length !== n) throw new TsgradError(`topKAccuracy: ${n} predictions but ${t.length} targets`);
  const d = denseArray(pred);
  let hit = 0;
  for (let i = 0; i < n; i++) {
    const s = d[i * c + t[i]];
    let above = 0;
    for (let j = 0; j < c; j++) if (d[i * c + j] > s || (d[i * c + j] === s && j < t[i])) above++;
    if (above < k) hit++;
  }
  return n ? hit / n : NaN;
}

/**
 * Confusion matrix: rows are true classes, columns predicted classes (sklearn's layout).
 * @example confusionMatrix(tensor([0, 1, 1], {dtype:'int32'}), tensor([0, 0, 1], {dtype:'int32'}), { numClasses: 2 }) // [[1,1],[0,1]]
 */
export function confusionMatrix(pred: Tensor, target: Tensor, opts: { numClasses?: number } = {}): number[][] {
  tensors('confusionMatrix', pred, target);
  options<{ numClasses?: number }>('confusionMatrix', opts, { numClasses: is.positiveInt });
  const [p, t] = pair('confusionMatrix', pred, target);
  let k = opts.numClasses ?? (pred.ndim === 2 && pred.shape[1] > 1 ? pred.shape[1] : 0);
  for (let i = 0; i < p.length; i++) k = Math.max(k, p[i] + 1, t[i] + 1);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < p.length; i++) {
    if (p[i] < 0 || t[i] < 0) throw new TsgradError(`confusionMatrix: negative class at example ${i}`);
    m[t[i]][p[i]]++;
  }
  return m;
}

export interface ClassMetricOptions {
  /** 'macro' averages the per-class scores (default); 'binary' reports the positive class only. */
  average?: 'macro' | 'binary';
  /** The positive class for 'binary' (default 1). */
  positiveLabel?: number;
  numClasses?: number;
}

function perClass(
  op: string,
  pred: Tensor,
  target: Tensor,
  opts: ClassMetricOptions,
  score: (tp: number, fp: number, fn: number) => number,
): number {
  tensors(op, pred, target);
  options<ClassMetricOptions>(op, opts, {
    average: is.oneOf(['macro', 'binary']),
    positiveLabel: is.nonNegativeInt,
    numClasses: is.positiveInt,
  });
  const m = confusionMatrix(pred, target, { numClasses: opts.numClasses });
  const stats = (c: number): [number, number, number] => {
    const tp = m[c]?.[c] ?? 0;
    let fp = 0;
    let fn = 0;
    for (let j = 0; j < m.length; j++) {
      if (j === c) continue;
      fp += m[j][c];
      fn += m[c][j];
    }
    return [tp, fp, fn];
  };
  if ((opts.average ?? 'macro') === 'binary') {
    const pos = opts.positiveLabel ?? 1;
    if (m.length > 2) throw new TsgradError(`${op}: average 'binary' needs two classes, found ${m.length}; use average 'macro'`);
    return score(...stats(pos));
  }
  let total = 0;
  for (let c = 0; c < m.length; c++) total += score(...stats(c));
  return total / m.length;
}

// 0 where the denominator is 0, as sklearn's zero_division=0.
const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** Precision tp / (tp + fp), per class then macro-averaged, or for the positive class. */
export const precision = (pred: Tensor, target: Tensor, opts: ClassMetricOptions = {}): number =>
  perClass('precision', pred, target, opts, (tp, fp) => ratio(tp, tp + fp));

/** Recall tp / (tp + fn). */
export const recall = (pred: Tensor, target: Tensor, opts: ClassMetricOptions = {}): number =>
  perClass('recall', pred, target, opts, (tp, _fp, fn) => ratio(tp, tp + fn));

/** F1 = 2 tp / (2 tp + fp + fn), the harmonic mean of precision and recall. */
export const f1Score = (pred: Tensor, target: Tensor, opts: ClassMetricOptions = {}): number =>
  perClass('f1Score', pred, target, opts, (tp, fp, fn) => ratio(2 * tp, 2 * tp + fp + fn));

/**
 * Area under the ROC curve: the probability that a random positive scores above
 * a random negative (ties count one half), by ranking (Mann-Whitney U).
 * scores [N] (or [N, 1]) with binary targets; scores [N, C] give the macro
 * average of one-vs-rest AUCs (for C = 2, the AUC of column 1). Like sklearn's roc_auc_score.
 * @example aucRoc(tensor([0.1, 0.4, 0.35, 0.8]), tensor([0, 0, 1, 1], { dtype: 'int32' })) // 0.75
 */
export function aucRoc(scores: Tensor, target: Tensor): number {
  arg('aucRoc', 'scores', scores, IS_TENSOR);
  arg('aucRoc', 'target', target, IS_TENSOR);
  const t = targetClasses(target);
  const d = denseArray(scores);
  if (scores.ndim === 2 && scores.shape[1] > 1) {
    const [n, c] = scores.shape;
    const col = (k: number): Float64Array => Float64Array.from({ length: n }, (_, i) => d[i * c + k]);
    if (c === 2)
      return binaryAuc(
        col(1),
        Int32Array.from(t, (v) => (v === 1 ? 1 : 0)),
      );
    let total = 0;
    for (let k = 0; k < c; k++)
      total += binaryAuc(
        col(k),
        Int32Array.from(t, (v) => (v === k ? 1 : 0)),
      );
    return total / c;
  }
  if (t.length !== d.length) throw new TsgradError(`aucRoc: ${d.length} scores but ${t.length} targets`);
  return binaryAuc(Float64Array.from(d), t);
}

function binaryAuc(s: Float64Array, y: Int32Array): number {
  const idx = Array.from(s.keys()).sort((a, b) => s[a] - s[b]);
  // Average ranks over ties, then U = Σ ranks of positives - P(P+1)/2.
  const rank = new Float64Array(s.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && s[idx[j + 1]] === s[idx[i]]) j++;
    for (let k = i; k <= j; k++) rank[idx[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let pos = 0;
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] === 1) {
      pos++;
      sum += rank[i];
    }
  }
  const neg = y.length - pos;
  if (pos === 0 || neg === 0)
    throw new TsgradError(`aucRoc: needs both classes among the targets, got ${pos} positives and ${neg} negatives`);
  return (sum - (pos * (pos + 1)) / 2) / (pos * neg);
}

function regression(op: string, pred: Tensor, target: Tensor): [ArrayLike<number>, ArrayLike<number>] {
  if (pred.size !== target.size)
    throw new TsgradError(`${op}: predictions ${fmtShape(pred.shape)} and targets ${fmtShape(target.shape)} differ in size`);
  return [denseArray(pred), denseArray(target)];
}

/**
 * Mean squared error (1/n) Σ (ŷ - y)², as a number (F.mseLoss is the differentiable loss).
 * @example mse(tensor([1, 2, 3]), tensor([1, 2, 5])) // 4/3 ≈ 1.333
 */
export function mse(pred: Tensor, target: Tensor): number {
  tensors('mse', pred, target);
  const [p, t] = regression('mse', pred, target);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i] - t[i]) ** 2;
  return s / p.length;
}

/**
 * Mean absolute error (1/n) Σ |ŷ - y|, as a number.
 * @example mae(tensor([1, 2, 3]), tensor([1, 2, 5])) // 2/3 ≈ 0.667
 */
export function mae(pred: Tensor, target: Tensor): number {
  tensors('mae', pred, target);
  const [p, t] = regression('mae', pred, target);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.abs(p[i] - t[i]);
  return s / p.length;
}

/**
 * Coefficient of determination R² = 1 - Σ(y - ŷ)² / Σ(y - ȳ)², like sklearn's r2_score.
 * @example r2Score(tensor([2.5, 0, 2, 8]), tensor([3, -0.5, 2, 7])) // ≈ 0.949
 */
export function r2Score(pred: Tensor, target: Tensor): number {
  tensors('r2Score', pred, target);
  const [p, t] = regression('r2Score', pred, target);
  let mean = 0;
  for (let i = 0; i < t.length; i++) mean += t[i];
  mean /= t.length;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < p.length; i++) {
    res += (t[i] - p[i]) ** 2;
    tot += (t[i] - mean) ** 2;
  }
  return 1 - res / tot;
}

/** A named metric for fit() and evaluate(). */
export interface Metric {
  name: string;
  fn: (pred: Tensor, target: Tensor) => number;
}

const BUILTIN: Record<string, Metric['fn']> = {
  accuracy,
  acc: accuracy,
  topKAccuracy,
  precision,
  recall,
  f1: f1Score,
  f1Score,
  auc: aucRoc,
  aucRoc,
  mse,
  mae,
  r2: r2Score,
  r2Score,
};

/**
 * Resolves metric names ('accuracy', 'f1', 'auc', 'mse', 'mae', 'r2', ...) and passes Metric objects through.
 * @example resolveMetric('top3').fn(logits, labels) // top-3 accuracy, as topKAccuracy(logits, labels, { k: 3 })
 */
export function resolveMetric(m: string | Metric): Metric {
  arg('metrics', 'metric', m, METRIC);
  if (typeof m !== 'string') return m;
  // top1, top2, ... topK: the share of examples whose class is among the K highest scores.
  const top = /^top(\d+)$/.exec(m);
  if (top) {
    const k = Number(top[1]);
    if (k < 1) throw new TsgradError(`metrics: '${m}' asks for the top 0 classes; top1, top2, ... need k >= 1`);
    return { name: m, fn: (p, t) => topKAccuracy(p, t, { k }) };
  }
  const fn = BUILTIN[m];
  if (!fn) throw new TsgradError(`metrics: unknown metric '${m}' (known: ${Object.keys(BUILTIN).join(', ')}, and top1 … topK for any k)`);
  return { name: m, fn };
}

const IS_TENSOR = is.instance(Tensor);
const METRIC = check(
  'a metric name or { name, fn }',
  (v) => typeof v === 'string' || (typeof (v as Metric | null)?.name === 'string' && typeof (v as Metric).fn === 'function'),
);

/** Checks a metric's two tensor arguments, naming the metric. */
function tensors(op: string, pred: unknown, target: unknown): void {
  arg(op, 'pred', pred, IS_TENSOR);
  arg(op, 'target', target, IS_TENSOR);
}
