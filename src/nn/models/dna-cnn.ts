import { is, options } from '../../util/args.js';
import { check } from '../../util/errors.js';
import { ReLU } from '../activation.js';
import { Conv1d } from '../conv.js';
import { Linear } from '../linear.js';
import { GlobalMaxPool1d } from '../pooling.js';
import { Sequential } from '../sequential.js';

/**
 * The course's DNA motif finder: one-hot sequences [N, 4, length] → Conv1d 4→filters (width
 * `width`, each filter a learned position weight matrix) → ReLU → global max pool (best match
 * anywhere) → Linear filters→32 → ReLU → Linear 32→1, one logit per sequence (pair it with
 * binary cross-entropy with logits).
 * @example nn.models.dnaCnn({ length: 200 }).forward(x) // [N, 4, 200] -> [N, 1]
 */
export function dnaCnn(opts: { length?: number; filters?: number; width?: number } = {}): Sequential {
  options<{ length?: number; filters?: number; width?: number }>('dnaCnn', opts, {
    length: is.positiveInt,
    filters: is.positiveInt,
    width: is.positiveInt,
  });
  const { length = 200, filters = 32, width = 12 } = opts;
  check(
    Number.isInteger(width) && width >= 1 && width <= length,
    'dnaCnn',
    () => `width (${width}) must be a positive integer no longer than the sequences (length ${length})`,
  );
  return new Sequential(
    new Conv1d({ inChannels: 4, outChannels: filters, kernelSize: width }),
    new ReLU(),
    new GlobalMaxPool1d(),
    new Linear({ inFeatures: filters, outFeatures: 32 }),
    new ReLU(),
    new Linear({ inFeatures: 32, outFeatures: 1 }),
  );
}
