import { arg, is } from '../util/args.js';
import { noGrad } from '../autograd/engine.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { concat } from '../ops/movement.js';
import { check, fmtShape } from '../util/errors.js';
import { Rng, rng as globalRng } from '../util/rng.js';
import { imageGrid, type ImageGridOptions, type PngImage } from './image.js';
import { convWeight, findLayer, inspecting, isActivation, runLayer, runUpTo, sequentialLayers, type Layer } from './layers.js';
import { where } from '../ops/elementwise.js';

export interface MaximizeOptions {
  /** Gradient-ascent steps; default 100. */
  steps?: number;
  /** Step length in input units after dividing the gradient by its RMS; default 1. */
  stepSize?: number;
  /** Image side (or sequence length) of the input; default 28 for 2-D models, 100 for 1-D. */
  size?: number;
  /** The whole input shape without the batch axis ([C, H, W] or [C, L]); overrides size. */
  inputShape?: readonly number[];
  /** Seeds a private generator for the starting noise; the global one is used otherwise. */
  seed?: number;
  /** Grey level of the starting image; default 0.5. */
  grey?: number;
  /** Amplitude of the uniform starting noise around grey; default 0.1. */
  noise?: number;
  /**
   * 'regularized' (the default) makes readable pictures (Yosinski et al. 2015, Olah et al. 2017):
   * each step sees the image shifted by a random jitter, the image decays towards grey, it is
   * blurred every few steps and kept in the data range. 'plain' is bare gradient ascent (each
   * regulariser below then defaults to off), which exploits the border and the pixels the
   * network barely constrains.
   */
  method?: 'regularized' | 'plain';
  /** Largest random shift in pixels, each axis, circular (default 14; 0: off). */
  jitter?: number;
  /** Fraction of the distance to grey removed after each step (default 0.02; 0: off). */
  decay?: number;
  /** Gaussian blur every blurEvery steps (default 4; 0: off) with this standard deviation in pixels (default 0.5). */
  blurEvery?: number;
  blurSigma?: number;
  /** The data range the image is kept in (default [0, 1], MNIST's; null: unbounded). */
  range?: readonly [number, number] | null;
}

/** The regularisers a method implies, each overridable. */
function regularizers(opts: MaximizeOptions) {
  const on = (opts.method ?? 'regularized') === 'regularized';
  return {
    stepSize: opts.stepSize ?? (on ? 0.05 : 1),
    // A shift of up to half the image moves every pixel across the wrap-around seam as often as
    // any other, so that no place (the border above all) is special.
    jitter: opts.jitter ?? (on ? 14 : 0),
    decay: opts.decay ?? (on ? 0.02 : 0),
    blurEvery: opts.blurEvery ?? (on ? 4 : 0),
    blurSigma: opts.blurSigma ?? 0.5,
    range: opts.range === undefined ? (on ? ([0, 1] as const) : null) : opts.range,
  };
}

/** The input that a filter responds to most, found by gradient ascent. */
export interface MaximizedFilter {
  /** The image (or sequence) without the batch axis: [C, H, W] or [C, L]. */
  image: Tensor;
  /** The filter's mean activation before each step and after the last: steps + 1 values. */
  trace: number[];
  filter: number;
}

function inputShapeOf(op: string, model: Layer, opts: MaximizeOptions): number[] {
  if (opts.inputShape) return opts.inputShape.slice();
  const first = sequentialLayers(model)
    .map((l) => convWeight(l.layer))
    .find((w) => w !== null);
  check(first != null, op, () => 'cannot infer the input shape (the model has no convolution); pass inputShape');
  const c = first.shape[1];
  return first.ndim === 4 ? [c, opts.size ?? 28, opts.size ?? 28] : [c, opts.size ?? 100];
}

/**
 * Gradient ascent in input space on several filters at once: image b follows
 * the gradient of filter[b]'s mean activation. The images do not interact, so
 * one batched pass serves every filter.
 *
 *   x ← x + stepSize · g / rms(g),   g = ∂ mean(a_f(x)) / ∂x
 *
 * One step per call of step(), so that a page can show the image as it forms between steps.
 */
class Ascent {
  readonly steps: number;
  step = 0;
  x: Tensor;
  readonly traces: number[][];
  private readonly reg: ReturnType<typeof regularizers>;
  private readonly shape: number[];
  private readonly gen: Rng;
  private readonly grey: number;
  private readonly target: { index: number; name: string };
  private readonly upTo: number;
  private readonly all: ReturnType<typeof sequentialLayers>;
  private mask: Tensor | null = null;

  constructor(
    private readonly op: string,
    private readonly model: Layer,
    layer: number | string,
    private readonly filters: readonly number[],
    opts: MaximizeOptions,
  ) {
    this.steps = opts.steps ?? 100;
    const reg = (this.reg = regularizers(opts));
    const { stepSize } = reg;
    const steps = this.steps;
    check(
      Number.isInteger(steps) && steps >= 0 && stepSize > 0,
      op,
      () => `steps must be a non-negative integer and stepSize positive, got ${steps} and ${stepSize}`,
    );
    check(
      Number.isInteger(reg.jitter) &&
        reg.jitter >= 0 &&
        reg.decay >= 0 &&
        reg.decay < 1 &&
        Number.isInteger(reg.blurEvery) &&
        reg.blurEvery >= 0,
      op,
      () => `jitter and blurEvery must be non-negative integers and decay in [0, 1), got ${reg.jitter}, ${reg.blurEvery} and ${reg.decay}`,
    );
    check(
      reg.range === null || (reg.range.length === 2 && reg.range[0] < reg.range[1]),
      op,
      () => `range must be [low, high] with low < high, or null, got ${JSON.stringify(reg.range)}`,
    );
    this.target = findLayer(op, model, layer);
    // A filter's response is read after the activation that follows it (as a Keras Conv2D with
    // activation='relu' gives it): before it, the mean response is linear in the image.
    this.all = sequentialLayers(model);
    const t = this.target.index;
    this.upTo = t + 1 < this.all.length && isActivation(this.all[t + 1].layer) ? t + 1 : t;
    this.shape = [filters.length, ...inputShapeOf(op, model, opts)];
    this.gen = opts.seed === undefined ? globalRng : new Rng(opts.seed);
    this.grey = opts.grey ?? 0.5;
    const noise = opts.noise ?? 0.1;
    const start = new Float32Array(this.shape.reduce((a, b) => a * b, 1)).map(() => this.grey + noise * (this.gen.random() - 0.5));
    this.x = tensor(start, { shape: this.shape });
    this.traces = filters.map(() => []);
    // No steps: the trace is the start's activation alone.
    if (this.steps === 0) this.record(this.current());
  }

  private perImageMean(t: Tensor): Tensor {
    return t.reshape([t.shape[0], -1]).mean({ axis: 1 });
  }

  /** The mean activation of filter[b] in image b, for every b: [B]. */
  private activations(y: Tensor): Tensor {
    const { filters } = this;
    if (!this.mask) {
      const channels = y.shape[1];
      check(
        y.ndim >= 2 && filters.every((f) => Number.isInteger(f) && f >= 0 && f < channels),
        this.op,
        () =>
          `filter ${filters.find((f) => !(f >= 0 && f < channels))} is out of range: layer ${this.target.name} outputs shape ${fmtShape(y.shape)} (${channels} filters)`,
      );
      const m = new Float32Array(filters.length * channels);
      filters.forEach((f, b) => (m[b * channels + f] = 1));
      this.mask = tensor(m, { shape: [filters.length, channels, ...y.shape.slice(2).map(() => 1)] });
    }
    return this.perImageMean(y.mul(this.mask).sum({ axis: 1 }));
  }

  private record(v: ArrayLike<number>): void {
    this.traces.forEach((t, b) => t.push(v[b]));
  }

  /** The filters' mean activations on the current images (unshifted), without recording them. */
  current(): number[] {
    return inspecting(this.model, () => noGrad(() => Array.from(this.activations(runUpTo(this.model, this.upTo, this.x)).data())));
  }

  /** One ascent step; after the last, the final activations are recorded too (steps + 1 values in all). */
  advance(): void {
    check(this.step < this.steps, this.op, () => `the ascent has done its ${this.steps} steps`);
    const { reg, shape, gen, model, target, all, upTo } = this;
    const s = this.step;
    inspecting(model, () => {
      // Jitter: the network sees the image shifted, and the gradient is shifted back, so that no
      // pixel can rely on its place (the border, which zero padding makes special, above all).
      const dy = shape.length === 4 && reg.jitter ? gen.int(-reg.jitter, reg.jitter + 1) : 0;
      const dx = reg.jitter ? gen.int(-reg.jitter, reg.jitter + 1) : 0;
      const seen = dy || dx ? tensor(roll(this.x.data() as Float32Array, shape, dy, dx), { shape }) : this.x;
      seen.requiresGrad = true;
      const z = runUpTo(model, target.index, seen);
      const a = this.activations(upTo === target.index ? z : runLayer(all[upTo].layer, z));
      this.record(a.data());
      // A filter the activation silences everywhere has no gradient there: it climbs on its
      // response before the activation until it comes alive.
      const objective = upTo === target.index ? a : where(a.gt(0), a, this.activations(z));
      objective.sum().backward();
      const g0 = seen.grad as Tensor;
      const g = dy || dx ? tensor(roll(g0.data() as Float32Array, shape, -dy, -dx), { shape }) : g0;
      const x = this.x;
      this.x = noGrad(() => {
        const rms = this.perImageMean(g.square())
          .sqrt()
          .add(1e-8)
          .reshape([this.filters.length, ...shape.slice(1).map(() => 1)]);
        let next = x.add(g.div(rms).mul(reg.stepSize));
        if (reg.decay)
          next = next
            .sub(this.grey)
            .mul(1 - reg.decay)
            .add(this.grey);
        if (reg.blurEvery && (s + 1) % reg.blurEvery === 0)
          next = tensor(blur(next.data() as Float32Array, shape, reg.blurSigma), { shape });
        if (reg.range) next = next.clamp({ min: reg.range[0], max: reg.range[1] });
        return next;
      });
    });
    this.step++;
    if (this.step === this.steps) this.record(this.current());
  }

  results(): MaximizedFilter[] {
    return this.filters.map((f, b) => ({ image: this.x.select(0, b).contiguous(), trace: this.traces[b], filter: f }));
  }
}

function ascend(op: string, model: Layer, layer: number | string, filters: readonly number[], opts: MaximizeOptions): MaximizedFilter[] {
  const a = new Ascent(op, model, layer, filters, opts);
  while (a.step < a.steps) a.advance();
  return a.results();
}

/**
 * visualizeFilter one step at a time, for showing the image as it forms (a page does a few steps
 * per frame). The same ascent, defaults and regularisers: after `steps` calls of step(),
 * result() equals what visualizeFilter returns for the same arguments and seed.
 * @example
 * const ascent = new FilterAscent(model, 'conv1', 2, { steps: 100, seed: 0 });
 * while (!ascent.done) {
 *   ascent.step();
 *   show(ascent.image, ascent.activation()); // [1, 28, 28] and the filter's mean response now
 * }
 */
export class FilterAscent {
  private readonly ascent: Ascent;

  constructor(model: Layer, layer: number | string, filterIndex: number, opts: MaximizeOptions = {}) {
    arg('FilterAscent', 'filterIndex', filterIndex, is.nonNegativeInt);
    arg('FilterAscent', 'opts', opts, is.optional(is.object));
    this.ascent = new Ascent('FilterAscent', model, layer, [filterIndex], opts);
    // The filter index is checked against the layer now, not at the first step.
    this.ascent.current();
  }

  /** Steps done so far, and in all. */
  get stepsDone(): number {
    return this.ascent.step;
  }

  get steps(): number {
    return this.ascent.steps;
  }

  get done(): boolean {
    return this.ascent.step >= this.ascent.steps;
  }

  /** One step of gradient ascent; an error after the last. */
  step(): void {
    this.ascent.advance();
  }

  /** The current image without the batch axis: [C, H, W] or [C, L]. */
  get image(): Tensor {
    return this.ascent.x.select(0, 0).contiguous();
  }

  /** The filter's mean activation on the current image, unshifted. */
  activation(): number {
    return this.ascent.current()[0];
  }

  /** What visualizeFilter returns: the image, the trace (before each step, and after the last once done), the filter. */
  result(): MaximizedFilter {
    return this.ascent.results()[0];
  }
}

/** x [B, C, H, W] or [B, C, L] shifted circularly by dy rows and dx columns (along L for sequences). */
function roll(x: Float32Array, shape: readonly number[], dy: number, dx: number): Float32Array {
  const w = shape[shape.length - 1];
  const h = shape.length === 4 ? shape[2] : 1;
  const out = new Float32Array(x.length);
  for (let plane = 0; plane < x.length; plane += h * w) {
    for (let i = 0; i < h; i++) {
      const si = (((i - dy) % h) + h) % h;
      for (let j = 0; j < w; j++) out[plane + i * w + j] = x[plane + si * w + ((((j - dx) % w) + w) % w)];
    }
  }
  return out;
}

/** A separable Gaussian blur of each plane of x, along both axes of images and L of sequences; circular, as the jitter is. */
function blur(x: Float32Array, shape: readonly number[], sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(2 * sigma));
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const total = k.reduce((a, b) => a + b, 0);
  const kernel = k.map((v) => v / total);
  const w = shape[shape.length - 1];
  const h = shape.length === 4 ? shape[2] : 1;
  const pass = (src: Float32Array, along: 'row' | 'col'): Float32Array => {
    const out = new Float32Array(src.length);
    for (let plane = 0; plane < src.length; plane += h * w) {
      for (let i = 0; i < h; i++) {
        for (let j = 0; j < w; j++) {
          let acc = 0;
          for (let t = -r; t <= r; t++) {
            const ii = along === 'col' ? (((i + t) % h) + h) % h : i;
            const jj = along === 'row' ? (((j + t) % w) + w) % w : j;
            acc += kernel[t + r] * src[plane + ii * w + jj];
          }
          out[plane + i * w + j] = acc;
        }
      }
    }
    return out;
  };
  const rows = pass(x, 'row');
  return h > 1 ? pass(rows, 'col') : rows;
}

/**
 * Activation maximisation: starting from a grey image with a little (seeded)
 * noise, follows the gradient of one filter's mean activation with respect to
 * the input, the gradient normalised by its root mean square at each step.
 * The layer is an index into the Sequential, a dotted name (`2.0`) or `convN`.
 *
 * @example
 * const { image, trace } = visualizeFilter(model, 'conv1', 5, { steps: 100, seed: 0 });
 * // trace[trace.length - 1] / trace[0]: how much the filter's response grew
 */
export function visualizeFilter(model: Layer, layer: number | string, filterIndex: number, opts: MaximizeOptions = {}): MaximizedFilter {
  arg('visualizeFilter', 'filterIndex', filterIndex, is.nonNegativeInt);
  return ascend('visualizeFilter', model, layer, [filterIndex], opts)[0];
}

/**
 * What the network thinks a class looks like: the same ascent (regularised by default) on the
 * class's output score (the logit, before any softmax) instead of a filter's response.
 * @example const { image, trace } = visualizeClass(model, 3, { seed: 0 }); // image [1, 28, 28]
 */
export function visualizeClass(model: Layer, classIndex: number, opts: MaximizeOptions = {}): MaximizedFilter {
  arg('visualizeClass', 'classIndex', classIndex, is.nonNegativeInt);
  const last = sequentialLayers(model).length - 1;
  // A classifier's head is not translation-invariant as filters are: a small jitter only.
  return ascend('visualizeClass', model, last, [classIndex], {
    jitter: (opts.method ?? 'regularized') === 'regularized' ? 2 : 0,
    ...opts,
  })[0];
}

export interface MaximizeGridOptions extends MaximizeOptions, Omit<ImageGridOptions, 'normalize'> {
  /** Which filters (default all) or how many of the first. */
  filters?: readonly number[] | number;
}

/**
 * Maps an ascended image to [0, 1] for display: centred, scaled to a standard
 * deviation of 0.15 and clipped (the deprocessing of Chollet's Keras example),
 * so contrast does not depend on how far the ascent went.
 */
function deprocess(img: Tensor): Tensor {
  return noGrad(() => {
    const c = img.sub(img.mean());
    return c.div(c.square().mean().sqrt().add(1e-5)).mul(0.15).add(0.5).clamp({ min: 0, max: 1 });
  });
}

/**
 * Activation maximisation for every filter of a layer (or those chosen), laid
 * out as one PNG grid.
 *
 * @example
 * const { path, results } = maximizeGrid(model, 'conv1', { steps: 60, seed: 0, scale: 3, out: 'maximize.png' });
 */
export function maximizeGrid(
  model: Layer,
  layer: number | string,
  opts: MaximizeGridOptions = {},
): PngImage & { results: MaximizedFilter[] } {
  arg('maximizeGrid', 'opts', opts, is.optional(is.object));
  const op = 'maximizeGrid';
  const target = findLayer(op, model, layer);
  let filters = opts.filters;
  if (filters === undefined || typeof filters === 'number') {
    const w = convWeight(target.layer);
    check(w !== null || typeof filters === 'number', op, () => `layer ${target.name} is not a convolution; pass filters: [indices]`);
    const count = Math.min(typeof filters === 'number' ? filters : Infinity, w ? w.shape[0] : Infinity);
    filters = Array.from({ length: count }, (_, i) => i);
  }
  const results = ascend(op, model, target.index, filters, opts);
  const images = results.map((r) => {
    const img = deprocess(r.image);
    return img.ndim === 2 ? img.reshape([1, 1, ...img.shape]) : img.unsqueeze(0);
  });
  const all = concat(images, 0);
  const grid = imageGrid(all, { nrow: 8, scale: all.shape[3] < 40 ? 3 : 1, ...opts, normalize: 'none' });
  return { ...grid, results };
}
