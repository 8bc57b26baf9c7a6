import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitGenes, genesFromColumns, leastSquares, syntheticGenes } from './genes.js';

test('genes: gradient descent recovers the known coefficients and matches the closed form', () => {
  const data = syntheticGenes({ n: 1000, noise: 0.05, seed: 3 });
  const r = fitGenes(data, { epochs: 400 });
  const truth = data.truth!;
  r.coefficients.forEach((c, j) =>
    assert.ok(Math.abs(c - truth.coefficients[j]) < 1e-2, `coef ${j}: ${c} vs true ${truth.coefficients[j]}`),
  );
  assert.ok(Math.abs(r.intercept - truth.intercept) < 5e-2, `intercept ${r.intercept} vs ${truth.intercept}`);
  r.coefficients.forEach((c, j) =>
    assert.ok(Math.abs(c - r.closedFormCoefficients[j]) < 1e-3, `coef ${j}: GD ${c} vs closed form ${r.closedFormCoefficients[j]}`),
  );
  assert.ok(Math.abs(r.intercept - r.closedFormIntercept) < 1e-2);
  assert.ok(r.r2 > 0.99, `R² ${r.r2}`);
  // The loss curve falls.
  assert.ok(r.lossCurve[r.lossCurve.length - 1].loss < r.lossCurve[0].loss / 10);
});

test('genes: least squares solves an exactly linear system', () => {
  const d = genesFromColumns(
    ['a', 'b', 'y'],
    [
      [1, 0, 3],
      [0, 1, -1],
      [1, 1, 1],
      [2, 3, -1],
    ],
    'y',
  );
  const { coefficients, intercept } = leastSquares(d);
  // y = 1 + 2a - 2b fits all four rows exactly.
  assert.ok(Math.abs(coefficients[0] - 2) < 1e-9 && Math.abs(coefficients[1] + 2) < 1e-9 && Math.abs(intercept - 1) < 1e-9);
});

test('genes: a missing target column is a clear error', () => {
  assert.throws(() => genesFromColumns(['a', 'b'], [[1, 2]], 'y', 'data.csv'), /target column 'y' is not in data.csv \(columns: a, b\)/);
});
