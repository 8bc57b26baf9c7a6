/**
 * The image tasks beyond classification, as applications on canvases built from MNIST digits
 * (data/mnist-tasks.ts): localisation (a class and a box), detection (boxes and classes on a
 * grid, as the first YOLO), semantic segmentation (a class per pixel, a small U-Net) and
 * super-resolution (14×14 -> 28×28 by sub-pixel convolution, against bicubic upsampling).
 */
import { join } from 'node:path';
import { noGrad } from '../autograd/engine.js';
import { mnist } from '../data/mnist.js';
import {
  detectionSet,
  localizationSet,
  segmentationSet,
  superResolutionSet,
  type DigitSource,
  type PlacedDigit,
} from '../data/mnist-tasks.js';
import { save } from '../io/save.js';
import type { Module } from '../nn/module.js';
import { bceWithLogits, crossEntropy, smoothL1Loss } from '../nn/losses.js';
import { SubPixelSR, UNet, gridDetector, localizer } from '../nn/models/vision.js';
import { interpolate } from '../ops/upsample.js';
import * as optim from '../optim/index.js';
import { stack } from '../ops/movement.js';
import { tensor } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { LearningRateScheduler } from '../train/callbacks.js';
import { fit, predict } from '../train/fit.js';
import type { History } from '../train/history.js';
import { boxIoU, meanAveragePrecision, meanIoU, pixelAccuracy, psnr, ssim, type Detection } from '../train/image-metrics.js';
import type { ProgressStream } from '../train/progress.js';
import { arg, is, options } from '../util/args.js';
import { TsgradError, fmtShape } from '../util/errors.js';
import { manualSeed } from '../util/rng.js';
import { colorMasks, drawBoxes } from '../viz/boxes.js';
import { imageGrid } from '../viz/image.js';
import { writeReport } from '../viz/report.js';

export interface VisionTaskOptions {
  /** Training examples (canvases, or digits for super-resolution). */
  trainSize?: number;
  /** Held-out examples, made from MNIST's test digits. */
  testSize?: number;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  seed?: number;
  /** Directory for the model, pictures and report.html. */
  out?: string;
  verbose?: 0 | 1 | 2;
  stream?: ProgressStream;
}

const SPEC = {
  trainSize: is.positiveInt,
  testSize: is.positiveInt,
  epochs: is.positiveInt,
  batchSize: is.positiveInt,
  lr: is.positive,
  seed: is.int,
  out: is.string,
  verbose: is.oneOf([0, 1, 2]),
  stream: is.any,
};

interface Common {
  task: string;
  epochs: number;
  trainSize: number;
  testSize: number;
  parameters: number;
  seconds: number;
  files: string[];
}

type Settings = Required<Pick<VisionTaskOptions, 'trainSize' | 'testSize' | 'epochs' | 'batchSize' | 'lr'>> & VisionTaskOptions;

/** A task's options over its defaults, checked, with the global generator seeded. */
function settings(
  op: string,
  opts: VisionTaskOptions,
  defaults: Pick<Settings, 'trainSize' | 'testSize' | 'epochs' | 'batchSize' | 'lr'>,
): Settings {
  const o = { ...defaults, ...options<VisionTaskOptions>(op, opts, SPEC) };
  manualSeed(o.seed ?? 0);
  return o;
}

/** A grid of images [N, C, H, W] as a picture of the report. */
function picture(title: string, file: string, images: Tensor, grid: { nrow: number; scale: number }, note: string): Picture {
  return { title, file: imageGrid(images, { ...grid, normalize: 'none', out: file }).path as string, note };
}

interface Picture {
  title: string;
  file: string;
  note: string;
}

/** With `out`: the first 16 canvases with their true boxes (green) and predicted ones (red), as `out/file`. */
function boxesPicture(
  out: string | undefined,
  title: string,
  file: string,
  canvases: Tensor,
  truth: number[][][],
  predicted: number[][][],
): Picture[] {
  if (!out) return [];
  const green = [0.2, 1, 0.2] as const;
  const red = [1, 0.2, 0.2] as const;
  const tiles = Array.from({ length: Math.min(16, canvases.shape[0]) }, (_, i) =>
    drawBoxes(canvases.select(0, i), [...truth[i], ...predicted[i]], [...truth[i].map(() => green), ...predicted[i].map(() => red)]),
  );
  return [picture(title, join(out, file), stack(tiles), { nrow: 8, scale: 2 }, 'Test canvases: true boxes in green, predictions in red.')];
}

/** Training canvases from MNIST's training digits and test canvases from its test digits, seeded apart. */
function canvasSplits<T>(o: Settings, make: (src: DigitSource, count: number, seed: number) => T): { tr: T; te: T } {
  const src = digits(o.trainSize, o.testSize);
  const seed = o.seed ?? 0;
  return { tr: make(src.train, o.trainSize, seed + 1), te: make(src.test, o.testSize, seed + 2) };
}

function digits(trainSize: number, testSize: number): { train: DigitSource; test: DigitSource } {
  // Enough distinct digits for the canvases; test canvases use only MNIST's test digits.
  const m = mnist({ trainSize: Math.min(60000, Math.max(1000, trainSize)), testSize: Math.min(10000, Math.max(500, testSize)) });
  const [trainImages, trainLabels] = m.train.tensors;
  const [testImages, testLabels] = m.test.tensors;
  return { train: { images: trainImages, labels: trainLabels }, test: { images: testImages, labels: testLabels } };
}

function train(
  model: Module,
  x: Tensor,
  y: Tensor,
  loss: (p: Tensor, t: Tensor) => Tensor,
  o: Settings,
): { history: History; seconds: number } {
  const optimizer = new optim.Adam(model.parameters(), { lr: o.lr });
  const t0 = Date.now();
  const history = fit(model, {
    train: [x, y],
    validationSplit: 0.1,
    epochs: o.epochs,
    batchSize: o.batchSize,
    optimizer,
    loss,
    callbacks: [new LearningRateScheduler(new optim.CosineAnnealingLR(optimizer, { tMax: o.epochs }))],
    verbose: o.verbose ?? 1,
    stream: o.stream,
  });
  return { history, seconds: (Date.now() - t0) / 1000 };
}

interface Run {
  task: string;
  title: string;
  model: Module;
  history: History;
  seconds: number;
}

/**
 * The result of a task: its figures and the run's sizes; with `out`, the model, the pictures and
 * report.html (its summary table from `summary`) are written there and listed in `files`.
 */
async function finish<F extends object>(
  run: Run,
  o: Settings,
  figures: F,
  summary: Record<string, string | number>,
  pictures: Picture[],
): Promise<Common & F> {
  const { task, title, model, history, seconds } = run;
  const files: string[] = [];
  if (o.out) {
    save(model, o.out, { history: history.toJSON() });
    const report = await writeReport(o.out, {
      title,
      history,
      summary,
      sections: pictures.map((p) => ({ title: p.title, files: [p.file], note: p.note })),
    });
    files.push(...pictures.map((p) => p.file), report.html);
  }
  const sizes = { epochs: o.epochs, trainSize: o.trainSize, testSize: o.testSize, parameters: model.numParameters(), seconds };
  return { task, ...figures, ...sizes, files };
}

// ---- Localisation.

export interface LocalizeResult extends Common {
  /** Mean intersection over union of the predicted and true boxes on the test canvases. */
  boxIoU: number;
  /** Class accuracy on the test canvases. */
  accuracy: number;
}

/**
 * Localisation: one digit per 64×64 canvas; the network (nn.models.localizer, with batch norm) gives its class
 * (cross-entropy) and its box (smooth L1 on the coordinates over the canvas side, after a sigmoid).
 * @example const r = await trainLocalize({ epochs: 6 }); r.boxIoU; r.accuracy
 */
export async function trainLocalize(opts: VisionTaskOptions = {}): Promise<LocalizeResult> {
  const o = settings('trainLocalize', opts, { trainSize: 12000, testSize: 2000, epochs: 7, batchSize: 64, lr: 2e-3 });
  const size = 64;
  const { tr, te } = canvasSplits(o, (src, count, seed) => localizationSet(src, { count, size, seed }));
  const pack = (s: typeof tr): Tensor =>
    tensor(
      Array.from({ length: s.labels.shape[0] }, (_, i) => [
        s.labels.data()[i],
        ...Array.from(s.boxes.select(0, i).data()).map((v) => v / size),
      ]).flat(),
      { shape: [s.labels.shape[0], 5] },
    );
  // Batch norm: without it the class accuracy stayed near 92% after 8 epochs (README, BENCHMARKS.md).
  const model = localizer({ batchNorm: true });
  const loss = (p: Tensor, t: Tensor): Tensor =>
    crossEntropy(p.narrow(1, 0, 10), t.narrow(1, 0, 1).reshape([-1]).to('int32')).add(
      smoothL1Loss(p.narrow(1, 10, 4).sigmoid(), t.narrow(1, 1, 4), { beta: 0.02 }).mul(10),
    );
  const { history, seconds } = train(model, tr.x, pack(tr), loss, o);
  const out = predict(model, te.x, { batchSize: 256 });
  const boxes = noGrad(() => out.narrow(1, 10, 4).sigmoid().mul(size).clamp({ min: 0, max: size }));
  const classes = out.narrow(1, 0, 10).argmax(1).data();
  const ious = boxIoU(boxes, te.boxes).data();
  const labels = te.labels.data();
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (classes[i] === labels[i]) right++;
  const meanIoUValue = Array.from(ious).reduce((a, b) => a + b, 0) / ious.length;
  const pictures = boxesPicture(
    o.out,
    'Localisation',
    'localize.png',
    te.x,
    Array.from({ length: 16 }, (_, k) => [Array.from(te.boxes.select(0, k).data())]),
    Array.from({ length: 16 }, (_, k) => [Array.from(boxes.select(0, k).data())]),
  );
  return finish(
    { task: 'localize', title: 'Localisation', model, history, seconds },
    o,
    { boxIoU: meanIoUValue, accuracy: right / labels.length },
    { 'box IoU': meanIoUValue.toFixed(3), 'class accuracy': (right / labels.length).toFixed(4) },
    pictures,
  );
}

// ---- Detection.

const GRID = 8;

/**
 * The detector's targets for canvases of side `size`: [N, 6, 8, 8], per grid cell the objectness
 * (1 where a digit's centre falls), the centre within the cell (x, y in [0, 1]), the size over the
 * canvas (w, h) and the class (-100, ignored, where there is none).
 * @example detectionGridTargets(detectionSet(train, { count: 10 }).objects, 64).shape // [10, 6, 8, 8]
 */
export function detectionGridTargets(objects: PlacedDigit[][], size: number): Tensor {
  arg('detectionGridTargets', 'objects', objects, is.arrayOf(is.arrayOf(is.any)));
  arg('detectionGridTargets', 'size', size, is.positiveInt);
  const cell = size / GRID;
  const t = new Float32Array(objects.length * 6 * GRID * GRID);
  const at = (n: number, ch: number, i: number, j: number): number => ((n * 6 + ch) * GRID + i) * GRID + j;
  objects.forEach((objs, n) => {
    for (let i = 0; i < GRID; i++) for (let j = 0; j < GRID; j++) t[at(n, 5, i, j)] = -100;
    for (const { box, classIndex } of objs) {
      const [cx, cy] = [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2];
      const [i, j] = [Math.min(GRID - 1, Math.floor(cy / cell)), Math.min(GRID - 1, Math.floor(cx / cell))];
      [1, cx / cell - j, cy / cell - i, (box[2] - box[0]) / size, (box[3] - box[1]) / size, classIndex].forEach(
        (v, ch) => (t[at(n, ch, i, j)] = v),
      );
    }
  });
  return new Tensor(t, [objects.length, 6, GRID, GRID]);
}

function detectionLoss(p: Tensor, t: Tensor): Tensor {
  const obj = t.narrow(1, 0, 1);
  const positives = obj.sum().add(1e-6);
  const objLoss = bceWithLogits(p.narrow(1, 0, 1), obj);
  const boxLoss = smoothL1Loss(p.narrow(1, 1, 4).sigmoid(), t.narrow(1, 1, 4), { beta: 0.05, reduction: 'none' })
    .mul(obj)
    .sum()
    .div(positives);
  const classLoss = crossEntropy(p.narrow(1, 5, p.shape[1] - 5), t.narrow(1, 5, 1).reshape([t.shape[0], GRID, GRID]).to('int32'));
  return objLoss.mul(5).add(boxLoss.mul(5)).add(classLoss);
}

/**
 * The detections in one output of the grid detector [5 + classes, 8, 8] for a canvas of side
 * `size`: the cells whose objectness passes `threshold` (default 0.3), their boxes and classes,
 * then greedy non-maximum suppression (IoU ≥ 0.4).
 * @example decodeDetections(model.forward(x).select(0, 0), 64)
 */
export function decodeDetections(out: Tensor, size: number, threshold = 0.3): Detection[] {
  arg('decodeDetections', 'out', out, is.instance(Tensor));
  arg('decodeDetections', 'size', size, is.positiveInt);
  if (out.ndim !== 3 || out.shape[1] !== GRID || out.shape[2] !== GRID || out.shape[0] < 6) {
    throw new TsgradError(`decodeDetections: expected one grid output [5 + classes, ${GRID}, ${GRID}], got shape ${fmtShape(out.shape)}`);
  }
  const v = out.data();
  const k = out.shape[0] - 5;
  const cell = size / GRID;
  const sig = (z: number): number => 1 / (1 + Math.exp(-z));
  const at = (ch: number, i: number, j: number): number => v[(ch * GRID + i) * GRID + j];
  const found: Detection[] = [];
  for (let i = 0; i < GRID; i++) {
    for (let j = 0; j < GRID; j++) {
      const objectness = sig(at(0, i, j));
      if (objectness < threshold) continue;
      let best = 0;
      for (let c = 1; c < k; c++) if (at(5 + c, i, j) > at(5 + best, i, j)) best = c;
      const [cx, cy] = [(j + sig(at(1, i, j))) * cell, (i + sig(at(2, i, j))) * cell];
      const [w, h] = [sig(at(3, i, j)) * size, sig(at(4, i, j)) * size];
      const clampTo = (z: number): number => Math.min(size, Math.max(0, z));
      found.push({
        box: [clampTo(cx - w / 2), clampTo(cy - h / 2), clampTo(cx + w / 2), clampTo(cy + h / 2)],
        classIndex: best,
        score: objectness,
      });
    }
  }
  found.sort((a, b) => (b.score ?? 0) - (a.score ?? 0));
  const kept: Detection[] = [];
  for (const d of found) {
    const iou = (a: Detection): number => boxIoU(tensor([[...a.box]]), tensor([[...d.box]])).item();
    if (kept.every((q) => iou(q) < 0.4)) kept.push(d);
  }
  return kept;
}

export interface DetectResult extends Common {
  /** Mean average precision at IoU 0.5 on the test canvases. */
  mAP50: number;
}

/**
 * Detection: one to three digits per 64×64 canvas; a single-stage detector on an 8×8 grid
 * (nn.models.gridDetector) learns, per cell, whether a digit's centre falls in it, its box and
 * its class; detections pass an objectness threshold and non-maximum suppression.
 * @example (await trainDetect()).mAP50
 */
export async function trainDetect(opts: VisionTaskOptions = {}): Promise<DetectResult> {
  const o = settings('trainDetect', opts, { trainSize: 12000, testSize: 1000, epochs: 8, batchSize: 64, lr: 2e-3 });
  const size = 64;
  const { tr, te } = canvasSplits(o, (src, count, seed) => detectionSet(src, { count, size, seed }));
  const model = gridDetector();
  const { history, seconds } = train(model, tr.x, detectionGridTargets(tr.objects, size), detectionLoss, o);
  const out = predict(model, te.x, { batchSize: 256 });
  const detections = te.objects.map((_, i) => decodeDetections(out.select(0, i), size));
  const mAP50 = meanAveragePrecision(detections, te.objects);
  const pictures = boxesPicture(
    o.out,
    'Detection',
    'detect.png',
    te.x,
    te.objects.map((objs) => objs.map((d) => [...d.box])),
    detections.map((dets) => dets.map((d) => [...d.box])),
  );
  return finish({ task: 'detect', title: 'Detection', model, history, seconds }, o, { mAP50 }, { 'mAP@0.5': mAP50.toFixed(3) }, pictures);
}

// ---- Segmentation.

export interface SegmentResult extends Common {
  /** Mean over the 11 classes (background and ten digits) of the intersection over union. */
  meanIoU: number;
  pixelAccuracy: number;
  /** IoU of each class: background, then the digits 0 to 9. */
  perClassIoU: number[];
}

/**
 * Semantic segmentation: digits on 48×48 canvases, a class per pixel (0 background, 1 + digit
 * on its ink), learned by a small U-Net (batch norm after each convolution) with per-pixel cross-entropy.
 * @example (await trainSegment()).meanIoU
 */
export async function trainSegment(opts: VisionTaskOptions = {}): Promise<SegmentResult> {
  const o = settings('trainSegment', opts, { trainSize: 6000, testSize: 500, epochs: 7, batchSize: 32, lr: 2e-3 });
  const canvas = { size: 48, digitHeight: [14, 24] as [number, number], maxDigits: 2 };
  const { tr, te } = canvasSplits(o, (src, count, seed) => segmentationSet(src, { count, ...canvas, seed }));
  // Batch norm: without it the two-level U-Net's mean IoU stayed near 0.6 (README, BENCHMARKS.md).
  const model = new UNet({ classes: 11, batchNorm: true });
  const { history, seconds } = train(model, tr.x, tr.masks, (p, t) => crossEntropy(p, t), o);
  const logits = predict(model, te.x, { batchSize: 128 });
  const iou = meanIoU(logits, te.masks, { numClasses: 11 });
  const accuracy = pixelAccuracy(logits, te.masks);
  const pictures: Picture[] = [];
  if (o.out) {
    const n = 8;
    const grey = te.x.narrow(0, 0, n).expand([n, 3, canvas.size, canvas.size]);
    const truth = colorMasks(te.masks.narrow(0, 0, n).contiguous());
    const guess = colorMasks(logits.narrow(0, 0, n).argmax(1));
    const rows = stack([grey, truth, guess], 1).reshape([3 * n, 3, canvas.size, canvas.size]);
    const note = 'Test canvases, each followed by its true mask and the predicted one (a colour per digit class).';
    pictures.push(picture('Segmentation', join(o.out, 'segment.png'), rows, { nrow: 6, scale: 2 }, note));
  }
  return finish(
    { task: 'segment', title: 'Segmentation', model, history, seconds },
    o,
    { meanIoU: iou.meanIoU, pixelAccuracy: accuracy, perClassIoU: iou.perClass },
    { 'mean IoU': iou.meanIoU.toFixed(3), 'pixel accuracy': accuracy.toFixed(4) },
    pictures,
  );
}

// ---- Super-resolution.

export interface SuperresResult extends Common {
  /** PSNR (dB) of the network's 28×28 images against the originals, on MNIST's test images. */
  psnr: number;
  /** The same for bicubic upsampling of the 14×14 images. */
  psnrBicubic: number;
  ssim: number;
  ssimBicubic: number;
}

/**
 * Super-resolution: MNIST digits shrunk to 14×14 (2×2 means) and brought back to 28×28 by a
 * sub-pixel network (nn.models.SubPixelSR, learning the residual over bilinear upsampling, L2
 * loss), against bicubic upsampling; both clipped to [0, 1] before PSNR and SSIM.
 * @example const r = await trainSuperres(); r.psnr - r.psnrBicubic
 */
export async function trainSuperres(opts: VisionTaskOptions = {}): Promise<SuperresResult> {
  const o = settings('trainSuperres', opts, { trainSize: 20000, testSize: 10000, epochs: 6, batchSize: 64, lr: 2e-3 });
  const m = mnist({ trainSize: o.trainSize, testSize: o.testSize });
  const tr = superResolutionSet(m.train.tensors[0]);
  const te = superResolutionSet(m.test.tensors[0]);
  const model = new SubPixelSR();
  const { history, seconds } = train(model, tr.low, tr.high, (p, t) => p.sub(t).square().mean(), o);
  const clip = (t: Tensor): Tensor => noGrad(() => t.clamp({ min: 0, max: 1 }));
  const predicted = clip(predict(model, te.low, { batchSize: 500 }));
  const bicubic = clip(noGrad(() => interpolate(te.low, { scaleFactor: 2, mode: 'bicubic' })));
  const r = {
    psnr: psnr(predicted, te.high),
    psnrBicubic: psnr(bicubic, te.high),
    ssim: ssim(predicted, te.high),
    ssimBicubic: ssim(bicubic, te.high),
  };
  const pictures: Picture[] = [];
  if (o.out) {
    const n = 8;
    const nearest = noGrad(() => interpolate(te.low.narrow(0, 0, n), { scaleFactor: 2 }));
    const rows = stack([nearest, bicubic.narrow(0, 0, n), predicted.narrow(0, 0, n), te.high.narrow(0, 0, n)], 1).reshape([
      4 * n,
      1,
      28,
      28,
    ]);
    const note =
      'Test digits, in fours: the 14×14 input (shown 2× by nearest neighbour), bicubic upsampling, the network, the original 28×28.';
    pictures.push(picture('Super-resolution', join(o.out, 'superres.png'), rows, { nrow: 8, scale: 3 }, note));
  }
  return finish(
    { task: 'superres', title: 'Super-resolution', model, history, seconds },
    o,
    r,
    {
      'PSNR (dB)': r.psnr.toFixed(2),
      'PSNR bicubic (dB)': r.psnrBicubic.toFixed(2),
      SSIM: r.ssim.toFixed(3),
      'SSIM bicubic': r.ssimBicubic.toFixed(3),
    },
    pictures,
  );
}
