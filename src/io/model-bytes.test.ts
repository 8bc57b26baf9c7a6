import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as nn from '../nn/index.js';
import { noGrad } from '../autograd/engine.js';
import { mnistDigit } from '../data/mnist-style.js';
import { rand, tensor, zeros } from '../tensor/create.js';
import { manualSeed } from '../util/rng.js';
import { readImage, writeImage } from './image.js';
import { modelFromBytes } from './model-bytes.js';
import { encodeSafetensors } from './safetensors.js';
import { save } from './save.js';

const dir = mkdtempSync(join(tmpdir(), 'tsgrad-model-bytes-'));

test('modelFromBytes rebuilds a saved model from its two files’ contents: same predictions, frozen kept', () => {
  manualSeed(3);
  const model = new nn.Sequential(
    new nn.Linear({ inFeatures: 4, outFeatures: 3 }),
    new nn.ReLU(),
    new nn.Linear({ inFeatures: 3, outFeatures: 2 }),
  );
  model.at(0).requiresGrad_(false);
  save(model, join(dir, 'm'));
  const config = readFileSync(join(dir, 'm', 'config.json'), 'utf8');
  const weights = readFileSync(join(dir, 'm', 'model.safetensors'));
  const x = rand([5, 4]);
  const want = noGrad(() => model.forward(x)).toArray();
  for (const c of [config, JSON.parse(config) as object]) {
    const again = modelFromBytes(c, weights, { where: 'models/m/' });
    assert.deepEqual(noGrad(() => again.forward(x)).toArray(), want);
    assert.deepEqual(
      again.namedParameters().map(([n, p]) => [n, p.requiresGrad]),
      [
        ['0.weight', false],
        ['0.bias', false],
        ['2.weight', true],
        ['2.bias', true],
      ],
    );
  }
});

test('modelFromBytes refuses what load() refuses, naming the file by `where`', () => {
  const model = new nn.Sequential(new nn.Linear({ inFeatures: 2, outFeatures: 2 }));
  save(model, join(dir, 'b'));
  const config = readFileSync(join(dir, 'b', 'config.json'), 'utf8');
  const weights = readFileSync(join(dir, 'b', 'model.safetensors'));
  assert.throws(() => modelFromBytes('{ nope', weights, { where: 'u/' }), /load: u\/config\.json is not valid JSON/);
  assert.throws(() => modelFromBytes({ format: 'other' }, weights, { where: 'u/' }), /load: u\/config\.json is not a tsgrad model config/);
  assert.throws(
    () => modelFromBytes({ ...JSON.parse(config), version: 9 }, weights, { where: 'u/' }),
    /u\/config\.json has format version 9, which this tsgrad cannot read/,
  );
  assert.throws(() => modelFromBytes(config, weights.subarray(0, weights.length - 4), { where: 'u/' }), /u\/model\.safetensors/);
  const wrong = encodeSafetensors({ '0.weight': zeros([3, 2]), '0.bias': zeros([2]) });
  assert.throws(
    () => modelFromBytes(config, wrong, { where: 'u/' }),
    /load: tensor '0\.weight' in u\/model\.safetensors is float32 \[3,2\] but the model expects float32 \[2,2\]/,
  );
});

test('mnistDigit centres a drawing as readImage(file, { mnist: true }) does', () => {
  // A dark stroke on white, off centre in a 60 × 40 canvas.
  const canvas = new Float32Array(60 * 40).fill(1);
  for (let r = 5; r < 30; r++) for (let c = 3; c < 9; c++) canvas[r * 40 + c] = 0;
  const img = tensor(Array.from(canvas)).reshape([60, 40]);
  const x = mnistDigit(img);
  assert.deepEqual(x.shape, [1, 28, 28]);
  const file = join(dir, 'stroke.png');
  writeImage(img, file);
  assert.deepEqual(x.toArray(), readImage(file, { mnist: true }).toArray());
  // The ink is white on black, its box 20 pixels tall, its centre of mass at (14, 14).
  const v = x.data();
  let [m, my, mx, top, bottom] = [0, 0, 0, 28, -1];
  for (let r = 0; r < 28; r++)
    for (let c = 0; c < 28; c++) {
      const p = v[r * 28 + c];
      m += p;
      my += p * r;
      mx += p * c;
      if (p > 0.1) [top, bottom] = [Math.min(top, r), Math.max(bottom, r)];
    }
  assert.equal(bottom - top + 1, 20);
  assert.ok(Math.abs(my / m - 14) <= 1 && Math.abs(mx / m - 14) <= 1, `centre of mass (${my / m}, ${mx / m})`);
  assert.throws(() => mnistDigit(zeros([2, 3, 4])), /mnistDigit: expected a grey image \[H, W\] or \[1, H, W\], got shape \[2,3,4\]/);
});
