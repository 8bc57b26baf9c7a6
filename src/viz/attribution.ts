/**
 * Attribution beyond plain gradients: Grad-CAM (Selvaraju et al. 2017) for a convolutional layer,
 * and integrated gradients (Sundararajan, Taly and Yan 2017) with their completeness check.
 */
import { Tensor } from '../tensor/tensor.js';
import { arg, is, options } from '../util/args.js';
import { TsgradError, check, fmtShape } from '../util/errors.js';
import { Module } from '../nn/module.js';
import { layerName } from '../nn/registry.js';
import { findLayer, inspecting, isActivation, isConv, runLayer, sequentialLayers, type Layer } from './layers.js';

/** The class scores [n, K] of a batch, with one explained class per call (default: the predicted one of the input). */
function classScore(op: string, scores: Tensor, classIndex: number | undefined): number {
  check(scores.ndim === 2, op, () => `the model must output class scores [N, K], got shape ${fmtShape(scores.shape)}`);
  const k = classIndex ?? (scores.select(0, 0).argmax().item() as number);
  check(Number.isInteger(k) && k >= 0 && k < scores.shape[1], op, () => `classIndex ${k} is out of range for ${scores.shape[1]} classes`);
  return k;
}

function oneInput(op: string, input: Tensor): void {
  arg(op, 'input', input, is.instance(Tensor));
  check(
    input.ndim >= 2 && input.shape[0] === 1,
    op,
    () => `expects one input with a batch axis of 1 ([1,C,H,W] or [1,4,L]), got shape ${fmtShape(input.shape)}`,
  );
}

export interface GradCamResult {
  /** The class activation map at the input's resolution: [H, W] for images, [L] for sequences; ≥ 0. */
  map: Tensor;
  /** The same at the layer's resolution, before upsampling. */
  raw: Tensor;
  classIndex: number;
  score: number;
  /** The layer it was computed at (its dotted name). */
  layer: string;
}

export interface GradCamOptions {
  /** The convolution explained: an index, a dotted name or `convN` (default: the last convolution). */
  layer?: number | string;
  /** The class explained (default: the predicted one). */
  classIndex?: number;
  /**
   * 'pooled' (default): Grad-CAM, one weight per channel, the spatial mean of the gradient.
   * 'elementwise': LayerCAM (Jiang et al. 2021), each position weighted by its own positive
   * gradient, which keeps the map on the evidence where a channel's mean gradient mixes
   * the object with its background.
   */
  weights?: 'pooled' | 'elementwise';
}

/**
 * Grad-CAM: the feature maps of a convolutional layer (after its activation, when one follows),
 * weighted by the spatial mean of the class score's gradient with respect to them, summed over
 * channels and passed through a ReLU; brought to the input's size with each cell at its receptive
 * field's centre (bilinear between cells). `layer` is an
 * index, a dotted name or `convN` (default: the last convolution).
 * @example const { map } = gradCam(model, digit.reshape([1, 1, 28, 28]), { classIndex: 7 }); // [28, 28]
 */
export function gradCam(model: Layer, input: Tensor, opts: GradCamOptions = {}): GradCamResult {
  oneInput('gradCam', input);
  options<GradCamOptions>('gradCam', opts, {
    layer: is.anyOf(is.int, is.string),
    classIndex: is.nonNegativeInt,
    weights: is.oneOf(['pooled', 'elementwise']),
  });
  const layers = sequentialLayers(model);
  let at: number;
  if (opts.layer === undefined) {
    at = layers.map((l) => isConv(l.layer)).lastIndexOf(true);
    if (at < 0) throw new TsgradError('gradCam: the model has no convolution layer; Grad-CAM needs one (use saliency for other models)');
  } else {
    const found = findLayer('gradCam', model, opts.layer);
    if (!isConv(found.layer))
      throw new TsgradError(`gradCam: layer ${found.name} is not a convolution; Grad-CAM explains a convolutional layer's feature maps`);
    at = found.index;
  }
  // The maps after the convolution's activation, when one follows it directly.
  const last = at + 1 < layers.length && isActivation(layers[at + 1].layer) ? at + 1 : at;
  return inspecting(model, () => {
    let h = input.detach();
    for (let i = 0; i <= last; i++) h = runLayer(layers[i].layer, h);
    const maps = h.detach();
    maps.requiresGrad = true;
    let y = maps;
    for (let i = last + 1; i < layers.length; i++) y = runLayer(layers[i].layer, y);
    const k = classScore('gradCam', y, opts.classIndex);
    const score = y.select(1, k).sum();
    score.backward();
    const g = maps.grad as Tensor;
    const spatial = Array.from({ length: maps.ndim - 2 }, (_, i) => i + 2);
    const weights = opts.weights === 'elementwise' ? g.relu() : g.mean(spatial, true);
    const raw = maps.mul(weights).sum(1).relu().select(0, 0);
    const where = geometry(
      layers.slice(0, at + 1).map((l) => l.layer),
      raw.ndim,
    );
    return { map: upsample(raw, input.shape.slice(2), where), raw, classIndex: k, score: score.item(), layer: layers[at].name };
  });
}

/** Where cell p of a layer's map sits in the input, per spatial axis: at offset + p · stride. */
interface Placement {
  offset: number;
  stride: number;
}

const pairOf = (v: unknown, axes: number): number[] =>
  typeof v === 'number' ? new Array<number>(axes).fill(v) : Array.isArray(v) ? (v as number[]).slice(-axes) : [];

/**
 * The input position of each map cell's receptive-field centre, walking the convolutions and
 * pools that lead to the map (a valid 3×3 convolution puts cell 0 at input pixel 1). Null when a
 * layer of another kind changes the geometry; the map is then stretched to the input.
 */
function geometry(path: readonly Layer[], axes: number): Placement[] | null {
  const place = Array.from({ length: axes }, () => ({ offset: 0, stride: 1 }));
  for (const layer of path) {
    if (!(layer instanceof Module)) continue;
    const name = layerName(layer);
    const o = (layer as { options?: Record<string, unknown> }).options ?? {};
    const conv = name === 'Conv1d' || name === 'Conv2d';
    if (!conv && !/^(Max|Avg)Pool[12]d$/.test(name)) {
      if (isActivation(layer) || ['Dropout', 'BatchNorm1d', 'BatchNorm2d', 'Identity'].includes(name)) continue;
      return null;
    }
    const k = pairOf(o.kernelSize, axes);
    const stride = pairOf(o.stride ?? o.kernelSize, axes);
    const dilation = conv ? pairOf(o.dilation ?? 1, axes) : k.map(() => 1);
    const pad =
      o.padding === 'same'
        ? k.map((kk, i) => Math.floor((dilation[i] * (kk - 1)) / 2))
        : o.padding === 'valid'
          ? k.map(() => 0)
          : pairOf(o.padding ?? 0, axes);
    if ([k, stride, dilation, pad].some((v) => v.length !== axes)) return null;
    place.forEach((p, i) => {
      p.offset += ((dilation[i] * (k[i] - 1)) / 2 - pad[i]) * p.stride;
      p.stride *= stride[i];
    });
  }
  return place;
}

/**
 * A map [h, w] or [l] at the input's size: each input pixel reads the map bilinearly at the cell
 * whose receptive field it is the centre of (placement, per axis), clamped at the map's edges;
 * without a placement the map is stretched over the input.
 */
function upsample(raw: Tensor, size: readonly number[], placement: Placement[] | null): Tensor {
  const src = raw.data();
  const [h, w] = raw.ndim === 2 ? raw.shape : [1, raw.shape[0]];
  const [H, W] = size.length === 2 ? size : [1, size[0]];
  const [py, px] = placement
    ? placement.length === 2
      ? placement
      : [{ offset: 0, stride: 1 }, placement[0]]
    : [
        { offset: (H / h - 1) / 2, stride: H / h },
        { offset: (W / w - 1) / 2, stride: W / w },
      ];
  // Fractional cell index of input position u along an axis of n cells, and its two neighbours.
  const cell = (u: number, p: Placement, n: number): [number, number, number] => {
    const c = Math.min(n - 1, Math.max(0, (u - p.offset) / p.stride));
    const lo = Math.floor(c);
    return [lo, Math.min(n - 1, lo + 1), c - lo];
  };
  const out = new Float32Array(H * W);
  for (let i = 0; i < H; i++) {
    const [i0, i1, fi] = h === 1 ? [0, 0, 0] : cell(i, py, h);
    for (let j = 0; j < W; j++) {
      const [j0, j1, fj] = cell(j, px, w);
      const top = src[i0 * w + j0] * (1 - fj) + src[i0 * w + j1] * fj;
      const bottom = src[i1 * w + j0] * (1 - fj) + src[i1 * w + j1] * fj;
      out[i * W + j] = top * (1 - fi) + bottom * fi;
    }
  }
  return new Tensor(out, size.length === 2 ? [H, W] : [W]);
}

export interface IntegratedGradientsResult {
  /** Per input element, without the batch axis. */
  values: Tensor;
  /** Summed over channels: [H, W] or [L]. */
  map: Tensor;
  classIndex: number;
  score: number;
  /** Completeness: the attributions' sum against score(input) - score(baseline), and the relative gap between them. */
  completeness: { sum: number; scoreDifference: number; relativeError: number };
}

/**
 * Integrated gradients: (x - baseline) times the average gradient of the class score along the
 * straight path from the baseline to x, by the midpoint rule with `steps` points (default 64, one
 * batched pass). The attributions should sum to score(x) - score(baseline); the result says how
 * closely they do (more steps, smaller gap). The baseline defaults to zeros (a black image).
 * @example const ig = integratedGradients(model, digit, { steps: 64 }); ig.completeness.relativeError // < 0.01
 */
export function integratedGradients(
  model: Layer,
  input: Tensor,
  opts: { baseline?: Tensor; steps?: number; classIndex?: number } = {},
): IntegratedGradientsResult {
  oneInput('integratedGradients', input);
  options<{ baseline?: Tensor; steps?: number; classIndex?: number }>('integratedGradients', opts, {
    baseline: is.instance(Tensor),
    steps: is.positiveInt,
    classIndex: is.nonNegativeInt,
  });
  const steps = opts.steps ?? 64;
  const x = input.detach();
  const base = opts.baseline ?? x.mul(0);
  if (base.shape.length !== x.shape.length || base.shape.some((d, i) => d !== x.shape[i])) {
    throw new TsgradError(`integratedGradients: the baseline's shape ${fmtShape(base.shape)} must be the input's ${fmtShape(x.shape)}`);
  }
  return inspecting(model, () => {
    const diff = x.sub(base);
    const alphas = new Tensor(
      Float32Array.from({ length: steps }, (_, s) => (s + 0.5) / steps),
      [steps, ...x.shape.slice(1).map(() => 1)],
    );
    const path = base.add(diff.mul(alphas)).detach();
    path.requiresGrad = true;
    const scoresAlong = runLayer(model, path);
    const fx = runLayer(model, x);
    const k = classScore('integratedGradients', fx, opts.classIndex);
    scoresAlong.select(1, k).sum().backward();
    const avgGrad = (path.grad as Tensor).mean(0, true);
    const values = diff.mul(avgGrad).select(0, 0);
    const score = fx.select(1, k).item();
    const scoreDifference = score - runLayer(model, base).select(1, k).item();
    const sum = values.sum().item();
    const relativeError = Math.abs(sum - scoreDifference) / Math.max(Math.abs(scoreDifference), 1e-12);
    return { values, map: values.sum(0), classIndex: k, score, completeness: { sum, scoreDifference, relativeError } };
  });
}
