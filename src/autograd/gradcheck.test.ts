import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';

test('gradcheck accepts a correct gradient and reports a tiny error', () => {
  tg.manualSeed(0);
  const r = tg.gradcheck((a, b) => a.mul(b).sin().sum({ axis: 0 }), [tg.randn([3, 2]), tg.randn([2])]);
  assert.equal(r.ok, true);
  assert.ok(r.maxAbsError < 1e-7, `maxAbsError ${r.maxAbsError}`);
});

test('gradcheck rejects a wrong gradient and says where', () => {
  const wrong = tg.customOp({
    name: 'wrongSquare',
    forward: ([x]) => x.square(),
    backward: (dy, { inputs: [x] }) => [dy.mul(x).mul(2.01)],
  });
  const r = tg.gradcheck((x) => wrong(x), [tg.tensor([1, -2, 3])]);
  assert.equal(r.ok, false);
  assert.equal(r.worst?.input, 0);
  assert.ok(r.worst && Math.abs(r.worst.analytic / r.worst.numeric - 1.005) < 1e-6);
});

test('gradcheck checks only floating inputs (index tensors are skipped) and leaves its inputs unchanged', () => {
  const x = tg.tensor([
    [1, 2],
    [3, 4],
  ]);
  const idx = tg.tensor([1, 0, 1], { dtype: 'int32' });
  const before = Array.from(x.data());
  assert.equal(tg.gradcheck((a, i) => a.indexSelect(0, i).exp(), [x, idx]).ok, true);
  assert.deepEqual(Array.from(x.data()), before);
});

test('gradcheck throws when the output does not depend on a checked input', () => {
  assert.throws(() => tg.gradcheck((_a) => tg.tensor([1]), [tg.tensor([1])]), /gradcheck: .*does not depend/);
});
