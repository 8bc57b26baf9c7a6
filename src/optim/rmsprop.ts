import type { Tensor } from '../tensor/tensor.js';
import { check } from '../util/errors.js';
import { is, options } from '../util/args.js';
import { Optimizer, bufferOf, zerosBuffer, type ParamGroup, type ParamGroupSpec, type ParamState, type ParamView } from './optimizer.js';

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
}

/**
 * RMSprop, PyTorch's formulas: g' = g + weightDecay·θ; s = α s + (1 - α) g'²;
 * centered: a = α a + (1 - α) g', d = √(s - a²) + eps, else d = √s + eps;
 * momentum: b = momentum·b + g'/d, θ = θ - lr·b; otherwise θ = θ - lr·g'/d.
 * Defaults lr 1e-2, alpha 0.99, eps 1e-8.
 * @example const opt = new optim.RMSprop(model.parameters(), { lr: 1e-3 });
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Tensor[] | ParamGroupSpec[], given: Partial<RMSpropOptions> = {}) {
    const opts = options<Partial<RMSpropOptions>>('RMSprop', given, {
      lr: is.nonNegative,
      alpha: is.nonNegative,
      eps: is.nonNegative,
      weightDecay: is.nonNegative,
      momentum: is.nonNegative,
      centered: is.bool,
    });
    const d: RMSpropOptions = {
      lr: opts.lr ?? 1e-2,
      alpha: opts.alpha ?? 0.99,
      eps: opts.eps ?? 1e-8,
      weightDecay: opts.weightDecay ?? 0,
      momentum: opts.momentum ?? 0,
      centered: opts.centered ?? false,
    };
    check(d.lr >= 0, 'RMSprop', () => `lr must be >= 0, got ${d.lr}`);
    check(d.alpha >= 0, 'RMSprop', () => `alpha must be >= 0, got ${d.alpha}`);
    check(
      d.eps >= 0 && d.momentum >= 0 && d.weightDecay >= 0,
      'RMSprop',
      () => `eps, momentum and weightDecay must be >= 0, got ${d.eps}, ${d.momentum}, ${d.weightDecay}`,
    );
    super(params, d);
  }

  protected update({ param, p, g }: ParamView, group: ParamGroup<RMSpropOptions>, state: ParamState): void {
    const { lr, alpha, eps, weightDecay, momentum, centered } = group;
    if (state.step === undefined) {
      state.step = 0;
      state.squareAvg = zerosBuffer(param);
      if (momentum > 0) state.momentumBuffer = zerosBuffer(param);
      if (centered) state.gradAvg = zerosBuffer(param);
    }
    state.step = (state.step as number) + 1;
    const s = bufferOf(state, 'squareAvg');
    const a = centered ? bufferOf(state, 'gradAvg') : null;
    const b = momentum > 0 ? bufferOf(state, 'momentumBuffer') : null;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + weightDecay * p[i];
      s[i] = alpha * s[i] + (1 - alpha) * gi * gi;
      let avg: number;
      if (a) {
        a[i] = alpha * a[i] + (1 - alpha) * gi;
        avg = Math.sqrt(s[i] - a[i] * a[i]) + eps;
      } else avg = Math.sqrt(s[i]) + eps;
      if (b) {
        b[i] = momentum * b[i] + gi / avg;
        p[i] -= lr * b[i];
      } else p[i] -= (lr * gi) / avg;
    }
  }
}
