import { kernels } from '../kernels/index.js';
import type { Tensor } from '../tensor/tensor.js';
import type { FloatArray } from '../kernels/types.js';
import { check } from '../util/errors.js';
import { is, options } from '../util/args.js';
import { Optimizer, bufferOf, zerosBuffer, type ParamGroup, type ParamGroupSpec, type ParamState, type ParamView } from './optimizer.js';

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
}

function adamDefaults(op: string, given: Partial<AdamOptions>, weightDecay: number): AdamOptions {
  // An unknown key such as learningRate must not silently train with the default lr.
  const opts = options<Partial<AdamOptions>>(op, given, {
    lr: is.nonNegative,
    betas: is.arrayOf(is.fraction, 2),
    eps: is.nonNegative,
    weightDecay: is.nonNegative,
    amsgrad: is.bool,
  });
  const d: AdamOptions = {
    lr: opts.lr ?? 1e-3,
    betas: opts.betas ? [opts.betas[0], opts.betas[1]] : [0.9, 0.999],
    eps: opts.eps ?? 1e-8,
    weightDecay: opts.weightDecay ?? weightDecay,
    amsgrad: opts.amsgrad ?? false,
  };
  check(d.lr >= 0, op, () => `lr must be >= 0, got ${d.lr}`);
  check(
    d.betas.every((b) => b >= 0 && b < 1),
    op,
    () => `betas must be in [0, 1), got [${d.betas.join(', ')}]`,
  );
  check(d.eps >= 0, op, () => `eps must be >= 0, got ${d.eps}`);
  check(d.weightDecay >= 0, op, () => `weightDecay must be >= 0, got ${d.weightDecay}`);
  return d;
}

/**
 * The shared Adam step: with g' = g (+ weightDecay·θ for Adam's L2 form),
 * m = β1 m + (1 - β1) g'; v = β2 v + (1 - β2) g'²; (amsgrad: v̂max = max(v̂max, v));
 * θ = θ - lr/(1 - β1ᵗ) · m / (√v / √(1 - β2ᵗ) + eps).
 */
function adamUpdate({ param, p, g }: ParamView, group: AdamOptions, state: ParamState, l2: number): void {
  const {
    lr,
    betas: [b1, b2],
    eps,
    amsgrad,
  } = group;
  if (state.step === undefined) {
    state.step = 0;
    state.expAvg = zerosBuffer(param);
    state.expAvgSq = zerosBuffer(param);
  }
  if (amsgrad && state.maxExpAvgSq === undefined) state.maxExpAvgSq = zerosBuffer(param);
  const step = (state.step as number) + 1;
  state.step = step;
  const m = bufferOf(state, 'expAvg');
  const v = bufferOf(state, 'expAvgSq');
  const vmax = amsgrad ? bufferOf(state, 'maxExpAvgSq') : null;
  const stepSize = lr / (1 - b1 ** step);
  // √v / √(1 - β2ᵗ) as √v times a reciprocal: one division per element fewer (divisions are
  // the slow part of this loop), in float64, where the result differs from the quotient by an
  // ulp of a double at most, far below float32's.
  const invBc2 = 1 / Math.sqrt(1 - b2 ** step);
  if (!vmax && l2 === 0) {
    // The common case (no amsgrad, no L2 term) is a kernel: in plain TypeScript one tight
    // loop with the general loop's float32 roundings; on wasm f32x4 on all threads, on
    // moments kept in its heap. The optimizer step is a visible share of a small model's step.
    kernels().adam({ p, g: g as FloatArray, m, v, b1, b2, stepSize, invBc2, eps });
    return;
  }
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] + l2 * p[i];
    m[i] = b1 * m[i] + (1 - b1) * gi;
    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
    let vi = v[i];
    if (vmax) {
      vmax[i] = Math.max(vmax[i], vi);
      vi = vmax[i];
    }
    p[i] -= (stepSize * m[i]) / (Math.sqrt(vi) * invBc2 + eps);
  }
}

/**
 * Adam (Kingma & Ba), PyTorch's formulas; weightDecay adds weightDecay·θ to the gradient
 * (L2 regularisation). Defaults lr 1e-3, betas [0.9, 0.999], eps 1e-8.
 * @example const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
 */
export class Adam extends Optimizer<AdamOptions> {
  constructor(params: Tensor[] | ParamGroupSpec[], opts: Partial<AdamOptions> = {}) {
    super(params, adamDefaults('Adam', opts, 0));
  }

  protected update(view: ParamView, group: ParamGroup<AdamOptions>, state: ParamState): void {
    adamUpdate(view, group, state, group.weightDecay);
  }
}

/**
 * AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, θ = θ (1 - lr·weightDecay)
 * before the Adam step, instead of an L2 term in the gradient. Default weightDecay 1e-2.
 * @example const opt = new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.05 });
 */
export class AdamW extends Optimizer<AdamOptions> {
  constructor(params: Tensor[] | ParamGroupSpec[], opts: Partial<AdamOptions> = {}) {
    super(params, adamDefaults('AdamW', opts, 1e-2));
  }

  protected update(view: ParamView, group: ParamGroup<AdamOptions>, state: ParamState): void {
    const decay = 1 - group.lr * group.weightDecay;
    const p = view.p;
    for (let i = 0; i < p.length; i++) p[i] *= decay;
    adamUpdate(view, group, state, 0);
  }
}
