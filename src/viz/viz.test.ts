import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tg from '../index.js';
import { checkXml } from './xml-check.js';

const { nn } = tg;
const dir = mkdtempSync(join(tmpdir(), 'tsgrad-viz-'));

/** Decodes a written PNG and checks its size. */
function pngSize(path: string): [number, number] {
  const { width, height } = tg.readPng(readFileSync(path));
  return [width, height];
}

/** Parses an SVG file and returns its width and height attributes. */
function svgSize(path: string): [number, number] {
  const svg = readFileSync(path, 'utf8');
  assert.equal(checkXml(svg), 'svg', `${path} is well-formed SVG`);
  const w = /<svg[^>]*\swidth="([\d.]+)(?:pt|px)?"/.exec(svg);
  const h = /<svg[^>]*\sheight="([\d.]+)(?:pt|px)?"/.exec(svg);
  assert.ok(w && h, `${path} states its size`);
  return [Number(w[1]), Number(h[1])];
}

test('checkXml rejects malformed markup', () => {
  for (const bad of ['<a><b></a></b>', '<a x="1" x="2"/>', '<a>&nbsp;</a>', '<a/><b/>', '<a>', 'text', '<a x=1/>']) {
    assert.throws(() => checkXml(bad), /^Error: checkXml: /, bad);
  }
  assert.equal(checkXml('<?xml version="1.0"?><!-- c --><svg a="&amp;"><g/>t&#38;</svg>'), 'svg');
});

test('imageGrid lays out [N,C,H,W], [N,H,W] and RGB images at the stated size', () => {
  tg.manualSeed(0);
  const g = tg.imageGrid(tg.randn([10, 1, 5, 7]), { nrow: 4, padding: 1, scale: 3, out: join(dir, 'grid.png') });
  // 4 columns, 3 rows of 5×7 images with 1 pixel between and around, times 3.
  assert.deepEqual([g.width, g.height], [(4 * 8 + 1) * 3, (3 * 6 + 1) * 3]);
  assert.deepEqual(pngSize(g.path as string), [g.width, g.height]);
  const rgb = tg.imageGrid(tg.rand([2, 3, 4, 4]), { normalize: 'none', padding: 0 });
  assert.deepEqual([rgb.width, rgb.height], [8, 4]);
  const signed = tg.imageGrid(tg.tensor([[[-1, 0, 1]]]), { colormap: 'diverging', padding: 0 });
  const px = tg.readPng(signed.png).data;
  // Negative blue, zero white, positive red.
  assert.deepEqual([...px.subarray(0, 3)], [33, 102, 172]);
  assert.deepEqual([...px.subarray(4, 7)], [255, 255, 255]);
  assert.deepEqual([...px.subarray(8, 11)], [178, 24, 43]);
  assert.throws(() => tg.imageGrid(tg.zeros([2, 5, 4, 4])), /imageGrid: images need 1 \(grey\) or 3 \(RGB\) channels, got 5/);
});

test('plotHistory draws loss and each metric from a fit History, as SVG and PNG', async () => {
  const history = {
    epoch: [0, 1, 2],
    history: {
      loss: [1, 0.6, 0.4],
      accuracy: [0.6, 0.8, 0.9],
      val_loss: [1.1, 0.7, 0.6],
      val_accuracy: [0.5, 0.7, 0.8],
      lr: [1e-3, 1e-3, 1e-3],
    },
  };
  const q = tg.historyQuantities(history);
  assert.deepEqual(
    q.map((e) => e.name),
    ['loss', 'accuracy'],
  );
  assert.deepEqual(q[1].val, [0.5, 0.7, 0.8]);
  const r = await tg.plotHistory(history, { out: join(dir, 'history'), title: 'toy run', scale: 2 });
  assert.deepEqual(r.paths, [join(dir, 'history.svg'), join(dir, 'history.png')]);
  const [w, h] = svgSize(r.paths[0]);
  assert.deepEqual(pngSize(r.paths[1]), [Math.round(w * 2), Math.round(h * 2)]);
  // Both charts, both splits.
  for (const s of ['loss', 'accuracy', 'training', 'validation']) assert.ok(r.svg.includes(`>${s}<`), `mentions ${s}`);
  // Per-epoch arrays with camelCase validation keys work too.
  assert.deepEqual(tg.historyQuantities({ loss: [2, 1], valLoss: [3, 2] })[0], { name: 'loss', train: [2, 1], val: [3, 2] });
});

test('plotSeries and plotConfusion write parseable SVG and PNG of the stated size', async () => {
  const s = await tg.plotSeries(
    { train: { x: [1, 2, 4, 8], y: [3, 2, 1, 0.5] }, test: [3, 2.5, 2.2, 2.4] },
    { out: join(dir, 'series.svg'), logY: true, xLabel: 'width', yLabel: 'risk', scale: 1 },
  );
  const [w, h] = svgSize(s.paths[0]);
  assert.deepEqual(pngSize(s.paths[1]), [Math.round(w), Math.round(h)]);
  const c = await tg.plotConfusion(
    tg.tensor([
      [5, 1],
      [2, 7],
    ]),
    { rowLabels: ['no', 'yes'], out: join(dir, 'confusion') },
  );
  const [cw, ch] = svgSize(c.paths[0]);
  assert.deepEqual(pngSize(c.paths[1]), [Math.round(cw * 2), Math.round(ch * 2)]);
  assert.ok(c.svg.includes('>7<') && c.svg.includes('>yes<'), 'cells are annotated and labelled');
});

test('drawGraph renders the DOT of the core with Graphviz (WebAssembly)', async () => {
  const x = tg.tensor([1, 2], { requiresGrad: true });
  x.name = 'x';
  const r = await tg.drawGraph(x.mul(x).sum(), { out: join(dir, 'graph'), png: true });
  svgSize(r.paths[0]);
  assert.ok(r.dot.startsWith('digraph'));
  for (const s of ['mul', 'sum', '>x<']) assert.ok(r.svg.includes(s), `graph shows ${s}`);
  assert.ok(pngSize(r.paths[1])[0] > 50);
});

test('graphOfModel labels parameters with their dotted names', async () => {
  tg.manualSeed(0);
  const model = new nn.Sequential(
    new nn.Linear({ inFeatures: 3, outFeatures: 4 }),
    new nn.ReLU(),
    new nn.Linear({ inFeatures: 4, outFeatures: 2 }),
  );
  const r = await tg.graphOfModel(model, [1, 3], { out: join(dir, 'model-graph') });
  assert.deepEqual(r.paths, [join(dir, 'model-graph.svg')]);
  svgSize(r.paths[0]);
  for (const name of ['0.weight', '2.bias', 'input', 'relu']) assert.ok(r.svg.includes(name), `graph shows ${name}`);
  assert.equal(model.training, true, 'the model is back in training mode');
  assert.equal(model.parameters().length, 4);
});

test('sequenceLogo: heights are probability × information content, SVG and PNG', async () => {
  const pwm = [
    [1, 0.25, 0.5],
    [0, 0.25, 0.5],
    [0, 0.25, 0],
    [0, 0.25, 0],
  ];
  const r = await tg.sequenceLogo(pwm, { out: join(dir, 'logo'), title: 'motif' });
  assert.deepEqual(
    r.columns.map((c) => c.bits),
    [2, 0, 1],
  );
  const [w, h] = svgSize(r.paths[0]);
  assert.deepEqual(pngSize(r.paths[1]), [w * 2, h * 2]);
  // A convolution filter (signed weights) goes through a softmax per column.
  const f = await tg.sequenceLogo(
    tg.tensor([
      [3, -1],
      [-3, -1],
      [-3, -1],
      [-3, -1],
    ]),
    { png: false },
  );
  assert.ok(f.columns[0].bits > 1.8 && f.columns[1].bits < 1e-9);
  await assert.rejects(() => tg.sequenceLogo([[1, 2]]), /sequenceLogo: expects a matrix \[4, L\]/);
});

/** A DNA model with a known answer: one filter that matches ACG, global max pooling, a linear read-out. */
function motifModel(): tg.nn.Module {
  const conv = new nn.Conv1d({ inChannels: 4, outChannels: 1, kernelSize: 3 });
  // Rows A C G T; the filter rewards A then C then G.
  nn.assignInPlace(
    conv.weight,
    tg.tensor([
      [
        [1, -1, -1],
        [-1, 1, -1],
        [-1, -1, 1],
        [-1, -1, -1],
      ],
    ]),
  );
  nn.assignInPlace(conv.bias as tg.Tensor, tg.tensor([0]));
  const head = new nn.Linear({ inFeatures: 1, outFeatures: 2 });
  nn.assignInPlace(head.weight, tg.tensor([[-1], [1]]));
  nn.assignInPlace(head.bias as tg.Tensor, tg.tensor([0, 0]));
  return new nn.Sequential(conv, new nn.GlobalMaxPool1d(), head);
}

function oneHot(seq: string): tg.Tensor {
  return tg
    .oneHot(
      tg.tensor(
        [...seq].map((c) => 'ACGT'.indexOf(c)),
        { dtype: 'int32' },
      ),
      4,
    )
    .transpose(0, 1)
    .contiguous()
    .unsqueeze(0);
}

test('saliency and gradient × input on a one-hot sequence point at the motif', () => {
  const model = motifModel();
  const x = oneHot('TTTACGTTT');
  const s = tg.saliency(model, x, 1);
  assert.deepEqual(s.values.shape, [4, 9]);
  assert.deepEqual(s.map.shape, [9]);
  const imp = [...s.map.data()];
  assert.deepEqual(
    imp.map((v, i) => (v > 0 ? i : -1)).filter((i) => i >= 0),
    [3, 4, 5],
    'only the motif positions matter',
  );
  const gi = tg.gradientTimesInput(model, x, 1);
  // d score / d x at the base present is the filter's weight for it: +1 at A, C, G.
  assert.deepEqual([...gi.map.data()], [0, 0, 0, 1, 1, 1, 0, 0, 0]);
  assert.equal(gi.score, 3);
  assert.throws(() => tg.saliency(model, x.squeeze(0)), /saliency: expects one input with a batch axis of 1/);
});
