/**
 * ONNX export checked by a real runtime: every zoo model, a model of every registered layer, the
 * DNA and NCF applications' models and custom Modules are exported, run in ONNX Runtime
 * (onnxruntime-web's wasm backend, in Node) on random inputs of two batch sizes other than the
 * example's, and compared with tsgrad's outputs (max abs difference ≤ 1e-4). Then the errors.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';
import * as tg from '../src/index.js';
import { CONVERTERS } from '../src/io/onnx/ops.js';
import { BINARY_TABLE, UNARY_TABLE } from '../src/kernels/elementwise-table.js';
import { registeredNames } from '../src/nn/registry.js';
import { repoPath } from './util.js';

const { nn } = tg;
ort.env.wasm.numThreads = 1;
const cli = repoPath('dist', 'src', 'cli', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });

type Make = (n: number) => tg.Tensor | tg.Tensor[];

const exported = new Set<string>();

/** Exports model with an example batch of 2, runs batches of 3 and 5 in ONNX Runtime, returns the max abs difference. */
async function roundTrip(model: tg.nn.Module, make: Make, opts: tg.OnnxExportOptions = {}): Promise<number> {
  for (const [, m] of model.namedModules()) exported.add(m.constructor.name);
  const bytes = tg.exportOnnx(model, make(2), opts);
  const session = await ort.InferenceSession.create(bytes);
  let worst = 0;
  for (const n of [3, 5]) {
    const xs = [make(n)].flat();
    const feeds: Record<string, ort.Tensor> = {};
    xs.forEach((x, i) => {
      const name = xs.length === 1 ? 'input' : `input${i}`;
      feeds[name] = new ort.Tensor(x.dtype === 'int32' ? 'int32' : 'float32', x.data() as Float32Array | Int32Array, x.shape);
    });
    const want = tg.noGrad(() => model.eval().forward(...xs));
    const got = (await session.run(feeds)).output;
    assert.deepEqual(got.dims, want.shape, `output shape for a batch of ${n}`);
    const w = want.data();
    const g = got.data as Float32Array;
    for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(w[i] - g[i]) || (Number.isNaN(w[i] - g[i]) ? Infinity : 0));
  }
  assert.ok(worst <= 1e-4, `max abs difference ${worst} > 1e-4`);
  return worst;
}

const images =
  (c: number, h: number, w = h): Make =>
  (n) =>
    tg.randn([n, c, h, w]);
const dna =
  (length: number): Make =>
  (n) =>
    tg.oneHotDna(Array.from({ length: n }, (_, i) => 'ACGT'.repeat(length).slice(i % 4, (i % 4) + length)));
const pairs =
  (users: number, items: number): Make =>
  (n) =>
    tg.tensor(
      Array.from({ length: n * 2 }, (_, i) => (i % 2 === 0 ? (i * 7) % users : (i * 5) % items)),
      { shape: [n, 2], dtype: 'int32' },
    );

/** Runs a few training-mode batches through model, so that batch norm's running statistics are not 0 and 1. */
function warmUp(model: tg.nn.Module, make: Make): void {
  model.train();
  tg.noGrad(() => {
    for (let i = 0; i < 3; i++) model.forward(...[make(4)].flat());
  });
  model.eval();
}

test('the zoo: mlp, lenet5, kerasMnistCnn, dnaCnn (one and both strands), dnaPrimer', async () => {
  tg.manualSeed(0);
  await roundTrip(nn.models.mlp({ inFeatures: 784, hidden: [128, 64], outFeatures: 10, dropout: 0.2 }), (n) => tg.randn([n, 784]));
  await roundTrip(nn.models.lenet5(), images(1, 28));
  await roundTrip(nn.models.kerasMnistCnn(), images(1, 28));
  await roundTrip(nn.models.dnaCnn({ length: 40, filters: 8 }), dna(40));
  await roundTrip(nn.models.dnaCnn({ length: 40, filters: 8, reverseComplement: true }), dna(40));
  await roundTrip(nn.models.dnaPrimer(), dna(50));
});

test('the image-task networks: localizer, grid detector, U-Net (with and without batch norm), sub-pixel super-resolution', async () => {
  tg.manualSeed(9);
  await roundTrip(nn.models.localizer(), images(1, 64));
  await roundTrip(nn.models.gridDetector(), images(1, 64));
  await roundTrip(new nn.models.UNet({ classes: 11, width: 4 }), images(1, 16));
  // The applications' forms, with batch norm after each convolution.
  await roundTrip(nn.models.localizer({ batchNorm: true }), images(1, 64));
  await roundTrip(new nn.models.UNet({ classes: 11, width: 4, batchNorm: true }), images(1, 16));
  await roundTrip(new nn.models.SubPixelSR({ width: 8 }), images(1, 14));
});

test('alexnet exports and matches (on 67×67 images)', async () => {
  tg.manualSeed(1);
  await roundTrip(nn.models.alexnet({ numClasses: 10 }), images(3, 67));
});

test('NCF: GMF, MLP and NeuMF on int32 (user, item) pairs', async () => {
  tg.manualSeed(2);
  const opts = { users: 30, items: 40, factors: 4, layers: [16, 8] };
  for (const model of [new nn.models.GMF(opts), new nn.models.NcfMLP(opts), new nn.models.NeuMF(opts)]) {
    await roundTrip(model, pairs(30, 40));
  }
});

test('every layer: 2-D and 1-D convolutions (stride, same padding, dilation, groups), pools, batch and layer norm, activations', async () => {
  tg.manualSeed(3);
  const cnn2d = new nn.Sequential(
    new nn.Conv2d({ inChannels: 3, outChannels: 8, kernelSize: 3, stride: 2, padding: 1 }),
    new nn.BatchNorm2d({ numFeatures: 8 }),
    new nn.ReLU(),
    new nn.Conv2d({ inChannels: 8, outChannels: 8, kernelSize: 3, padding: 'same', dilation: 2, groups: 2 }),
    new nn.ELU(),
    new nn.Conv2d({ inChannels: 8, outChannels: 6, kernelSize: 2, padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d({ kernelSize: 2 }),
    new nn.AvgPool2d({ kernelSize: 3, stride: 1, padding: 1 }),
    new nn.AdaptiveAvgPool2d({ outputSize: [3, 2] }),
    new nn.Dropout({ p: 0.3 }),
    new nn.Flatten(),
    new nn.Linear({ inFeatures: 36, outFeatures: 12 }),
    new nn.LayerNorm({ normalizedShape: 12 }),
    new nn.GELU(),
    new nn.Unflatten({ dim: 1, sizes: [3, 4] }),
    new nn.SiLU(),
    new nn.LeakyReLU({ negativeSlope: 0.1 }),
    new nn.Softplus(),
    new nn.Hardtanh({ min: -0.5, max: 0.5 }),
    new nn.ReLU6(),
    new nn.Tanh(),
    new nn.Sigmoid(),
    new nn.Identity(),
    new nn.Softmax({ dim: 2 }),
    new nn.LogSoftmax({ dim: 1 }),
  );
  warmUp(cnn2d, images(3, 13));
  await roundTrip(cnn2d, images(3, 13));
  const global2d = new nn.Sequential(new nn.Conv2d({ inChannels: 2, outChannels: 4, kernelSize: 3 }), new nn.GlobalMaxPool2d());
  await roundTrip(global2d, images(2, 7));
  await roundTrip(
    new nn.Sequential(new nn.Conv2d({ inChannels: 2, outChannels: 4, kernelSize: 1 }), new nn.GlobalAvgPool2d()),
    images(2, 5),
  );
  const cnn1d = new nn.Sequential(
    new nn.Conv1d({ inChannels: 4, outChannels: 6, kernelSize: 5, stride: 2, padding: 2 }),
    new nn.BatchNorm1d({ numFeatures: 6 }),
    new nn.ReLU(),
    new nn.MaxPool1d({ kernelSize: 2 }),
    new nn.Conv1d({ inChannels: 6, outChannels: 6, kernelSize: 4, padding: 'same', dilation: 2, groups: 3 }),
    new nn.AvgPool1d({ kernelSize: 2, stride: 1 }),
    new nn.Conv1d({ inChannels: 6, outChannels: 5, kernelSize: 3 }),
    new nn.ReLU(),
    new nn.GlobalMaxPool1d(),
    new nn.BatchNorm1d({ numFeatures: 5 }),
  );
  warmUp(cnn1d, dna(30));
  await roundTrip(cnn1d, dna(30));
  await roundTrip(new nn.Sequential(new nn.Conv1d({ inChannels: 4, outChannels: 3, kernelSize: 3 }), new nn.GlobalAvgPool1d()), dna(12));
  const decoder = new nn.Sequential(
    new nn.ConvTranspose2d({ inChannels: 3, outChannels: 4, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1 }),
    new nn.ReLU(),
    new nn.ConvTranspose2d({ inChannels: 4, outChannels: 4, kernelSize: 2, groups: 2, dilation: [1, 2], bias: false }),
    new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }),
    new nn.Upsample({ size: [9, 11], mode: 'bilinear', alignCorners: true }),
    new nn.Upsample({ scaleFactor: 2 }),
    new nn.PixelShuffle({ upscaleFactor: 2 }),
  );
  await roundTrip(decoder, images(3, 4, 5));
  const embed = new nn.Sequential(
    new nn.Embedding({ numEmbeddings: 20, embeddingDim: 6, paddingIdx: 0 }),
    new nn.Flatten(),
    new nn.Linear({ inFeatures: 18, outFeatures: 2 }),
  );
  await roundTrip(embed, (n) =>
    tg.tensor(
      Array.from({ length: n * 3 }, (_, i) => (i * 3) % 20),
      { shape: [n, 3], dtype: 'int32' },
    ),
  );
});

class Custom extends nn.Module {
  w = tg.randn([6, 5], { requiresGrad: true });
  b = tg.randn([5], { requiresGrad: true });
  forward(x: tg.Tensor): tg.Tensor {
    const h = x.matmul(this.w).add(this.b).tanh();
    const parts = tg.concat([h.slice([null, [0, 2]]), h.pow(2).clamp({ min: 0.1, max: 2 }), tg.where(h.gt(0), h, h.mul(0.5))], 1);
    const normed = parts.div(tg.norm(parts, 2, [1], true).add(1e-3));
    const padded = tg.pad(normed, [1, 2]).cumsum(1);
    const stats = tg.stack([padded.max(1), padded.min(1), padded.mean(1), padded.std(1), tg.logSumExp(padded, 1)], 1);
    return stats.transpose(0, 1).transpose(0, 1).sub(stats.abs().sqrt().exp().log1p()).reshape([-1, 5]).softmax(1);
  }
}

test('a custom Module written with tsgrad ops exports by tracing', async () => {
  tg.manualSeed(4);
  const worst = await roundTrip(new Custom(), (n) => tg.randn([n, 6]));
  assert.ok(worst <= 1e-4);
  // Opset 18 takes reduction axes as inputs instead of attributes.
  await roundTrip(new Custom(), (n) => tg.randn([n, 6]), { opset: 18 });
});

test('the file: opset, symbolic batch, parameters as initializers under their state-dict names', () => {
  tg.manualSeed(5);
  const model = nn.models.lenet5();
  const m = tg.decodeOnnx(tg.exportOnnx(model, tg.zeros([1, 1, 28, 28])));
  assert.equal(m.opset_import[0].version, 17);
  assert.equal(m.producer_name, 'tsgrad');
  assert.equal(m.graph.input[0].type.tensor_type.shape.dim[0].dim_param, 'batch');
  assert.deepEqual(
    m.graph.input[0].type.tensor_type.shape.dim.slice(1).map((d) => d.dim_value),
    [1, 28, 28],
  );
  assert.equal(m.graph.output[0].type.tensor_type.shape.dim[0].dim_param, 'batch');
  const inits = new Set(m.graph.initializer.map((t) => t.name));
  for (const name of model.stateDict().keys()) assert.ok(inits.has(name), `initializer ${name}`);
  const fixed = tg.decodeOnnx(tg.exportOnnx(model, tg.zeros([4, 1, 28, 28]), { dynamicBatch: false, opset: 13 }));
  assert.equal(fixed.graph.input[0].type.tensor_type.shape.dim[0].dim_value, 4);
  assert.equal(fixed.opset_import[0].version, 13);
});

test('every elementwise primitive of the op table has an ONNX form', () => {
  const missing = [...Object.keys(UNARY_TABLE), ...Object.keys(BINARY_TABLE)].filter((op) => !(op in CONVERTERS));
  assert.deepEqual(missing, []);
});

test('every registered layer is covered by the exports above', () => {
  const missing = registeredNames().filter((name) => !exported.has(name));
  assert.deepEqual(missing, []);
});

test('bad input: an op without an ONNX form, a wrong example shape, an input-dependent constant, opset', () => {
  const cube = tg.customOp({ name: 'cube', forward: ([x]) => x.pow(3), backward: (dy, { inputs: [x] }) => [dy.mul(x.pow(2)).mul(3)] });
  class Cubed extends nn.Module {
    fc = new nn.Linear({ inFeatures: 3, outFeatures: 2 });
    forward(x: tg.Tensor): tg.Tensor {
      return cube(this.fc.forward(x));
    }
  }
  const outer = new nn.Sequential(new nn.ReLU(), new Cubed());
  assert.throws(() => tg.exportOnnx(outer, tg.zeros([2, 3])), /exportOnnx: op 'cube' in '1' \(Cubed\) has no ONNX form/);
  assert.throws(
    () => tg.exportOnnx(nn.models.lenet5(), tg.zeros([2, 3, 28, 28])),
    /exportOnnx: the model cannot run on an example input of float32 \[2,3,28,28\]: .*3 channels/,
  );
  assert.throws(
    () => tg.exportOnnx(nn.models.lenet5(), tg.zeros([1, 28, 28]).reshape([28, 28]).reshape([1, 28, 28]).reshape([784])),
    /batch axis|cannot run/,
  );
  class Leaky extends nn.Module {
    forward(x: tg.Tensor): tg.Tensor {
      // A tensor made from the input's values outside the graph would be frozen into the file.
      return x.add(tg.tensor(Array.from(x.data()), { shape: x.shape }));
    }
  }
  assert.throws(() => tg.exportOnnx(new Leaky(), tg.ones([2, 3])), /depends on the input but was not computed by a recorded op/);
  assert.throws(() => tg.exportOnnx(nn.models.lenet5(), tg.zeros([1, 1, 28, 28]), { opset: 9 }), /opset 9 is not supported; use 13 to 21/);
  assert.throws(() => tg.exportOnnx(nn.models.lenet5(), tg.zeros([])), /needs a batch axis first/);
  // Batch norm without running statistics normalises every batch by its own: no fixed form to export.
  const batchStats = new nn.Sequential(
    new nn.Linear({ inFeatures: 3, outFeatures: 4 }),
    new nn.BatchNorm1d({ numFeatures: 4, trackRunningStats: false }),
  );
  assert.throws(
    () => tg.exportOnnx(batchStats, tg.ones([2, 3])),
    /exportOnnx: .*batch norm normalises with the batch statistics: call model\.eval\(\) first \(and keep running statistics\)/,
  );
});

test('tsgrad export <model dir> --onnx: the input shape from the first Linear, or --input-shape; usage errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgrad-onnx-'));
  tg.manualSeed(6);
  const mlp = nn.models.mlp({ inFeatures: 20, hidden: [8], outFeatures: 3 });
  tg.save(mlp, join(dir, 'mlp'));
  const r = run('export', join(dir, 'mlp'), '--onnx', join(dir, 'mlp.onnx'), '--json');
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.deepEqual(result.inputShape, ['batch', 20]);
  const session = await ort.InferenceSession.create(readFileSync(join(dir, 'mlp.onnx')));
  const x = tg.randn([4, 20]);
  const got = (await session.run({ input: new ort.Tensor('float32', x.data() as Float32Array, x.shape) })).output.data as Float32Array;
  const want = tg.noGrad(() => mlp.eval().forward(x)).data();
  want.forEach((v, i) => assert.ok(Math.abs(v - got[i]) <= 1e-4));

  tg.save(nn.models.lenet5(), join(dir, 'cnn'));
  const unknown = run('export', join(dir, 'cnn'), '--onnx', join(dir, 'cnn.onnx'));
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /input shape of the model in .* is not known; give it with --input-shape/);
  const ok = run('export', join(dir, 'cnn'), '--onnx', join(dir, 'cnn.onnx'), '--input-shape', '1,28,28', '--opset', '18');
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /wrote .*cnn.onnx .* input float32 \[batch,1,28,28\], opset 18/);
  assert.equal(tg.decodeOnnx(readFileSync(join(dir, 'cnn.onnx'))).opset_import[0].version, 18);
  const wrong = run('export', join(dir, 'cnn'), '--onnx', join(dir, 'bad.onnx'), '--input-shape', '3,28,28');
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /exportOnnx: the model cannot run on an example input of float32 \[1,3,28,28\]/);
  assert.match(run('export', join(dir, 'cnn')).stderr, /--onnx file.onnx is required/);
  assert.match(
    run('export', join(dir, 'cnn'), '--onnx', 'x.onnx', '--input-shape', '1,a').stderr,
    /--input-shape must be positive integers/,
  );
});
