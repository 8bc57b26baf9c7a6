import type { Tensor } from '../tensor/tensor.js';
import { TsgradError } from '../util/errors.js';
import { is, options } from '../util/args.js';
import { rng } from '../util/rng.js';
import { fetchBatch, type Dataset } from './dataset.js';

/** A function applied to each batch after it is gathered (augmentation, normalisation). */
export type BatchTransform = (batch: Tensor[]) => Tensor[];

export interface DataLoaderOptions {
  /** Examples per batch (default 32). */
  batchSize?: number;
  /** Draw a new order every epoch from the seeded generator (default false). */
  shuffle?: boolean;
  /** Skip the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Applied to every batch, e.g. `compose([randomAffine(...), randomErasing()])`. */
  transform?: BatchTransform;
}

/**
 * Iterates over a dataset in batches, as PyTorch's DataLoader does. Each
 * iteration (epoch) reshuffles when `shuffle` is set, drawing from the one
 * seeded generator, so `manualSeed(n)` repeats the order exactly.
 * @example
 * const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 64, shuffle: true });
 * for (const [xb, yb] of loader) { ... }
 */
export class DataLoader implements Iterable<Tensor[]> {
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly transform?: BatchTransform;

  constructor(readonly dataset: Dataset, opts: DataLoaderOptions = {}) {
    options<DataLoaderOptions>('DataLoader', opts, { batchSize: is.any, shuffle: is.bool, dropLast: is.bool, transform: is.function });
    this.batchSize = opts.batchSize ?? 32;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new TsgradError(`DataLoader: batchSize must be a positive integer, got ${opts.batchSize}`);
    }
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.transform = opts.transform;
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Number of examples one epoch visits. */
  get numSamples(): number {
    return this.dropLast ? this.length * this.batchSize : this.dataset.length;
  }

  *[Symbol.iterator](): Iterator<Tensor[]> {
    const n = this.dataset.length;
    // The permutation is drawn when the epoch starts, so that the order depends only on the seed.
    const order = this.shuffle ? rng.permutation(n) : Int32Array.from({ length: n }, (_, i) => i);
    for (let b = 0; b < this.length; b++) {
      const idx = order.subarray(b * this.batchSize, Math.min(n, (b + 1) * this.batchSize));
      const batch = fetchBatch(this.dataset, idx.slice());
      yield this.transform ? this.transform(batch) : batch;
    }
  }
}
