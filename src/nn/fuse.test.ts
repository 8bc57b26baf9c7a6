/**
 * The fusion pass: every pattern in FUSIONS, run in a Sequential, gives the values and gradients
 * of its layers run one after another (the unfused path), on every backend; summary() and
 * save/load see the layers, not the fused op.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { eachBackend } from '../../test/each-backend.js';
import { assertClose } from '../../test/util.js';
import * as tg from '../index.js';
import { FUSIONS, fusePlan } from './fuse.js';

const { nn } = tg;

/** A model per pattern: the pattern's layers, then whatever makes the output 2-D. */
function models(): Array<{ name: string; layers: () => tg.nn.Module[]; input: number[] }> {
  return [
    {
      name: 'Conv2d ReLU MaxPool2d',
      input: [3, 2, 9, 9],
      layers: () => [
        new nn.Conv2d({ inChannels: 2, outChannels: 4, kernelSize: 3, padding: 1 }),
        new nn.ReLU(),
        new nn.MaxPool2d({ kernelSize: 2 }),
        new nn.Flatten(),
      ],
    },
    {
      name: 'Conv1d ReLU MaxPool1d',
      input: [3, 4, 20],
      layers: () => [
        new nn.Conv1d({ inChannels: 4, outChannels: 5, kernelSize: 5 }),
        new nn.ReLU(),
        new nn.MaxPool1d({ kernelSize: 4 }),
        new nn.Flatten(),
      ],
    },
    {
      name: 'Conv1d ReLU GlobalMaxPool1d',
      input: [3, 4, 20],
      layers: () => [new nn.Conv1d({ inChannels: 4, outChannels: 5, kernelSize: 5 }), new nn.ReLU(), new nn.GlobalMaxPool1d()],
    },
    {
      name: 'Conv2d ReLU',
      input: [3, 2, 7, 7],
      layers: () => [new nn.Conv2d({ inChannels: 2, outChannels: 4, kernelSize: 3 }), new nn.ReLU(), new nn.Flatten()],
    },
    {
      name: 'Conv1d ReLU',
      input: [3, 4, 20],
      layers: () => [new nn.Conv1d({ inChannels: 4, outChannels: 5, kernelSize: 5, dilation: 2 }), new nn.ReLU(), new nn.Flatten()],
    },
  ];
}

test('every fusion pattern has a model here, and each model is planned as one fused step', () => {
  const ms = models();
  assert.equal(ms.length, FUSIONS.length);
  for (const [i, m] of ms.entries()) {
    const steps = fusePlan(m.layers());
    assert.ok('block' in steps[0], m.name);
    assert.equal(steps[0].count, FUSIONS[i].layers.length, m.name);
  }
});

for (const m of models()) {
  test(`fused ${m.name} equals the layers run one by one: values and gradients, on every backend`, () => {
    eachBackend((backend) => {
      tg.manualSeed(3);
      const layers = m.layers();
      const fused = new nn.Sequential(...layers);
      const x = tg.randn(m.input);
      const yF = fused.forward(x);
      // Fused: no relu or pooling node of its own in the graph.
      const ops = new Set<string>();
      for (let t: tg.Tensor | undefined = yF; t?.node; t = t.node.parents[0]) ops.add(t.node.op);
      assert.ok(![...ops].some((o) => o === 'relu' || /^(max|globalMax)Pool/.test(o)), `${backend}: not fused: ${[...ops]}`);
      yF.square().sum().backward();
      const gradsF = fused.parameters().map((p) => Array.from(p.grad!.data()));
      fused.zeroGrad();
      let yU: tg.Tensor = x;
      for (const l of layers) yU = l.forward(yU);
      yU.square().sum().backward();
      assertClose(yF.data(), yU.data(), { what: `${backend} values` });
      fused.parameters().forEach((p, i) => assertClose(gradsF[i], p.grad!.data(), { what: `${backend} grad ${i}` }));
    });
  });
}

test('summary() and save/load see the layers of a fused run, and the loaded model runs fused alike', () => {
  tg.manualSeed(4);
  const model = new nn.Sequential(...models()[0].layers(), new nn.Linear({ inFeatures: 64, outFeatures: 3 }));
  const s = model.summary([2, 9, 9], { print: () => {} });
  assert.equal(s.rows.length, 5);
  const dir = mkdtempSync(join(tmpdir(), 'tsgrad-fuse-'));
  tg.save(model, dir);
  const loaded = tg.load(dir) as tg.nn.Sequential;
  const x = tg.randn([2, 2, 9, 9]);
  model.eval();
  loaded.eval();
  assert.deepEqual(Array.from(loaded.forward(x).data()), Array.from(model.forward(x).data()));
});

test('a subclass of a fused layer runs unfused, and changing the layers re-plans', () => {
  class LoudReLU extends nn.ReLU {}
  tg.manualSeed(5);
  const conv = new nn.Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3 });
  assert.ok(!('block' in fusePlan([conv, new LoudReLU()])[0]));
  const seq = new nn.Sequential(conv);
  const x = tg.randn([1, 1, 5, 5]);
  assert.match(tg.toDot(seq.forward(x).sum()), /label="conv2d\\n/);
  seq.add(new LoudReLU());
  assert.match(tg.toDot(seq.forward(x).sum()), /label="relu/);
  seq.layers[1] = new nn.ReLU();
  assert.doesNotMatch(tg.toDot(seq.forward(x).sum()), /label="relu/);
  assert.deepEqual(seq.stateDict().size, 2);
});
