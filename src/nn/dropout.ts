import type { Tensor } from '../tensor/tensor.js';
import { dropout } from '../ops/dropout.js';
import { check } from '../util/errors.js';
import { is, options } from '../util/args.js';
import { Module } from './module.js';
import { register } from './registry.js';

/**
 * Inverted dropout (see F.dropout): in training each element is zeroed with probability p
 * and the rest scaled by 1/(1 - p); after model.eval() it is the identity.
 * @example new nn.Dropout({ p: 0.25 })
 */
export class Dropout extends Module {
  readonly options: { p: number };
  constructor(opts: { p?: number } = {}) {
    super();
    const p = options<{ p?: number }>('Dropout', opts, { p: is.any }).p ?? 0.5;
    check(typeof p === 'number' && p >= 0 && p <= 1, 'Dropout', () => `p must be a probability in [0, 1], got ${p}`);
    this.options = { p };
  }
  forward(x: Tensor): Tensor {
    return dropout(x, { p: this.options.p, training: this.training });
  }
}

// Explicit names, so that saved models and the printed model survive a minifier.
register(Dropout, 'Dropout');
