import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tg from '../index.js';

// A first layer (input without gradient) after which a ReLU is fused: the kernel masks dy
// and sums the bias gradient itself; the gradients must equal those of conv then relu.
test('fused Conv1d/Conv2d + ReLU on an input without gradient: same weight and bias gradients as conv().relu()', () => {
  const { nn } = tg;
  tg.manualSeed(11);
  const cases: [tg.nn.Conv1d | tg.nn.Conv2d, number[]][] = [
    [new nn.Conv1d({ inChannels: 4, outChannels: 8, kernelSize: 12 }), [5, 4, 41]],
    [new nn.Conv2d({ inChannels: 1, outChannels: 6, kernelSize: 3 }), [3, 1, 11, 9]],
  ];
  for (const [conv, shape] of cases) {
    const x = tg.randn(shape);
    const fused = new nn.Sequential(conv, new nn.ReLU());
    const y = fused.forward(x);
    const dy = tg.randn(y.shape);
    conv.zeroGrad();
    fused.forward(x).mul(dy).sum().backward();
    const got = [conv.weight.grad!.toArray(), conv.bias!.grad!.toArray()];
    conv.zeroGrad();
    conv.forward(x).relu().mul(dy).sum().backward();
    const want = [conv.weight.grad!.toArray(), conv.bias!.grad!.toArray()];
    assert.deepEqual(got, want, `${conv.constructor.name} ${JSON.stringify(shape)}`);
  }
});
