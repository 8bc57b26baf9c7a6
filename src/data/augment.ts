import { kernels } from '../kernels/index.js';
import { arg, is, options } from '../util/args.js';
import { Tensor, denseArray } from '../tensor/tensor.js';
import { TsgradError, fmtShape } from '../util/errors.js';
import { rng } from '../util/rng.js';
import type { BatchTransform } from './loader.js';

/**
 * Data augmentation on whole batches `[x, y]`, x of shape [N, C, H, W]: each
 * function returns a BatchTransform for DataLoader's `transform` or fit's
 * `augment`. All randomness comes from the one seeded generator, so
 * `manualSeed(n)` repeats an augmented run exactly. Transforms never change
 * their input; they return new tensors.
 * @example
 * const augment = compose([randomAffine({ degrees: 10, translate: [0.1, 0.1], scale: [0.9, 1.1] }), randomErasing({ p: 0.25 })]);
 * const loader = new DataLoader(train, { batchSize: 128, shuffle: true, transform: augment });
 */

/**
 * Applies transforms left to right: one BatchTransform from several, as torchvision's
 * `transforms.Compose`.
 * @example const augment = compose([randomCrop({ padding: 4 }), randomHorizontalFlip()]);
 */
export function compose(transforms: readonly BatchTransform[]): BatchTransform {
  arg('compose', 'transforms', transforms, is.arrayOf(is.function));
  return (batch) => transforms.reduce((b, t) => t(b), batch);
}

interface Images {
  n: number;
  c: number;
  h: number;
  w: number;
  data: Float32Array | Float64Array;
}

function images(op: string, x: Tensor): Images {
  if (x.ndim !== 4 || x.dtype === 'int32') {
    throw new TsgradError(`${op}: expects float images of shape [N,C,H,W], got ${x.dtype} ${fmtShape(x.shape)}`);
  }
  const [n, c, h, w] = x.shape;
  return { n, c, h, w, data: denseArray(x) as Float32Array | Float64Array };
}

function withX(batch: Tensor[], x: Tensor): Tensor[] {
  return [x, ...batch.slice(1)];
}

function newLike(im: Images): Float32Array | Float64Array {
  return im.data instanceof Float64Array ? new Float64Array(im.data.length) : new Float32Array(im.data.length);
}

export interface RandomAffineOptions {
  /** Rotation drawn uniformly from [-degrees, degrees]. */
  degrees?: number;
  /** Shift as fractions of width and height: dx in [-tx·W, tx·W], dy in [-ty·H, ty·H]. */
  translate?: [number, number];
  /** Zoom factor drawn from [lo, hi]. */
  scale?: [number, number];
  /** Probability of transforming each image (default 1). */
  p?: number;
  /** Value for pixels that come from outside the image (default 0). */
  fill?: number;
}

/**
 * Random rotation, shift and zoom about the image centre, sampled with
 * bilinear interpolation: output pixel q reads the input at
 * `R(-θ)·(q - c - t)/s + c`, where c is the centre, t the shift, s the zoom. torchvision's
 * `RandomAffine(degrees, translate, scale)`, applied per image of the batch.
 * @example
 * const augment = randomAffine({ degrees: 10, translate: [0.1, 0.1], scale: [0.9, 1.1] });
 * fit(model, { train, epochs: 10, optimizer, loss: 'crossEntropy', augment }); // or DataLoader's `transform`
 */
export function randomAffine(opts: RandomAffineOptions = {}): BatchTransform {
  options<RandomAffineOptions>('randomAffine', opts, {
    degrees: is.any,
    translate: is.any,
    scale: is.any,
    fill: is.number,
    p: is.probability,
  });
  const { degrees = 0, translate = [0, 0], scale = [1, 1], p = 1, fill = 0 } = opts;
  return (batch) => {
    const im = images('randomAffine', batch[0]);
    const out = newLike(im);
    const { n, c, h, w, data } = im;
    // The draws stay here, in their order (p, then θ, tx, ty, s per image), so that a seed gives
    // the same transforms on every backend; the kernel warps (threaded wasm for float32).
    const params = new Float64Array(4 * n);
    const warp = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (rng.random() >= p) continue;
      const theta = ((rng.random() * 2 - 1) * degrees * Math.PI) / 180;
      const tx = (rng.random() * 2 - 1) * translate[0] * w;
      const ty = (rng.random() * 2 - 1) * translate[1] * h;
      const s = scale[0] + rng.random() * (scale[1] - scale[0]);
      warp[i] = 1;
      params[4 * i] = Math.cos(theta) / s;
      params[4 * i + 1] = Math.sin(theta) / s;
      params[4 * i + 2] = tx;
      params[4 * i + 3] = ty;
    }
    kernels().affineWarp({ x: data, out, n, c, h, w, params, warp, fill });
    return withX(batch, new Tensor(out, batch[0].shape));
  };
}

/**
 * Mirrors each image left-right with probability p (default 0.5), as torchvision's
 * `RandomHorizontalFlip`: for natural images, not for digits or text.
 * @example
 * const flip = randomHorizontalFlip({ p: 1 });
 * flip([tensor([[[[1, 2, 3]]]]), labels])[0]; // [[[[3, 2, 1]]]]
 */
export function randomHorizontalFlip(opts: { p?: number } = {}): BatchTransform {
  options<{ p?: number }>('randomHorizontalFlip', opts, { p: is.probability });
  const p = opts.p ?? 0.5;
  return (batch) => {
    const im = images('randomHorizontalFlip', batch[0]);
    const out = newLike(im);
    const { n, c, h, w, data } = im;
    for (let i = 0; i < n; i++) {
      const flip = rng.random() < p;
      for (let r = 0; r < c * h; r++) {
        const o = (i * c * h + r) * w;
        for (let x = 0; x < w; x++) out[o + x] = data[o + (flip ? w - 1 - x : x)];
      }
    }
    return withX(batch, new Tensor(out, batch[0].shape));
  };
}

/**
 * Pads each image by `padding` pixels of `fill` on every side and cuts a random
 * window of the original size (or `size`): a shift of up to `padding` pixels (default 4), the
 * CIFAR recipe, as torchvision's `RandomCrop(32, padding=4)`.
 * @example const augment = compose([randomCrop({ padding: 4 }), randomHorizontalFlip()]); // CIFAR-10
 */
export function randomCrop(opts: { padding?: number; size?: [number, number]; fill?: number } = {}): BatchTransform {
  options<{ padding?: number; size?: [number, number]; fill?: number }>('randomCrop', opts, {
    padding: is.nonNegativeInt,
    size: is.arrayOf(is.positiveInt, 2),
    fill: is.number,
  });
  const pad = opts.padding ?? 4;
  const fill = opts.fill ?? 0;
  return (batch) => {
    const im = images('randomCrop', batch[0]);
    const { n, c, h, w, data } = im;
    const [oh, ow] = opts.size ?? [h, w];
    if (oh > h + 2 * pad || ow > w + 2 * pad) {
      throw new TsgradError(`randomCrop: crop ${oh}x${ow} is larger than the padded image ${h + 2 * pad}x${w + 2 * pad}`);
    }
    const out = data instanceof Float64Array ? new Float64Array(n * c * oh * ow) : new Float32Array(n * c * oh * ow);
    for (let i = 0; i < n; i++) {
      const top = rng.int(0, h + 2 * pad - oh + 1) - pad;
      const left = rng.int(0, w + 2 * pad - ow + 1) - pad;
      for (let ch = 0; ch < c; ch++) {
        const src = (i * c + ch) * h * w;
        const dst = (i * c + ch) * oh * ow;
        for (let y = 0; y < oh; y++) {
          const sy = y + top;
          for (let x = 0; x < ow; x++) {
            const sx = x + left;
            out[dst + y * ow + x] = sy < 0 || sy >= h || sx < 0 || sx >= w ? fill : data[src + sy * w + sx];
          }
        }
      }
    }
    return withX(batch, new Tensor(out, [n, c, oh, ow]));
  };
}

export interface RandomErasingOptions {
  /** Probability of erasing one rectangle in an image (default 0.5). */
  p?: number;
  /** Rectangle area as a fraction of the image, drawn from [lo, hi] (default [0.02, 0.33]). */
  scale?: [number, number];
  /** Aspect ratio h/w, drawn log-uniformly from [lo, hi] (default [0.3, 3.3]). */
  ratio?: [number, number];
  /** Value written into the rectangle (default 0). */
  value?: number;
}

/**
 * Random erasing (Zhong et al. 2017): blanks one random rectangle per image, as torchvision's
 * `RandomErasing` does, so that a model cannot rely on any one part of an image.
 * @example const augment = compose([randomAffine({ degrees: 10 }), randomErasing({ p: 0.25, value: 0 })]);
 */
export function randomErasing(opts: RandomErasingOptions = {}): BatchTransform {
  arg('randomErasing', 'opts', opts, is.optional(is.object));
  const { p = 0.5, scale = [0.02, 0.33], ratio = [0.3, 3.3], value = 0 } = opts;
  return (batch) => {
    const im = images('randomErasing', batch[0]);
    const out = im.data.slice();
    const { n, c, h, w } = im;
    for (let i = 0; i < n; i++) {
      if (rng.random() >= p) continue;
      // Up to ten draws for a rectangle that fits, as in torchvision.
      for (let attempt = 0; attempt < 10; attempt++) {
        const area = h * w * (scale[0] + rng.random() * (scale[1] - scale[0]));
        const logR = Math.log(ratio[0]) + rng.random() * (Math.log(ratio[1]) - Math.log(ratio[0]));
        const eh = Math.round(Math.sqrt(area * Math.exp(logR)));
        const ew = Math.round(Math.sqrt(area / Math.exp(logR)));
        if (eh >= h || ew >= w || eh < 1 || ew < 1) continue;
        const top = rng.int(0, h - eh + 1);
        const left = rng.int(0, w - ew + 1);
        for (let ch = 0; ch < c; ch++) {
          for (let y = top; y < top + eh; y++) out.fill(value, ((i * c + ch) * h + y) * w + left, ((i * c + ch) * h + y) * w + left + ew);
        }
        break;
      }
    }
    return withX(batch, new Tensor(out, batch[0].shape));
  };
}

export interface MixOptions {
  /** Beta(alpha, alpha) draws the mixing weight λ. */
  alpha?: number;
  /** Number of classes: labels become soft targets [N, numClasses]. */
  numClasses: number;
}

/**
 * mixup (Zhang et al. 2018): x = λ·x + (1-λ)·x[perm], y = λ·y + (1-λ)·y[perm],
 * with λ ~ Beta(α, α) per batch. Labels become soft float targets [N, numClasses],
 * so the loss must accept class probabilities (crossEntropy does, as in PyTorch). α defaults to 0.2.
 * @example
 * const loader = new DataLoader(train, { batchSize: 128, shuffle: true, transform: mixup({ alpha: 0.2, numClasses: 10 }) });
 * // each batch: x [128, C, H, W] mixed, y [128, 10] soft targets
 */
export function mixup(opts: MixOptions): BatchTransform {
  arg('mixup', 'opts', opts, is.object);
  const alpha = opts.alpha ?? 0.2;
  return (batch) => {
    const im = images('mixup', batch[0]);
    const y = softLabels('mixup', batch[1], opts.numClasses, im.n);
    const lam = sampleBeta(alpha, alpha);
    const perm = rng.permutation(im.n);
    const x = mixRows(im.data, perm, lam, im.n);
    return [new Tensor(x, batch[0].shape), new Tensor(mixRows(y, perm, lam, im.n), [im.n, opts.numClasses]), ...batch.slice(2)];
  };
}

/**
 * CutMix (Yun et al. 2019): pastes a random box from a shuffled partner image
 * and mixes the labels by the pasted area: y = λ·y + (1-λ)·y[perm], λ = 1 - box/(H·W).
 * The box's area is drawn through λ ~ Beta(α, α), α 1 by default. Labels become soft targets, as with mixup.
 * @example fit(model, { train, epochs: 30, optimizer, loss: 'crossEntropy', augment: cutmix({ numClasses: 10 }) });
 */
export function cutmix(opts: MixOptions): BatchTransform {
  arg('cutmix', 'opts', opts, is.object);
  const alpha = opts.alpha ?? 1;
  return (batch) => {
    const im = images('cutmix', batch[0]);
    const { n, c, h, w, data } = im;
    const y = softLabels('cutmix', batch[1], opts.numClasses, n);
    const perm = rng.permutation(n);
    const lam0 = sampleBeta(alpha, alpha);
    const cutH = Math.floor(h * Math.sqrt(1 - lam0));
    const cutW = Math.floor(w * Math.sqrt(1 - lam0));
    const cy = rng.int(0, h);
    const cx = rng.int(0, w);
    const y0 = Math.max(0, cy - (cutH >> 1));
    const y1 = Math.min(h, cy + (cutH >> 1));
    const x0 = Math.max(0, cx - (cutW >> 1));
    const x1 = Math.min(w, cx + (cutW >> 1));
    const out = data.slice();
    for (let i = 0; i < n; i++) {
      for (let ch = 0; ch < c; ch++) {
        const dst = (i * c + ch) * h * w;
        const src = (perm[i] * c + ch) * h * w;
        for (let yy = y0; yy < y1; yy++) {
          for (let xx = x0; xx < x1; xx++) out[dst + yy * w + xx] = data[src + yy * w + xx];
        }
      }
    }
    // λ from the box actually pasted, after clipping at the border.
    const lam = 1 - ((y1 - y0) * (x1 - x0)) / (h * w);
    return [new Tensor(out, batch[0].shape), new Tensor(mixRows(y, perm, lam, n), [n, opts.numClasses]), ...batch.slice(2)];
  };
}

function mixRows<A extends Float32Array | Float64Array>(d: A, perm: Int32Array, lam: number, n: number): A {
  const row = d.length / n;
  const out = d.slice() as A;
  for (let i = 0; i < n; i++) {
    const a = i * row;
    const b = perm[i] * row;
    for (let j = 0; j < row; j++) out[a + j] = lam * d[a + j] + (1 - lam) * d[b + j];
  }
  return out;
}

/** Labels as float rows: int32 class indices become one-hot; soft labels pass through. */
function softLabels(op: string, y: Tensor | undefined, k: number, n: number): Float32Array {
  if (!y) throw new TsgradError(`${op}: needs a batch [x, y] with labels`);
  if (y.dtype === 'int32' && y.ndim === 1 && y.shape[0] === n) {
    const out = new Float32Array(n * k);
    const d = denseArray(y);
    for (let i = 0; i < n; i++) {
      if (d[i] < 0 || d[i] >= k) throw new TsgradError(`${op}: label ${d[i]} of example ${i} is out of range [0, ${k})`);
      out[i * k + d[i]] = 1;
    }
    return out;
  }
  if (y.dtype !== 'int32' && y.ndim === 2 && y.shape[0] === n && y.shape[1] === k) return Float32Array.from(denseArray(y));
  throw new TsgradError(`${op}: labels must be int32 [${n}] or soft [${n},${k}], got ${y.dtype} ${fmtShape(y.shape)}`);
}

/** Gamma(a, 1) by Marsaglia and Tsang; a < 1 through Gamma(a+1)·U^(1/a). */
function sampleGamma(a: number): number {
  if (a < 1) return sampleGamma(a + 1) * Math.pow(rng.random(), 1 / a);
  const d = a - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = rng.normal();
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    const u = rng.random();
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

/**
 * A draw from Beta(a, b), as G_a / (G_a + G_b) with Gamma draws from the global generator (so
 * manualSeed repeats it); mixup and cutmix draw their λ with it.
 * @example const lam = sampleBeta(2, 2); // in (0, 1), mean 0.5
 */
export function sampleBeta(a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new TsgradError(`sampleBeta: parameters must be positive, got ${a}, ${b}`);
  const x = sampleGamma(a);
  const y = sampleGamma(b);
  return x / (x + y);
}
