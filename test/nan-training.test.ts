/**
 * One NaN in one input row of a ReLU network must make that step's loss NaN, so that
 * TerminateOnNaN stops training there, before the step's update writes NaN into the weights.
 * (When relu(NaN) was 0 the row's hidden units were silently zeroed: the loss stayed finite,
 * and the weight gradient 0 · NaN turned a column of the first layer's weights into NaN.)
 * Runs on ref and on wasm with the size cut-offs at 0, so that these small layers take the
 * wasm kernels (the conv + ReLU + max-pool block fused by Sequential included).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fit, manualSeed, nn, optim, randn, tensor, TerminateOnNaN, type Tensor } from '../src/index.js';
import { withWasmLimits } from '../src/kernels/wasm/index.js';
import { eachBackend } from './each-backend.js';

/** n examples with shape `shape` each, labels 0/1, and a NaN at one position of example `bad`. */
function data(n: number, shape: number[], bad: number): [Tensor, Tensor] {
  const v = randn([n, ...shape]).data();
  const per = v.length / n;
  v[bad * per + Math.floor(per / 2)] = NaN;
  const x = tensor(v, { shape: [n, ...shape] });
  const y = tensor(
    Array.from({ length: n }, (_, i) => i % 2),
    { dtype: 'int32' },
  );
  return [x, y];
}

/** The ops of the graph that made t. */
function graphOps(t: Tensor, seen = new Set<string>()): Set<string> {
  if (t.node) {
    seen.add(t.node.op);
    for (const p of t.node.parents) graphOps(p, seen);
  }
  return seen;
}

function withSmallKernels(backend: string, fn: () => void): void {
  if (backend === 'wasm') withWasmLimits({ minElements: 0, minGemmWork: 0 }, fn);
  else fn();
}

/** Trains 3 epochs of 4 batches of 8 with the NaN in example 11 (step 2 of epoch 1). */
function trainStopsAtTheNaN(model: nn.Sequential, x: Tensor, y: Tensor, where: string): void {
  const h = fit(model, {
    train: [x, y],
    epochs: 3,
    batchSize: 8,
    shuffle: false,
    verbose: 0,
    optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }),
    callbacks: [new TerminateOnNaN()],
  });
  assert.deepEqual({ epoch: h.stopped?.epoch, step: h.stopped?.step }, { epoch: 0, step: 1 }, `${where}: ${JSON.stringify(h.stopped)}`);
  assert.match(h.stopped?.reason ?? '', /TerminateOnNaN: loss is NaN at epoch 1, step 2\/4/);
  for (const p of model.parameters()) {
    assert.ok(p.data().every(Number.isFinite), `${where}: a parameter holds NaN or Inf after the run`);
  }
}

test('a NaN in one input row of Linear → ReLU → Linear makes the loss NaN and TerminateOnNaN stops at that step', () => {
  const ran = eachBackend((backend) =>
    withSmallKernels(backend, () => {
      manualSeed(3);
      const [x, y] = data(32, [4], 11);
      const model = new nn.Sequential(
        new nn.Linear({ inFeatures: 4, outFeatures: 32 }),
        new nn.ReLU(),
        new nn.Linear({ inFeatures: 32, outFeatures: 2 }),
      );
      trainStopsAtTheNaN(model, x, y, `MLP on ${backend}`);
    }),
  );
  assert.ok(ran.includes('ref'));
});

test('a NaN in one input image of Conv2d → ReLU → MaxPool2d (fused) makes the loss NaN and TerminateOnNaN stops at that step', () => {
  const ran = eachBackend((backend) =>
    withSmallKernels(backend, () => {
      manualSeed(4);
      const [x, y] = data(32, [1, 8, 8], 11);
      const model = new nn.Sequential(
        new nn.Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3 }),
        new nn.ReLU(),
        new nn.MaxPool2d({ kernelSize: 2 }),
        new nn.Flatten(),
        new nn.Linear({ inFeatures: 36, outFeatures: 2 }),
      );
      assert.ok(graphOps(model.forward(x)).has('conv2dReluMaxPool'), 'Sequential did not fuse the conv block');
      trainStopsAtTheNaN(model, x, y, `CNN on ${backend}`);
    }),
  );
  assert.ok(ran.includes('ref'));
});
