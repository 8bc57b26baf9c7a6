/**
 * A fused conv-ReLU-pool block keeps its argmax and a copy of its input in the wasm heap from
 * forward to backward (kernels().savedIndices, savedFloats), so that neither pass copies the
 * argmax and backward does not copy the input in again; the blocks are handed back once
 * backward has run, and the next step reuses them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tg from '../../index.js';
import { getRuntime } from './binding.js';
import { load } from './index.js';
import { watchCopies } from './test-helpers.js';

if (!load()) throw new Error('saved-arrays.test: the wasm backend did not load (run npm run build:wasm)');
const rt = getRuntime()!;
// Heap blocks exist on a shared memory only (the threaded build Node loads).
const probe = rt.persistent(1, Int32Array, false);
if (!probe) throw new Error('saved-arrays.test: the wasm memory is not shared');
rt.release(probe);

function setup() {
  tg.manualSeed(3);
  const model = tg.nn.models.fastMnistCnn();
  const x = tg.rand([16, 1, 28, 28]);
  const y = tg.randint(0, 10, [16]);
  const loss = () => tg.F.crossEntropy(model.forward(x), y);
  return { model, x, loss };
}

const grads = (m: tg.nn.Module) => m.parameters().map((p) => Array.from(p.grad!.data()));

test('training steps reuse the argmax blocks: no new heap block after the first step, and the blocks are free between steps', () => {
  const { model, loss } = setup();
  model.zeroGrad();
  loss().backward();
  const after1 = rt.persistentBlocks;
  for (let i = 0; i < 5; i++) {
    model.zeroGrad();
    loss().backward();
    assert.equal(rt.persistentBlocks.bytes, after1.bytes, `step ${i + 2} took new heap blocks`);
  }
  // The three blocks' argmax arrays (and any earlier free blocks) are free again.
  assert.ok(rt.persistentBlocks.free >= 3, `free blocks after a step: ${rt.persistentBlocks.free}`);
});

test('forward without a graph hands its argmax back at once', () => {
  const { model, x } = setup();
  tg.noGrad(() => model.forward(x));
  const before = rt.persistentBlocks;
  for (let i = 0; i < 3; i++) tg.noGrad(() => model.forward(x));
  assert.deepEqual(rt.persistentBlocks, before);
});

test('backward with retainGraph keeps the argmax for a second backward: the same gradients twice', () => {
  const { model, loss } = setup();
  const l = loss();
  model.zeroGrad();
  l.backward({ retainGraph: true });
  const first = grads(model);
  // Another graph's forward and backward in between must not take the retained blocks.
  model.zeroGrad();
  loss().backward();
  model.zeroGrad();
  l.backward();
  assert.deepEqual(grads(model), first);
  assert.throws(() => l.backward(), /retainGraph/);
});

test("a training step copies no int32 array in or out of the heap, and no array in twice: the argmax and the blocks' inputs stay where the kernels saw them", () => {
  const { model, loss } = setup();
  const step = () => {
    model.zeroGrad();
    loss().backward();
  };
  step();
  const int32: number[] = [];
  const seen = new Set<Float32Array | Int32Array>();
  const twice: number[] = [];
  watchCopies(
    rt,
    {
      copiedIn: (src) => {
        if (src instanceof Int32Array) int32.push(src.length);
        if (seen.has(src)) twice.push(src.length);
        seen.add(src);
      },
      copiedOut: (dst) => {
        if (dst instanceof Int32Array) int32.push(dst.length);
      },
    },
    step,
  );
  assert.deepEqual(int32, [], 'int32 arrays copied');
  assert.deepEqual(twice, [], 'arrays copied in twice');
});
