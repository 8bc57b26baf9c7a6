import { tensor } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { arg, is, options } from '../util/args.js';
import { TsgradError, check, fmtShape } from '../util/errors.js';
import { Rng } from '../util/rng.js';

/**
 * Image tasks beyond classification, built from MNIST digits so that nothing needs a download:
 * digits cut to their ink, scaled and placed on a black canvas. Seeded: the same seed gives the
 * same canvases. Boxes are [x1, y1, x2, y2] in pixels (x right, y down), tight around the ink.
 */

/** MNIST-like digits: images [N, 1, 28, 28] in [0, 1] and labels [N]. */
export interface DigitSource {
  images: Tensor;
  labels: Tensor;
}

export interface CanvasOptions {
  /** How many canvases. */
  count: number;
  /** Canvas side in pixels (default 64). */
  size?: number;
  /** Height range of a placed digit's ink in pixels (default [16, 36]). */
  digitHeight?: readonly [number, number];
  seed?: number;
}

export interface MultiCanvasOptions extends CanvasOptions {
  /** Most digits on one canvas (default 3); each canvas has 1 to maxDigits. */
  maxDigits?: number;
}

export interface PlacedDigit {
  box: [number, number, number, number];
  classIndex: number;
}

function checkSource(op: string, src: DigitSource): void {
  arg(op, 'source', src, is.object);
  const { images, labels } = src;
  check(
    images instanceof Tensor && images.ndim === 4 && images.shape[1] === 1,
    op,
    () => `source.images must be [N, 1, H, W] grey digits, got ${images instanceof Tensor ? fmtShape(images.shape) : typeof images}`,
  );
  check(
    labels instanceof Tensor && labels.ndim === 1 && labels.shape[0] === images.shape[0],
    op,
    () => `source.labels must be [N] (one per image), got ${labels instanceof Tensor ? fmtShape(labels.shape) : typeof labels}`,
  );
  check(images.shape[0] > 0, op, () => 'the source holds no digits');
}

function canvasOptions(op: string, opts: MultiCanvasOptions): Required<Omit<MultiCanvasOptions, 'seed'>> & { rng: Rng } {
  const o = options<MultiCanvasOptions>(
    op,
    opts,
    { count: is.positiveInt, size: is.positiveInt, digitHeight: is.arrayOf(is.positive, 2), seed: is.int, maxDigits: is.positiveInt },
    ['count'],
  );
  const size = o.size ?? 64;
  const digitHeight = o.digitHeight ?? [16, 36];
  check(
    digitHeight[0] <= digitHeight[1] && digitHeight[1] <= size,
    op,
    () => `digitHeight [${digitHeight.join(', ')}] must be an increasing range no taller than the canvas (${size})`,
  );
  return { count: o.count, size, digitHeight, maxDigits: o.maxDigits ?? 3, rng: new Rng(o.seed ?? 0) };
}

/** The ink of digit i, cropped to its bounding box (pixels > 0.1) and resized to height h (bilinear). */
function scaledDigit(
  images: Float32Array | Float64Array,
  i: number,
  side: number,
  h: number,
): { pixels: Float32Array; w: number; h: number } {
  const base = i * side * side;
  let [top, bottom, left, right] = [side, -1, side, -1];
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      if (images[base + r * side + c] > 0.1) {
        top = Math.min(top, r);
        bottom = Math.max(bottom, r);
        left = Math.min(left, c);
        right = Math.max(right, c);
      }
    }
  }
  if (bottom < 0) return { pixels: new Float32Array(1), w: 1, h: 1 };
  const [ch, cw] = [bottom - top + 1, right - left + 1];
  const scale = h / ch;
  const w = Math.max(1, Math.round(cw * scale));
  const out = new Float32Array(h * w);
  const at = (r: number, c: number): number =>
    images[base + (top + Math.min(ch - 1, Math.max(0, r))) * side + left + Math.min(cw - 1, Math.max(0, c))];
  for (let r = 0; r < h; r++) {
    const sr = (r + 0.5) / scale - 0.5;
    const r0 = Math.floor(sr);
    const fr = sr - r0;
    for (let c = 0; c < w; c++) {
      const sc = (c + 0.5) / scale - 0.5;
      const c0 = Math.floor(sc);
      const fc = sc - c0;
      out[r * w + c] =
        (1 - fr) * ((1 - fc) * at(r0, c0) + fc * at(r0, c0 + 1)) + fr * ((1 - fc) * at(r0 + 1, c0) + fc * at(r0 + 1, c0 + 1));
    }
  }
  return { pixels: out, w, h };
}

/** Places up to `digits` digits on each canvas without overlapping boxes; returns canvases, what is where, and the owner of each pixel. */
function compose(
  op: string,
  src: DigitSource,
  opts: MultiCanvasOptions,
  single: boolean,
): { x: Tensor; placed: PlacedDigit[][]; owner: Int32Array; size: number } {
  checkSource(op, src);
  const { count, size, digitHeight, maxDigits, rng } = canvasOptions(op, opts);
  const digits = single ? [1, 1] : [1, maxDigits];
  const images = src.images.data() as Float32Array;
  const labels = src.labels.data();
  const side = src.images.shape[2];
  const x = new Float32Array(count * size * size);
  // For segmentation: which placed digit (1-based, per canvas) each pixel's brightest ink is from.
  const owner = new Int32Array(count * size * size);
  const placed: PlacedDigit[][] = [];
  for (let n = 0; n < count; n++) {
    const want = rng.int(digits[0], digits[1] + 1);
    const here: PlacedDigit[] = [];
    for (let tries = 0; here.length < want && tries < 50; tries++) {
      const i = rng.int(0, src.images.shape[0]);
      const d = scaledDigit(images, i, side, Math.round(digitHeight[0] + rng.random() * (digitHeight[1] - digitHeight[0])));
      if (d.w > size) continue;
      const x1 = rng.int(0, size - d.w + 1);
      const y1 = rng.int(0, size - d.h + 1);
      const box: [number, number, number, number] = [x1, y1, x1 + d.w, y1 + d.h];
      if (here.some((p) => p.box[0] < box[2] && box[0] < p.box[2] && p.box[1] < box[3] && box[1] < p.box[3])) continue;
      here.push({ box, classIndex: labels[i] });
      const base = n * size * size;
      for (let r = 0; r < d.h; r++) {
        for (let c = 0; c < d.w; c++) {
          const v = d.pixels[r * d.w + c];
          const k = base + (y1 + r) * size + x1 + c;
          if (v > x[k]) {
            x[k] = v;
            owner[k] = here.length;
          }
        }
      }
    }
    placed.push(here);
  }
  return { x: tensor(x, { shape: [count, 1, size, size] }), placed, owner, size };
}

/**
 * Localisation: one digit per canvas at a random position and scale; the target is its class
 * and its box.
 * @example const { x, boxes, labels } = localizationSet(train, { count: 1000, seed: 1 }); // [1000,1,64,64], [1000,4], [1000]
 */
export function localizationSet(src: DigitSource, opts: CanvasOptions): { x: Tensor; boxes: Tensor; labels: Tensor } {
  const { x, placed } = compose('localizationSet', src, opts, true);
  return {
    x,
    boxes: tensor(
      placed.flatMap((p) => p[0].box),
      { shape: [placed.length, 4] },
    ),
    labels: tensor(
      placed.map((p) => p[0].classIndex),
      { dtype: 'int32' },
    ),
  };
}

/**
 * Detection: one to `maxDigits` (default 3) digits per canvas, boxes never overlapping; the
 * target is each canvas's list of boxes and classes.
 * @example const { x, objects } = detectionSet(train, { count: 1000, seed: 1 }); // objects[0]: [{ box, classIndex }, ...]
 */
export function detectionSet(src: DigitSource, opts: MultiCanvasOptions): { x: Tensor; objects: PlacedDigit[][] } {
  const { x, placed } = compose('detectionSet', src, opts, false);
  return { x, objects: placed };
}

/**
 * Semantic segmentation: one to `maxDigits` (default 3) digits per canvas; the target is a class
 * per pixel, 0 for background and 1 + digit where a digit's ink is brighter than 0.5.
 * @example const { x, masks } = segmentationSet(train, { count: 1000, seed: 1 }); // masks [1000, 64, 64] int32, 11 classes
 */
export function segmentationSet(src: DigitSource, opts: MultiCanvasOptions): { x: Tensor; masks: Tensor } {
  const { x, placed, owner, size } = compose('segmentationSet', src, opts, false);
  const v = x.data();
  const masks = new Int32Array(owner.length);
  for (let k = 0; k < owner.length; k++) {
    if (owner[k] > 0 && v[k] > 0.5) masks[k] = 1 + placed[Math.floor(k / (size * size))][owner[k] - 1].classIndex;
  }
  return { x, masks: new Tensor(masks, [placed.length, size, size]) };
}

/**
 * Super-resolution pairs: each image [N, 1, H, W] and its half-size version (the mean of each
 * 2×2 block), [N, 1, H/2, W/2].
 * @example const { low, high } = superResolutionSet(test.images); // [N,1,14,14], [N,1,28,28]
 */
export function superResolutionSet(images: Tensor): { low: Tensor; high: Tensor } {
  arg('superResolutionSet', 'images', images, is.instance(Tensor));
  if (images.ndim !== 4 || images.shape[2] % 2 || images.shape[3] % 2) {
    throw new TsgradError(`superResolutionSet: images must be [N, C, H, W] with even H and W, got ${fmtShape(images.shape)}`);
  }
  const [n, c, h, w] = images.shape;
  const low = images.reshape([n, c, h / 2, 2, w / 2, 2]).mean([3, 5]);
  return { low, high: images };
}
