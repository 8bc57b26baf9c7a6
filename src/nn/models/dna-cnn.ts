import { indexSelect } from '../../ops/indexing.js';
import { maximum } from '../../ops/elementwise.js';
import { tensor } from '../../tensor/create.js';
import { Tensor } from '../../tensor/tensor.js';
import { arg, is, options } from '../../util/args.js';
import { TsgradError, check, fmtShape } from '../../util/errors.js';
import { ReLU } from '../activation.js';
import { Conv1d } from '../conv.js';
import { Flatten } from '../flatten.js';
import { Linear } from '../linear.js';
import { Module } from '../module.js';
import { GlobalMaxPool1d, MaxPool1d } from '../pooling.js';
import { register, type LayerConfig } from '../registry.js';
import { Sequential } from '../sequential.js';

/**
 * The reverse complement of one-hot sequences [N, 4, L] (channels A, C, G, T): the channel order
 * reversed is the complement (T, G, C, A), and the positions reversed. Differentiable.
 * @example reverseComplementOneHot(oneHotDna(['AACG'])) // the one-hot of CGTT
 */
export function reverseComplementOneHot(x: Tensor): Tensor {
  arg('reverseComplementOneHot', 'x', x, is.instance(Tensor));
  if (x.ndim !== 3 || x.shape[1] !== 4) {
    throw new TsgradError(`reverseComplementOneHot: expected one-hot sequences [N, 4, L], got ${fmtShape(x.shape)}`);
  }
  const length = x.shape[2];
  const positions = tensor(
    Array.from({ length }, (_, j) => length - 1 - j),
    { dtype: 'int32' },
  );
  return indexSelect(indexSelect(x, 1, tensor([3, 2, 1, 0], { dtype: 'int32' })), 2, positions);
}

/**
 * Runs a scanner (convolution … global pooling) over both strands of the input, the same filters
 * on the sequence and on its reverse complement, and keeps the larger response of each filter: a
 * binding site counts on either strand.
 * @example
 * const conv = new nn.Conv1d({ inChannels: 4, outChannels: 16, kernelSize: 12 });
 * const scan = new nn.Sequential(conv, new nn.ReLU(), new nn.GlobalMaxPool1d());
 * new nn.models.BothStrands(scan).forward(x) // [N, 4, L] -> [N, 16]
 */
export class BothStrands extends Module {
  readonly options: Record<string, never> = {};
  constructor(readonly scanner: Module) {
    super();
    arg('BothStrands', 'scanner', scanner, is.instance(Module, 'Module'));
  }
  forward(x: Tensor): Tensor {
    return maximum(this.scanner.forward(x), this.scanner.forward(reverseComplementOneHot(x)));
  }
}

register(BothStrands, {
  name: 'BothStrands',
  toConfig: (m, child) => ({ layers: [child(m.scanner)] }),
  fromConfig: (node: LayerConfig, child) => new BothStrands(child(node.layers![0])),
});

// The sizes both DNA models take.
const SIZES = { length: is.positiveInt, filters: is.positiveInt, width: is.positiveInt };

export interface DnaCnnOptions {
  length?: number;
  filters?: number;
  width?: number;
  /** Scan both strands with the same filters and keep the larger response (default false). */
  reverseComplement?: boolean;
}

/**
 * The course's DNA motif finder, DeepBind-style: one-hot sequences [N, 4, length] → Conv1d
 * 4→filters (width `width`, each filter a learned position weight matrix) → ReLU → global max pool
 * (best match anywhere; over both strands with `reverseComplement`) → Linear filters→32 → ReLU →
 * Linear 32→1, one logit per sequence (pair it with binary cross-entropy with logits).
 * @example nn.models.dnaCnn({ length: 200 }).forward(x) // [N, 4, 200] -> [N, 1]
 */
export function dnaCnn(opts: DnaCnnOptions = {}): Sequential {
  options<DnaCnnOptions>('dnaCnn', opts, { ...SIZES, reverseComplement: is.bool });
  const { length = 200, filters = 32, width = 12 } = opts;
  check(width <= length, 'dnaCnn', () => `width (${width}) must be a positive integer no longer than the sequences (length ${length})`);
  const scan = [new Conv1d({ inChannels: 4, outChannels: filters, kernelSize: width }), new ReLU(), new GlobalMaxPool1d()];
  return new Sequential(
    ...(opts.reverseComplement ? [new BothStrands(new Sequential(...scan))] : scan),
    new Linear({ inFeatures: filters, outFeatures: 32 }),
    new ReLU(),
    new Linear({ inFeatures: 32, outFeatures: 1 }),
  );
}

/**
 * The genomics primer's network (Zou et al. 2019): one-hot [N, 4, length] → Conv1d 32 filters of
 * width 12 (no activation, as the primer's Keras code) → MaxPool1d 4 → Flatten → Linear 16 + ReLU →
 * Linear 2 (two logits; softmax cross-entropy). 6,226 parameters at length 50, as the primer's
 * summary.
 * @example nn.models.dnaPrimer().forward(x) // [N, 4, 50] -> [N, 2]
 */
export function dnaPrimer(opts: { length?: number; filters?: number; width?: number } = {}): Sequential {
  options<{ length?: number; filters?: number; width?: number }>('dnaPrimer', opts, SIZES);
  const { length = 50, filters = 32, width = 12 } = opts;
  const pooled = Math.floor((length - width + 1) / 4);
  check(pooled >= 1, 'dnaPrimer', () => `length ${length} is too short for filters of width ${width} and pooling by 4`);
  return new Sequential(
    new Conv1d({ inChannels: 4, outChannels: filters, kernelSize: width }),
    new MaxPool1d({ kernelSize: 4 }),
    new Flatten(),
    new Linear({ inFeatures: filters * pooled, outFeatures: 16 }),
    new ReLU(),
    new Linear({ inFeatures: 16, outFeatures: 2 }),
  );
}
