import type { Tensor } from '../tensor/tensor.js';
import { embedding } from '../ops/embedding.js';
import { check } from '../util/errors.js';
import { is, options } from '../util/args.js';
import { normal, parameter } from './init.js';
import { Module } from './module.js';
import { register } from './registry.js';

export interface EmbeddingOptions {
  numEmbeddings: number;
  embeddingDim: number;
  /** Row that starts at zero and never receives a gradient (negative counts from the end). */
  paddingIdx?: number | null;
}

/**
 * A lookup table of numEmbeddings vectors of size embeddingDim, initialised N(0, 1) as in
 * PyTorch; int32 indices [...] give [..., embeddingDim] (see F.embedding).
 * @example
 * const emb = new nn.Embedding({ numEmbeddings: 1000, embeddingDim: 16, paddingIdx: 0 });
 * emb.forward(tensor([[3, 7, 0]], { dtype: 'int32' })); // [1, 3, 16]
 */
export class Embedding extends Module {
  readonly options: { numEmbeddings: number; embeddingDim: number; paddingIdx: number | null };
  weight: Tensor;

  constructor(opts: EmbeddingOptions) {
    super();
    options<EmbeddingOptions>('Embedding', opts, { numEmbeddings: is.any, embeddingDim: is.any, paddingIdx: is.any }, [
      'numEmbeddings',
      'embeddingDim',
    ]);
    const { numEmbeddings, embeddingDim } = opts;
    for (const [k, v] of [
      ['numEmbeddings', numEmbeddings],
      ['embeddingDim', embeddingDim],
    ] as const) {
      check(Number.isInteger(v) && v > 0, 'Embedding', () => `${k} must be a positive integer, got ${String(v)}`);
    }
    let pad = opts.paddingIdx ?? null;
    if (pad !== null) {
      check(
        Number.isInteger(pad) && pad >= -numEmbeddings && pad < numEmbeddings,
        'Embedding',
        () => `paddingIdx ${pad} is out of range for ${numEmbeddings} embeddings`,
      );
      if (pad < 0) pad += numEmbeddings;
    }
    this.options = { numEmbeddings, embeddingDim, paddingIdx: pad };
    this.weight = normal(parameter([numEmbeddings, embeddingDim]));
    if (pad !== null) this.weight.storage.fill(0, pad * embeddingDim, (pad + 1) * embeddingDim);
  }

  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight, { paddingIdx: this.options.paddingIdx });
  }
}

// Explicit names, so that saved models and the printed model survive a minifier.
register(Embedding, 'Embedding');
