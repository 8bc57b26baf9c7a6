import { testOp, gradcheckOp, assertFixturesCovered } from '../../test/op-harness.js';
import { tensor } from '../tensor/create.js';

// Against PyTorch: repeated indices accumulate gradients.
testOp('indexSelect', ([x, i], o) => x.indexSelect(o.dim, i), ['rowsRepeated', 'dim1']);
testOp('gather', ([x, i], o) => x.gather(o.dim, i), ['dim1Repeated', 'dim0Smaller']);
testOp('oneHot', ([i], o) => i.oneHot(o.numClasses), 'basic');
assertFixturesCovered(['indexSelect', 'gather', 'oneHot']);

// Float64 gradcheck on seeded random inputs (index tensors are fixed).
const rows = tensor([1, 1, 0, 3], { dtype: 'int32' });
gradcheckOp('indexSelect', ([x, i]) => x.indexSelect(0, i).square(), [[4, 3], rows]);
const idx = tensor(
  [
    [2, 2],
    [0, 1],
    [1, 1],
  ],
  { dtype: 'int32' },
);
gradcheckOp('gather', ([x, i]) => x.gather(1, i).square(), [[3, 4], idx]);
