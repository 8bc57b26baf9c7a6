/**
 * Sparse white-box models against black-box networks: the Lasso by coordinate descent (a
 * regularisation path and a cross-validated penalty) on gene-expression-style data with many
 * genes of which few matter, beside ordinary least squares and a dense network on the same split.
 */
import { Sequential } from '../nn/sequential.js';
import { Linear } from '../nn/linear.js';
import { ReLU } from '../nn/activation.js';
import * as optim from '../optim/index.js';
import { Tensor } from '../tensor/tensor.js';
import { EarlyStopping } from '../train/callbacks.js';
import { fit, predict } from '../train/fit.js';
import { arg, check, is, options, type Spec } from '../util/args.js';
import { TsgradError } from '../util/errors.js';
import { Rng, manualSeed } from '../util/rng.js';
import { minNormLeastSquares } from './double-descent.js';

/** A regression table: x [n, p] row-major, y [n], with the genes' names. */
export interface GeneTable {
  x: Float64Array;
  y: Float64Array;
  n: number;
  p: number;
  genes: string[];
  /** Synthetic data only: the genes that carry signal. */
  trueGenes?: string[];
}

// prettier-ignore
const EXPRESSION_SPEC: Spec<SyntheticExpressionOptions> = {
  n: is.positiveInt, p: is.positiveInt, informative: is.positiveInt, noise: is.nonNegative,
  seed: is.int,
};

/** Samples n (default 200), genes p (500), genes with an effect (10), noise standard deviation (1), seed. */
export interface SyntheticExpressionOptions {
  n?: number;
  p?: number;
  informative?: number;
  noise?: number;
  seed?: number;
}

/**
 * Gene-expression-style data: log-expression of p genes, co-regulated in pathways of 10 (each gene
 * = its pathway's activity plus its own variation, so neighbours correlate at about 0.5), and a
 * response that depends linearly on a few genes (effects ±1 … ±3) plus noise.
 * @example const t = syntheticExpression({ n: 100, p: 50, informative: 5, seed: 1 }); // t.trueGenes: the 5 that matter
 */
export function syntheticExpression(opts: SyntheticExpressionOptions = {}): GeneTable {
  options<SyntheticExpressionOptions>('syntheticExpression', opts, EXPRESSION_SPEC);
  const { n = 200, p = 500, informative = 10, noise = 1, seed = 1 } = opts;
  if (informative > p) throw new TsgradError(`syntheticExpression: ${informative} informative genes of only ${p}`);
  const rng = new Rng(seed);
  const x = new Float64Array(n * p);
  const pathways = Math.ceil(p / 10);
  for (let i = 0; i < n; i++) {
    const activity = Float64Array.from({ length: pathways }, () => rng.normal());
    for (let j = 0; j < p; j++) x[i * p + j] = activity[Math.floor(j / 10)] + rng.normal();
  }
  const chosen = rng.permutation(p).slice(0, informative);
  const beta = new Float64Array(p);
  for (const j of chosen) beta[j] = (rng.random() < 0.5 ? -1 : 1) * (1 + 2 * rng.random());
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += x[i * p + j] * beta[j];
    y[i] = s + noise * rng.normal();
  }
  const genes = Array.from({ length: p }, (_, j) => `gene${j + 1}`);
  return { x, y, n, p, genes, trueGenes: [...chosen].sort((a, b) => a - b).map((j) => genes[j]) };
}

/**
 * A table from CSV columns: every column but target is a gene. Needs at least 10 rows; `file`
 * names the source in errors.
 * @example
 * const { header, rows } = readCsv('expression.csv');
 * const t = geneTableFromColumns(header, rows, 'response', 'expression.csv');
 */
export function geneTableFromColumns(
  header: readonly string[],
  rows: readonly (readonly number[])[],
  target: string,
  file = 'CSV',
): GeneTable {
  const t = header.indexOf(target);
  if (t < 0)
    throw new TsgradError(`${file}: no column '${target}' (columns: ${header.slice(0, 8).join(', ')}${header.length > 8 ? ', …' : ''})`);
  const genes = header.filter((_, j) => j !== t);
  const n = rows.length;
  const p = genes.length;
  if (n < 10 || p < 1)
    throw new TsgradError(`${file}: ${n} rows and ${p} gene columns; the Lasso comparison needs at least 10 rows and 1 gene`);
  const x = new Float64Array(n * p);
  const y = new Float64Array(n);
  rows.forEach((r, i) => {
    y[i] = r[t];
    let k = 0;
    for (let j = 0; j < r.length; j++) if (j !== t) x[i * p + k++] = r[j];
  });
  return { x, y, n, p, genes };
}

/** The Lasso's path: coefficients (original scale) and intercept for each λ, largest λ first. */
export interface LassoPath {
  lambdas: number[];
  coefficients: Float64Array[];
  intercepts: number[];
}

interface Standardized {
  xs: Float64Array;
  mean: Float64Array;
  sd: Float64Array;
  yMean: number;
  yc: Float64Array;
}

function standardize(x: Float64Array, y: Float64Array, n: number, p: number, scale = true): Standardized {
  const mean = new Float64Array(p);
  const sd = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) mean[j] += x[i * p + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) sd[j] += (x[i * p + j] - mean[j]) ** 2 / n;
  for (let j = 0; j < p; j++) sd[j] = scale ? Math.sqrt(sd[j]) || 1 : 1;
  const xs = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) xs[i * p + j] = (x[i * p + j] - mean[j]) / sd[j];
  const yMean = y.reduce((a, b) => a + b, 0) / n;
  return { xs, mean, sd, yMean, yc: Float64Array.from(y, (v) => v - yMean) };
}

/**
 * The Lasso, min (1/2n)‖y − Xβ − b‖² + λ‖β‖₁, by cyclic coordinate descent with soft-thresholding
 * on standardised genes, along a path of λ from λ_max (where every coefficient is 0) down to
 * λ_max·ratio, each λ starting from the previous solution (Friedman, Hastie and Tibshirani 2010).
 * Defaults: 60 values of λ, ratio 1e-3; scikit-learn's `lasso_path`, R's glmnet.
 * @example
 * const t = syntheticExpression({ n: 100, p: 50 });
 * const path = lassoPath(t.x, t.y, t.n, t.p, { count: 20 }); // path.coefficients[0]: all 0; the last: most genes in
 */
export function lassoPath(
  x: Float64Array,
  y: Float64Array,
  n: number,
  p: number,
  opts: { lambdas?: number[]; count?: number; ratio?: number; tol?: number; maxIter?: number; standardize?: boolean } = {},
): LassoPath {
  options<{ lambdas?: number[]; count?: number; ratio?: number; tol?: number; maxIter?: number; standardize?: boolean }>(
    'lassoPath',
    opts,
    {
      standardize: is.bool,
      lambdas: is.arrayOf(is.nonNegative),
      count: is.positiveInt,
      ratio: is.positive,
      tol: is.positive,
      maxIter: is.positiveInt,
    },
  );
  if (x.length !== n * p || y.length !== n)
    throw new TsgradError(`lassoPath: x holds ${x.length} values and y ${y.length}, expected ${n}×${p} and ${n}`);
  // Genes are standardised (unless told not to: the adaptive Lasso's scaled genes must keep their scales).
  const s = standardize(x, y, n, p, opts.standardize ?? true);
  const { xs, yc } = s;
  const sq = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) sq[j] += xs[i * p + j] ** 2 / n;
  let lambdas = opts.lambdas;
  if (!lambdas) {
    let max = 0;
    for (let j = 0; j < p; j++) {
      let c = 0;
      for (let i = 0; i < n; i++) c += xs[i * p + j] * yc[i];
      max = Math.max(max, Math.abs(c) / n);
    }
    const count = opts.count ?? 60;
    const ratio = opts.ratio ?? 1e-3;
    lambdas = Array.from({ length: count }, (_, k) => max * ratio ** (k / (count - 1)));
  }
  const beta = new Float64Array(p);
  const resid = Float64Array.from(yc);
  const tol = opts.tol ?? 1e-7;
  const maxIter = opts.maxIter ?? 2000;
  const out: LassoPath = { lambdas, coefficients: [], intercepts: [] };
  for (const lam of lambdas) {
    for (let it = 0; it < maxIter; it++) {
      let change = 0;
      for (let j = 0; j < p; j++) {
        let rho = 0;
        for (let i = 0; i < n; i++) rho += xs[i * p + j] * resid[i];
        // The minimiser along β_j: soft-threshold(rho/n + v_j β_j, λ) / v_j, v_j = Σx_j²/n (1 when standardised).
        if (sq[j] === 0) continue;
        const z = rho / n + sq[j] * beta[j];
        const b = (Math.sign(z) * Math.max(0, Math.abs(z) - lam)) / sq[j];
        const d = b - beta[j];
        if (d !== 0) {
          for (let i = 0; i < n; i++) resid[i] -= d * xs[i * p + j];
          beta[j] = b;
          change = Math.max(change, Math.abs(d));
        }
      }
      if (change < tol) break;
    }
    const coef = Float64Array.from(beta, (b, j) => b / s.sd[j]);
    let b0 = s.yMean;
    for (let j = 0; j < p; j++) b0 -= coef[j] * s.mean[j];
    out.coefficients.push(coef);
    out.intercepts.push(b0);
  }
  return out;
}

function mse(x: Float64Array, y: Float64Array, rows: ArrayLike<number>, p: number, coef: Float64Array, b0: number): number {
  let s = 0;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k];
    let pred = b0;
    for (let j = 0; j < p; j++) pred += x[i * p + j] * coef[j];
    s += (pred - y[i]) ** 2;
  }
  return s / rows.length;
}

function subset(t: GeneTable, rows: ArrayLike<number>): { x: Float64Array; y: Float64Array } {
  const x = new Float64Array(rows.length * t.p);
  const y = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    x.set(t.x.subarray(rows[k] * t.p, (rows[k] + 1) * t.p), k * t.p);
    y[k] = t.y[rows[k]];
  }
  return { x, y };
}

export interface LassoCv {
  path: LassoPath;
  /** Mean and standard error of the cross-validated MSE per λ. */
  cvMse: number[];
  cvSe: number[];
  /** λ of the lowest CV error, and the largest λ within one standard error of it (the default choice). */
  lambdaMin: number;
  lambda1se: number;
}

/**
 * K-fold cross-validation of the Lasso path on the given rows (the λ grid from all of them), 5
 * folds by default: glmnet's `cv.glmnet`, with its lambda.min and lambda.1se.
 * @example
 * const t = syntheticExpression({ n: 100, p: 50 });
 * const cv = lassoCv(t, Array.from({ length: t.n }, (_, i) => i), { folds: 5, seed: 0 }); // cv.lambda1se, cv.lambdaMin
 */
export function lassoCv(
  t: GeneTable,
  rows: ArrayLike<number>,
  opts: { folds?: number; seed?: number; standardize?: boolean } = {},
): LassoCv {
  options<{ folds?: number; seed?: number; standardize?: boolean }>('lassoCv', opts, {
    folds: is.positiveInt,
    seed: is.int,
    standardize: is.bool,
  });
  const standardize = opts.standardize ?? true;
  const folds = opts.folds ?? 5;
  if (folds < 2 || folds > rows.length) throw new TsgradError(`lassoCv: ${folds} folds of ${rows.length} rows`);
  const all = subset(t, rows);
  const path = lassoPath(all.x, all.y, rows.length, t.p, { standardize });
  const order = new Rng(opts.seed ?? 0).permutation(rows.length);
  const errs = path.lambdas.map(() => [] as number[]);
  for (let f = 0; f < folds; f++) {
    const held = Array.from(order).filter((_, k) => k % folds === f);
    const kept = Array.from(order).filter((_, k) => k % folds !== f);
    const tr = subset(
      t,
      Array.from(kept, (k) => rows[k]),
    );
    const fp = lassoPath(tr.x, tr.y, kept.length, t.p, { lambdas: path.lambdas, standardize });
    const heldRows = held.map((k) => rows[k]);
    fp.coefficients.forEach((c, l) => errs[l].push(mse(t.x, t.y, heldRows, t.p, c, fp.intercepts[l])));
  }
  const cvMse = errs.map((e) => e.reduce((a, b) => a + b, 0) / e.length);
  const cvSe = errs.map((e, l) => Math.sqrt(e.reduce((a, b) => a + (b - cvMse[l]) ** 2, 0) / (e.length - 1) / e.length));
  const best = cvMse.indexOf(Math.min(...cvMse));
  const limit = cvMse[best] + cvSe[best];
  const oneSe = cvMse.findIndex((m) => m <= limit);
  return { path, cvMse, cvSe, lambdaMin: path.lambdas[best], lambda1se: path.lambdas[oneSe] };
}

export interface LassoExperimentResult {
  task: 'lasso';
  samples: number;
  genes: number;
  trainSize: number;
  testSize: number;
  /** The first stage's penalty (cross-validated, one-standard-error rule) and the lowest-error one. */
  lambda: number;
  lambdaMin: number;
  /** The genes the (adaptive) Lasso keeps. */
  selectedGenes: string[];
  /** The first stage alone: the plain Lasso at λ (its genes and test error; precision and recall on synthetic data). */
  plainLasso: { selectedGenes: string[]; testMse: number; precision?: number; recall?: number };
  /** Test mean squared error of each model on the same held-out 25%. */
  testMse: { lasso: number; ols: number; network: number };
  /** Synthetic data only. */
  trueGenes?: string[];
  precision?: number;
  recall?: number;
  /** The path for plotting: log10 λ and, per gene that ever enters, its coefficient along the path. */
  path: { log10Lambda: number[]; genes: Record<string, number[]> };
  seconds: number;
}

/**
 * The comparison on one 75/25 split: the Lasso, ordinary least squares (the minimum-norm
 * solution when there are more genes than samples), and a dense network (p → 64 → 1, ReLU, Adam,
 * early stopping on a validation fifth of the training part). The Lasso has two stages: the plain
 * Lasso with λ chosen by 5-fold cross-validation (the one-standard-error rule), reported as
 * `plainLasso`, then the adaptive Lasso (Zou 2006) weighted by its coefficients, which gives
 * `selectedGenes`, `testMse.lasso`, `precision` and `recall`.
 * @example
 * const r = lassoExperiment(syntheticExpression({ n: 100, p: 50, informative: 5 }), { epochs: 300 });
 * r.testMse; // { lasso, ols, network }; r.precision and r.recall of the selected genes
 */
export function lassoExperiment(t: GeneTable, opts: { seed?: number; epochs?: number } = {}): LassoExperimentResult {
  arg(
    'lassoExperiment',
    'table',
    t,
    check('a gene table { x, y, n, p, genes }', (v) => typeof v === 'object' && v !== null && 'genes' in v),
  );
  options<{ seed?: number; epochs?: number }>('lassoExperiment', opts, { seed: is.int, epochs: is.positiveInt });
  const t0 = performance.now();
  const seed = opts.seed ?? 0;
  const order = new Rng(seed).permutation(t.n);
  const nTest = Math.round(t.n / 4);
  const testRows = Array.from(order.subarray(0, nTest));
  const trainRows = Array.from(order.subarray(nTest));
  const cv = lassoCv(t, trainRows, { seed });
  const l = cv.path.lambdas.indexOf(cv.lambda1se);
  const plain = cv.path.coefficients[l];
  const plainSelected = t.genes.filter((_, j) => plain[j] !== 0);
  const { coef, intercept } = adaptiveLasso(t, trainRows, cv, seed);
  const lassoMse = mse(t.x, t.y, testRows, t.p, coef, intercept);
  const selected = t.genes.filter((_, j) => coef[j] !== 0);

  // OLS: centred, minimum norm (p may exceed the training rows).
  const tr = subset(t, trainRows);
  const s = standardize(tr.x, tr.y, trainRows.length, t.p);
  const a = minNormLeastSquares(s.xs, trainRows.length, t.p, s.yc, 1);
  const olsCoef = Float64Array.from(a, (v, j) => v / s.sd[j]);
  let olsB0 = s.yMean;
  for (let j = 0; j < t.p; j++) olsB0 -= olsCoef[j] * s.mean[j];
  const olsMse = mse(t.x, t.y, testRows, t.p, olsCoef, olsB0);

  const networkMse = denseNetworkMse(t, s, trainRows, testRows, seed, opts.epochs ?? 300);

  const entered = t.genes.map((_, j) => j).filter((j) => cv.path.coefficients.some((c) => c[j] !== 0));
  const result: LassoExperimentResult = {
    task: 'lasso',
    samples: t.n,
    genes: t.p,
    trainSize: trainRows.length,
    testSize: testRows.length,
    lambda: cv.lambda1se,
    lambdaMin: cv.lambdaMin,
    selectedGenes: selected,
    plainLasso: { selectedGenes: plainSelected, testMse: mse(t.x, t.y, testRows, t.p, plain, cv.path.intercepts[l]) },
    testMse: { lasso: lassoMse, ols: olsMse, network: networkMse },
    path: {
      log10Lambda: cv.path.lambdas.map((v) => Math.log10(v)),
      genes: Object.fromEntries(entered.map((j) => [t.genes[j], cv.path.coefficients.map((c) => c[j])])),
    },
    seconds: 0,
  };
  if (t.trueGenes) {
    const truth = new Set(t.trueGenes);
    const score = (sel: string[]): { precision: number; recall: number } => {
      const hits = sel.filter((g) => truth.has(g)).length;
      return { precision: sel.length ? hits / sel.length : 0, recall: hits / truth.size };
    };
    result.trueGenes = t.trueGenes;
    Object.assign(result, score(selected));
    Object.assign(result.plainLasso, score(plainSelected));
  }
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}

/**
 * The adaptive Lasso (Zou 2006): a second Lasso whose penalty on each gene is divided by the size
 * of its first-stage coefficient (at the first stage's λ, one-standard-error rule), so that the strong genes are barely shrunk
 * and the weak ones that entered with them are pushed out; genes the first stage dropped stay out.
 * Its λ is cross-validated too (one-standard-error rule). Implemented by scaling the standardised
 * genes by those sizes and running the same coordinate descent.
 */
function adaptiveLasso(t: GeneTable, rows: number[], first: LassoCv, seed: number): { coef: Float64Array; intercept: number } {
  const lMin = first.path.lambdas.indexOf(first.lambda1se);
  const init = first.path.coefficients[lMin];
  const tr = subset(t, rows);
  const s = standardize(tr.x, tr.y, rows.length, t.p);
  const keep = t.genes.map((_, j) => j).filter((j) => init[j] !== 0);
  const coef = new Float64Array(t.p);
  if (keep.length === 0) return { coef, intercept: s.yMean };
  // Weights on the standardised scale: |β_j| · sd_j.
  const w = keep.map((j) => Math.abs(init[j]) * s.sd[j]);
  const x2 = new Float64Array(t.n * keep.length);
  for (let i = 0; i < t.n; i++) keep.forEach((j, k) => (x2[i * keep.length + k] = ((t.x[i * t.p + j] - s.mean[j]) / s.sd[j]) * w[k]));
  const second = lassoCv({ x: x2, y: t.y, n: t.n, p: keep.length, genes: keep.map((j) => t.genes[j]) }, rows, {
    seed: seed + 1,
    standardize: false,
  });
  const l = second.path.lambdas.indexOf(second.lambda1se);
  const c2 = second.path.coefficients[l];
  let intercept = second.path.intercepts[l];
  keep.forEach((j, k) => {
    coef[j] = (c2[k] * w[k]) / s.sd[j];
    intercept -= c2[k] * w[k] * (s.mean[j] / s.sd[j]);
  });
  return { coef, intercept };
}

function denseNetworkMse(t: GeneTable, s: Standardized, trainRows: number[], testRows: number[], seed: number, epochs: number): number {
  manualSeed(seed);
  const scale = (rows: number[]): Tensor => {
    const out = new Float32Array(rows.length * t.p);
    rows.forEach((i, k) => {
      for (let j = 0; j < t.p; j++) out[k * t.p + j] = (t.x[i * t.p + j] - s.mean[j]) / s.sd[j];
    });
    return new Tensor(out, [rows.length, t.p]);
  };
  const target = (rows: number[]): Tensor =>
    new Tensor(
      Float32Array.from(rows, (i) => t.y[i] - s.yMean),
      [rows.length, 1],
    );
  const nVal = Math.max(1, Math.round(trainRows.length / 5));
  const val = trainRows.slice(0, nVal);
  const fitRows = trainRows.slice(nVal);
  const model = new Sequential(
    new Linear({ inFeatures: t.p, outFeatures: 64 }),
    new ReLU(),
    new Linear({ inFeatures: 64, outFeatures: 1 }),
  );
  fit(model, {
    train: [scale(fitRows), target(fitRows)],
    validation: [scale(val), target(val)],
    epochs,
    batchSize: 32,
    optimizer: new optim.Adam(model.parameters(), { lr: 1e-3 }),
    loss: 'mse',
    callbacks: [new EarlyStopping({ monitor: 'val_loss', patience: 30, restoreBest: true })],
    verbose: 0,
  });
  const pred = predict(model, scale(testRows)).data();
  return testRows.reduce((acc, i, k) => acc + (pred[k] + s.yMean - t.y[i]) ** 2, 0) / testRows.length;
}
