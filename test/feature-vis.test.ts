/**
 * Seeing inside, sharper: regularised activation maximisation against plain gradient ascent (the
 * border ring of each picture no longer dominates), class images, Grad-CAM and LayerCAM
 * localisation on MNIST digits and DNA motifs, and the `tsgrad viz gradcam|ig` commands.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tg from '../src/index.js';
import { repoPath } from './util.js';

const { nn } = tg;
const cli = repoPath('dist', 'src', 'cli', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
const tmp = mkdtempSync(join(tmpdir(), 'tsgrad-vis-'));

// The Keras MNIST CNN after one epoch on 2,000 images (80% test accuracy): trained once for the file.
tg.manualSeed(1);
const model = nn.models.kerasMnistCnn();
const { train, test: digits } = tg.datasets.mnist({ trainSize: 2000, testSize: 8 });
tg.fit(model, { train, epochs: 1, batchSize: 64, optimizer: new tg.optim.Adam(model.parameters(), { lr: 1e-3 }), verbose: 0 });

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];

/** Mean absolute deviation from the image's median of the outer 2-pixel ring, over that of the interior. */
function ringRatio(img: tg.Tensor): number {
  const v = Array.from(img.data());
  const med = median(v);
  let ring = 0;
  let inner = 0;
  for (let i = 0; i < 28; i++) {
    for (let j = 0; j < 28; j++) {
      const d = Math.abs(v[i * 28 + j] - med);
      if (i < 2 || j < 2 || i >= 26 || j >= 26) ring += d / (28 * 28 - 24 * 24);
      else inner += d / (24 * 24);
    }
  }
  return ring / (inner + 1e-12);
}

test('regularised maximisation: the border ring is no louder than the interior (≤ 1.2×, median over filters) on both convolutions', () => {
  for (const layer of ['conv0', 'conv1']) {
    const regularised = tg.maximizeGrid(model, layer, { seed: 0 }).results;
    const ratio = median(regularised.map((r) => ringRatio(r.image)));
    assert.ok(ratio <= 1.2, `${layer}: ring/interior ${ratio}`);
    for (const r of regularised) {
      const v = r.image.data();
      assert.ok(
        v.every((p) => p >= 0 && p <= 1),
        `${layer} filter ${r.filter}: values in the data range`,
      );
      assert.ok(r.trace[r.trace.length - 1] >= r.trace[0], `${layer} filter ${r.filter}: ${r.trace[0]} -> ${r.trace[r.trace.length - 1]}`);
    }
    const live = regularised.filter((r) => r.trace[0] > 0).map((r) => r.trace[r.trace.length - 1] / r.trace[0]);
    assert.ok(median(live) >= 1.5, `${layer}: median rise ${median(live)}`);
    // Plain ascent, for comparison: the frame it paints around the first layer's pictures.
    if (layer === 'conv0') {
      const plain = tg.maximizeGrid(model, layer, { seed: 0, method: 'plain' }).results;
      assert.ok(median(plain.map((r) => ringRatio(r.image))) > 2, 'plain ascent paints the border');
    }
  }
});

test('visualizeClass: each of the ten class pictures is read by the network as its class', () => {
  const images = Array.from({ length: 10 }, (_, k) => tg.visualizeClass(model, k, { seed: 0, steps: 200 }));
  for (const [k, r] of images.entries()) assert.ok(r.trace[r.trace.length - 1] > r.trace[0], `class ${k} score rises`);
  const predicted = tg.predict(model, tg.stack(images.map((r) => r.image))).argmax(1);
  assert.deepEqual(Array.from(predicted.data()), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.throws(() => tg.visualizeClass(model, 10), /out of range/);
});

/** The share of a map's mass within 3 pixels of the digit's ink (pixels above 0.5). */
function nearInk(map: tg.Tensor, digit: tg.Tensor): number {
  const m = map.data();
  const v = digit.data();
  let near = 0;
  let total = 0;
  for (let i = 0; i < 28; i++) {
    for (let j = 0; j < 28; j++) {
      let ink = false;
      for (let a = -3; a <= 3 && !ink; a++) {
        for (let b = -3; b <= 3 && !ink; b++) {
          const [y, z] = [i + a, j + b];
          ink = a * a + b * b <= 9 && y >= 0 && z >= 0 && y < 28 && z < 28 && v[y * 28 + z] > 0.5;
        }
      }
      total += m[i * 28 + j];
      if (ink) near += m[i * 28 + j];
    }
  }
  return near / total;
}

test('LayerCAM (gradCam weights: elementwise) puts ≥ 70% of its mass within 3 px of the ink for each of 8 test digits', () => {
  for (let d = 0; d < 8; d++) {
    const [x] = digits.get(d);
    const cam = tg.gradCam(model, x.unsqueeze(0), { weights: 'elementwise' });
    assert.deepEqual(cam.map.shape, [28, 28]);
    assert.ok(nearInk(cam.map, x) >= 0.7, `digit ${d}: ${nearInk(cam.map, x)}`);
    // Grad-CAM proper (pooled weights) runs on the same maps; its localisation is the model's.
    const pooled = tg.gradCam(model, x.unsqueeze(0));
    assert.ok(pooled.map.data().every((v) => v >= 0));
  }
});

test('DNA: the top LayerCAM window overlaps the planted motif in ≥ 90% of positive test sequences', () => {
  const trained = tg.trainDna({ verbose: 0, seed: 0 });
  const { model: net, data, x, testIndices } = trained;
  const w = data.motif!.length;
  let positives = 0;
  let hits = 0;
  for (const i of testIndices) {
    const start = data.motifStarts![i];
    if (start < 0) continue;
    positives++;
    const cam = tg.gradCam(net, x.narrow(0, i, 1), { classIndex: 1, weights: 'elementwise' });
    assert.equal(cam.map.shape[0], x.shape[2]);
    const at = tg.topSaliencyWindow(cam.map.data(), w);
    if (at < start + w && start < at + w) hits++;
  }
  assert.ok(hits / positives >= 0.9, `${hits} of ${positives}`);
});

test('tsgrad viz gradcam|ig <model dir>: pictures, completeness, and bad flags', () => {
  const dir = join(tmp, 'model');
  tg.save(model, dir);
  const input = join(tmp, 'digit.json');
  const [x] = digits.get(0);
  // A JSON array is one of the input forms viz reads (a PNG the other).
  writeFileSync(input, JSON.stringify(Array.from(x.data())));
  const cam = run('viz', 'gradcam', dir, '--input', input, '--out', join(tmp, 'cam'));
  assert.equal(cam.status, 0, cam.stderr);
  assert.ok(existsSync(join(tmp, 'cam', 'gradcam.png')));
  const ig = run('viz', 'ig', dir, '--input', input, '--steps', '64', '--out', join(tmp, 'ig'));
  assert.equal(ig.status, 0, ig.stderr);
  const rel = Number(/relative error ([\d.]+)%/.exec(ig.stdout)?.[1]);
  assert.ok(rel < 1, ig.stdout);
  assert.ok(existsSync(join(tmp, 'ig', 'ig.png')) && existsSync(join(tmp, 'ig', 'ig.json')));
  const bad = run('viz', 'gradcam', dir, '--weights', 'mean', '--out', join(tmp, 'x'));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--weights must be pooled or elementwise/);
  const notConv = run('viz', 'gradcam', dir, '--layer', '6', '--out', join(tmp, 'x'));
  assert.match(notConv.stderr, /gradCam: layer 6 is not a convolution/);
});
