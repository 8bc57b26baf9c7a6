import { readBytes } from '../util/read-file.js';
import { extname } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { Tensor, denseArray } from '../tensor/tensor.js';
import { arg, is, options } from '../util/args.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { TsgradError, fmtShape } from '../util/errors.js';
import { mnistStyle, resize } from '../data/mnist-style.js';

export interface ReadImageOptions {
  /** 1 for grey (luminance), 3 for RGB; default: the file's own (grey when it has no colour). */
  channels?: 1 | 3;
  /** Resize to [height, width] (or a square side) by area averaging. */
  size?: number | [number, number];
  /**
   * MNIST-style: grey, white digit on black (inverted when the background is light), the
   * digit's bounding box scaled into 20×20 and its centre of mass put at the centre of a
   * 28×28 image, as the MNIST images were made.
   */
  mnist?: boolean;
}

/**
 * Reads a PNG or JPEG image as a float32 tensor [C, H, W] with values in [0, 1]. Transparent
 * pixels are composited over white.
 * @example
 * const x = readImage('digit.png', { mnist: true }); // [1, 28, 28], ready for an MNIST model
 * model.forward(x.unsqueeze(0)).argmax(1);
 */
export function readImage(file: string, opts: ReadImageOptions = {}): Tensor {
  arg('readImage', 'file', file, is.string);
  const o = options<ReadImageOptions>('readImage', opts, {
    channels: is.oneOf([1, 3]),
    size: is.anyOf(is.positiveInt, is.arrayOf(is.positiveInt, 2)),
    mnist: is.bool,
  });
  if (o.mnist && o.channels === 3) throw new TsgradError('readImage: mnist: true makes a grey image; channels: 3 contradicts it');
  const { width: w, height: h, rgba } = decode(file);
  const grey = new Float32Array(w * h);
  const rgb = new Float32Array(3 * w * h);
  let coloured = false;
  for (let i = 0; i < w * h; i++) {
    const a = rgba[4 * i + 3] / 255;
    const c = [0, 1, 2].map((k) => a * (rgba[4 * i + k] / 255) + (1 - a));
    if (c[0] !== c[1] || c[1] !== c[2]) coloured = true;
    for (let k = 0; k < 3; k++) rgb[k * w * h + i] = c[k];
    grey[i] = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
  }
  if (o.mnist) return new Tensor(mnistStyle(grey, h, w), [1, 28, 28]);
  const channels = o.channels ?? (coloured ? 3 : 1);
  let planes = channels === 3 ? rgb : grey;
  let [oh, ow] = [h, w];
  if (o.size !== undefined) {
    [oh, ow] = typeof o.size === 'number' ? [o.size, o.size] : o.size;
    const out = new Float32Array(channels * oh * ow);
    for (let k = 0; k < channels; k++) out.set(resize(planes.subarray(k * h * w, (k + 1) * h * w), h, w, oh, ow), k * oh * ow);
    planes = out;
  }
  return new Tensor(planes, [channels, oh, ow]);
}

function decode(file: string): { width: number; height: number; rgba: Uint8Array } {
  const bytes = readBytes('readImage', file);
  const isPng = bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
  try {
    if (isPng) {
      const img = PNG.sync.read(bytes);
      return { width: img.width, height: img.height, rgba: img.data };
    }
    if (isJpeg) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 512 });
      return { width: img.width, height: img.height, rgba: img.data };
    }
  } catch (e) {
    throw new TsgradError(`readImage: ${file} is not a readable ${isPng ? 'PNG' : 'JPEG'} (${(e as Error).message})`);
  }
  throw new TsgradError(`readImage: ${file} is neither a PNG nor a JPEG (by its first bytes); those are the formats read`);
}

/**
 * Writes a tensor as an image: [H, W] or [1, H, W] grey, [3, H, W] RGB, values in [0, 1]
 * (anything else is an error: normalise first). PNG, or JPEG (quality 90) for a .jpg/.jpeg
 * name. The file is written atomically.
 * @example writeImage(readImage('in.png'), 'out.png')
 */
export function writeImage(x: Tensor, file: string): string {
  arg('writeImage', 'x', x, is.instance(Tensor));
  arg('writeImage', 'file', file, is.string);
  const shape = x.ndim === 2 ? [1, ...x.shape] : x.shape;
  if (shape.length !== 3 || (shape[0] !== 1 && shape[0] !== 3)) {
    throw new TsgradError(`writeImage: expected an image [H, W], [1, H, W] or [3, H, W], got shape ${fmtShape(x.shape)}`);
  }
  const [c, h, w] = shape;
  const v = denseArray(x);
  for (let i = 0; i < v.length; i++) {
    if (!(v[i] >= 0 && v[i] <= 1)) {
      throw new TsgradError(`writeImage: values must be in [0, 1] (scale the image first), got ${v[i]} at element ${i} of ${file}`);
    }
  }
  const rgba = Buffer.alloc(4 * h * w);
  for (let i = 0; i < h * w; i++) {
    for (let k = 0; k < 3; k++) rgba[4 * i + k] = Math.round(255 * v[(c === 3 ? k : 0) * h * w + i]);
    rgba[4 * i + 3] = 255;
  }
  const ext = extname(file).toLowerCase();
  let bytes: Buffer | Uint8Array;
  if (ext === '.jpg' || ext === '.jpeg') {
    bytes = jpeg.encode({ data: rgba, width: w, height: h }, 90).data;
  } else {
    const png = new PNG({ width: w, height: h });
    rgba.copy(png.data);
    bytes = PNG.sync.write(png);
  }
  writeFileAtomic(file, bytes);
  return file;
}
