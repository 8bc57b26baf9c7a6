import { testOp, gradcheckOp, assertFixturesCovered } from '../../test/op-harness.js';
import { concat, stack } from './movement.js';

// Against PyTorch, one line per op.
testOp('reshape', ([x], o) => x.reshape(o.shape), 'basic');
testOp('reshape', ([x], o) => x.transpose().reshape(o.shape), 'ofTransposed');
testOp('permute', ([x], o) => x.permute(o.dims), 'basic');
testOp('transpose', ([x]) => x.transpose(), 'last');
testOp('transpose', ([x], o) => x.transpose(o.dim0, o.dim1), 'dims');
testOp('expand', ([x], o) => x.expand(o.shape), ['basic', 'keep']);
testOp('squeeze', ([x], o) => x.squeeze(o.axis), ['all', 'axis']);
testOp('unsqueeze', ([x], o) => x.unsqueeze(o.axis), ['basic', 'last']);
testOp('flatten', ([x], o) => x.flatten(o.startDim, o.endDim), ['all', 'range']);
testOp('slice', ([x], o) => x.slice(o.ranges), ['steps', 'negative']);
testOp('narrow', ([x], o) => x.narrow(o.dim, o.start, o.length), 'basic');
testOp('select', ([x], o) => x.select(o.dim, o.index), 'basic');
testOp('concat', (xs, o) => concat(xs, o.axis), ['axis0', 'axis1']);
testOp('stack', (xs, o) => stack(xs, o.axis), ['axis0', 'last']);
testOp('pad', ([x], o) => x.pad(o.pads, o.value), ['last', 'twoAxes']);
testOp('contiguous', ([x]) => x.transpose().contiguous(), 'transposed');
assertFixturesCovered([
  'reshape',
  'permute',
  'transpose',
  'expand',
  'squeeze',
  'unsqueeze',
  'flatten',
  'slice',
  'narrow',
  'select',
  'concat',
  'stack',
  'pad',
  'contiguous',
]);

// Float64 gradcheck on seeded random inputs; a non-linear op after the view makes the check meaningful.
gradcheckOp('reshape', ([x]) => x.transpose().reshape([3, 4]).square(), [[4, 3]]);
gradcheckOp('permute', ([x]) => x.permute([1, 2, 0]).square(), [[2, 3, 4]]);
gradcheckOp('expand', ([x]) => x.expand([2, 3, 4]).square(), [[3, 1]]);
gradcheckOp('squeeze/unsqueeze', ([x]) => x.squeeze().unsqueeze(0).square(), [[3, 1, 2]]);
gradcheckOp('flatten', ([x]) => x.flatten(1).square(), [[2, 3, 2]]);
gradcheckOp(
  'slice',
  ([x]) =>
    x
      .slice([
        [1, 5, 2],
        [null, null, 2],
      ] as never)
      .square(),
  [[6, 5]],
);
gradcheckOp('narrow/select', ([x]) => x.narrow(0, 1, 2).select(1, -1).square(), [[4, 3]]);
gradcheckOp('concat', ([a, b]) => concat([a, b.square(), a], 1), [
  [2, 3],
  [2, 2],
]);
gradcheckOp('stack', ([a, b]) => stack([a, b.exp()], 1), [
  [2, 3],
  [2, 3],
]);
gradcheckOp('pad', ([x]) => x.pad([1, 0, 2, 2], -1).square(), [[2, 3]]);
