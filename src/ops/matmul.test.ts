import { testOp, gradcheckOp, assertFixturesCovered } from '../../test/op-harness.js';

// Against PyTorch: 2-D, batched, broadcast batch axes, vectors on either side, transposed views.
testOp('matmul', ([a, b]) => a.matmul(b), [
  '2d',
  'batched',
  'batchBroadcast',
  'batchBroadcast4d',
  'vecMat',
  'matVec',
  'dot',
  'vecBatched',
  'odd',
]);
testOp('matmul', ([a, b]) => a.transpose().matmul(b), 'transposedA');
testOp('matmul', ([a, b]) => a.matmul(b.transpose()), 'transposedB');
assertFixturesCovered(['matmul']);

// Float64 gradcheck on seeded random inputs.
gradcheckOp('matmul', ([a, b]) => a.matmul(b), [
  [3, 4],
  [4, 2],
]);
gradcheckOp('matmul batched', ([a, b]) => a.matmul(b), [
  [2, 3, 4],
  [2, 4, 2],
]);
gradcheckOp('matmul broadcast', ([a, b]) => a.matmul(b), [
  [2, 1, 3, 4],
  [3, 4, 2],
]);
gradcheckOp('matmul vector', ([a, b]) => a.matmul(b), [[4], [2, 4, 3]]);
gradcheckOp('matmul dot', ([a, b]) => a.matmul(b), [[4], [4]]);
gradcheckOp('matmul transposed', ([a, b]) => a.transpose().matmul(b.transpose()), [
  [4, 3],
  [2, 4],
]);
