import { noGrad } from '../autograd/engine.js';
import { tensor } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { checkBoxes } from '../train/image-metrics.js';
import { arg, is } from '../util/args.js';
import { check, fmtShape } from '../util/errors.js';

/** Eleven colours for segmentation masks: black background, then one per digit. */
export const MASK_PALETTE: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0, 0],
  [0.9, 0.1, 0.1],
  [0.1, 0.7, 0.1],
  [0.2, 0.3, 1],
  [1, 0.8, 0.1],
  [0.8, 0.2, 0.9],
  [0.1, 0.9, 0.9],
  [1, 0.5, 0.1],
  [0.6, 0.4, 0.2],
  [1, 0.6, 0.8],
  [0.6, 0.9, 0.3],
];

/**
 * Grey images [C, H, W] (C = 1) as RGB [3, H, W] with box outlines drawn in: each box [x1, y1,
 * x2, y2] in pixels, inside the image (a box outside it throws), with a colour per box.
 * @example drawBoxes(canvas, [[10, 12, 30, 40]], [[0, 1, 0]]) // [3, 64, 64]
 */
export function drawBoxes(
  image: Tensor,
  boxes: ReadonlyArray<readonly number[]>,
  colors: ReadonlyArray<readonly [number, number, number]> = [],
): Tensor {
  arg('drawBoxes', 'image', image, is.instance(Tensor));
  check(image.ndim === 3 && image.shape[0] === 1, 'drawBoxes', () => `expected a grey image [1, H, W], got shape ${fmtShape(image.shape)}`);
  const [, h, w] = image.shape;
  if (boxes.length)
    checkBoxes(
      'drawBoxes',
      tensor(
        boxes.map((b) => [...b]),
        { shape: [boxes.length, 4] },
      ),
      [h, w],
    );
  const grey = image.data();
  const rgb = new Float32Array(3 * h * w);
  for (let c = 0; c < 3; c++) rgb.set(grey, c * h * w);
  boxes.forEach((b, k) => {
    const color = colors[k] ?? [1, 0, 0];
    const [x1, y1] = [Math.round(b[0]), Math.round(b[1])];
    const [x2, y2] = [Math.min(w - 1, Math.round(b[2]) - 1), Math.min(h - 1, Math.round(b[3]) - 1)];
    const paint = (x: number, y: number): void => {
      for (let c = 0; c < 3; c++) rgb[c * h * w + y * w + x] = color[c];
    };
    for (let x = x1; x <= x2; x++) [y1, y2].forEach((y) => paint(x, y));
    for (let y = y1; y <= y2; y++) [x1, x2].forEach((x) => paint(x, y));
  });
  return new Tensor(rgb, [3, h, w]);
}

/**
 * Class masks [N, H, W] (int32, 0 background, 1..10 a digit) as RGB images [N, 3, H, W] in
 * MASK_PALETTE's colours.
 * @example colorMasks(masks) // [N, 3, 64, 64]
 */
export function colorMasks(masks: Tensor): Tensor {
  arg('colorMasks', 'masks', masks, is.instance(Tensor));
  check(masks.ndim === 3, 'colorMasks', () => `expected masks [N, H, W], got shape ${fmtShape(masks.shape)}`);
  return noGrad(() => {
    const [n, h, w] = masks.shape;
    const m = masks.data();
    const out = new Float32Array(n * 3 * h * w);
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < h * w; p++) {
        const color = MASK_PALETTE[m[i * h * w + p] % MASK_PALETTE.length];
        for (let c = 0; c < 3; c++) out[(i * 3 + c) * h * w + p] = color[c];
      }
    }
    return new Tensor(out, [n, 3, h, w]);
  });
}
