/**
 * The image tasks beyond classification: the metrics on hand-made values, the seeded canvases
 * built from MNIST, each task trained at test size to a result that shows it learns, the
 * commands, and bad input (boxes outside the image, masks that do not fit the logits).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tg from '../src/index.js';
import { repoPath } from './util.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
const tmp = mkdtempSync(join(tmpdir(), 'tsgrad-vision-'));
const { train } = tg.datasets.mnist({ trainSize: 500, testSize: 0 });
const [images, labels] = train.tensors;
const source = { images, labels };

test('metrics: box IoU, mAP@0.5, mean IoU, pixel accuracy, PSNR and SSIM on values worked out by hand', () => {
  assert.ok(Math.abs(tg.boxIoU(tg.tensor([[0, 0, 2, 2]]), tg.tensor([[1, 1, 3, 3]])).item() - 1 / 7) < 1e-6);
  assert.equal(tg.boxIoU(tg.tensor([[0, 0, 1, 1]]), tg.tensor([[2, 2, 3, 3]])).item(), 0);
  const truth = [[{ box: [0, 0, 10, 10] as const, classIndex: 1 }], [{ box: [5, 5, 15, 15] as const, classIndex: 1 }]];
  assert.equal(
    tg.meanAveragePrecision(
      [[{ box: [0, 0, 10, 10], classIndex: 1, score: 0.9 }], [{ box: [5, 5, 15, 15], classIndex: 1, score: 0.8 }]],
      truth,
    ),
    1,
  );
  // A false positive ranked first: precisions 0, 1/2, 2/3 at recalls 0, 1/2, 1, made monotone from the right: AP = 2/3.
  const ap = tg.meanAveragePrecision(
    [
      [
        { box: [0, 0, 10, 10], classIndex: 1, score: 0.5 },
        { box: [20, 20, 30, 30], classIndex: 1, score: 0.9 },
      ],
      [{ box: [5, 5, 15, 15], classIndex: 1, score: 0.4 }],
    ],
    truth,
  );
  assert.ok(Math.abs(ap - 2 / 3) < 1e-9, `AP ${ap}`);
  const target = tg.tensor(
    [
      [
        [0, 1],
        [1, 2],
      ],
    ],
    { dtype: 'int32' },
  );
  const pred = tg.tensor(
    [
      [
        [0, 1],
        [2, 2],
      ],
    ],
    { dtype: 'int32' },
  );
  assert.deepEqual(tg.meanIoU(pred, target, { numClasses: 3 }).perClass, [1, 0.5, 0.5]);
  assert.equal(tg.pixelAccuracy(pred, target), 0.75);
  const x = tg.full([1, 1, 16, 16], 0.5);
  assert.ok(Math.abs(tg.psnr(x.add(0.1), x) - 20) < 1e-4, 'MSE 0.01 is 20 dB');
  assert.ok(Math.abs(tg.ssim(x, x) - 1) < 1e-6);
  tg.manualSeed(0);
  const noisy = tg.rand([1, 1, 16, 16]);
  assert.ok(tg.ssim(noisy, noisy.add(tg.randn([1, 1, 16, 16]).mul(0.3))) < 0.8);
});

test('canvases: seeded, boxes tight around the ink and inside the canvas, masks of 11 classes, no overlapping boxes', () => {
  const a = tg.localizationSet(source, { count: 20, seed: 3 });
  const b = tg.localizationSet(source, { count: 20, seed: 3 });
  assert.deepEqual(a.x.shape, [20, 1, 64, 64]);
  assert.deepEqual(a.boxes.data(), b.boxes.data());
  const x = a.x.data();
  for (let i = 0; i < 20; i++) {
    const [x1, y1, x2, y2] = a.boxes.select(0, i).data();
    assert.ok(x1 >= 0 && y1 >= 0 && x2 <= 64 && y2 <= 64 && y2 - y1 >= 16 && y2 - y1 <= 36, `box ${i}`);
    let outside = 0;
    for (let r = 0; r < 64; r++)
      for (let c = 0; c < 64; c++) if ((r < y1 || r >= y2 || c < x1 || c >= x2) && x[i * 4096 + r * 64 + c] > 0) outside++;
    assert.equal(outside, 0, `canvas ${i}: ink outside its box`);
  }
  const d = tg.detectionSet(source, { count: 30, seed: 4 });
  for (const objs of d.objects) {
    assert.ok(objs.length >= 1 && objs.length <= 3);
    for (const [i, p] of objs.entries())
      for (const q of objs.slice(i + 1)) assert.equal(tg.boxIoU(tg.tensor([p.box]), tg.tensor([q.box])).item(), 0);
  }
  const s = tg.segmentationSet(source, { count: 10, size: 48, seed: 5 });
  const m = s.masks.data();
  assert.deepEqual(s.masks.shape, [10, 48, 48]);
  assert.ok(m.every((v) => v >= 0 && v <= 10) && m.some((v) => v > 0));
  const sr = tg.superResolutionSet(images.narrow(0, 0, 4));
  assert.deepEqual(sr.low.shape, [4, 1, 14, 14]);
  assert.ok(Math.abs(sr.low.mean().item() - images.narrow(0, 0, 4).mean().item()) < 1e-6);
});

test('localisation and super-resolution learn at test size', async () => {
  const loc = await tg.trainLocalize({ trainSize: 3000, testSize: 300, epochs: 3, verbose: 0 });
  assert.ok(loc.boxIoU > 0.5 && loc.accuracy > 0.15, JSON.stringify(loc));
  const sr = await tg.trainSuperres({ trainSize: 3000, testSize: 500, epochs: 2, verbose: 0 });
  assert.ok(sr.psnr > sr.psnrBicubic + 1, JSON.stringify(sr));
});

test('detection: targets decoded back from perfect logits give mAP@0.5 = 1; segmentation learns the ink at test size', async () => {
  const { objects } = tg.detectionSet(source, { count: 40, seed: 7 });
  const t = tg.detectionGridTargets(objects, 64);
  // Logits that say exactly what the targets say: ±10 objectness, logit(v) for the box, the class by 10.
  const v = t.data();
  const logits = new Float32Array(40 * 15 * 64);
  for (let n = 0; n < 40; n++) {
    for (let p = 0; p < 64; p++) {
      const at = (ch: number): number => v[(n * 6 + ch) * 64 + p];
      const put = (ch: number, z: number): void => void (logits[(n * 15 + ch) * 64 + p] = z);
      put(0, at(0) > 0 ? 10 : -10);
      for (let k = 1; k <= 4; k++) {
        const q = Math.min(1 - 1e-6, Math.max(1e-6, at(k)));
        put(k, Math.log(q / (1 - q)));
      }
      if (at(0) > 0) put(5 + at(5), 10);
    }
  }
  const out = new tg.Tensor(logits, [40, 15, 8, 8]);
  const found = objects.map((_, i) => tg.decodeDetections(out.select(0, i), 64));
  assert.equal(tg.meanAveragePrecision(found, objects), 1);
  const seg = await tg.trainSegment({ trainSize: 1500, testSize: 100, epochs: 2, verbose: 0 });
  assert.ok(seg.pixelAccuracy > 0.9 && seg.perClassIoU[0] > 0.9, JSON.stringify(seg));
});

test('tsgrad train superres|localize: the JSON result, pictures and report; bad flags', () => {
  const out = join(tmp, 'sr');
  const r = run('train', 'superres', '--train-size', '500', '--test-size', '100', '--epochs', '1', '--out', out, '--json');
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.ok(typeof result.psnr === 'number' && typeof result.psnrBicubic === 'number');
  assert.ok(result.files.some((f: string) => f.endsWith('superres.png')) && result.files.some((f: string) => f.endsWith('report.html')));
  const bad = run('train', 'localize', '--epochs', '0');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--epochs/);
  assert.match(run('train', 'detect', '--help').stdout, /tsgrad train detect \[--epochs N\]/);
});

test('bad input: boxes outside the image, masks whose shape does not match the logits, boxes upside down', () => {
  const canvas = tg.zeros([1, 64, 64]);
  assert.throws(() => tg.drawBoxes(canvas, [[10, 10, 70, 20]]), /drawBoxes: box 0 \[10, 10, 70, 20\] lies outside the 64×64 image/);
  assert.throws(() => tg.drawBoxes(canvas, [[-1, 0, 5, 5]]), /lies outside the 64×64 image/);
  assert.throws(
    () => tg.boxIoU(tg.tensor([[5, 5, 1, 1]]), tg.tensor([[0, 0, 1, 1]])),
    /boxIoU: box 0 \[5, 5, 1, 1\] has x2 < x1 or y2 < y1/,
  );
  assert.throws(() => tg.boxIoU(tg.tensor([[0, 0, 1]]), tg.tensor([[0, 0, 1]])), /boxes must be \[N, 4\]/);
  assert.throws(
    () => tg.meanIoU(tg.zeros([2, 11, 8, 8]), tg.zeros([2, 8, 9], { dtype: 'int32' })),
    /meanIoU: the mask's shape \[2,8,9\] does not match the logits \[2,11,8,8\] \(expected \[2,8,8\]/,
  );
  assert.throws(
    () => tg.pixelAccuracy(tg.zeros([2, 8, 8], { dtype: 'int32' }), tg.zeros([2, 8, 9], { dtype: 'int32' })),
    /pixelAccuracy: the mask's shape/,
  );
  assert.throws(
    () => tg.localizationSet(source, { count: 2, size: 20, digitHeight: [16, 36] }),
    /digitHeight \[16, 36\] must be an increasing range no taller than the canvas \(20\)/,
  );
  assert.throws(() => tg.psnr(tg.zeros([1, 1, 4, 4]), tg.zeros([1, 1, 4, 5])), /psnr: needs two batches of images/);
});
