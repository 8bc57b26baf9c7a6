/**
 * Issue 13's "what it must show", at test size: the random-features risk curve peaks at the
 * interpolation threshold and falls far below the peak beyond it, with the norm peaking there too
 * and training loss ~0 from N = n on; the minimum-norm solver agrees with ml-matrix's
 * pseudo-inverse; the Lasso recovers the true genes and predicts best; bad input is named.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Matrix, pseudoInverse } from 'ml-matrix';
import * as tg from '../src/index.js';
import { assertClose, repoPath } from './util.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
const tmp = mkdtempSync(join(tmpdir(), 'tsgrad-dd-'));

test('random Fourier features on 100 MNIST images: the test loss peaks at N ≈ n and is ≥ 2× lower at N = 20 n', () => {
  const n = 100;
  const features = [5, 10, 20, 40, 60, 70, 80, 90, 100, 110, 120, 150, 200, 400, 1000, 2000];
  const r = tg.doubleDescent({ n, testSize: 1000, features, verbose: 0 });
  assert.ok(r.peakFeatures >= 0.7 * n && r.peakFeatures <= 1.5 * n, `peak at ${r.peakFeatures}`);
  const peak = r.points.find((p) => p.features === r.peakFeatures)!;
  const far = r.points.find((p) => p.features === 20 * n)!;
  assert.ok(far.testLoss * 2 <= peak.testLoss, `loss ${far.testLoss} at 20n against ${peak.testLoss} at the peak`);
  const normPeak = r.points.reduce((a, b) => (b.norm > a.norm ? b : a));
  assert.ok(normPeak.features >= 0.7 * n && normPeak.features <= 1.5 * n, `norm peaks at ${normPeak.features}`);
  for (const p of r.points) if (p.features >= n) assert.ok(p.trainLoss < 1e-6, `training loss ${p.trainLoss} at N = ${p.features}`);
  assert.ok(r.points[0].trainLoss > 0.1);
});

test('minimum-norm least squares equals the pseudo-inverse solution, wide and tall', () => {
  const rng = new tg.Rng(3);
  for (const [n, N] of [
    [12, 30],
    [30, 12],
    [20, 20],
  ]) {
    const phi = Float64Array.from({ length: n * N }, () => rng.normal());
    const y = Float64Array.from({ length: n * 2 }, () => rng.normal());
    const a = tg.minNormLeastSquares(phi, n, N, y, 2);
    const P = new Matrix(Array.from({ length: n }, (_, i) => Array.from(phi.subarray(i * N, (i + 1) * N))));
    const Y = new Matrix(Array.from({ length: n }, (_, i) => [y[2 * i], y[2 * i + 1]]));
    const want = pseudoInverse(P).mmul(Y).to1DArray();
    assertClose(Array.from(a), want, { atol: 1e-8, rtol: 1e-6, what: `${n}×${N}` });
  }
});

test('the Lasso: soft-thresholding on orthogonal genes; on the default synthetic genes it finds the true ones and predicts best', () => {
  // Orthogonal standardised columns: the Lasso solution is the soft-thresholded least-squares one.
  const x = Float64Array.from([1, 1, -1, 1, 1, -1, -1, -1]);
  const y = Float64Array.from([3, 1, -1, -3]);
  const path = tg.lassoPath(x, y, 4, 2, { lambdas: [0.5] });
  // OLS on these columns: β = Xᵀy/n = [1, 2]; soft-thresholded by 0.5: [0.5, 1.5].
  assertClose(Array.from(path.coefficients[0]), [0.5, 1.5], { atol: 1e-6 });
  const r = tg.lassoExperiment(tg.syntheticExpression({ seed: 1 }), { seed: 0, epochs: 100 });
  assert.ok(r.precision! >= 0.9 && r.recall! >= 0.9, `precision ${r.precision}, recall ${r.recall}`);
  const best = Math.min(r.testMse.lasso, r.testMse.ols, r.testMse.network);
  assert.ok(r.testMse.lasso <= 1.1 * best, `Lasso ${r.testMse.lasso} against the best ${best}`);
  assert.ok(r.plainLasso.recall! >= 0.9);
});

test('tsgrad experiment: bad flags and bad CSVs are refused, naming the flag or the line', () => {
  let r = run('experiment', 'double-descent', '--features', '10,0,20');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--features: 0 is not a number of features in 1 … 100 n = 100000/);
  r = run('experiment', 'double-descent', '--n', '100', '--features', '20000');
  assert.match(r.stderr, /--features: 20000 is not a number of features in 1 … 100 n = 10000/);
  r = run('experiment', 'double-descent', '--n', '70000');
  assert.match(r.stderr, /--n 70000 is larger than MNIST's 60000 training images/);
  const csv = join(tmp, 'genes.csv');
  writeFileSync(csv, 'a,b,y\n' + Array.from({ length: 12 }, (_, i) => `${i},${i * 2},${i % 3}`).join('\n'));
  r = run('experiment', 'lasso', '--csv', csv, '--target', 'response');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /genes\.csv: no column 'response' \(columns: a, b, y\)/);
  writeFileSync(csv, 'a,b,y\n1,2,3\n4,five,6\n');
  r = run('experiment', 'lasso', '--csv', csv, '--target', 'y');
  assert.match(r.stderr, /line 3/);
  r = run('experiment', 'lasso', '--target', 'y');
  assert.match(r.stderr, /--target names a column of --csv, which is missing/);
  r = run('experiment', 'nonsense');
  assert.match(r.stderr, /unknown experiment 'nonsense'/);
});
