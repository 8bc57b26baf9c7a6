import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';

test('smoke: x*x backward gives 2x', () => {
  const x = tg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
  x.mul(x).sum().backward();
  assert.deepEqual(x.grad?.toArray(), [[2, 4], [6, 8]]);
});
