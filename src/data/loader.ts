import { Tensor } from '../tensor/tensor.js';
import { TsgradError } from '../util/errors.js';
import { is, options, show } from '../util/args.js';
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
  /**
   * Makes a batch from the batch's samples (each the array of tensors dataset.get returns), as
   * PyTorch's collate_fn: for samples of different lengths, padding, or extra fields. The default
   * stacks each field along a new first dimension.
   */
  collate?: (samples: Tensor[][]) => Tensor[];
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
  readonly collate?: (samples: Tensor[][]) => Tensor[];

  constructor(
    readonly dataset: Dataset,
    opts: DataLoaderOptions = {},
  ) {
    options<DataLoaderOptions>('DataLoader', opts, {
      batchSize: is.any,
      shuffle: is.bool,
      dropLast: is.bool,
      transform: is.function,
      collate: is.function,
    });
    this.batchSize = opts.batchSize ?? 32;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1) {
      throw new TsgradError(`DataLoader: batchSize must be a positive integer, got ${opts.batchSize}`);
    }
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.transform = opts.transform;
    this.collate = opts.collate;
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
      const batch = this.collate ? this.collated(idx) : fetchBatch(this.dataset, idx.slice());
      yield this.transform ? this.transform(batch) : batch;
    }
  }

  private collated(idx: Int32Array): Tensor[] {
    const out = this.collate!(Array.from(idx, (i) => this.dataset.get(i)));
    if (!Array.isArray(out) || !out.every((t) => t instanceof Tensor)) {
      throw new TsgradError(`DataLoader: collate must return an array of tensors, got ${show(out)}`);
    }
    return out;
  }
}
