import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';

test('toDot draws a digraph with op names, shapes, leaves and edges', () => {
  const w = tg.randn([3, 2], { requiresGrad: true });
  w.name = 'weight';
  const x = tg.randn([4, 3]);
  const y = x.matmul(w).relu().sum();
  const dot = tg.toDot(y);
  assert.match(dot, /^digraph tsgrad \{/);
  assert.match(dot, /\}\n$/);
  for (const op of ['matmul', 'relu', 'sum']) assert.match(dot, new RegExp(`label="${op}[^"]*"`));
  assert.match(dot, /matmul\\n\[4×2\]/, 'an op shows its output shape');
  assert.match(dot, /weight\\n\[3×2\]/, 'a named parameter shows its name and shape');
  assert.match(dot, /constant\\n\[4×3\]/, 'an input without gradient is a constant');
  const edges = dot.match(/ -> /g) ?? [];
  assert.equal(edges.length, 4, 'x->matmul, w->matmul, matmul->relu, relu->sum');
  assert.match(tg.toDot(y, { rankdir: 'LR' }), /rankdir=LR;/);
});

test('toDot shows a shared subexpression once, with two outgoing edges', () => {
  const a = tg.tensor([1, 2], { requiresGrad: true });
  const h = a.exp();
  const dot = tg.toDot(h.mul(h));
  assert.equal((dot.match(/label="exp/g) ?? []).length, 1);
  const expId = /(n\d+) \[label="exp/.exec(dot)?.[1];
  assert.equal((dot.match(new RegExp(`${expId} -> `, 'g')) ?? []).length, 2);
});
