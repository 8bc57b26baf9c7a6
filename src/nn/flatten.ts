import { is, options } from '../util/args.js';
import type { Tensor } from '../tensor/tensor.js';
import { flatten, reshape } from '../ops/movement.js';
import { TsgradError, fmtShape } from '../util/errors.js';
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

/**
 * Splits axis `dim` into `sizes` (whose product must equal that axis), the inverse of Flatten,
 * as PyTorch's nn.Unflatten.
 * @example new nn.Unflatten({ dim: 1, sizes: [16, 7, 7] }).forward(x) // [32, 784] -> [32, 16, 7, 7]
 */
export class Unflatten extends Module {
  readonly options: { dim: number; sizes: number[] };
  constructor(opts: { dim: number; sizes: number[] }) {
    super();
    const { dim, sizes } = options<{ dim: number; sizes: number[] }>(
      'Unflatten',
      opts,
      { dim: is.int, sizes: is.arrayOf(is.positiveInt) },
      ['dim', 'sizes'],
    );
    this.options = { dim, sizes: [...sizes] };
  }
  forward(x: Tensor): Tensor {
    const { dim, sizes } = this.options;
    const d = dim < 0 ? dim + x.ndim : dim;
    const n = sizes.reduce((a, b) => a * b, 1);
    if (d < 0 || d >= x.ndim || x.shape[d] !== n) {
      throw new TsgradError(`Unflatten: cannot split dim ${dim} of input ${fmtShape(x.shape)} into [${sizes.join(', ')}] (product ${n})`);
    }
    return reshape(x, [...x.shape.slice(0, d), ...sizes, ...x.shape.slice(d + 1)]);
  }
}

// Explicit names, so that saved models and the printed model survive a minifier.
register(Flatten, 'Flatten');
register(Unflatten, 'Unflatten');
