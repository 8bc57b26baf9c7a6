import { test } from 'node:test';
import assert from 'node:assert/strict';
import { broadcastShapes, contiguousStrides, normAxes, normAxis, shapesEqual, sizeOf } from './shape.js';
import { TsgradError, check, fmtShape } from './errors.js';

test('sizeOf and contiguousStrides', () => {
  assert.equal(sizeOf([]), 1);
  assert.equal(sizeOf([2, 3, 4]), 24);
  assert.equal(sizeOf([2, 0]), 0);
  assert.deepEqual(contiguousStrides([2, 3, 4]), [12, 4, 1]);
  assert.deepEqual(contiguousStrides([]), []);
});

test('broadcastShapes follows NumPy and names the op on failure', () => {
  assert.deepEqual(broadcastShapes('add', [3, 4], [4]), [3, 4]);
  assert.deepEqual(broadcastShapes('add', [2, 1, 3], [4, 1]), [2, 4, 3]);
  assert.deepEqual(broadcastShapes('add', [], [2, 3]), [2, 3]);
  assert.deepEqual(broadcastShapes('add', [1], [0]), [0]);
  assert.throws(
    () => broadcastShapes('mul', [2, 3], [3, 2]),
    /^TsgradError: mul: cannot broadcast shapes \[2,3\] and \[3,2\] \(dimension 0: 2 vs 3\)/,
  );
});

test('normAxis and normAxes', () => {
  assert.equal(normAxis('sum', -1, 3), 2);
  assert.throws(() => normAxis('sum', 3, 3), /sum: axis 3 is out of range for a tensor of rank 3/);
  assert.throws(() => normAxis('sum', 0.5, 3), /axis 0.5/);
  assert.deepEqual(normAxes('sum', undefined, 3), [0, 1, 2]);
  assert.deepEqual(normAxes('sum', [-1, 0, 2], 3), [0, 2]);
  assert.equal(shapesEqual([1, 2], [1, 2]), true);
  assert.equal(shapesEqual([1, 2], [2]), false);
});

test('check and fmtShape build TsgradErrors prefixed with the op', () => {
  assert.equal(fmtShape([8, 3, 28, 28]), '[8,3,28,28]');
  assert.throws(
    () => check(false, 'conv2d', () => 'bad'),
    (e: Error) => e instanceof TsgradError && e.message === 'conv2d: bad',
  );
  assert.doesNotThrow(() =>
    check(true, 'x', () => {
      throw new Error('message built only on failure');
    }),
  );
});
