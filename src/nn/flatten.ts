import { is, options } from '../util/args.js';
import type { Tensor } from '../tensor/tensor.js';
import { flatten } from '../ops/movement.js';
import { Module } from './module.js';
import { register } from './registry.js';

/**
 * Merges axes startDim..endDim into one (default: all but the batch axis), as PyTorch's nn.Flatten.
 * @example new nn.Flatten().forward(x) // [32, 64, 12, 12] -> [32, 9216]
 */
export class Flatten extends Module {
  readonly options: { startDim: number; endDim: number };
  constructor(opts: { startDim?: number; endDim?: number } = {}) {
    super();
    options<{ startDim?: number; endDim?: number }>('Flatten', opts, { startDim: is.int, endDim: is.int });
    this.options = { startDim: opts.startDim ?? 1, endDim: opts.endDim ?? -1 };
  }
  forward(x: Tensor): Tensor {
    return flatten(x, this.options.startDim, this.options.endDim);
  }
}

// Explicit names, so that saved models and the printed model survive a minifier.
register(Flatten, 'Flatten');
