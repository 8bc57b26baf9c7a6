import { arg, is } from '../util/args.js';
import { noGrad } from '../autograd/engine.js';
import { Tensor } from '../tensor/tensor.js';
import { check, fmtShape } from '../util/errors.js';
import { stack } from '../ops/movement.js';
import { colorize, imageGrid, type ImageGridOptions, type PngImage } from './image.js';
import { inspecting, runLayer, type Layer } from './layers.js';

const IS_TENSOR = is.instance(Tensor);

/** Input attribution for one input and one class. */
export interface Attribution {
  /** Per input element, without the batch axis: [C, H, W] or [4, L]. */
  values: Tensor;
  /**
   * Per pixel [H, W] or per sequence position [L]: for saliency the largest
   * |gradient| over channels (Simonyan et al. 2014), for gradient × input the
   * sum over channels (for a one-hot sequence: the gradient at the base present).
   */
  map: Tensor;
  /** The class explained and its score (the model's output, before softmax). */
  classIndex: number;
  score: number;
}

/** d score_class / d input for one input [1, ...], with the model in eval mode and weights frozen. */
function inputGradient(
  op: string,
  model: Layer,
  input: Tensor,
  classIndex?: number,
): { grad: Tensor; x: Tensor; classIndex: number; score: number } {
  check(
    input.ndim >= 2 && input.shape[0] === 1,
    op,
    () => `expects one input with a batch axis of 1 ([1,C,H,W] or [1,4,L]), got shape ${fmtShape(input.shape)}`,
  );
  return inspecting(model, () => {
    const x = input.detach();
    x.requiresGrad = true;
    const scores = runLayer(model, x);
    check(
      scores.ndim === 2 && scores.shape[0] === 1,
      op,
      () => `the model must output class scores [1, K], got shape ${fmtShape(scores.shape)}`,
    );
    const k = classIndex ?? (scores.argmax().item() as number);
    check(Number.isInteger(k) && k >= 0 && k < scores.shape[1], op, () => `classIndex ${k} is out of range for ${scores.shape[1]} classes`);
    const score = scores.select(1, k).sum();
    score.backward();
    return { grad: (x.grad as Tensor).select(0, 0), x: input.select(0, 0), classIndex: k, score: score.item() };
  });
}

/**
 * Saliency: |∂ score_c / ∂ x|, how much each input element moves the class
 * score (Simonyan, Vedaldi & Zisserman 2014). Works for images [1, C, H, W] and
 * one-hot sequences [1, 4, L]; classIndex defaults to the predicted class.
 *
 * @example
 * const { map } = saliency(model, digit.reshape([1, 1, 28, 28]), 7); // map: [28, 28]
 */
export function saliency(model: Layer, input: Tensor, classIndex?: number): Attribution {
  arg('saliency', 'input', input, is.instance(Tensor));
  const r = inputGradient('saliency', model, input, classIndex);
  return noGrad(() => {
    const values = r.grad.abs();
    return { values, map: values.max({ axis: 0 }), classIndex: r.classIndex, score: r.score };
  });
}

/**
 * Gradient × input: x · ∂ score_c / ∂ x, signed. Summed over channels it is, for
 * a one-hot DNA sequence, the gradient at the base present at each position.
 *
 * @example
 * const { map } = gradientTimesInput(model, oneHotSeq.unsqueeze(0)); // map: [L]
 */
export function gradientTimesInput(model: Layer, input: Tensor, classIndex?: number): Attribution {
  arg('gradientTimesInput', 'input', input, is.instance(Tensor));
  const r = inputGradient('gradientTimesInput', model, input, classIndex);
  return noGrad(() => {
    const values = r.grad.mul(r.x);
    return { values, map: values.sum({ axis: 0 }), classIndex: r.classIndex, score: r.score };
  });
}

/**
 * An image input (grey) beside its saliency map (hot colormap), as one PNG.
 *
 * @example
 * saliencyImage(digit, saliency(model, digit), { out: 'saliency.png' });
 */
export function saliencyImage(
  input: Tensor,
  attribution: Attribution,
  opts: Omit<ImageGridOptions, 'normalize' | 'colormap'> = {},
): PngImage {
  arg('saliencyImage', 'input', input, IS_TENSOR);
  check(attribution.map.ndim === 2, 'saliencyImage', () => `needs an image map [H, W], got shape ${fmtShape(attribution.map.shape)}`);
  const [h, w] = attribution.map.shape;
  const pair = noGrad(() => {
    const x = input.reshape([-1, h, w]);
    const grey = x.shape[0] === 1 ? x.reshape([h, w]) : x.mean({ axis: 0 });
    const unit = (t: Tensor): Tensor => t.sub(t.min()).div(t.max().sub(t.min()).add(1e-12));
    return stack([colorize(unit(grey), 'gray'), colorize(unit(attribution.map), 'hot')]);
  });
  return imageGrid(pair, { nrow: 2, scale: 4, ...opts, normalize: 'none' });
}

/**
 * An image input beside an attribution map [H, W] (hot colormap, scaled to its range) and the map
 * laid over the input (half each): the picture of Grad-CAM and integrated gradients.
 * @example attributionImage(digit, gradCam(model, digit.unsqueeze(0)).map, { out: 'gradcam.png' });
 */
export function attributionImage(input: Tensor, map: Tensor, opts: Omit<ImageGridOptions, 'normalize' | 'colormap'> = {}): PngImage {
  arg('attributionImage', 'input', input, IS_TENSOR);
  arg('attributionImage', 'map', map, IS_TENSOR);
  check(map.ndim === 2, 'attributionImage', () => `needs an image map [H, W], got shape ${fmtShape(map.shape)}`);
  const [h, w] = map.shape;
  check(input.size % (h * w) === 0, 'attributionImage', () => `input of shape ${fmtShape(input.shape)} does not match a ${h}×${w} map`);
  const panels = noGrad(() => {
    const x = input.reshape([-1, h, w]);
    const grey = x.shape[0] === 1 ? x.reshape([h, w]) : x.mean({ axis: 0 });
    const unit = (t: Tensor): Tensor => t.sub(t.min()).div(t.max().sub(t.min()).add(1e-12));
    const g = colorize(unit(grey), 'gray');
    const m = colorize(unit(map), 'hot');
    return stack([g, m, g.add(m).mul(0.5)]);
  });
  return imageGrid(panels, { nrow: 3, scale: 4, ...opts, normalize: 'none' });
}
