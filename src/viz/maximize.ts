import { arg, is } from '../util/args.js';
import { noGrad } from '../autograd/engine.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { concat } from '../ops/movement.js';
import { check, fmtShape } from '../util/errors.js';
import { Rng, rng as globalRng } from '../util/rng.js';
import { imageGrid, type ImageGridOptions, type PngImage } from './image.js';
import { convWeight, findLayer, inspecting, runUpTo, sequentialLayers, type Layer } from './layers.js';

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
 */
function ascend(op: string, model: Layer, layer: number | string, filters: readonly number[], opts: MaximizeOptions): MaximizedFilter[] {
  const steps = opts.steps ?? 100;
  const stepSize = opts.stepSize ?? 1;
  check(
    Number.isInteger(steps) && steps >= 0 && stepSize > 0,
    op,
    () => `steps must be a non-negative integer and stepSize positive, got ${steps} and ${stepSize}`,
  );
  const target = findLayer(op, model, layer);
  const shape = [filters.length, ...inputShapeOf(op, model, opts)];
  const gen = opts.seed === undefined ? globalRng : new Rng(opts.seed);
  const grey = opts.grey ?? 0.5;
  const noise = opts.noise ?? 0.1;
  const start = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => grey + noise * (gen.random() - 0.5));
  let x = tensor(start, { shape });
  const traces: number[][] = filters.map(() => []);

  const perImageMean = (t: Tensor): Tensor => t.reshape([t.shape[0], -1]).mean({ axis: 1 });
  let mask: Tensor | null = null;
  // The mean activation of filter[b] in image b, for every b: [B].
  const activations = (y: Tensor): Tensor => {
    if (!mask) {
      const channels = y.shape[1];
      check(
        y.ndim >= 2 && filters.every((f) => Number.isInteger(f) && f >= 0 && f < channels),
        op,
        () =>
          `filter ${filters.find((f) => !(f >= 0 && f < channels))} is out of range: layer ${target.name} outputs shape ${fmtShape(y.shape)} (${channels} filters)`,
      );
      const m = new Float32Array(filters.length * channels);
      filters.forEach((f, b) => (m[b * channels + f] = 1));
      mask = tensor(m, { shape: [filters.length, channels, ...y.shape.slice(2).map(() => 1)] });
    }
    return perImageMean(y.mul(mask).sum({ axis: 1 }));
  };
  const record = (a: Tensor): void => {
    const v = a.data();
    traces.forEach((t, b) => t.push(v[b]));
  };

  inspecting(model, () => {
    for (let s = 0; s < steps; s++) {
      x.requiresGrad = true;
      const a = activations(runUpTo(model, target.index, x));
      record(a);
      a.sum().backward();
      const g = x.grad as Tensor;
      x = noGrad(() => {
        const rms = perImageMean(g.square())
          .sqrt()
          .add(1e-8)
          .reshape([filters.length, ...shape.slice(1).map(() => 1)]);
        return x.add(g.div(rms).mul(stepSize));
      });
    }
    noGrad(() => record(activations(runUpTo(model, target.index, x))));
  });
  return filters.map((f, b) => ({ image: x.select(0, b).contiguous(), trace: traces[b], filter: f }));
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
