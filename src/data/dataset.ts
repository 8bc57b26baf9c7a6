import { arg, check, is } from '../util/args.js';
import { noGrad } from '../autograd/engine.js';
import { tensor } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { indexSelect } from '../ops/indexing.js';
import { contiguous, reshape, stack } from '../ops/movement.js';
import { TsgradError, fmtShape } from '../util/errors.js';

/**
 * A collection of examples, each a list of tensors (usually `[x, y]`), as in
 * PyTorch's `torch.utils.data.Dataset`. `getBatch` is an optional fast path
 * that gathers many examples at once; DataLoader uses it when present.
 */
export interface Dataset {
  readonly length: number;
  /** Example i as its tensors, e.g. `[image, label]`. */
  get(index: number): Tensor[];
  /** Examples at the given indices, stacked along a new first axis. */
  getBatch?(indices: Int32Array): Tensor[];
}

/**
 * A dataset over tensors that share their first dimension: example i is
 * `tensors.map(t => t[i])`.
 * @example
 * const ds = new TensorDataset(x, y); // x [N, 784], y [N] int32
 * const [xi, yi] = ds.get(0);
 */
export class TensorDataset implements Dataset {
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    arg('TensorDataset', 'tensors', tensors, is.arrayOf(is.instance(Tensor)));
    if (tensors.length === 0) throw new TsgradError('TensorDataset: needs at least one tensor');
    const n = tensors[0].shape[0];
    for (const t of tensors) {
      if (t.ndim === 0 || t.shape[0] !== n) {
        const shapes = tensors.map((u) => fmtShape(u.shape)).join(', ');
        throw new TsgradError(`TensorDataset: every tensor needs the same first dimension, got shapes ${shapes}`);
      }
    }
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  get(index: number): Tensor[] {
    checkIndex('TensorDataset', index, this.length);
    return this.getBatch(Int32Array.of(index)).map((t) => reshape(t, t.shape.slice(1)));
  }

  getBatch(indices: Int32Array): Tensor[] {
    const idx = tensor(indices, { dtype: 'int32' });
    return noGrad(() => this.tensors.map((t) => contiguous(indexSelect(t, 0, idx))));
  }
}

/**
 * The examples of a dataset at the given indices (what randomSplit returns), without copying
 * them: PyTorch's `torch.utils.data.Subset`.
 * @example
 * const ds = new TensorDataset(x, y);
 * const firstThousand = new Subset(ds, Int32Array.from({ length: 1000 }, (_, i) => i));
 * const [xi, yi] = firstThousand.get(0);
 */
export class Subset implements Dataset {
  constructor(
    readonly dataset: Dataset,
    readonly indices: Int32Array,
  ) {
    arg('Subset', 'indices', indices, is.instance(Int32Array));
    for (const i of indices) checkIndex('Subset', i, dataset.length);
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): Tensor[] {
    checkIndex('Subset', index, this.length);
    return this.dataset.get(this.indices[index]);
  }

  getBatch(indices: Int32Array): Tensor[] {
    const mapped = indices.map((i) => this.indices[i]);
    return fetchBatch(this.dataset, mapped);
  }
}

/**
 * Gathers examples through the dataset's batch path, or stacks single examples: a batch of any
 * Dataset, as DataLoader builds it.
 * @example const [xb, yb] = fetchBatch(ds, Int32Array.of(3, 7)); // xb [2, ...x's example shape], yb [2]
 */
export function fetchBatch(dataset: Dataset, indices: Int32Array): Tensor[] {
  arg('fetchBatch', 'indices', indices, is.instance(Int32Array));
  if (dataset.getBatch) return dataset.getBatch(indices);
  const items = Array.from(indices, (i) => dataset.get(i));
  if (items.length === 0) throw new TsgradError('fetchBatch: empty batch');
  return noGrad(() =>
    items[0].map((_, j) =>
      stack(
        items.map((it) => it[j]),
        0,
      ),
    ),
  );
}

/**
 * All examples of a dataset as whole tensors (e.g. to compute metrics over a split); a
 * TensorDataset's own tensors, without a copy.
 * @example
 * const [xVal, yVal] = materialize(validation); // e.g. a Subset from randomSplit
 * const accuracy = predict(model, xVal).argmax(1).eq(yVal).mean().item();
 */
export function materialize(dataset: Dataset): Tensor[] {
  arg('materialize', 'dataset', dataset, DATASET);
  if (dataset instanceof TensorDataset) return dataset.tensors;
  const all = new Int32Array(dataset.length);
  for (let i = 0; i < all.length; i++) all[i] = i;
  return fetchBatch(dataset, all);
}

function checkIndex(op: string, i: number, n: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new TsgradError(`${op}: index ${i} is out of range for ${n} examples`);
}

/** Anything with get(i) and a length: a Dataset. */
const DATASET = check(
  'a Dataset (an object with get(i) and length)',
  (v) => typeof (v as Dataset | null)?.get === 'function' && typeof (v as Dataset).length === 'number',
);
