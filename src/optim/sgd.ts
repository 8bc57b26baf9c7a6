import type { Tensor } from '../tensor/tensor.js';
import { check } from '../util/errors.js';
import { is, options } from '../util/args.js';
import { Optimizer, bufferOf, zerosBuffer, type ParamGroup, type ParamGroupSpec, type ParamState, type ParamView } from './optimizer.js';

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
}

/**
 * Stochastic gradient descent with momentum, PyTorch's formulas:
 * d = g + weightDecay·θ; b = momentum·b + (1 - dampening)·d (b = d on the first step);
 * d = nesterov ? d + momentum·b : b; θ = θ - lr·d.
 * @example const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Tensor[] | ParamGroupSpec[], given: Partial<SGDOptions> & { lr: number }) {
    const opts = options<Partial<SGDOptions> & { lr: number }>(
      'SGD',
      given,
      {
        lr: is.nonNegative,
        momentum: is.nonNegative,
        dampening: is.number,
        nesterov: is.bool,
        weightDecay: is.nonNegative,
      },
      ['lr'],
    );
    const defaults: SGDOptions = {
      lr: opts.lr,
      momentum: opts.momentum ?? 0,
      dampening: opts.dampening ?? 0,
      nesterov: opts.nesterov ?? false,
      weightDecay: opts.weightDecay ?? 0,
    };
    check(typeof defaults.lr === 'number' && defaults.lr >= 0, 'SGD', () => `lr must be a non-negative number, got ${String(opts.lr)}`);
    check(defaults.momentum >= 0, 'SGD', () => `momentum must be >= 0, got ${defaults.momentum}`);
    check(defaults.weightDecay >= 0, 'SGD', () => `weightDecay must be >= 0, got ${defaults.weightDecay}`);
    check(
      !defaults.nesterov || (defaults.momentum > 0 && defaults.dampening === 0),
      'SGD',
      () => `nesterov needs momentum > 0 and dampening 0, got momentum ${defaults.momentum}, dampening ${defaults.dampening}`,
    );
    super(params, defaults);
  }

  protected update({ param, p, g }: ParamView, group: ParamGroup<SGDOptions>, state: ParamState): void {
    const { lr, momentum, dampening, nesterov, weightDecay } = group;
    if (momentum === 0) {
      for (let i = 0; i < p.length; i++) p[i] -= lr * (g[i] + weightDecay * p[i]);
      return;
    }
    const first = state.momentumBuffer === undefined;
    if (first) state.momentumBuffer = zerosBuffer(param);
    const buf = bufferOf(state, 'momentumBuffer');
    for (let i = 0; i < p.length; i++) {
      const d = g[i] + weightDecay * p[i];
      buf[i] = first ? d : momentum * buf[i] + (1 - dampening) * d;
      p[i] -= lr * (nesterov ? d + momentum * buf[i] : buf[i]);
    }
  }
}
