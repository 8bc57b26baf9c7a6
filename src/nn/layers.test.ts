import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';
import { nn } from '../index.js';
import type { Tensor } from '../index.js';
import { castRaw } from '../tensor/raw.js';

/** Gives every tensor field of the module float64 copies, so that gradcheck can run through it. */
function toFloat64<M extends tg.nn.Module>(m: M): M {
  for (const [, mod] of m.namedModules()) {
    for (const [k, v] of Object.entries(mod)) {
      if (v instanceof tg.Tensor && v.dtype === 'float32') {
        const c = castRaw(v, 'float64');
        const copy = c === v ? v : new tg.Tensor(c.storage, c.shape);
        copy.requiresGrad = v.requiresGrad;
        (mod as unknown as Record<string, Tensor>)[k] = copy;
      }
    }
  }
  return m;
}

function gradOk(name: string, layer: tg.nn.Module, shape: number[]): void {
  toFloat64(layer);
  const r = tg.gradcheck((x) => layer.forward(x), [tg.randn(shape, { dtype: 'float64' })], { atol: 1e-6, rtol: 1e-4 });
  assert.ok(r.ok, `${name}: gradcheck failed, ${JSON.stringify(r.worst)}`);
}

test('layers: float64 gradcheck through each layer', () => {
  tg.manualSeed(10);
  gradOk(
    'Conv2d',
    new nn.Conv2d({ inChannels: 2, outChannels: 3, kernelSize: [2, 3], stride: 2, padding: 1, dilation: [1, 2] }),
    [2, 2, 5, 6],
  );
  gradOk('Conv1d', new nn.Conv1d({ inChannels: 2, outChannels: 4, kernelSize: 3, padding: 'same', groups: 2 }), [2, 2, 6]);
  gradOk('MaxPool2d', new nn.MaxPool2d({ kernelSize: 2 }), [1, 2, 4, 5]);
  gradOk('AvgPool2d', new nn.AvgPool2d({ kernelSize: 3, stride: 2, padding: 1 }), [1, 2, 5, 5]);
  gradOk('MaxPool1d', new nn.MaxPool1d({ kernelSize: 3, stride: 1 }), [2, 2, 6]);
  gradOk('AvgPool1d', new nn.AvgPool1d({ kernelSize: 2 }), [2, 2, 6]);
  gradOk('AdaptiveAvgPool2d', new nn.AdaptiveAvgPool2d({ outputSize: [2, 3] }), [1, 2, 5, 4]);
  gradOk('GlobalMaxPool1d', new nn.GlobalMaxPool1d(), [2, 3, 4]);
  gradOk('GlobalAvgPool1d', new nn.GlobalAvgPool1d(), [2, 3, 4]);
  gradOk('BatchNorm1d train', new nn.BatchNorm1d({ numFeatures: 3 }), [4, 3]);
  gradOk('BatchNorm2d train', new nn.BatchNorm2d({ numFeatures: 2 }), [2, 2, 2, 2]);
  gradOk('BatchNorm2d eval', new nn.BatchNorm2d({ numFeatures: 2 }).eval(), [2, 2, 2, 2]);
  gradOk('LayerNorm', new nn.LayerNorm({ normalizedShape: [4] }), [3, 4]);
  gradOk('Flatten', new nn.Flatten(), [2, 3, 2]);
  gradOk('Unflatten', new nn.Unflatten({ dim: 1, sizes: [2, 3] }), [2, 6, 2]);
  gradOk('Dropout eval', new nn.Dropout().eval(), [3, 4]);
});

test('Conv2d and Conv1d: shapes, PyTorch initialisation bounds, buffers vs parameters', () => {
  tg.manualSeed(11);
  const conv = new nn.Conv2d({ inChannels: 8, outChannels: 16, kernelSize: 3, groups: 2 });
  assert.deepEqual(conv.weight.shape, [16, 4, 3, 3]);
  const bound = 1 / Math.sqrt(4 * 9);
  for (const t of [conv.weight, conv.bias!]) {
    const v = t.data();
    assert.ok(
      v.every((e) => Math.abs(e) <= bound),
      'within ±1/√fanIn',
    );
    if (v.length > 100) assert.ok(Math.max(...v) > 0.9 * bound && Math.min(...v) < -0.9 * bound, 'spread over the whole range');
  }
  assert.deepEqual(conv.forward(tg.zeros([2, 8, 7, 7])).shape, [2, 16, 5, 5]);
  assert.deepEqual(
    conv.namedParameters().map(([n]) => n),
    ['weight', 'bias'],
  );
  const c1 = new nn.Conv1d({ inChannels: 4, outChannels: 6, kernelSize: 5, bias: false, stride: 2 });
  assert.equal(c1.bias, null);
  assert.deepEqual(c1.forward(tg.zeros([3, 4, 20])).shape, [3, 6, 8]);
});

test('layer errors name the layer, its expected shape and the input shape', () => {
  const conv = new nn.Conv2d({ inChannels: 1, outChannels: 32, kernelSize: 3 });
  assert.throws(() => conv.forward(tg.zeros([8, 3, 28, 28])), {
    message: 'Conv2d: input has 3 channels but the layer expects 1 (input shape [8,3,28,28], weight shape [32,1,3,3])',
  });
  assert.throws(() => conv.forward(tg.zeros([8, 28, 28])), { message: 'Conv2d: expected a 4-D input [N,1,H,W], got shape [8,28,28]' });
  assert.throws(() => conv.forward(tg.zeros([1, 1, 2, 2])), /kernel 3×3 is larger than the padded input 2×2/);
  const c1 = new nn.Conv1d({ inChannels: 4, outChannels: 8, kernelSize: 3 });
  assert.throws(() => c1.forward(tg.zeros([2, 5, 10])), {
    message: 'Conv1d: input has 5 channels but the layer expects 4 (input shape [2,5,10], weight shape [8,4,3])',
  });
  assert.throws(() => new nn.Conv2d({ inChannels: 6, outChannels: 4, kernelSize: 3, groups: 4 }), {
    message: 'Conv2d: groups (4) must divide both inChannels (6) and outChannels (4)',
  });
  assert.throws(
    () => new nn.Conv1d({ inChannels: 4, outChannels: 4, kernelSize: 3, stride: 2, padding: 'same' }),
    /padding 'same' requires stride 1/,
  );
  assert.throws(() => new nn.MaxPool2d({ kernelSize: 2 }).forward(tg.zeros([1, 28, 28])), {
    message: 'MaxPool2d: expected a 4-D input [N,C,H,W], got shape [1,28,28]',
  });
  assert.throws(() => new nn.GlobalMaxPool1d().forward(tg.zeros([2, 3])), {
    message: 'GlobalMaxPool1d: expected a 3-D input [N,C,L], got shape [2,3]',
  });
  const bn = new nn.BatchNorm2d({ numFeatures: 16 });
  assert.throws(() => bn.forward(tg.zeros([2, 3, 4, 4])), {
    message: 'BatchNorm2d: input has 3 channels but the layer expects 16 (input shape [2,3,4,4], expected [N,16,H,W])',
  });
  assert.throws(() => new nn.BatchNorm1d({ numFeatures: 4 }).forward(tg.zeros([2, 4, 4, 4])), {
    message: 'BatchNorm1d: expected a 2-D or 3-D input [N,4] or [N,4,L], got shape [2,4,4,4]',
  });
  assert.throws(() => new nn.LayerNorm({ normalizedShape: 8 }).forward(tg.zeros([2, 4])), {
    message: 'LayerNorm: expected an input of shape [*,8], got shape [2,4]',
  });
});

test('BatchNorm2d: running statistics are buffers, updated in training and used in evaluation', () => {
  tg.manualSeed(12);
  const bn = new nn.BatchNorm2d({ numFeatures: 3, momentum: 0.2 });
  assert.deepEqual(
    bn.namedParameters().map(([n]) => n),
    ['weight', 'bias'],
  );
  assert.deepEqual(
    bn.namedBuffers().map(([n]) => n),
    ['running_mean', 'running_var', 'num_batches_tracked'],
  );
  const x = tg.randn([4, 3, 5, 5], { mean: 2, std: 3 });
  const y = bn.forward(x);
  const m = y.mean({ axis: [0, 2, 3] }).data();
  m.forEach((v) => assert.ok(Math.abs(v) < 1e-5, `normalised mean ${v}`));
  const batchMean = x.mean({ axis: [0, 2, 3] }).data();
  const batchVar = x.var({ axis: [0, 2, 3] }).data();
  bn.runningMean!.data().forEach((v, i) => assert.ok(Math.abs(v - 0.2 * batchMean[i]) < 1e-5));
  bn.runningVar!.data().forEach((v, i) => assert.ok(Math.abs(v - (0.8 + 0.2 * batchVar[i])) < 1e-4));
  bn.eval();
  const before = bn.runningMean!.data();
  const e = bn.forward(x);
  assert.deepEqual(bn.runningMean!.data(), before, 'evaluation leaves the running statistics alone');
  const expected = x.sub(bn.runningMean!.reshape([1, 3, 1, 1])).div(bn.runningVar!.reshape([1, 3, 1, 1]).add(1e-5).sqrt());
  assert.ok(e.sub(expected).abs().max().item() < 1e-5);
  const plain = new nn.BatchNorm1d({ numFeatures: 2, affine: false, trackRunningStats: false });
  assert.equal(plain.parameters().length + plain.namedBuffers().length, 0);
  // Without running statistics evaluation still normalises with the batch: ±1 up to eps.
  const out = plain
    .eval()
    .forward(
      tg.tensor([
        [1, 2],
        [3, 6],
      ]),
    )
    .data();
  [-1, -1, 1, 1].forEach((v, i) => assert.ok(Math.abs(out[i] - v) < 1e-5, `${out[i]} vs ${v}`));
});

test('Dropout, Flatten, Embedding and LayerNorm modules', () => {
  tg.manualSeed(13);
  const d = new nn.Dropout({ p: 0.5 });
  const x = tg.ones([1000]);
  const y = d.forward(x).data();
  assert.ok(y.every((v) => v === 0 || v === 2));
  assert.equal(d.eval().forward(x), x);
  assert.deepEqual(new nn.Flatten().forward(tg.zeros([2, 3, 4, 5])).shape, [2, 60]);
  assert.deepEqual(new nn.Flatten({ startDim: 0, endDim: 1 }).forward(tg.zeros([2, 3, 4])).shape, [6, 4]);
  const flat = tg.arange(24).reshape([2, 12]);
  const u = new nn.Unflatten({ dim: 1, sizes: [3, 4] }).forward(flat);
  assert.deepEqual(u.shape, [2, 3, 4]);
  assert.deepEqual(new nn.Flatten().forward(u).data(), flat.data());
  assert.throws(
    () => new nn.Unflatten({ dim: 1, sizes: [5, 2] }).forward(flat),
    /Unflatten: cannot split dim 1 of input \[2, ?12\] into \[5, 2\] \(product 10\)/,
  );
  const emb = new nn.Embedding({ numEmbeddings: 500, embeddingDim: 20, paddingIdx: -1 });
  assert.equal(emb.options.paddingIdx, 499);
  const w = Array.from(emb.weight.data());
  assert.ok(
    w.slice(499 * 20).every((v) => v === 0),
    'padding row starts at zero',
  );
  const mean = w.reduce((a, b) => a + b, 0) / w.length;
  const sd = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
  assert.ok(Math.abs(mean) < 0.03 && Math.abs(sd - 1) < 0.03, `N(0,1) init: mean ${mean}, sd ${sd}`);
  assert.deepEqual(emb.forward(tg.tensor([[1, 2, 499]], { dtype: 'int32' })).shape, [1, 3, 20]);
  const ln = new nn.LayerNorm({ normalizedShape: [2, 3] });
  assert.deepEqual(
    ln.namedParameters().map(([n, t]) => [n, t.shape]),
    [
      ['weight', [2, 3]],
      ['bias', [2, 3]],
    ],
  );
});

test('every layer keeps JSON-serialisable options that rebuild it', () => {
  const layers: tg.nn.Module[] = [
    new nn.Conv2d({ inChannels: 2, outChannels: 4, kernelSize: [3, 2], padding: 'same', dilation: 2 }),
    new nn.Conv1d({ inChannels: 4, outChannels: 8, kernelSize: 5, padding: 2, groups: 2, bias: false }),
    new nn.MaxPool2d({ kernelSize: 3, stride: 2, padding: 1 }),
    new nn.AvgPool2d({ kernelSize: 2 }),
    new nn.MaxPool1d({ kernelSize: 2 }),
    new nn.AvgPool1d({ kernelSize: 4, stride: 2 }),
    new nn.AdaptiveAvgPool2d({ outputSize: [6, null] }),
    new nn.GlobalMaxPool1d(),
    new nn.GlobalAvgPool1d(),
    new nn.Flatten({ startDim: 2 }),
    new nn.Unflatten({ dim: -1, sizes: [4, 2] }),
    new nn.Dropout({ p: 0.1 }),
    new nn.BatchNorm1d({ numFeatures: 5, momentum: 0.01 }),
    new nn.BatchNorm2d({ numFeatures: 5, affine: false }),
    new nn.LayerNorm({ normalizedShape: 7, eps: 1e-3 }),
    new nn.Embedding({ numEmbeddings: 9, embeddingDim: 2, paddingIdx: 0 }),
  ];
  for (const l of layers) {
    const opts = (l as unknown as { options: object }).options;
    const json = JSON.parse(JSON.stringify(opts));
    const Ctor = l.constructor as new (o: object) => { options: object };
    assert.deepEqual(new Ctor(json).options, opts, `${l.constructor.name} rebuilds from its options`);
  }
  assert.deepEqual((layers[2] as tg.nn.MaxPool2d).options, { kernelSize: [3, 3], stride: [2, 2], padding: [1, 1] });
});

test('Conv layers refuse kernel sizes, strides, dilations and paddings that are not (non-)negative integers', () => {
  for (const kernelSize of [0, -1, 2.5]) {
    assert.throws(
      () => new nn.Conv2d({ inChannels: 1, outChannels: 1, kernelSize }),
      /^TsgradError: Conv2d: option 'kernelSize' must be a positive integer/,
    );
    assert.throws(
      () => new nn.Conv1d({ inChannels: 1, outChannels: 1, kernelSize }),
      /^TsgradError: Conv1d: option 'kernelSize' must be a positive integer/,
    );
  }
  assert.throws(() => new nn.Conv2d({ inChannels: 1, outChannels: 1, kernelSize: 3, stride: [1, 0] }), /Conv2d: option 'stride'/);
  assert.throws(() => new nn.Conv2d({ inChannels: 1, outChannels: 1, kernelSize: [3, 3, 3] as never }), /Conv2d: option 'kernelSize'/);
  assert.throws(() => new nn.Conv1d({ inChannels: 1, outChannels: 1, kernelSize: 3, dilation: 0 }), /Conv1d: option 'dilation'/);
  assert.throws(() => new nn.Conv1d({ inChannels: 1, outChannels: 1, kernelSize: 3, padding: -1 }), /Conv1d: option 'padding'/);
  assert.throws(() => new nn.Conv2d({ inChannels: 1, outChannels: 1 } as never), /Conv2d: option 'kernelSize' is required/);
  assert.throws(() => new nn.Linear(undefined as never), /^TsgradError: Linear: expected an options object with inFeatures, outFeatures/);
});
