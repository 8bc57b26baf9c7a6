import { testOp, gradcheckOp, assertFixturesCovered } from '../../test/op-harness.js';

// Against PyTorch: one axis, several axes with keepDim, all axes, a negative axis.
const REDUCE = ['all', 'axis1', 'axesKeep', 'negAxis'];
testOp('sum', ([x], o) => x.sum(o), REDUCE);
testOp('mean', ([x], o) => x.mean(o), REDUCE);
testOp('max', ([x], o) => x.max(o), REDUCE);
testOp('min', ([x], o) => x.min(o), REDUCE);
testOp('var', ([x], o) => x.var(o), [...REDUCE, 'population']);
testOp('std', ([x], o) => x.std(o), REDUCE);
testOp('logSumExp', ([x], o) => x.logSumExp(o), [...REDUCE, 'large']);
testOp('softmax', ([x], o) => x.softmax(o.axis), ['axis-1', 'axis0', 'axis1']);
testOp('logSoftmax', ([x], o) => x.logSoftmax(o.axis), ['axis-1', 'axis0', 'axis1']);
testOp('argmax', ([x], o) => x.argmax(o), ['axis1', 'all']);
testOp('argmin', ([x], o) => x.argmin(o), 'axis0Keep');
assertFixturesCovered(['sum', 'mean', 'max', 'min', 'var', 'std', 'logSumExp', 'softmax', 'logSoftmax', 'argmax', 'argmin']);

// Float64 gradcheck on seeded random inputs.
gradcheckOp('sum', ([x]) => x.sum({ axis: [0, 2] }), [[2, 3, 4]]);
gradcheckOp('mean', ([x]) => x.mean({ axis: 1, keepDim: true }), [[2, 3, 4]]);
gradcheckOp('max', ([x]) => x.max({ axis: -1 }), [[3, 5]]);
gradcheckOp('min', ([x]) => x.min(), [[3, 5]]);
gradcheckOp('var', ([x]) => x.var({ axis: 0 }), [[4, 3]]);
gradcheckOp('std', ([x]) => x.std({ axis: [1, 2], keepDim: true }), [[2, 3, 4]]);
gradcheckOp('logSumExp', ([x]) => x.logSumExp({ axis: 1 }), [[3, 4]]);
gradcheckOp('softmax', ([x]) => x.softmax(0), [[3, 4]]);
gradcheckOp('logSoftmax', ([x]) => x.logSoftmax(), [[2, 3, 4]]);
gradcheckOp('sum of broadcast', ([a, b]) => a.mul(b).mean({ axis: 0 }), [[3, 1], [4]]);
