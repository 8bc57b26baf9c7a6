import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tg from '../index.js';
import { checkXml } from './xml-check.js';

/**
 * The pictures of a trained MNIST CNN: a small convolutional net trained for three
 * epochs on 6,000 MNIST images (about 99% on 200 test images), then inspected.
 * Training takes about 6 s on the wasm kernels.
 */
const { nn, optim } = tg;
const dir = mkdtempSync(join(tmpdir(), 'tsgrad-viz-mnist-'));
let model: tg.nn.Sequential;
let history: tg.History;
let xTest: tg.Tensor;
let yTest: Int32Array;

before(() => {
  tg.manualSeed(0);
  const { train, test } = tg.datasets.mnist({ trainSize: 6000, testSize: 200 });
  model = new nn.Sequential(
    new nn.Conv2d({ inChannels: 1, outChannels: 8, kernelSize: 3, padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d({ kernelSize: 2 }),
    new nn.Conv2d({ inChannels: 8, outChannels: 16, kernelSize: 3, padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d({ kernelSize: 2 }),
    new nn.Flatten(),
    new nn.Linear({ inFeatures: 16 * 7 * 7, outFeatures: 10 }),
  );
  history = tg.fit(model, {
    train: train.tensors as [tg.Tensor, tg.Tensor],
    validation: test.tensors as [tg.Tensor, tg.Tensor],
    epochs: 3,
    batchSize: 64,
    optimizer: new optim.Adam(model.parameters(), { lr: 3e-3 }),
    metrics: ['accuracy'],
    verbose: 0,
  });
  [xTest] = test.tensors;
  yTest = test.tensors[1].data() as Int32Array;
});

/** Pixels within `r` pixels (in both directions) of a non-zero pixel. */
function nearInk(img: ArrayLike<number>, h: number, w: number, r = 2): Uint8Array {
  const near = new Uint8Array(h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      if (img[i * w + j] <= 0) continue;
      for (let a = Math.max(0, i - r); a <= Math.min(h - 1, i + r); a++) {
        for (let b = Math.max(0, j - r); b <= Math.min(w - 1, j + r); b++) near[a * w + b] = 1;
      }
    }
  }
  return near;
}

const pngSize = (path: string): number[] => {
  const { width, height } = tg.readPng(readFileSync(path));
  return [width, height];
};

test('the CNN learned something (guards the tests below)', () => {
  assert.ok((history.last('val_accuracy') ?? 0) > 0.95, `validation accuracy ${history.last('val_accuracy')}`);
});

test('saliency of a trained MNIST CNN falls mostly within 2 pixels of the ink', () => {
  const fractions: number[] = [];
  for (let k = 0; k < 8; k++) {
    const x = xTest.narrow(0, k, 1);
    const s = tg.saliency(model, x, yTest[k]);
    assert.deepEqual(s.map.shape, [28, 28]);
    const map = s.map.data();
    const near = nearInk(x.data(), 28, 28);
    let inside = 0;
    let total = 0;
    map.forEach((v, i) => {
      total += v;
      if (near[i]) inside += v;
    });
    fractions.push(inside / total);
  }
  const detail = fractions.map((f, k) => `${yTest[k]}: ${f.toFixed(2)}`).join(', ');
  // Every digit, thin ones included: at least 70% of |saliency| lies within 2 pixels of ink.
  assert.ok(Math.min(...fractions) >= 0.7, `every digit ≥ 0.7 (${detail})`);
  const p = tg.saliencyImage(xTest.narrow(0, 0, 1), tg.saliency(model, xTest.narrow(0, 0, 1)), { out: join(dir, 'saliency.png') });
  assert.deepEqual(pngSize(p.path as string), [p.width, p.height]);
  assert.deepEqual([p.width, p.height], [(2 * 30 + 2) * 4, 32 * 4]);
});

test('plain activation maximisation (unbounded values) raises each filter at least 10× above its start', () => {
  const grid = tg.maximizeGrid(model, 'conv1', { steps: 40, seed: 0, method: 'plain', out: join(dir, 'maximize.png') });
  assert.equal(grid.results.length, 16);
  assert.deepEqual(pngSize(grid.path as string), [grid.width, grid.height]);
  const positive = grid.results.filter((r) => r.trace[0] > 0.05);
  assert.ok(positive.length >= 3, `filters responding to the grey start: ${positive.length}`);
  for (const r of positive) {
    const last = r.trace[r.trace.length - 1];
    assert.ok(last >= 10 * r.trace[0], `filter ${r.filter}: ${r.trace[0].toFixed(3)} -> ${last.toFixed(3)}`);
  }
  // One filter alone, with the defaults (100 steps), seeded: repeatable.
  const f = positive[0].filter;
  const a = tg.visualizeFilter(model, 3, f, { seed: 1, method: 'plain' });
  const b = tg.visualizeFilter(model, '3', f, { seed: 1, method: 'plain' });
  assert.equal(a.trace.length, 101);
  assert.deepEqual(a.trace, b.trace);
  assert.deepEqual(a.image.shape, [1, 28, 28]);
  assert.ok(a.trace[100] >= 10 * a.trace[0], `trace ${a.trace[0]} -> ${a.trace[100]}`);
  assert.equal(model.parameters().length, 6, 'parameters are trainable again');
  // The same ascent one step at a time (what a page shows as it forms) ends where visualizeFilter
  // does, with the regularised default as with plain ascent.
  for (const method of ['plain', 'regularized'] as const) {
    const whole = tg.visualizeFilter(model, 3, f, { seed: 1, method, steps: 30 });
    const stepped = new tg.FilterAscent(model, 3, f, { seed: 1, method, steps: 30 });
    const seen: number[] = [];
    while (!stepped.done) {
      stepped.step();
      seen.push(stepped.activation());
    }
    assert.equal(stepped.stepsDone, 30);
    assert.deepEqual(stepped.result().trace, whole.trace, method);
    assert.deepEqual(stepped.image.toArray(), whole.image.toArray(), method);
    assert.equal(seen[29], whole.trace[30], 'activation() after the last step is the trace’s last value');
    assert.ok(
      model.parameters().every((p) => p.requiresGrad),
      'parameters stay trainable between steps',
    );
    assert.throws(() => stepped.step(), /FilterAscent: the ascent has done its 30 steps/);
  }
  assert.throws(
    () => new tg.FilterAscent(model, 3, 99),
    /FilterAscent: filter 99 is out of range: layer 3 outputs shape \[1,16,14,14\] \(16 filters\)/,
  );
});

test('filter grid and feature maps decode to their stated sizes', () => {
  const f = tg.filterGrid(model.layers[0], { out: join(dir, 'filters.png') });
  assert.deepEqual(pngSize(f.path as string), [f.width, f.height]);
  // 8 filters of 3×3 in one row, 1 pixel apart, enlarged 16 times.
  assert.deepEqual([f.width, f.height], [(8 * 4 + 1) * 16, 5 * 16]);
  const maps = tg.featureMaps(model, xTest.narrow(0, 0, 1), { outDir: dir });
  assert.deepEqual(
    maps.map((m) => `${m.name} ${m.kind} ${m.output.shape.join('x')}`),
    ['0 Conv2d 8x28x28', '1 ReLU 8x28x28', '3 Conv2d 16x14x14', '4 ReLU 16x14x14'],
  );
  for (const m of maps) assert.deepEqual(pngSize(m.image.path as string), [m.image.width, m.image.height]);
});

test('writeReport puts curves, confusion matrix, filters, maximisation and graph beside report.html', async () => {
  const pred = tg.predict(model, xTest);
  const confusion = tg.confusionMatrix(pred, tg.tensor(yTest, { dtype: 'int32' }), { numClasses: 10 });
  const out = join(dir, 'report');
  const r = await tg.writeReport(out, { history, model, confusion, sample: xTest.narrow(0, 0, 1), maximizeSteps: 20, title: 'MNIST CNN' });
  const html = readFileSync(r.html, 'utf8');
  for (const f of ['history.svg', 'confusion.svg', 'filters.png', 'maximize.png', 'graph.svg', 'saliency.png']) {
    assert.ok(existsSync(join(out, f)), `${f} written`);
    assert.ok(html.includes(`src="${f}"`), `report links ${f}`);
  }
  for (const p of r.paths) {
    if (p.endsWith('.svg')) assert.equal(checkXml(readFileSync(p, 'utf8')), 'svg', `${p} parses`);
    if (p.endsWith('.png')) assert.ok(pngSize(p)[0] > 0, `${p} decodes`);
  }
  const graph = readFileSync(join(out, 'graph.svg'), 'utf8');
  assert.ok(graph.includes('0.weight') && graph.includes('conv'), 'the graph names the parameters');
});
