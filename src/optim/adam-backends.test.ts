import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eachBackend } from '../../test/each-backend.js';
import { assertClose } from '../../test/util.js';
import * as tg from '../index.js';
import { getRuntime } from '../kernels/wasm/binding.js';

const { nn, optim } = tg;

/** A layer big enough for the wasm Adam kernel (6,000 weights), a batch, and a training step. */
function setup(): { model: tg.nn.Linear; step: (opt: tg.optim.Adam) => void } {
  tg.manualSeed(3);
  const model = new nn.Linear({ inFeatures: 200, outFeatures: 30 });
  const x = tg.randn([16, 200]);
  const y = tg.randint(0, 30, [16]);
  const step = (opt: tg.optim.Adam): void => {
    opt.zeroGrad();
    nn.crossEntropy(model.forward(x), y).backward();
    opt.step();
  };
  return { model, step };
}

test('Adam: the wasm kernel (float32, moments in the heap) follows the ref kernel (float64 arithmetic) step for step', () => {
  const weights: Float32Array[] = [];
  const ran = eachBackend(() => {
    const { model, step } = setup();
    const opt = new optim.Adam(model.parameters(), { lr: 1e-2 });
    for (let i = 0; i < 5; i++) step(opt);
    weights.push(model.weight.data() as Float32Array);
  });
  assert.deepEqual(ran, ['ref', 'wasm']);
  assertClose(weights[1], weights[0], { atol: 1e-6, rtol: 1e-5, what: 'weights after 5 Adam steps, wasm vs ref' });
});

test('Adam: a state dict taken from moments in the wasm heap resumes exactly', () => {
  eachBackend((backend) => {
    const a = setup();
    const optA = new optim.Adam(a.model.parameters(), { lr: 1e-2 });
    for (let i = 0; i < 3; i++) a.step(optA);
    const saved = optA.stateDict();
    // data() is a copy: these are the weights after step 3, whatever the optimiser does next.
    const weightsAt3 = new Map([...a.model.stateDict()].map(([k, t]) => [k, new tg.Tensor(t.data(), t.shape)]));
    a.step(optA);
    // A fresh model and optimiser, restored from step 3, take the same fourth step.
    const b = setup();
    b.model.loadStateDict(weightsAt3);
    const optB = new optim.Adam(b.model.parameters(), { lr: 1e-2 });
    optB.loadStateDict(saved);
    if (backend === 'wasm') {
      // The restored moments go where a fresh optimiser keeps them: the wasm heap.
      const m = (optB as unknown as { state: Map<tg.Tensor, Record<string, tg.Tensor>> }).state.get(b.model.weight)!.expAvg;
      assert.notEqual(getRuntime()!.addressOf(m.storage as Float32Array), undefined, 'restored moment not in the heap');
    }
    b.step(optB);
    assert.deepEqual(b.model.weight.data(), a.model.weight.data(), `${backend}: resumed step differs`);
  });
});
