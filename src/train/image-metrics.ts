import { noGrad } from '../autograd/engine.js';
import { conv2d } from '../ops/conv.js';
import { tensor } from '../tensor/create.js';
import { Tensor, denseArray } from '../tensor/tensor.js';
import { arg, is, options } from '../util/args.js';
import { TsgradError, check, fmtShape } from '../util/errors.js';

/**
 * Metrics of the image tasks beyond classification: boxes (intersection over union, mean average
 * precision), masks (mean IoU, pixel accuracy) and pictures (PSNR, SSIM). Boxes are
 * [x1, y1, x2, y2] in pixels, x to the right and y down, x2 > x1 and y2 > y1.
 */

const IS_TENSOR = is.instance(Tensor);

/**
 * Checks boxes [N, 4] (or [4]) and, with imageSize [H, W], that each lies inside the image; returns their values.
 * @example checkBoxes('drawBoxes', tg.tensor([[0, 0, 10, 10]]), [64, 64]) // Float32Array [0, 0, 10, 10]
 */
export function checkBoxes(op: string, boxes: Tensor, imageSize?: readonly [number, number]): Float32Array | Float64Array {
  arg(op, 'boxes', boxes, IS_TENSOR);
  check(
    boxes.shape[boxes.ndim - 1] === 4 && boxes.ndim <= 2,
    op,
    () => `boxes must be [N, 4] (x1, y1, x2, y2), got shape ${fmtShape(boxes.shape)}`,
  );
  const v = denseArray(boxes.dtype === 'int32' ? boxes.to('float32') : boxes) as Float32Array;
  for (let i = 0; i < v.length; i += 4) {
    const [x1, y1, x2, y2] = [v[i], v[i + 1], v[i + 2], v[i + 3]];
    if (!(x2 >= x1 && y2 >= y1)) throw new TsgradError(`${op}: box ${i / 4} [${x1}, ${y1}, ${x2}, ${y2}] has x2 < x1 or y2 < y1 (or NaN)`);
    if (imageSize && (x1 < 0 || y1 < 0 || x2 > imageSize[1] || y2 > imageSize[0])) {
      throw new TsgradError(
        `${op}: box ${i / 4} [${x1}, ${y1}, ${x2}, ${y2}] lies outside the ${imageSize[0]}×${imageSize[1]} image (x in [0, ${imageSize[1]}], y in [0, ${imageSize[0]}])`,
      );
    }
  }
  return v;
}

function iouOf(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number): number {
  const w = Math.min(a[i + 2], b[j + 2]) - Math.max(a[i], b[j]);
  const h = Math.min(a[i + 3], b[j + 3]) - Math.max(a[i + 1], b[j + 1]);
  const inter = Math.max(0, w) * Math.max(0, h);
  const union = (a[i + 2] - a[i]) * (a[i + 3] - a[i + 1]) + (b[j + 2] - b[j]) * (b[j + 3] - b[j + 1]) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Intersection over union of boxes a[i] and b[i], row by row: [N].
 * @example boxIoU(tg.tensor([[0, 0, 2, 2]]), tg.tensor([[1, 1, 3, 3]])).item() // 1/7
 */
export function boxIoU(a: Tensor, b: Tensor): Tensor {
  const va = checkBoxes('boxIoU', a);
  const vb = checkBoxes('boxIoU', b);
  check(va.length === vb.length, 'boxIoU', () => `needs as many boxes in a as in b, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  return tensor(Array.from({ length: va.length / 4 }, (_, i) => iouOf(va, 4 * i, vb, 4 * i)));
}

export interface Detection {
  box: readonly [number, number, number, number];
  classIndex: number;
  /** The detector's confidence (sorts the detections). */
  score?: number;
}

/**
 * Mean average precision at an IoU threshold (default 0.5, PASCAL VOC's mAP@0.5): per class, the
 * detections in order of score are matched greedily to unmatched true boxes of their image and
 * class with IoU ≥ threshold; AP is the area under the interpolated precision-recall curve (all
 * points); mAP the mean over the classes that have true boxes.
 * @example meanAveragePrecision([[{ box: [0, 0, 9, 9], classIndex: 3, score: 0.9 }]], [[{ box: [0, 0, 10, 10], classIndex: 3 }]]) // 1
 */
export function meanAveragePrecision(
  predicted: ReadonlyArray<readonly Detection[]>,
  truth: ReadonlyArray<readonly Detection[]>,
  opts: { iouThreshold?: number } = {},
): number {
  arg('meanAveragePrecision', 'predicted', predicted, is.arrayOf(is.any));
  arg('meanAveragePrecision', 'truth', truth, is.arrayOf(is.any));
  const { iouThreshold = 0.5 } = options<{ iouThreshold?: number }>('meanAveragePrecision', opts, { iouThreshold: is.number });
  check(
    predicted.length === truth.length,
    'meanAveragePrecision',
    () => `${predicted.length} images of detections for ${truth.length} of truth`,
  );
  const classes = new Set(truth.flatMap((t) => t.map((d) => d.classIndex)));
  const aps: number[] = [];
  for (const c of classes) {
    const total = truth.reduce((n, t) => n + t.filter((d) => d.classIndex === c).length, 0);
    const dets = predicted
      .flatMap((p, img) => p.filter((d) => d.classIndex === c).map((d) => ({ ...d, img })))
      .sort((x, y) => (y.score ?? 0) - (x.score ?? 0));
    const used = truth.map((t) => t.map(() => false));
    const tp: number[] = [];
    for (const d of dets) {
      let best = -1;
      let bestIoU = iouThreshold;
      truth[d.img].forEach((t, k) => {
        if (t.classIndex !== c || used[d.img][k]) return;
        const iou = iouOf(d.box, 0, t.box, 0);
        if (iou >= bestIoU) [best, bestIoU] = [k, iou];
      });
      if (best >= 0) used[d.img][best] = true;
      tp.push(best >= 0 ? 1 : 0);
    }
    // Precision at each rank, made monotone from the right, integrated over recall.
    let hits = 0;
    const prec = tp.map((t, i) => (hits += t) / (i + 1));
    const rec = tp.map((_, i) => tp.slice(0, i + 1).reduce((a, b) => a + b, 0) / total);
    for (let i = prec.length - 2; i >= 0; i--) prec[i] = Math.max(prec[i], prec[i + 1]);
    let ap = 0;
    let prevRecall = 0;
    for (let i = 0; i < prec.length; i++) {
      ap += (rec[i] - prevRecall) * prec[i];
      prevRecall = rec[i];
    }
    aps.push(ap);
  }
  return aps.length ? aps.reduce((a, b) => a + b, 0) / aps.length : NaN;
}

/** Predicted classes per pixel: from logits [N, C, H, W] (argmax over C) or class indices [N, H, W]. */
function pixelClasses(op: string, pred: Tensor, target: Tensor): { p: ArrayLike<number>; t: ArrayLike<number>; classes: number } {
  arg(op, 'pred', pred, IS_TENSOR);
  arg(op, 'target', target, IS_TENSOR);
  const logits = pred.ndim === target.ndim + 1;
  const spatial = logits ? [pred.shape[0], ...pred.shape.slice(2)] : pred.shape;
  if (spatial.length !== target.ndim || spatial.some((d, i) => d !== target.shape[i])) {
    throw new TsgradError(
      `${op}: the mask's shape ${fmtShape(target.shape)} does not match the ${logits ? 'logits' : 'prediction'} ${fmtShape(pred.shape)} ` +
        `(expected ${fmtShape(spatial)}${logits ? ': the logits without their class axis' : ''})`,
    );
  }
  const p = logits ? noGrad(() => pred.argmax(1)).data() : pred.data();
  return { p, t: target.data(), classes: logits ? pred.shape[1] : 0 };
}

/**
 * Intersection over union per class of a segmentation and its mean over the classes present in
 * the prediction or the mask (pred: logits [N, C, H, W] or classes [N, H, W]; target: classes [N, H, W]).
 * @example meanIoU(model.forward(x), masks).meanIoU
 */
export function meanIoU(pred: Tensor, target: Tensor, opts: { numClasses?: number } = {}): { meanIoU: number; perClass: number[] } {
  const { p, t, classes } = pixelClasses('meanIoU', pred, target);
  const { numClasses } = options<{ numClasses?: number }>('meanIoU', opts, { numClasses: is.positiveInt });
  let k = numClasses ?? classes;
  if (!k) for (let i = 0; i < t.length; i++) k = Math.max(k, t[i] + 1, p[i] + 1);
  const inter = new Array<number>(k).fill(0);
  const union = new Array<number>(k).fill(0);
  for (let i = 0; i < t.length; i++) {
    if (t[i] === p[i]) {
      inter[t[i]]++;
      union[t[i]]++;
    } else {
      union[t[i]]++;
      union[p[i]]++;
    }
  }
  const perClass = inter.map((n, c) => (union[c] ? n / union[c] : NaN));
  const present = perClass.filter((v) => !Number.isNaN(v));
  return { meanIoU: present.reduce((a, b) => a + b, 0) / present.length, perClass };
}

/**
 * Share of pixels whose predicted class is the mask's (pred: logits [N, C, H, W] or classes [N, H, W]).
 * @example pixelAccuracy(model.forward(x), masks) // masks: int32 classes [N, H, W]
 */
export function pixelAccuracy(pred: Tensor, target: Tensor): number {
  const { p, t } = pixelClasses('pixelAccuracy', pred, target);
  let right = 0;
  for (let i = 0; i < t.length; i++) if (p[i] === t[i]) right++;
  return right / t.length;
}

function sameImages(op: string, x: Tensor, y: Tensor): void {
  arg(op, 'x', x, IS_TENSOR);
  arg(op, 'y', y, IS_TENSOR);
  check(
    x.ndim === 4 && x.shape.every((d, i) => d === y.shape[i]) && y.ndim === 4,
    op,
    () => `needs two batches of images [N, C, H, W] of one shape, got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`,
  );
}

/**
 * Peak signal-to-noise ratio in dB, 10·log10(max² / MSE), per image and averaged over the batch
 * [N, C, H, W] (maxValue default 1, for images in [0, 1]).
 * @example psnr(model.forward(lowRes), highRes)
 */
export function psnr(x: Tensor, y: Tensor, opts: { maxValue?: number } = {}): number {
  sameImages('psnr', x, y);
  const { maxValue = 1 } = options<{ maxValue?: number }>('psnr', opts, { maxValue: is.positive });
  const a = x.data();
  const b = y.data();
  const n = x.shape[0];
  const per = a.length / n;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let se = 0;
    for (let j = i * per; j < (i + 1) * per; j++) se += (a[j] - b[j]) ** 2;
    total += 10 * Math.log10((maxValue * maxValue) / Math.max(se / per, 1e-12));
  }
  return total / n;
}

/**
 * Structural similarity (Wang et al. 2004) with an 11×11 Gaussian window (σ 1.5, valid positions
 * only) and constants (0.01·L)², (0.03·L)², averaged over positions, channels and images.
 * @example ssim(model.forward(lowRes), highRes) // 1 for identical images
 */
export function ssim(x: Tensor, y: Tensor, opts: { maxValue?: number } = {}): number {
  sameImages('ssim', x, y);
  const { maxValue = 1 } = options<{ maxValue?: number }>('ssim', opts, { maxValue: is.positive });
  check(x.shape[2] >= 11 && x.shape[3] >= 11, 'ssim', () => `images must be at least 11×11 (the window), got ${fmtShape(x.shape)}`);
  const g = Array.from({ length: 11 }, (_, i) => Math.exp(-((i - 5) ** 2) / (2 * 1.5 * 1.5)));
  const s = g.reduce((a, b) => a + b, 0);
  const k = tensor(
    g.flatMap((u) => g.map((v) => (u * v) / (s * s))),
    { shape: [1, 1, 11, 11] },
  );
  return noGrad(() => {
    const [n, c, h, w] = x.shape;
    const flat = (t: Tensor): Tensor => t.to('float32').reshape([n * c, 1, h, w]);
    const [a, b] = [flat(x), flat(y)];
    const blur = (t: Tensor): Tensor => conv2d(t, k);
    const [ma, mb] = [blur(a), blur(b)];
    const va = blur(a.mul(a)).sub(ma.mul(ma));
    const vb = blur(b.mul(b)).sub(mb.mul(mb));
    const cov = blur(a.mul(b)).sub(ma.mul(mb));
    const [c1, c2] = [(0.01 * maxValue) ** 2, (0.03 * maxValue) ** 2];
    const num = ma.mul(mb).mul(2).add(c1).mul(cov.mul(2).add(c2));
    const den = ma.square().add(mb.square()).add(c1).mul(va.add(vb).add(c2));
    return num.div(den).mean().item();
  });
}
