import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertClose } from '../../test/util.js';
import { assertGradcheck, eachBackend } from '../../test/each-backend.js';
import * as tg from '../index.js';

const { F, nn } = tg;

interface Case {
  x: number[];
  w: number[];
  conv: tg.Conv2dOptions;
  pool: tg.Pool2dOptions;
}

const cases: Case[] = [
  // The Keras CNN's conv2 block, smaller: Winograd on wasm.
  { x: [3, 8, 12, 12], w: [16, 8, 3, 3], conv: {}, pool: { kernelSize: 2 } },
  // Strided, padded, dilated convolution; overlapping padded windows (gradients add up).
  { x: [2, 3, 11, 10], w: [5, 3, 3, 3], conv: { stride: 2, padding: 1, dilation: [1, 2] }, pool: { kernelSize: 3, stride: 2, padding: 1 } },
  { x: [2, 4, 9, 9], w: [6, 2, 3, 3], conv: { padding: 'same', groups: 2 }, pool: { kernelSize: [2, 3], stride: 1 } },
];

test('conv2dReluMaxPool equals maxPool2d(relu(conv2d)) in values and gradients, on every backend', () => {
  const ran = eachBackend((backend) => {
    for (const c of cases) {
      tg.manualSeed(5);
      const x = tg.randn(c.x, { requiresGrad: true });
      const w = tg.randn(c.w, { requiresGrad: true });
      // A negative bias: many windows are wholly cut by the ReLU, whose gradient must be 0.
      const b = tg.randn([c.w[0]]).sub(1);
      b.requiresGrad = true;
      const what = `${backend} ${JSON.stringify(c)}`;
      const fused = F.convBlock(x, w, b, c.conv, { activation: 'relu', pool: { type: 'max', ...c.pool } });
      const plain = F.maxPool2d(F.conv2d(x, w, b, c.conv).relu(), c.pool);
      assert.deepEqual(fused.shape, plain.shape, what);
      assertClose(fused.data() as Float32Array, plain.data() as Float32Array, { atol: 1e-5, rtol: 1e-5, what: `${what} values` });
      assert.ok(
        plain.data().some((v) => v === 0),
        `${what}: the case must have windows cut by the ReLU`,
      );
      const dy = tg.randn(fused.shape);
      const grads = (y: tg.Tensor): Float32Array[] => {
        for (const t of [x, w, b]) t.grad = null;
        y.mul(dy).sum().backward();
        return [x, w, b].map((t) => t.grad!.data() as Float32Array);
      };
      const got = grads(fused);
      const want = grads(plain);
      ['dx', 'dw', 'db'].forEach((name, i) => assertClose(got[i], want[i], { atol: 1e-4, rtol: 1e-4, what: `${what} ${name}` }));
    }
  });
  assert.deepEqual(ran, ['ref', 'wasm']);
});

test('conv2dReluMaxPool passes a float64 gradcheck for x, weight and bias', () => {
  tg.manualSeed(6);
  const c = cases[1];
  const x = tg.randn(c.x, { dtype: 'float64', requiresGrad: true });
  const w = tg.randn(c.w, { dtype: 'float64', requiresGrad: true });
  // Values away from 0 so that no central difference crosses the ReLU's kink or a window's tie.
  const b = tg.tensor([0.3, -0.4, 0.5, -2, 0.1], { dtype: 'float64', requiresGrad: true });
  assertGradcheck(
    'conv2dReluMaxPool',
    (xx, ww, bb) => F.convBlock(xx, ww, bb, c.conv, { activation: 'relu', pool: { type: 'max', ...c.pool } }),
    [x, w, b],
  );
});

test("Sequential runs Conv2d, ReLU, MaxPool2d as one conv2dReluMaxPool node, with the layers' own values and gradients", () => {
  tg.manualSeed(7);
  const conv = new nn.Conv2d({ inChannels: 2, outChannels: 4, kernelSize: 3 });
  const model = new nn.Sequential(conv, new nn.ReLU(), new nn.MaxPool2d({ kernelSize: 2 }), new nn.Flatten());
  const x = tg.randn([3, 2, 10, 10]);
  const y = model.forward(x);
  assert.match(tg.toDot(y), /label="conv2dReluMaxPool\\n/);
  assert.doesNotMatch(tg.toDot(y), /label="(conv2d|relu|maxPool2d)\\n/);
  const dy = tg.randn(y.shape);
  model.zeroGrad();
  y.mul(dy).sum().backward();
  const got = [conv.weight.grad!.data().slice(), conv.bias!.grad!.data().slice()];
  model.zeroGrad();
  const layered = conv.forward(x).relu();
  const want = F.maxPool2d(layered, { kernelSize: 2 }).flatten(1);
  assertClose(y.data() as Float32Array, want.data() as Float32Array, { atol: 1e-6, rtol: 1e-6, what: 'values' });
  want.mul(dy).sum().backward();
  assertClose(got[0] as Float32Array, conv.weight.grad!.data() as Float32Array, { atol: 1e-5, rtol: 1e-5, what: 'weight gradient' });
  assertClose(got[1] as Float32Array, conv.bias!.grad!.data() as Float32Array, { atol: 1e-5, rtol: 1e-5, what: 'bias gradient' });
});

test('conv1dReluMaxPool equals maxPool1d(relu(conv1d)) in values and gradients, and Sequential fuses Conv1d, ReLU, MaxPool1d', () => {
  eachBackend((backend) => {
    tg.manualSeed(8);
    const conv = new nn.Conv1d({ inChannels: 4, outChannels: 16, kernelSize: 12, padding: 'same' });
    const pool = { kernelSize: 4, stride: 3, padding: 1 };
    const model = new nn.Sequential(conv, new nn.ReLU(), new nn.MaxPool1d(pool));
    const x = tg.randn([6, 4, 60], { requiresGrad: true });
    const y = model.forward(x);
    // One primitive serves both, as conv2d serves conv1d: the 1-D form is a view of the 2-D one.
    assert.match(tg.toDot(y), /label="conv2dReluMaxPool\\n/, backend);
    const want = F.maxPool1d(conv.forward(x).relu(), pool);
    assert.deepEqual(y.shape, want.shape, backend);
    assertClose(y.data() as Float32Array, want.data() as Float32Array, { atol: 1e-5, rtol: 1e-5, what: `${backend} values` });
    const dy = tg.randn(y.shape);
    const grads = (out: tg.Tensor): Float32Array[] => {
      for (const t of [x, conv.weight, conv.bias!]) t.grad = null;
      out.mul(dy).sum().backward();
      return [x, conv.weight, conv.bias!].map((t) => t.grad!.data().slice() as Float32Array);
    };
    const got = grads(y);
    const ref = grads(want);
    ['dx', 'dw', 'db'].forEach((name, i) => assertClose(got[i], ref[i], { atol: 1e-4, rtol: 1e-4, what: `${backend} ${name}` }));
  });
});

test("Sequential fuses Conv1d, ReLU, GlobalMaxPool1d (the DNA CNN block): the layers' values and gradients, ties included", () => {
  eachBackend((backend) => {
    tg.manualSeed(9);
    const conv = new nn.Conv1d({ inChannels: 4, outChannels: 16, kernelSize: 6 });
    const model = new nn.Sequential(conv, new nn.ReLU(), new nn.GlobalMaxPool1d());
    // One-hot DNA with the same 10-mer twice in every sequence: exact ties of the maximum.
    const bases = tg.randint(0, 4, [5, 50]).data() as Int32Array;
    for (let s = 0; s < 5; s++) for (let j = 0; j < 10; j++) bases[s * 50 + 30 + j] = bases[s * 50 + 5 + j];
    const x = tg
      .oneHot(tg.tensor(Array.from(bases), { shape: [5, 50], dtype: 'int32' }), 4)
      .permute([0, 2, 1])
      .contiguous();
    const y = model.forward(x);
    assert.deepEqual(y.shape, [5, 16], backend);
    assert.match(tg.toDot(y), /label="conv2dReluMaxPool\\n/, backend);
    const act = conv.forward(x).relu();
    const want = F.globalMaxPool1d(act);
    assertClose(y.data() as Float32Array, want.data() as Float32Array, { atol: 1e-6, rtol: 1e-6, what: `${backend} values` });
    const a = act.data();
    const m = want.data();
    let tied = 0;
    for (let r = 0; r < 5 * 16; r++) {
      let hits = 0;
      for (let j = 0; j < 45; j++) if (m[r] > 0 && a[r * 45 + j] === m[r]) hits++;
      if (hits > 1) tied++;
    }
    assert.ok(tied > 0, `${backend}: the case must have rows whose positive maximum is tied`);
    const dy = tg.randn(y.shape);
    const grads = (out: tg.Tensor): Float32Array[] => {
      for (const t of [conv.weight, conv.bias!]) t.grad = null;
      out.mul(dy).sum().backward();
      return [conv.weight, conv.bias!].map((t) => t.grad!.data().slice() as Float32Array);
    };
    const got = grads(y);
    const ref = grads(want);
    ['dw', 'db'].forEach((name, i) => assertClose(got[i], ref[i], { atol: 1e-5, rtol: 1e-5, what: `${backend} ${name}` }));
  });
});

test('conv2dReluMaxPool reports bad input by its own name', () => {
  const x = tg.randn([1, 3, 5, 5]);
  assert.throws(
    () => F.convBlock(x, tg.randn([4, 2, 3, 3]), null, {}, { activation: 'relu', pool: { type: 'max', kernelSize: 2 } }),
    /conv2dReluMaxPool: input has 3 channels/,
  );
  assert.throws(
    () => F.convBlock(x, tg.randn([4, 3, 3, 3]), null, {}, { activation: 'relu', pool: { type: 'max', kernelSize: 4 } }),
    /conv2dReluMaxPool: kernel 4×4 is larger than the padded input 3×3/,
  );
  assert.throws(
    () => F.convBlock(tg.randn([1, 4, 10]), tg.randn([2, 4, 3]), null, {}, { activation: 'relu', pool: { type: 'max', kernelSize: 9 } }),
    /conv1dReluMaxPool: kernel 9 is larger than the padded input 8/,
  );
});
