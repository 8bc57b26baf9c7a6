import { arg, is } from '../util/args.js';
import { Tensor, denseArray } from '../tensor/tensor.js';
import { check, fmtShape } from '../util/errors.js';

/**
 * A drawing or photo of a digit made into an MNIST image, as MNIST's own were made: see
 * mnistStyle. Without it a network trained on MNIST misreads digits drawn small, large or off
 * centre. Runs in browsers too (readImage(file, { mnist: true }) does the same for files in Node).
 * @example
 * const x = mnistDigit(canvasGrey);            // [H, W] in [0, 1], white ink on black or black on white
 * const probs = model.forward(x.unsqueeze(0)).softmax(1); // [1, 10]
 */
export function mnistDigit(image: Tensor): Tensor {
  arg('mnistDigit', 'image', image, is.instance(Tensor));
  const shape = image.ndim === 3 && image.shape[0] === 1 ? image.shape.slice(1) : image.shape;
  check(shape.length === 2, 'mnistDigit', () => `expected a grey image [H, W] or [1, H, W], got shape ${fmtShape(image.shape)}`);
  const grey = Float32Array.from(denseArray(image));
  return new Tensor(mnistStyle(grey, shape[0], shape[1]), [1, 28, 28]);
}

/**
 * The MNIST preprocessing of a grey image (h × w values in [0, 1]), as LeCun et al. made the
 * digits: dark ink on a light background is inverted, the ink's bounding box is scaled so that its
 * longer side is 20 pixels (keeping the aspect ratio), and placed in 28 × 28 with its centre of
 * mass at the centre. An empty image gives zeros.
 */
export function mnistStyle(grey: Float32Array, h: number, w: number): Float32Array {
  const img = grey.slice();
  const mean = img.reduce((s, v) => s + v, 0) / img.length;
  if (mean > 0.5) for (let i = 0; i < img.length; i++) img[i] = 1 - img[i];
  // Bounding box of the ink (pixels above a tenth of the brightest).
  let peak = 0;
  for (const v of img) peak = Math.max(peak, v);
  let [r0, r1, c0, c1] = [h, -1, w, -1];
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      if (img[r * w + c] > 0.1 * peak && peak > 0) {
        r0 = Math.min(r0, r);
        r1 = Math.max(r1, r);
        c0 = Math.min(c0, c);
        c1 = Math.max(c1, c);
      }
    }
  }
  const out = new Float32Array(28 * 28);
  if (r1 < 0) return out;
  const bh = r1 - r0 + 1;
  const bw = c1 - c0 + 1;
  const box = new Float32Array(bh * bw);
  for (let r = 0; r < bh; r++) for (let c = 0; c < bw; c++) box[r * bw + c] = img[(r0 + r) * w + c0 + c];
  // The longer side becomes 20 pixels, keeping the aspect ratio.
  const s = 20 / Math.max(bh, bw);
  const [nh, nw] = [Math.max(1, Math.round(bh * s)), Math.max(1, Math.round(bw * s))];
  const small = resize(box, bh, bw, nh, nw);
  let [m, my, mx] = [0, 0, 0];
  for (let r = 0; r < nh; r++) {
    for (let c = 0; c < nw; c++) {
      const v = small[r * nw + c];
      m += v;
      my += v * r;
      mx += v * c;
    }
  }
  const oy = Math.round(14 - (m > 0 ? my / m : nh / 2));
  const ox = Math.round(14 - (m > 0 ? mx / m : nw / 2));
  for (let r = 0; r < nh; r++) {
    for (let c = 0; c < nw; c++) {
      const y = r + oy;
      const x = c + ox;
      if (y >= 0 && y < 28 && x >= 0 && x < 28) out[y * 28 + x] = Math.min(1, small[r * nw + c]);
    }
  }
  return out;
}

/** Area-averaging resize: each output pixel is the mean of the input pixels it covers (bilinear-free, no ringing). */
export function resize(src: Float32Array, h: number, w: number, oh: number, ow: number): Float32Array {
  if (h === oh && w === ow) return src.slice();
  const out = new Float32Array(oh * ow);
  for (let y = 0; y < oh; y++) {
    const y0 = Math.floor((y * h) / oh);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * h) / oh));
    for (let x = 0; x < ow; x++) {
      const x0 = Math.floor((x * w) / ow);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * w) / ow));
      let s = 0;
      for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) s += src[yy * w + xx];
      out[y * ow + x] = s / ((y1 - y0) * (x1 - x0));
    }
  }
  return out;
}
