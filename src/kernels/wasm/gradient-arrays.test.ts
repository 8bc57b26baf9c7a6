/**
 * A convolution's dx is written into a wasm heap block (kernels().gradientArray) that the op
 * below reads without copying it in, and backward hands the block back once that op has run
 * (autograd/engine.ts, recycle), so that a training loop reuses the same blocks every step.
 * Handing a block back early would be silent corruption: these tests build the graphs where it
 * could happen and check the gradients against the same graph with the blocks turned off.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tg from '../../index.js';
import { getRuntime } from './binding.js';
import { load } from './index.js';
import { watchCopies } from './test-helpers.js';

if (!load()) throw new Error('gradient-arrays.test: the wasm backend did not load (run npm run build:wasm)');
const rt = getRuntime()!;
const probe = rt.persistent(1, Float32Array, false);
if (!probe) throw new Error('gradient-arrays.test: the wasm memory is not shared');
rt.release(probe);

const k = tg.kernels() as { gradientArray: (n: number) => Float32Array | null };

/** Runs fn with gradientArray off (every dx a fresh array, nothing recycled). */
function withoutGradientArrays<T>(fn: () => T): T {
  const own = Object.getOwnPropertyDescriptor(k, 'gradientArray')!;
  k.gradientArray = () => null;
  try {
    return fn();
  } finally {
    Object.defineProperty(k, 'gradientArray', own);
  }
}

const values = (ts: tg.Tensor[]) => ts.map((t) => Array.from(t.data()));

test("backward copies no convolution's dx out of the heap or into it, and steps after the first take no new heap block", () => {
  tg.manualSeed(5);
  const model = tg.nn.models.fastMnistCnn();
  const x = tg.rand([16, 1, 28, 28]);
  const y = tg.randint(0, 10, [16]);
  const forward = () => {
    model.zeroGrad();
    return tg.F.crossEntropy(model.forward(x), y);
  };
  forward().backward();
  const blocks = rt.persistentBlocks.bytes;
  // The gradients of the second and third blocks' inputs: [16, 16, 14, 14] and [16, 32, 7, 7].
  const dxSizes = new Set([16 * 16 * 14 * 14, 16 * 32 * 7 * 7]);
  const copied: string[] = [];
  const report = (what: string) => (a: Float32Array | Int32Array) => {
    if (dxSizes.has(a.length)) copied.push(`${what} ${a.length}`);
  };
  // Forward outputs have these sizes too: only backward is watched.
  for (let i = 0; i < 3; i++) {
    const loss = forward();
    watchCopies(rt, { copiedIn: report('in'), copiedOut: report('out') }, () => loss.backward());
  }
  assert.deepEqual(copied, []);
  assert.equal(rt.persistentBlocks.bytes, blocks, 'steps after the first took new heap blocks');
});

test('the gradients are those of the same steps with every dx in a fresh array', () => {
  const run = () => {
    tg.manualSeed(6);
    const model = tg.nn.models.fastMnistCnn();
    const x = tg.rand([8, 1, 28, 28]);
    const y = tg.randint(0, 10, [8]);
    const out: number[][][] = [];
    for (let i = 0; i < 3; i++) {
      model.zeroGrad();
      tg.F.crossEntropy(model.forward(x), y).backward();
      out.push(values(model.parameters().map((p) => p.grad!)));
    }
    return out;
  };
  assert.deepEqual(run(), withoutGradientArrays(run));
});

/**
 * Two convolutions a and b of x0 (same shape as their outputs), joined by `fork` (a + b), then
 * a third convolution c. c's dx is a gradient array S; fork passes S itself to both a and b.
 */
function forkGraph(forkDrops: boolean) {
  const fork = tg.defineOp<undefined, undefined>({
    name: 'fork',
    dropsGradient: forkDrops,
    forward: ([a, b]) => a.add(b),
    backward: (dy) => [dy, dy],
  });
  tg.manualSeed(7);
  const x0 = tg.randn([4, 8, 10, 10], { requiresGrad: true });
  const [wa, wb, wc] = [0, 1, 2].map(() => tg.randn([8, 8, 3, 3], { requiresGrad: true }));
  const conv = (x: tg.Tensor, w: tg.Tensor) => tg.F.conv2d(x, w, null, { padding: 1 });
  const loss = () =>
    conv(fork([conv(x0, wa), conv(x0, wb)], undefined), wc)
      .square()
      .sum();
  return { loss, leaves: [x0, wa, wb, wc] };
}

test('a gradient array that an op passes on to two inputs is handed back only after both have read it', () => {
  for (const forkDrops of [true, false]) {
    const run = () => {
      const { loss, leaves } = forkGraph(forkDrops);
      loss().backward();
      return values(leaves.map((t) => t.grad!));
    };
    // Handed back at fork, S would be the block of a's dx (same size, zeroed) before b reads it.
    assert.deepEqual(run(), withoutGradientArrays(run), `fork with dropsGradient: ${forkDrops}`);
  }
});

test('an op without dropsGradient may keep dy: its storage is never handed back', () => {
  let kept: tg.Tensor | null = null;
  const spy = tg.customOp({
    name: 'spy',
    forward: ([x]) => x.mul(1),
    backward: (dy) => {
      kept = dy;
      return [dy];
    },
  });
  tg.manualSeed(8);
  const x0 = tg.randn([4, 8, 10, 10], { requiresGrad: true });
  const [wa, wb] = [0, 1].map(() => tg.randn([8, 8, 3, 3], { requiresGrad: true }));
  const conv = (x: tg.Tensor, w: tg.Tensor) => tg.F.conv2d(x, w, null, { padding: 1 });
  // b's dx reaches spy, whose input is a's output: a would hand the storage back after spy.
  // Each step's loss is scaled differently, so that a reused block would hold other values.
  const step = (scale: number) =>
    conv(spy(conv(x0, wa)), wb)
      .square()
      .sum()
      .mul(scale)
      .backward();
  step(1);
  const first = kept as tg.Tensor | null;
  assert.ok(first);
  const before = Array.from(first.data());
  assert.ok(before.some((v) => v !== 0));
  // Later steps take gradient arrays of the same size: none may be the first step's dy.
  for (let i = 0; i < 3; i++) step(i + 2);
  assert.notEqual(kept, first);
  assert.deepEqual(Array.from(first.data()), before);
});

test('a convolution that applies its fused ReLU mask to a gradient in the heap does so on a copy: the other reader of that gradient sees it unmasked', () => {
  const run = () => {
    tg.manualSeed(9);
    // x0 needs no gradient, so the first convolution's kernel applies the ReLU mask itself.
    const x0 = tg.randn([4, 8, 10, 10]);
    const [w1, w2, w3] = [0, 1, 2].map(() => tg.randn([8, 8, 3, 3], { requiresGrad: true }));
    const y1 = tg.F.convBlock(x0, w1, null, { padding: 1 }, { activation: 'relu' });
    const y2 = tg.F.conv2d(x0, w2, null, { padding: 1 });
    // add passes the third convolution's dx (a gradient array) to both y1 and y2.
    tg.F.conv2d(y2.add(y1), w3, null, { padding: 1 }).square().sum().backward();
    return values([w1, w2, w3].map((t) => t.grad!));
  };
  assert.deepEqual(run(), withoutGradientArrays(run));
});

test('defineOp refuses a dropsGradient that is not a boolean, naming the option', () => {
  assert.throws(() => tg.defineOp({ name: 'x', forward: ([a]) => a, backward: (dy) => [dy], dropsGradient: 'yes' as never }), {
    message: /^defineOp: option 'dropsGradient' must be a boolean, got "yes"$/,
  });
});
