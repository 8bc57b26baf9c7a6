import { testOp, gradcheckOp, assertFixturesCovered } from '../../test/op-harness.js';
import { tensor } from '../tensor/create.js';
import { div, gt, sub, where } from './elementwise.js';

// Against PyTorch (test/fixtures/ops.json), one line per op: forward, gradients, gradcheck, every backend.
const BROADCAST = ['same', 'row', 'outer', 'scalar'];
testOp('add', ([a, b]) => a.add(b), BROADCAST);
testOp('add', ([a], o) => a.add(o.value), 'number');
testOp('sub', ([a, b]) => a.sub(b), BROADCAST);
testOp('sub', ([a], o) => sub(o.value, a), 'numberLeft');
testOp('mul', ([a, b]) => a.mul(b), BROADCAST);
testOp('div', ([a, b]) => a.div(b), BROADCAST);
testOp('div', ([a], o) => div(o.value, a), 'numberLeft');
testOp('pow', ([a, b]) => a.pow(b), BROADCAST);
testOp('pow', ([a], o) => a.pow(o.exponent), 'scalarExponent');
testOp('maximum', ([a, b]) => a.maximum(b), BROADCAST);
testOp('minimum', ([a, b]) => a.minimum(b), BROADCAST);
testOp('neg', ([x]) => x.neg(), 'basic');
testOp('exp', ([x]) => x.exp(), 'basic');
testOp('log', ([x]) => x.log(), 'basic');
testOp('log1p', ([x]) => x.log1p(), 'basic');
testOp('sqrt', ([x]) => x.sqrt(), 'basic');
testOp('abs', ([x]) => x.abs(), 'basic');
testOp('reciprocal', ([x]) => x.reciprocal(), 'basic');
testOp('square', ([x]) => x.square(), 'basic');
testOp('relu', ([x]) => x.relu(), 'basic');
testOp('sigmoid', ([x]) => x.sigmoid(), ['basic', 'wide']);
testOp('tanh', ([x]) => x.tanh(), 'basic');
testOp('erf', ([x]) => x.erf(), 'basic');
testOp('sin', ([x]) => x.sin(), 'basic');
testOp('cos', ([x]) => x.cos(), 'basic');
testOp('leakyRelu', ([x], o) => x.leakyRelu(o.negativeSlope), ['basic', 'slope']);
testOp('softplus', ([x], o) => x.softplus(o), ['basic', 'betaThreshold']);
testOp('gelu', ([x]) => x.gelu(), 'basic');
testOp('silu', ([x]) => x.silu(), 'basic');
testOp('elu', ([x], o) => x.elu(o.alpha), ['basic', 'alpha']);
testOp('clamp', ([x], o) => x.clamp(o), ['minMax', 'min', 'max']);
testOp('where', ([c, a, b]) => where(c, a, b), ['broadcast', 'condRow']);
testOp('hardtanh', ([x], o) => x.hardtanh(o), ['basic', 'minMax']);
testOp('relu6', ([x]) => x.relu6(), 'basic');
testOp('mish', ([x]) => x.mish(), 'basic');
testOp('softsign', ([x]) => x.softsign(), 'basic');
assertFixturesCovered([
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  'neg',
  'exp',
  'log',
  'log1p',
  'sqrt',
  'abs',
  'reciprocal',
  'square',
  'relu',
  'sigmoid',
  'tanh',
  'erf',
  'sin',
  'cos',
  'leakyRelu',
  'softplus',
  'gelu',
  'silu',
  'elu',
  'clamp',
  'where',
  'hardtanh',
  'relu6',
  'mish',
  'softsign',
]);

// Float64 gradcheck on seeded random inputs, broadcasting included.
gradcheckOp('add', ([a, b]) => a.add(b), [
  [2, 1, 3],
  [4, 1],
]);
gradcheckOp('sub', ([a, b]) => a.sub(b), [[3, 4], [4]]);
gradcheckOp('mul', ([a, b]) => a.mul(b), [
  [2, 3, 1],
  [1, 4],
]);
gradcheckOp('div', ([a, b]) => a.div(b), [[3, 4], { shape: [3, 1], kind: 'nonzero' }]);
gradcheckOp('pow', ([a, b]) => a.pow(b), [{ shape: [3, 4], kind: 'positive' }, [4]]);
gradcheckOp('maximum', ([a, b]) => a.maximum(b), [
  [3, 4],
  [3, 1],
]);
gradcheckOp('minimum', ([a, b]) => a.minimum(b), [[4], [2, 4]]);
gradcheckOp('neg', ([x]) => x.neg(), [[5]]);
gradcheckOp('exp', ([x]) => x.exp(), [[2, 3]]);
gradcheckOp('log', ([x]) => x.log(), [{ shape: [2, 3], kind: 'positive' }]);
gradcheckOp('log1p', ([x]) => x.log1p(), [{ shape: [2, 3], kind: 'positive' }]);
gradcheckOp('sqrt', ([x]) => x.sqrt(), [{ shape: [2, 3], kind: 'positive' }]);
gradcheckOp('abs', ([x]) => x.abs(), [{ shape: [2, 3], kind: 'nonzero' }]);
gradcheckOp('reciprocal', ([x]) => x.reciprocal(), [{ shape: [2, 3], kind: 'nonzero' }]);
gradcheckOp('square', ([x]) => x.square(), [[2, 3]]);
gradcheckOp('relu', ([x]) => x.relu(), [{ shape: [3, 3], kind: 'nonzero' }]);
gradcheckOp('sigmoid', ([x]) => x.sigmoid(), [[2, 3]]);
gradcheckOp('tanh', ([x]) => x.tanh(), [[2, 3]]);
gradcheckOp('erf', ([x]) => x.erf(), [[2, 3]]);
gradcheckOp('sin', ([x]) => x.sin(), [[2, 3]]);
gradcheckOp('cos', ([x]) => x.cos(), [[2, 3]]);
gradcheckOp('leakyRelu', ([x]) => x.leakyRelu(0.1), [{ shape: [3, 3], kind: 'nonzero' }]);
gradcheckOp('softplus', ([x]) => x.softplus({ beta: 2 }), [[2, 3]]);
gradcheckOp('gelu', ([x]) => x.gelu(), [[2, 3]]);
gradcheckOp('silu', ([x]) => x.silu(), [[2, 3]]);
gradcheckOp('mish', ([x]) => x.mish(), [[2, 3]]);
gradcheckOp('softsign', ([x]) => x.softsign(), [[2, 3]]);
gradcheckOp('elu', ([x]) => x.elu(0.7), [{ shape: [3, 3], kind: 'nonzero' }]);
gradcheckOp('clamp', ([x]) => x.clamp({ min: -0.25, max: 0.25 }), [{ shape: [3, 3], kind: 'nonzero' }]);
gradcheckOp('where', ([a, b]) => where(gt(a, 0), a, b), [[3, 4], [4]]);
gradcheckOp('hardtanh', ([x]) => x.hardtanh({ min: -1, max: 1.5 }), [
  tensor(
    [
      [-2.5, -1.2, -0.5, 0.1],
      [0.9, 1.3, 1.7, 3],
    ],
    { dtype: 'float64' },
  ),
]);
gradcheckOp('chain', ([a, b]) => a.mul(b).add(a.exp()).div(b.square().add(1)).sum({ axis: 0 }), [[2, 3], [3]]);
