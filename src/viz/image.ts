import { arg, is } from '../util/args.js';
import { pngClass, type PNG } from './png-codec.js';
import { Tensor, denseArray } from '../tensor/tensor.js';
import { check, fmtShape } from '../util/errors.js';
import { writeOut } from './files.js';

const IS_TENSOR = is.instance(Tensor);

/**
 * How values become colours. gray: low black, high white. diverging: negative
 * blue, zero white, positive red, symmetric about 0 (for signed weights and
 * gradients). hot: black, red, yellow, white (for saliency).
 */
export type Colormap = 'gray' | 'diverging' | 'hot';

export interface ImageGridOptions {
  /** Images per row (torchvision's nrow); default ceil(sqrt(N)). */
  nrow?: number;
  /** Pixels between images and around the grid (before scaling); default 2. */
  padding?: number;
  /**
   * Value range mapped to the colormap: 'each' image to its own min..max, 'all'
   * images to the common min..max (default), 'none' assumes values in [0, 1].
   * With the diverging map the range is ±max|x| instead.
   */
  normalize?: 'each' | 'all' | 'none';
  /** Nearest-neighbour enlargement factor; default 1. */
  scale?: number;
  colormap?: Colormap;
  /** Grey level (0..255) of the padding; default 255 (white). */
  padValue?: number;
  /** Writes the PNG here when given. */
  out?: string;
}

/** A PNG image: the encoded bytes, its size in pixels and the file written, if any. */
export interface PngImage {
  png: Uint8Array;
  width: number;
  height: number;
  path?: string;
}

type RGB = [number, number, number];

/** Maps t in [0, 1] (or [-1, 1] for diverging) to RGB bytes. */
function colour(map: Colormap, t: number): RGB {
  if (map === 'gray') {
    const g = Math.round(255 * clamp01(t));
    return [g, g, g];
  }
  if (map === 'hot') {
    const u = clamp01(t) * 3;
    return [255 * clamp01(u), 255 * clamp01(u - 1), 255 * clamp01(u - 2)].map(Math.round) as RGB;
  }
  // Diverging: interpolate from white towards ColorBrewer RdBu's darkest blue or red.
  const s = Math.max(-1, Math.min(1, t));
  const end: RGB = s < 0 ? [33, 102, 172] : [178, 24, 43];
  const a = Math.abs(s);
  return [0, 1, 2].map((i) => Math.round(255 + (end[i] - 255) * a)) as RGB;
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : Number.isNaN(v) ? 0 : v);

function range(data: ArrayLike<number>, from: number, to: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = from; i < to; i++) {
    const v = data[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Images as [N, C, H, W] with C 1 or 3, from [N,C,H,W], [N,H,W], [C,H,W] (C 1 or 3) or [H,W]. */
function asNCHW(op: string, x: Tensor): Tensor {
  const s = x.shape;
  let t = x;
  if (x.ndim === 2) t = x.reshape([1, 1, s[0], s[1]]);
  else if (x.ndim === 3) t = s[0] === 3 ? x.reshape([1, 3, s[1], s[2]]) : x.reshape([s[0], 1, s[1], s[2]]);
  check(t.ndim === 4, op, () => `expected images [N,C,H,W], [N,H,W] or [H,W], got shape ${fmtShape(s)}`);
  check(
    t.shape[1] === 1 || t.shape[1] === 3,
    op,
    () =>
      `images need 1 (grey) or 3 (RGB) channels, got ${t.shape[1]} in shape ${fmtShape(s)}; show channels as separate images with x.reshape([N*C, H, W])`,
  );
  return t;
}

/**
 * Lays images out in a grid and encodes it as PNG (with pngjs), like
 * torchvision's make_grid + save_image. Grey images go through the colormap;
 * RGB images are shown as they are (normalised, colormap ignored).
 *
 * @example
 * const { png, width } = imageGrid(conv.weight.detach(), { nrow: 8, normalize: 'each', scale: 8, out: 'filters.png' });
 */
export function imageGrid(images: Tensor, opts: ImageGridOptions = {}): PngImage {
  arg('imageGrid', 'images', images, IS_TENSOR);
  const op = 'imageGrid';
  const x = asNCHW(op, images);
  const [n, c, h, w] = x.shape;
  check(n > 0, op, () => `no images (shape ${fmtShape(images.shape)})`);
  const nrow = opts.nrow ?? Math.ceil(Math.sqrt(n));
  const pad = opts.padding ?? 2;
  const scale = opts.scale ?? 1;
  check(
    Number.isInteger(nrow) && nrow > 0 && Number.isInteger(pad) && pad >= 0 && Number.isInteger(scale) && scale > 0,
    op,
    () => `nrow, padding and scale must be integers (nrow, scale > 0), got nrow ${nrow}, padding ${pad}, scale ${scale}`,
  );
  const map = opts.colormap ?? 'gray';
  const norm = opts.normalize ?? 'all';
  const data = denseArray(x.contiguous());
  const per = c * h * w;
  const cols = Math.min(nrow, n);
  const rows = Math.ceil(n / nrow);
  const width = (cols * (w + pad) + pad) * scale;
  const height = (rows * (h + pad) + pad) * scale;
  const PNG = pngClass();
  const png = new PNG({ width, height });
  png.data.fill(opts.padValue ?? 255);
  for (let i = 3; i < png.data.length; i += 4) png.data[i] = 255;

  const all = range(data, 0, data.length);
  for (let k = 0; k < n; k++) {
    let [lo, hi] = norm === 'each' ? range(data, k * per, (k + 1) * per) : norm === 'all' ? all : [0, 1];
    if (map === 'diverging' && c === 1) {
      const m = norm === 'none' ? 1 : Math.max(Math.abs(lo), Math.abs(hi));
      [lo, hi] = [-m, m];
    }
    const span = hi - lo || 1;
    const x0 = pad + (k % nrow) * (w + pad);
    const y0 = pad + Math.floor(k / nrow) * (h + pad);
    for (let r = 0; r < h; r++) {
      for (let q = 0; q < w; q++) {
        let rgb: RGB;
        if (c === 3) {
          rgb = [0, 1, 2].map((ch) => Math.round(255 * clamp01((data[k * per + ch * h * w + r * w + q] - lo) / span))) as RGB;
        } else {
          const v = data[k * per + r * w + q];
          rgb = map === 'diverging' ? colour(map, v / (hi || 1)) : colour(map, (v - lo) / span);
        }
        fillBlock(png, (x0 + q) * scale, (y0 + r) * scale, scale, rgb);
      }
    }
  }
  const buf = PNG.sync.write(png);
  return { png: buf, width, height, path: opts.out ? writeOut(opts.out, buf) : undefined };
}

function fillBlock(png: PNG, x: number, y: number, size: number, rgb: RGB): void {
  for (let dy = 0; dy < size; dy++) {
    for (let dx = 0; dx < size; dx++) {
      const i = ((y + dy) * png.width + x + dx) * 4;
      png.data[i] = rgb[0];
      png.data[i + 1] = rgb[1];
      png.data[i + 2] = rgb[2];
    }
  }
}

/**
 * A grey image [H, W] (values in [0, 1], or [-1, 1] for diverging) through a
 * colormap, as an RGB image [3, H, W] in [0, 1]: to place differently coloured
 * pictures in one grid.
 * @example
 * const rgb = colorize(tg.rand([28, 28]), 'hot'); // [3, 28, 28]
 */
export function colorize(x: Tensor, map: Colormap): Tensor {
  arg('colorize', 'x', x, IS_TENSOR);
  check(x.ndim === 2, 'colorize', () => `expects a grey image [H, W], got shape ${fmtShape(x.shape)}`);
  const v = denseArray(x);
  const n = v.length;
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    const rgb = colour(map, v[i]);
    for (let c = 0; c < 3; c++) out[c * n + i] = rgb[c] / 255;
  }
  return new Tensor(out, [3, x.shape[0], x.shape[1]]);
}

/**
 * Decodes a PNG (for checks and for loading an input image): RGBA bytes and size.
 * @example
 * const { width, height, data } = readPng(readFileSync('runs/cnn/filters-conv1.png'));
 */
export function readPng(png: Uint8Array): { width: number; height: number; data: Uint8Array } {
  arg('readPng', 'png', png, is.instance(Uint8Array));
  // pngjs reads through Buffer's methods; in Node a Buffer view of the same bytes (no copy).
  const img = pngClass().sync.read(
    typeof Buffer === 'undefined' ? (png as Buffer) : Buffer.from(png.buffer, png.byteOffset, png.byteLength),
  );
  return { width: img.width, height: img.height, data: img.data };
}
