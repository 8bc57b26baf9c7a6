import { arg, is } from '../util/args.js';
import { denseArray } from '../tensor/tensor.js';
import type { Tensor } from '../tensor/tensor.js';
import { TsgradError } from '../util/errors.js';
import { rng } from '../util/rng.js';
import { Subset, TensorDataset, type Dataset } from './dataset.js';

/**
 * Splits a dataset into non-overlapping random subsets, as PyTorch's random_split.
 * `lengths` are counts summing to the dataset's length, or fractions summing to 1
 * (remainders go to the first subsets, one each).
 * @example const [train, val] = randomSplit(ds, [0.9, 0.1]);
 */
export function randomSplit(dataset: Dataset, lengths: readonly number[]): Subset[] {
  arg('randomSplit', 'lengths', lengths, is.arrayOf(is.number));
  const counts = toCounts('randomSplit', dataset.length, lengths);
  const perm = rng.permutation(dataset.length);
  const out: Subset[] = [];
  let start = 0;
  for (const c of counts) {
    out.push(new Subset(dataset, perm.slice(start, start + c)));
    start += c;
  }
  return out;
}

export interface TrainValTestOptions {
  /** Fraction (or count) for validation (default 0.1). */
  validation?: number;
  /** Fraction (or count) for testing (default 0.1). */
  test?: number;
  /**
   * Keep each class's proportion in every split. Uses these labels, or the
   * dataset's second tensor when `true` and the dataset is a TensorDataset.
   */
  stratify?: boolean | Tensor | ArrayLike<number>;
}

export interface TrainValTest {
  train: Subset;
  validation: Subset;
  test: Subset;
}

/**
 * Random train/validation/test split, optionally stratified by class so that
 * each part keeps the class proportions (within one example per class).
 * @example const { train, validation, test } = trainValTestSplit(ds, { validation: 0.1, test: 0.2, stratify: true });
 */
export function trainValTestSplit(dataset: Dataset, opts: TrainValTestOptions = {}): TrainValTest {
  arg('trainValTestSplit', 'opts', opts, is.optional(is.object));
  const n = dataset.length;
  const fv = opts.validation ?? 0.1;
  const ft = opts.test ?? 0.1;
  const part = (f: number, m: number): number => (f >= 1 ? Math.floor(f) : Math.round(f * m));
  if (fv < 0 || ft < 0 || (fv < 1 && ft < 1 && fv + ft >= 1)) {
    throw new TsgradError(`trainValTestSplit: validation (${fv}) and test (${ft}) must be non-negative and leave room for training`);
  }
  if (!opts.stratify) {
    const nv = part(fv, n);
    const nt = part(ft, n);
    const [train, validation, test] = randomSplit(dataset, [n - nv - nt, nv, nt]);
    return { train, validation, test };
  }
  const labels = stratifyLabels(dataset, opts.stratify);
  // Group the shuffled indices by class, then deal each class out in proportion.
  const perm = rng.permutation(n);
  const byClass = new Map<number, number[]>();
  for (const i of perm) {
    const c = labels[i];
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c)!.push(i);
  }
  const tr: number[] = [];
  const va: number[] = [];
  const te: number[] = [];
  const fracV = fv >= 1 ? fv / n : fv;
  const fracT = ft >= 1 ? ft / n : ft;
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const ids = byClass.get(c)!;
    const nv = Math.round(fracV * ids.length);
    const nt = Math.round(fracT * ids.length);
    va.push(...ids.slice(0, nv));
    te.push(...ids.slice(nv, nv + nt));
    tr.push(...ids.slice(nv + nt));
  }
  // Shuffle within each split so that batches are not sorted by class.
  const mix = (a: number[]): Int32Array => {
    const p = rng.permutation(a.length);
    return Int32Array.from(p, (j) => a[j]);
  };
  return { train: new Subset(dataset, mix(tr)), validation: new Subset(dataset, mix(va)), test: new Subset(dataset, mix(te)) };
}

function stratifyLabels(dataset: Dataset, s: true | Tensor | ArrayLike<number>): ArrayLike<number> {
  if (s === true) {
    if (!(dataset instanceof TensorDataset) || dataset.tensors.length < 2) {
      throw new TsgradError('trainValTestSplit: stratify: true needs a TensorDataset of [x, labels]; pass the labels instead');
    }
    return denseArray(dataset.tensors[1]);
  }
  const labels = 'storage' in (s as object) ? denseArray(s as Tensor) : (s as ArrayLike<number>);
  if (labels.length !== dataset.length) {
    throw new TsgradError(`trainValTestSplit: ${labels.length} stratify labels for ${dataset.length} examples`);
  }
  return labels;
}

function toCounts(op: string, n: number, lengths: readonly number[]): number[] {
  const total = lengths.reduce((a, b) => a + b, 0);
  if (lengths.some((l) => l < 0)) throw new TsgradError(`${op}: lengths must be non-negative, got [${lengths.join(', ')}]`);
  if (lengths.every((l) => Number.isInteger(l)) && total === n) return lengths.slice();
  if (Math.abs(total - 1) > 1e-6) {
    throw new TsgradError(`${op}: lengths [${lengths.join(', ')}] must sum to the dataset length ${n} or be fractions summing to 1`);
  }
  const counts = lengths.map((f) => Math.floor(f * n));
  let rest = n - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; rest > 0; i = (i + 1) % counts.length, rest--) counts[i]++;
  return counts;
}
