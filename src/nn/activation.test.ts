import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';
import { nn } from '../index.js';
import type { Module } from './module.js';
import type { Tensor } from '../tensor/tensor.js';

test('activation modules call their ops with their options', () => {
  tg.manualSeed(6);
  const x = tg.randn([3, 4]).mul(3);
  const cases: Array<[Module, (t: Tensor) => Tensor, object]> = [
    [new nn.ReLU(), tg.relu, {}],
    [new nn.Sigmoid(), tg.sigmoid, {}],
    [new nn.Tanh(), tg.tanh, {}],
    [new nn.LeakyReLU(), (t) => tg.leakyRelu(t, 0.01), { negativeSlope: 0.01 }],
    [new nn.LeakyReLU({ negativeSlope: 0.2 }), (t) => tg.leakyRelu(t, 0.2), { negativeSlope: 0.2 }],
    [new nn.GELU(), tg.gelu, {}],
    [new nn.SiLU(), tg.silu, {}],
    [new nn.ELU({ alpha: 0.5 }), (t) => tg.elu(t, 0.5), { alpha: 0.5 }],
    [new nn.Softplus({ beta: 2 }), (t) => tg.softplus(t, { beta: 2, threshold: 20 }), { beta: 2, threshold: 20 }],
    [new nn.Softmax(), (t) => tg.softmax(t, -1), { dim: -1 }],
    [new nn.Softmax({ axis: 0 }), (t) => tg.softmax(t, 0), { dim: 0 }],
    [new nn.Softmax({ dim: 1 }), (t) => tg.softmax(t, 1), { dim: 1 }],
    [new nn.LogSoftmax({ axis: 1 }), (t) => tg.logSoftmax(t, 1), { dim: 1 }],
    [new nn.Identity(), (t) => t, {}],
  ];
  for (const [layer, f, options] of cases) {
    const name = layer.constructor.name;
    assert.deepEqual(layer.forward(x).data(), f(x).data(), name);
    assert.deepEqual(JSON.parse(JSON.stringify((layer as unknown as { options: object }).options)), options, `${name} options`);
    assert.equal(layer.parameters().length, 0, `${name} has no parameters`);
  }
});

test('softmax layer rows sum to one and gradients flow through a layer', () => {
  const x = tg.randn([2, 5], { requiresGrad: true });
  const s = new nn.Softmax().forward(x);
  assert.ok(Array.from(s.sum({ axis: 1 }).data()).every((v) => Math.abs(v - 1) < 1e-6));
  new nn.Tanh().forward(x).sum().backward();
  assert.deepEqual(x.grad!.shape, [2, 5]);
});
