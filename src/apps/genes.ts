import { arg, is } from '../util/args.js';
import { noGrad } from '../autograd/engine.js';
import { tensor } from '../tensor/create.js';
import { mseLoss } from '../nn/losses.js';
import { add, matmul } from '../ops/index.js';
import { SGD } from '../optim/index.js';
import { Rng } from '../util/rng.js';
import { TsgradError } from '../util/errors.js';

/** A regression data set: rows of gene expression and one response per row. */
export interface GeneData {
  /** Row-major [n, p] expression matrix. */
  x: Float64Array;
  y: Float64Array;
  n: number;
  p: number;
  featureNames: string[];
  targetName: string;
  /** The coefficients and intercept the synthetic data was drawn from (absent for user data). */
  truth?: { coefficients: number[]; intercept: number; noise: number };
}

export interface SyntheticGenesOptions {
  n?: number;
  noise?: number;
  seed?: number;
  coefficients?: number[];
  intercept?: number;
}

/**
 * The lecture's "consider 4 genes": expression of four genes (log-scale, correlated like
 * co-regulated genes are) and a response that is linear in them plus Gaussian noise. Seeded;
 * `truth` keeps the coefficients to compare a fit with.
 * @example const d = syntheticGenes({ n: 200, seed: 1 }); // 200 rows × 4 genes, truth.coefficients [1.5, -2, 0.75, 0]
 */
export function syntheticGenes(opts: SyntheticGenesOptions = {}): GeneData {
  arg('syntheticGenes', 'opts', opts, is.optional(is.object));
  const { n = 500, noise = 0.1, seed = 7, coefficients = [1.5, -2.0, 0.75, 0.0], intercept = 0.5 } = opts;
  const p = coefficients.length;
  const rng = new Rng(seed);
  const x = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // A shared "pathway activity" makes the genes correlated; each has its own mean level.
    const pathway = rng.normal();
    let yi = intercept;
    for (let j = 0; j < p; j++) {
      const v = 2 + j + 0.6 * pathway + 0.8 * rng.normal();
      x[i * p + j] = v;
      yi += coefficients[j] * v;
    }
    y[i] = yi + noise * rng.normal();
  }
  return {
    x,
    y,
    n,
    p,
    featureNames: coefficients.map((_, j) => `gene${j + 1}`),
    targetName: 'response',
    truth: { coefficients, intercept, noise },
  };
}

/**
 * Builds a data set from parsed CSV columns: every column but the target is a feature. `file`
 * names the source in errors.
 * @example
 * const { header, rows } = readCsv('expression.csv');
 * const d = genesFromColumns(header, rows, 'response', 'expression.csv');
 */
export function genesFromColumns(header: string[], rows: number[][], target: string, file = 'CSV'): GeneData {
  arg('genesFromColumns', 'header', header, is.arrayOf(is.string));
  const t = header.indexOf(target);
  if (t < 0) throw new TsgradError(`genes: target column '${target}' is not in ${file} (columns: ${header.join(', ')})`);
  const features = header.filter((_, j) => j !== t);
  if (features.length === 0) throw new TsgradError(`genes: ${file} has no feature column besides '${target}'`);
  const n = rows.length;
  const p = features.length;
  const x = new Float64Array(n * p);
  const y = new Float64Array(n);
  rows.forEach((r, i) => {
    let k = 0;
    r.forEach((v, j) => {
      if (j === t) y[i] = v;
      else x[i * p + k++] = v;
    });
  });
  return { x, y, n, p, featureNames: features, targetName: target };
}

/**
 * Ordinary least squares in closed form: solves (X1ᵀX1) β = X1ᵀy for X1 = [1, X]
 * by Gaussian elimination with partial pivoting, in float64: the exact answer gradient descent
 * should reach (fitGenes reports both).
 * @example const { coefficients, intercept } = leastSquares(syntheticGenes()); // ≈ [1.5, -2, 0.75, 0], 0.5
 */
export function leastSquares(d: GeneData): { coefficients: number[]; intercept: number } {
  arg('leastSquares', 'd', d, is.object);
  const q = d.p + 1;
  const a = Array.from({ length: q }, () => new Float64Array(q + 1));
  for (let i = 0; i < d.n; i++) {
    const row = [1, ...d.x.subarray(i * d.p, (i + 1) * d.p)];
    for (let r = 0; r < q; r++) {
      for (let c = 0; c < q; c++) a[r][c] += row[r] * row[c];
      a[r][q] += row[r] * d.y[i];
    }
  }
  for (let c = 0; c < q; c++) {
    let piv = c;
    for (let r = c + 1; r < q; r++) if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) piv = r;
    if (Math.abs(a[piv][c]) < 1e-12) throw new TsgradError('genes: the features are collinear; least squares has no unique solution');
    [a[c], a[piv]] = [a[piv], a[c]];
    for (let r = 0; r < q; r++) {
      if (r === c) continue;
      const f = a[r][c] / a[c][c];
      for (let k = c; k <= q; k++) a[r][k] -= f * a[c][k];
    }
  }
  const beta = a.map((row, i) => row[q] / row[i]);
  return { intercept: beta[0], coefficients: beta.slice(1) };
}

export interface FitGenesOptions {
  epochs?: number;
  lr?: number;
  momentum?: number;
  /** Called every `logEvery` epochs with the training loss. */
  onEpoch?: (epoch: number, loss: number) => void;
  logEvery?: number;
}

export interface GenesResult {
  task: 'genes';
  featureNames: string[];
  coefficients: number[];
  intercept: number;
  closedFormCoefficients: number[];
  closedFormIntercept: number;
  trueCoefficients?: number[];
  trueIntercept?: number;
  r2: number;
  mse: number;
  epochs: number;
  lossCurve: Array<{ epoch: number; loss: number }>;
}

/**
 * Fits y = Xβ + b by full-batch gradient descent through the computational graph
 * (MSE loss, backward, SGD step), on standardised features so that one learning rate
 * suits every gene; the coefficients are mapped back to the original units.
 * @example
 * const r = fitGenes(syntheticGenes(), { epochs: 300, lr: 0.1 });
 * r.coefficients; // ≈ r.closedFormCoefficients ≈ [1.5, -2, 0.75, 0]; r.r2 ≈ 0.998
 */
export function fitGenes(d: GeneData, opts: FitGenesOptions = {}): GenesResult {
  arg('fitGenes', 'd', d, is.object);
  arg('fitGenes', 'opts', opts, is.optional(is.object));
  const { epochs = 500, lr = 0.1, momentum = 0.9, logEvery = 50 } = opts;
  if (d.n < d.p + 1) throw new TsgradError(`genes: ${d.n} rows are too few for ${d.p} features and an intercept`);
  const mean = new Float64Array(d.p);
  const sd = new Float64Array(d.p);
  for (let j = 0; j < d.p; j++) {
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < d.n; i++) s += d.x[i * d.p + j];
    mean[j] = s / d.n;
    for (let i = 0; i < d.n; i++) s2 += (d.x[i * d.p + j] - mean[j]) ** 2;
    sd[j] = Math.sqrt(s2 / d.n) || 1;
  }
  const z = new Float32Array(d.n * d.p);
  for (let i = 0; i < d.n; i++) for (let j = 0; j < d.p; j++) z[i * d.p + j] = (d.x[i * d.p + j] - mean[j]) / sd[j];
  const X = tensor(z, { shape: [d.n, d.p] });
  const Y = tensor(Float32Array.from(d.y), { shape: [d.n, 1] });
  const w = tensor(new Float32Array(d.p), { shape: [d.p, 1], requiresGrad: true });
  const b = tensor([0], { requiresGrad: true });
  w.name = 'w';
  b.name = 'b';
  const opt = new SGD([w, b], { lr, momentum });
  const lossCurve: Array<{ epoch: number; loss: number }> = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    opt.zeroGrad();
    const loss = mseLoss(add(matmul(X, w), b), Y);
    loss.backward();
    opt.step();
    const v = loss.item();
    if (!Number.isFinite(v)) throw new TsgradError(`genes: loss became ${v} at epoch ${epoch}; lower the learning rate (lr = ${lr})`);
    if (epoch === 1 || epoch % logEvery === 0 || epoch === epochs) {
      lossCurve.push({ epoch, loss: v });
      opts.onEpoch?.(epoch, v);
    }
  }
  const wz = Array.from(w.data());
  const coefficients = wz.map((v, j) => v / sd[j]);
  const intercept = b.item() - wz.reduce((s, v, j) => s + (v * mean[j]) / sd[j], 0);
  const { mse, r2 } = noGrad(() => scores(d, coefficients, intercept));
  const cf = leastSquares(d);
  return {
    task: 'genes',
    featureNames: d.featureNames,
    coefficients,
    intercept,
    closedFormCoefficients: cf.coefficients,
    closedFormIntercept: cf.intercept,
    trueCoefficients: d.truth?.coefficients,
    trueIntercept: d.truth?.intercept,
    r2,
    mse,
    epochs,
    lossCurve,
  };
}

/**
 * Mean squared error and R² = 1 - SS_res / SS_tot of a linear model on the data, e.g. to score
 * coefficients fitted on one data set against another.
 * @example
 * const { coefficients, intercept } = leastSquares(train);
 * const { mse, r2 } = scores(test, coefficients, intercept);
 */
export function scores(d: GeneData, coefficients: number[], intercept: number): { mse: number; r2: number } {
  arg('scores', 'coefficients', coefficients, is.arrayOf(is.number));
  let ssRes = 0;
  let ssTot = 0;
  let ym = 0;
  for (let i = 0; i < d.n; i++) ym += d.y[i] / d.n;
  for (let i = 0; i < d.n; i++) {
    let pred = intercept;
    for (let j = 0; j < d.p; j++) pred += coefficients[j] * d.x[i * d.p + j];
    ssRes += (d.y[i] - pred) ** 2;
    ssTot += (d.y[i] - ym) ** 2;
  }
  return { mse: ssRes / d.n, r2: 1 - ssRes / ssTot };
}
