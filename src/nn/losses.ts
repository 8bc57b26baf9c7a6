import { defineOp } from '../autograd/engine.js';
import { full } from '../tensor/create.js';
import { contiguousRaw } from '../tensor/raw.js';
import { Tensor, denseArray, newArray } from '../tensor/tensor.js';
import { abs, add, exp, log1p, lt, minimum, mul, neg, square, sub, where } from '../ops/elementwise.js';
import { gather } from '../ops/indexing.js';
import { squeeze, unsqueeze } from '../ops/movement.js';
import { mean, sum } from '../ops/reduce.js';
import { TsgradError, check, fmtShape } from '../util/errors.js';
import { shapesEqual, sizeOf } from '../util/shape.js';
import { arg, is, options, type Check } from '../util/args.js';

/**
 * Loss functions with PyTorch's names, formulas and `reduction` option:
 * 'mean' (default) averages the per-element losses, 'sum' adds them, 'none' returns them.
 */

export type Reduction = 'mean' | 'sum' | 'none';

export interface ReductionOptions {
  reduction?: Reduction;
}

const tensorCheck = is.instance(Tensor);
const weightCheck = is.optional(tensorCheck);

/**
 * Checks a loss's two tensor arguments and its options (reduction plus the loss's own keys)
 * and returns the reduction.
 */
function reductionOf(op: string, inputs: [string, unknown, string, unknown], opts: unknown, extra: Record<string, Check> = {}): Reduction {
  arg(op, inputs[0], inputs[1], tensorCheck);
  arg(op, inputs[2], inputs[3], tensorCheck);
  const o = options<ReductionOptions & Record<string, unknown>>(op, opts, { reduction: is.any, ...extra });
  const r = o.reduction ?? 'mean';
  check(r === 'mean' || r === 'sum' || r === 'none', op, () => `reduction must be 'mean', 'sum' or 'none', got '${String(r)}'`);
  return r;
}

function reduce(loss: Tensor, reduction: Reduction): Tensor {
  return reduction === 'mean' ? mean(loss) : reduction === 'sum' ? sum(loss) : loss;
}

function checkSameShape(op: string, a: Tensor, b: Tensor, aName: string, bName: string): void {
  check(
    shapesEqual(a.shape, b.shape),
    op,
    () =>
      `${aName} shape ${fmtShape(a.shape)} and ${bName} shape ${fmtShape(b.shape)} differ; they must be equal (reshape the target, e.g. [N] -> [N,1])`,
  );
  check(
    a.dtype !== 'int32' && b.dtype !== 'int32',
    op,
    () => `expects floating-point ${aName} and ${bName}, got ${a.dtype} and ${b.dtype}`,
  );
}

/**
 * Mean squared error: mean((pred - target)²).
 * @example F.mseLoss(model.forward(x), y) // scalar
 */
export function mseLoss(pred: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  const reduction = reductionOf('mseLoss', ['pred', pred, 'target', target], opts);
  checkSameShape('mseLoss', pred, target, 'pred', 'target');
  return reduce(square(sub(pred, target)), reduction);
}

/**
 * Mean absolute error: mean(|pred - target|), like torch.nn.functional.l1_loss.
 * @example F.l1Loss(tensor([1, 2, 3]), tensor([1, 0, 5])).item() // (0 + 2 + 2) / 3 ≈ 1.333
 */
export function l1Loss(pred: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  const reduction = reductionOf('l1Loss', ['pred', pred, 'target', target], opts);
  checkSameShape('l1Loss', pred, target, 'pred', 'target');
  return reduce(abs(sub(pred, target)), reduction);
}

/**
 * Smooth L1 (Huber-like) loss, PyTorch's smooth_l1_loss: 0.5·d²/beta where d = |pred - target| <
 * beta, d - 0.5·beta elsewhere (default beta 1): quadratic near the target, linear far from it,
 * so that outliers (a badly placed box) do not dominate the gradient.
 * @example F.smoothL1Loss(predBoxes, boxes, { beta: 1 })
 */
export function smoothL1Loss(pred: Tensor, target: Tensor, opts: ReductionOptions & { beta?: number } = {}): Tensor {
  const reduction = reductionOf('smoothL1Loss', ['pred', pred, 'target', target], opts, { beta: is.nonNegative });
  checkSameShape('smoothL1Loss', pred, target, 'pred', 'target');
  const beta = opts.beta ?? 1;
  const d = abs(sub(pred, target));
  if (beta === 0) return reduce(d, reduction);
  return reduce(where(lt(d, beta), mul(square(d), 0.5 / beta), sub(d, 0.5 * beta)), reduction);
}

// Binary cross-entropy on probabilities is a primitive so that it behaves like PyTorch at
// p = 0 or 1 (a saturated sigmoid): logs clamped at -100 and the gradient's denominator
// p(1-p) kept above 1e-12, where a composite of log and clamp would produce 0/0 = NaN.
const bceOp = defineOp<undefined>({
  name: 'binaryCrossEntropy',
  forward: ([p, t]) => {
    const pv = denseArray(p);
    const tv = denseArray(t);
    const out = newArray(p.dtype, p.size);
    for (let i = 0; i < out.length; i++) {
      // PyTorch's check, NaN included: a value outside [0, 1] is not a probability.
      if (!(pv[i] >= 0 && pv[i] <= 1)) {
        throw new TsgradError(
          `binaryCrossEntropy: all elements of input should be between 0 and 1, got ${pv[i]} ` +
            `(input shape ${fmtShape(p.shape)}; for raw scores use bceWithLogits)`,
        );
      }
      const lp = Math.max(Math.log(pv[i]), -100);
      const lq = Math.max(Math.log(1 - pv[i]), -100);
      out[i] = -(tv[i] * lp + (1 - tv[i]) * lq);
    }
    return new Tensor(out, p.shape);
  },
  backward: (dy, { inputs: [p, t] }) => {
    const pv = denseArray(p);
    const tv = denseArray(t);
    const g = denseArray(contiguousRaw(dy));
    const gp = newArray(p.dtype, p.size);
    const gt = newArray(p.dtype, p.size);
    for (let i = 0; i < gp.length; i++) {
      gp[i] = (g[i] * (pv[i] - tv[i])) / Math.max(pv[i] * (1 - pv[i]), 1e-12);
      gt[i] = g[i] * (Math.max(Math.log(1 - pv[i]), -100) - Math.max(Math.log(pv[i]), -100));
    }
    return [p.requiresGrad ? new Tensor(gp, p.shape) : null, t.requiresGrad ? new Tensor(gt, p.shape) : null];
  },
});

/**
 * Binary cross-entropy on probabilities: -w [t log p + (1 - t) log(1 - p)], logs clamped at
 * -100 like PyTorch. Prefer bceWithLogits on raw scores: it is stable for large logits.
 * @example F.binaryCrossEntropy(tensor([0.9, 0.2]), tensor([1, 0])).item() // -(log 0.9 + log 0.8) / 2 ≈ 0.164
 */
export function binaryCrossEntropy(prob: Tensor, target: Tensor, opts: ReductionOptions & { weight?: Tensor } = {}): Tensor {
  const reduction = reductionOf('binaryCrossEntropy', ['prob', prob, 'target', target], opts, { weight: weightCheck });
  checkSameShape('binaryCrossEntropy', prob, target, 'prob', 'target');
  let loss = bceOp([prob, target], undefined);
  if (opts.weight) loss = mul(loss, opts.weight);
  return reduce(loss, reduction);
}

export interface BceWithLogitsOptions extends ReductionOptions {
  /** Rescales each element's loss (broadcast to the logits' shape). */
  weight?: Tensor;
  /** Weight of the positive term per class (broadcast over the last axis): > 1 raises recall. */
  posWeight?: Tensor;
}

/**
 * Sigmoid + binary cross-entropy in one stable formula, for logits x and targets t in [0, 1]:
 * loss = (1 - t) x + (1 + (posWeight - 1) t) · softplus(-x), with
 * softplus(-x) = log(1 + e^-|x|) - min(x, 0), which never overflows.
 * @example F.bceWithLogits(model.forward(x), y) // y of 0s and 1s, same shape
 */
export function bceWithLogits(logits: Tensor, target: Tensor, opts: BceWithLogitsOptions = {}): Tensor {
  const reduction = reductionOf('bceWithLogits', ['logits', logits, 'target', target], opts, {
    weight: weightCheck,
    posWeight: weightCheck,
  });
  checkSameShape('bceWithLogits', logits, target, 'logits', 'target');
  // minimum() splits the gradient at a tie, so the slope at x = 0 is exactly -1/2 = -sigmoid(0).
  const softplusNeg = sub(log1p(exp(neg(abs(logits)))), minimum(logits, 0));
  const logWeight = opts.posWeight ? add(mul(sub(opts.posWeight, 1), target), 1) : null;
  let loss = add(mul(sub(1, target), logits), logWeight ? mul(logWeight, softplusNeg) : softplusNeg);
  if (opts.weight) loss = mul(loss, opts.weight);
  return reduce(loss, reduction);
}

export interface ClassLossOptions extends ReductionOptions {
  /** A manual rescaling weight for each class, shape [C]. */
  weight?: Tensor;
  /** Targets equal to this value contribute nothing (default -100, PyTorch's). */
  ignoreIndex?: number;
}

export interface CrossEntropyOptions extends ClassLossOptions {
  /** ε in [0, 1]: the target becomes (1 - ε) onehot + ε / C (default 0). */
  labelSmoothing?: number;
}

/** Logits [N, C, d...] and targets [N, d...] seen as n rows of C classes spaced `inner` apart. */
interface ClassLayout {
  n: number;
  c: number;
  inner: number;
  targets: Int32Array;
  weight: Float64Array | null;
  ignoreIndex: number;
}

function classLayout(op: string, input: Tensor, target: Tensor, opts: ClassLossOptions): ClassLayout {
  const what = op === 'nllLoss' ? 'log-probabilities' : 'logits';
  check(input.dtype !== 'int32', op, () => `${what} must be floating point, got int32 of shape ${fmtShape(input.shape)}`);
  if (target.dtype !== 'int32') {
    throw new TsgradError(
      `${op}: expects int32 class indices as target, got a ${target.dtype} tensor of shape ${fmtShape(target.shape)} ` +
        `(${what} shape ${fmtShape(input.shape)}); make labels with tensor(labels, { dtype: 'int32' }), ` +
        'or use bceWithLogits for probabilities or multi-label targets',
    );
  }
  check(input.ndim >= 2, op, () => `${what} must be [N, C] or [N, C, d1, ...], got shape ${fmtShape(input.shape)}`);
  if (target.ndim === 0 || target.shape[0] !== input.shape[0]) {
    throw new TsgradError(
      `${op}: ${what} have batch size ${input.shape[0]} (shape ${fmtShape(input.shape)}) but target has ` +
        `${target.ndim === 0 ? 'no batch axis' : `batch size ${target.shape[0]}`} (shape ${fmtShape(target.shape)})`,
    );
  }
  const want = [input.shape[0], ...input.shape.slice(2)];
  check(
    shapesEqual(target.shape, want),
    op,
    () =>
      `target shape ${fmtShape(target.shape)} must be ${fmtShape(want)}: the ${what} shape ${fmtShape(input.shape)} without the class axis 1`,
  );
  const c = input.shape[1];
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const targets = denseArray(target) as Int32Array;
  for (let i = 0; i < targets.length; i++) {
    const y = targets[i];
    if (y !== ignoreIndex && (y < 0 || y >= c)) {
      throw new TsgradError(
        `${op}: target class index ${y} (at flat position ${i}) is out of range for ${c} classes: expected 0..${c - 1}` +
          ` or ignoreIndex ${ignoreIndex}`,
      );
    }
  }
  let weight: Float64Array | null = null;
  if (opts.weight) {
    const w = opts.weight;
    check(w.ndim === 1 && w.shape[0] === c, op, () => `weight must have shape [${c}] (one per class), got ${fmtShape(w.shape)}`);
    weight = Float64Array.from(denseArray(w));
  }
  return { n: input.shape[0], c, inner: sizeOf(input.shape.slice(2)), targets, weight, ignoreIndex };
}

interface CrossEntropyAttrs extends ClassLayout {
  reduction: Reduction;
  smoothing: number;
}

interface CrossEntropySaved {
  logp: Float64Array;
  /** Multiplier of each row's loss: 1, or 1 / denominator for 'mean'. */
  scale: number;
}

// Cross-entropy is one fused primitive for stability and speed: the forward pass computes each
// row's log-softmax with the max subtracted (exact for logits of ±1000, where exp overflows)
// and the NLL in the same pass; the backward pass is (softmax - onehot) · w / N in one loop,
// instead of a graph of a dozen ops and their intermediate tensors.
const crossEntropyOp = defineOp<CrossEntropyAttrs, CrossEntropySaved>({
  name: 'crossEntropy',
  forward: ([logits], o) => {
    const { n, c, inner, targets, weight, ignoreIndex, smoothing, reduction } = o;
    const x = denseArray(logits);
    const logp = new Float64Array(x.length);
    const rows = n * inner;
    const perRow = new Float64Array(rows);
    let totalNll = 0;
    let totalSmooth = 0;
    let weightSum = 0;
    let counted = 0;
    for (let r = 0; r < rows; r++) {
      const base = Math.floor(r / inner) * c * inner + (r % inner);
      let m = -Infinity;
      for (let k = 0; k < c; k++) m = Math.max(m, x[base + k * inner]);
      let s = 0;
      for (let k = 0; k < c; k++) s += Math.exp(x[base + k * inner] - m);
      const lse = m + Math.log(s);
      for (let k = 0; k < c; k++) logp[base + k * inner] = x[base + k * inner] - lse;
      const y = targets[r];
      if (y === ignoreIndex) continue;
      const wy = weight ? weight[y] : 1;
      const nll = -wy * logp[base + y * inner];
      let smooth = 0;
      if (smoothing > 0) for (let k = 0; k < c; k++) smooth -= (weight ? weight[k] : 1) * logp[base + k * inner];
      perRow[r] = (1 - smoothing) * nll + (smoothing / c) * smooth;
      totalNll += nll;
      totalSmooth += smooth;
      weightSum += wy;
      counted++;
    }
    // 'mean' divides by the summed weights of the counted targets, as PyTorch does.
    const denom = weight ? weightSum : counted;
    const scale = reduction === 'mean' ? 1 / denom : 1;
    const saved = { logp, scale };
    if (reduction === 'none') {
      const out = newArray(logits.dtype, rows);
      out.set(perRow);
      return [new Tensor(out, [n, ...logits.shape.slice(2)]), saved];
    }
    const total = ((1 - smoothing) * totalNll + (smoothing / c) * totalSmooth) * scale;
    return [full([], total, { dtype: logits.dtype }), saved];
  },
  backward: (dy, { inputs: [logits], opts, saved }) => {
    const { n, c, inner, targets, weight, ignoreIndex, smoothing, reduction } = opts;
    const { logp, scale } = saved;
    const g = denseArray(contiguousRaw(dy));
    const grad = newArray(logits.dtype, logits.size);
    let wTotal = c;
    if (weight) wTotal = weight.reduce((a, b) => a + b, 0);
    for (let r = 0; r < n * inner; r++) {
      const y = targets[r];
      if (y === ignoreIndex) continue;
      const base = Math.floor(r / inner) * c * inner + (r % inner);
      const d = reduction === 'none' ? g[r] : g[0];
      // d/dz of -w_y log p_y is w_y (p - onehot_y); of -Σ w_k log p_k it is p Σw - w.
      const a = d * (1 - smoothing) * scale * (weight ? weight[y] : 1);
      const b = d * (smoothing / c) * scale;
      for (let k = 0; k < c; k++) {
        const p = Math.exp(logp[base + k * inner]);
        const wk = weight ? weight[k] : 1;
        grad[base + k * inner] = a * (p - (k === y ? 1 : 0)) + b * (p * wTotal - wk);
      }
    }
    return [new Tensor(grad, logits.shape)];
  },
  attrs: (o) => ({ reduction: o.reduction, ignoreIndex: o.ignoreIndex, labelSmoothing: o.smoothing }),
});

/**
 * Cross-entropy of raw scores against class indices: -log softmax(x)[y], averaged.
 * logits [N, C] or [N, C, d1, ...] (e.g. per-position classes [N, C, L]), target int32 [N] or
 * [N, d1, ...]. Options as PyTorch: class `weight` [C], `ignoreIndex`, `labelSmoothing` ε
 * (loss = (1 - ε) NLL + ε/C Σ_k -w_k log p_k). With weights, 'mean' divides by Σ w_y.
 * @example F.crossEntropy(model.forward(x), tensor([3, 0, 1], { dtype: 'int32' }))
 */
export function crossEntropy(logits: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const reduction = reductionOf('crossEntropy', ['logits', logits, 'target', target], opts, {
    weight: weightCheck,
    ignoreIndex: is.int,
    labelSmoothing: is.number,
  });
  const smoothing = opts.labelSmoothing ?? 0;
  check(smoothing >= 0 && smoothing <= 1, 'crossEntropy', () => `labelSmoothing must be in [0, 1], got ${smoothing}`);
  // A single sample [C] with a scalar target is treated as a batch of one.
  if (logits.ndim === 1 && target.ndim === 0) {
    const r = crossEntropy(unsqueeze(logits, 0), unsqueeze(target, 0), opts);
    return reduction === 'none' ? squeeze(r, 0) : r;
  }
  const layout = classLayout('crossEntropy', logits, target, opts);
  return crossEntropyOp([logits], { ...layout, reduction, smoothing });
}

/**
 * Negative log-likelihood of log-probabilities (the output of logSoftmax) at the target
 * classes: -w_y · logProbs[y]. crossEntropy(x, y) equals nllLoss(logSoftmax(x, 1), y).
 * @example F.nllLoss(F.logSoftmax(logits, 1), tensor([3, 0, 1], { dtype: 'int32' })) // = F.crossEntropy(logits, ...)
 */
export function nllLoss(logProbs: Tensor, target: Tensor, opts: ClassLossOptions = {}): Tensor {
  const reduction = reductionOf('nllLoss', ['logProbs', logProbs, 'target', target], opts, { weight: weightCheck, ignoreIndex: is.int });
  if (logProbs.ndim === 1 && target.ndim === 0) {
    const r = nllLoss(unsqueeze(logProbs, 0), unsqueeze(target, 0), opts);
    return reduction === 'none' ? squeeze(r, 0) : r;
  }
  const { targets, weight, ignoreIndex } = classLayout('nllLoss', logProbs, target, opts);
  // Ignored positions pick class 0 and get weight 0, so gather stays in range.
  const safe = new Int32Array(targets.length);
  const w = newArray(logProbs.dtype, targets.length);
  let wSum = 0;
  for (let i = 0; i < targets.length; i++) {
    const ignored = targets[i] === ignoreIndex;
    safe[i] = ignored ? 0 : targets[i];
    w[i] = ignored ? 0 : weight ? weight[targets[i]] : 1;
    wSum += w[i];
  }
  const idx = new Tensor(safe, [target.shape[0], 1, ...target.shape.slice(1)]);
  const picked = squeeze(gather(logProbs, 1, idx), 1);
  const loss = neg(mul(picked, new Tensor(w, target.shape)));
  if (reduction === 'none') return loss;
  const total = sum(loss);
  return reduction === 'sum' ? total : mul(total, 1 / wSum);
}
