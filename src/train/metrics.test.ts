import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor } from '../tensor/create.js';
import { accuracy, aucRoc, confusionMatrix, f1Score, mae, mse, precision, r2Score, recall, topKAccuracy } from './metrics.js';

const i32 = (v: number[]) => tensor(v, { dtype: 'int32' });
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

test('accuracy and the confusion matrix (rows true, columns predicted)', () => {
  const pred = i32([0, 1, 1, 2, 2, 0]);
  const target = i32([0, 1, 2, 2, 1, 0]);
  close(accuracy(pred, target), 4 / 6, 'accuracy');
  assert.deepEqual(confusionMatrix(pred, target, { numClasses: 3 }), [
    [2, 0, 0],
    [0, 1, 1],
    [0, 1, 1],
  ]);
  // Scores [N, C] are argmaxed; one-hot targets too.
  const scores = tensor([
    [2, 1, 0],
    [0, 3, 1],
    [0, 1, 5],
  ]);
  close(
    accuracy(
      scores,
      tensor([
        [1, 0, 0],
        [0, 0, 1],
        [0, 0, 1],
      ]),
    ),
    2 / 3,
    'scores vs one-hot',
  );
});

test('top-k accuracy', () => {
  const scores = tensor([
    [0.1, 0.5, 0.4],
    [0.3, 0.2, 0.5],
    [0.6, 0.3, 0.1],
  ]);
  const target = i32([2, 0, 2]);
  close(topKAccuracy(scores, target, { k: 1 }), 0, 'top1');
  close(topKAccuracy(scores, target, { k: 2 }), 2 / 3, 'top2');
  close(topKAccuracy(scores, target, { k: 3 }), 1, 'top3');
});

test('precision, recall and F1: binary and macro', () => {
  // Predicted 1,1,1,1,0 against 1,0,0,1,1: tp 2, fp 2, fn 1 for class 1; class 0 has tp 0.
  const probs = tensor([0.9, 0.6, 0.7, 0.8, 0.2]);
  const target = i32([1, 0, 0, 1, 1]);
  close(precision(probs, target, { average: 'binary' }), 0.5, 'precision');
  close(recall(probs, target, { average: 'binary' }), 2 / 3, 'recall');
  close(f1Score(probs, target, { average: 'binary' }), 4 / 7, 'f1');
  close(precision(probs, target), (0 + 0.5) / 2, 'macro precision');
  close(recall(probs, target), (0 + 2 / 3) / 2, 'macro recall');
  close(f1Score(probs, target), (0 + 4 / 7) / 2, 'macro f1');
});

test('AUC-ROC, with ties counting one half', () => {
  close(aucRoc(tensor([0.1, 0.4, 0.35, 0.8]), i32([0, 0, 1, 1])), 0.75, 'sklearn example');
  close(aucRoc(tensor([0.5, 0.5, 0.2, 0.9]), i32([1, 0, 0, 1])), 3.5 / 4, 'ties');
  // Two-column scores use column 1.
  close(
    aucRoc(
      tensor([
        [0, 0.1],
        [0, 0.4],
        [0, 0.35],
        [0, 0.8],
      ]),
      i32([0, 0, 1, 1]),
    ),
    0.75,
    'two columns',
  );
  assert.throws(() => aucRoc(tensor([0.1, 0.2]), i32([1, 1])), /both classes/);
});

test('MSE, MAE and R²', () => {
  const p = tensor([1, 2, 3]);
  const t = tensor([1, 3, 5]);
  close(mse(p, t), 5 / 3, 'mse');
  close(mae(p, t), 1, 'mae');
  close(r2Score(p, t), 1 - 5 / 8, 'r2');
});
