/**
 * Attribution beyond plain gradients: Grad-CAM (Selvaraju et al. 2017) for a convolutional layer,
 * and integrated gradients (Sundararajan, Taly and Yan 2017) with their completeness check.
 */
import { Tensor } from '../tensor/tensor.js';
import { arg, is, options } from '../util/args.js';
import { TsgradError, check, fmtShape } from '../util/errors.js';
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

/**
 * Grad-CAM: the feature maps of a convolutional layer (after its activation, when one follows),
 * weighted by the spatial mean of the class score's gradient with respect to them, summed over
 * channels and passed through a ReLU; upsampled (nearest) to the input's size. `layer` is an
 * index, a dotted name or `convN` (default: the last convolution).
 * @example const { map } = gradCam(model, digit.reshape([1, 1, 28, 28]), { classIndex: 7 }); // [28, 28]
 */
export function gradCam(model: Layer, input: Tensor, opts: { layer?: number | string; classIndex?: number } = {}): GradCamResult {
  oneInput('gradCam', input);
  options<{ layer?: number | string; classIndex?: number }>('gradCam', opts, {
    layer: is.anyOf(is.int, is.string),
    classIndex: is.nonNegativeInt,
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
    const weights = g.mean(spatial, true);
    const raw = maps.mul(weights).sum(1).relu().select(0, 0);
    return { map: upsample(raw, input.shape.slice(2)), raw, classIndex: k, score: score.item(), layer: layers[at].name };
  });
}

/** Nearest-neighbour resize of a map [h, w] or [l] to the given spatial size (each output cell reads the input cell it falls in). */
function upsample(raw: Tensor, size: readonly number[]): Tensor {
  const src = raw.data();
  const [h, w] = raw.ndim === 2 ? raw.shape : [1, raw.shape[0]];
  const [H, W] = size.length === 2 ? size : [1, size[0]];
  const out = new Float32Array(H * W);
  for (let i = 0; i < H; i++) {
    const si = Math.min(h - 1, Math.floor((i * h) / H));
    for (let j = 0; j < W; j++) out[i * W + j] = src[si * w + Math.min(w - 1, Math.floor((j * w) / W))];
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
