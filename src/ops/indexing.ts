import { arg, is } from '../util/args.js';
import { defineOp } from '../autograd/engine.js';
import { kernels } from '../kernels/index.js';
import { full } from '../tensor/create.js';
import { contiguousRaw } from '../tensor/raw.js';
import { Tensor, denseArray, newArray } from '../tensor/tensor.js';
import { TsgradError, check, fmtShape } from '../util/errors.js';
import { normAxis, sizeOf } from '../util/shape.js';
import { narrow } from './movement.js';

const IS_TENSOR = is.instance(Tensor);

function checkIndex(op: string, index: Tensor, size: number, what: string): Int32Array {
  check(index.dtype === 'int32', op, () => `indices must be an int32 tensor, got ${index.dtype} (shape ${fmtShape(index.shape)})`);
  const idx = denseArray(index) as Int32Array;
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i];
    if (v < 0 || v >= size) throw new TsgradError(`${op}: index ${v} is out of range for ${what} of size ${size}`);
  }
  return idx;
}

interface SelectOpts {
  dim: number;
  idx: Int32Array;
}

const indexSelectOp = defineOp<SelectOpts>({
  name: 'indexSelect',
  forward: ([x], { dim, idx }) => {
    const outer = sizeOf(x.shape.slice(0, dim));
    const inner = sizeOf(x.shape.slice(dim + 1));
    const shape = x.shape.slice();
    shape[dim] = idx.length;
    const out = newArray(x.dtype, sizeOf(shape));
    kernels().indexSelect(denseArray(contiguousRaw(x)), outer, x.shape[dim], inner, idx, out);
    return new Tensor(out, shape);
  },
  // The index is the op's second input, never differentiated: it keeps the graph linked to where
  // the indices came from (a model's int32 input), which an exporter needs; idx holds its values.
  backward: (dy, { inputs: [x], opts: { dim, idx } }) => {
    const g = full(x.shape, 0, { dtype: dy.dtype });
    kernels().indexAdd(
      denseArray(contiguousRaw(dy)),
      sizeOf(x.shape.slice(0, dim)),
      x.shape[dim],
      sizeOf(x.shape.slice(dim + 1)),
      idx,
      g.storage,
    );
    return [g, null];
  },
  attrs: (o) => ({ dim: o.dim }),
});

/**
 * Entries of axis dim picked by a 1-D int32 index tensor (repeats allowed): x.indexSelect(0, ids) looks up rows.
 * Like torch.index_select.
 * @example F.indexSelect(tensor([[1, 2], [3, 4], [5, 6]]), 0, tensor([2, 0, 2], { dtype: 'int32' })).toArray() // [[5, 6], [1, 2], [5, 6]]
 */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  arg('indexSelect', 'x', x, IS_TENSOR);
  const d = normAxis('indexSelect', dim, x.ndim);
  check(index.ndim <= 1, 'indexSelect', () => `index must be 1-D, got shape ${fmtShape(index.shape)}`);
  const idx = checkIndex('indexSelect', index, x.shape[d], `axis ${d} of shape ${fmtShape(x.shape)}`);
  return indexSelectOp([x, index], { dim: d, idx });
}

interface GatherOpts {
  dim: number;
  idx: Int32Array;
  shape: number[];
}

const gatherOp = defineOp<GatherOpts>({
  name: 'gather',
  forward: ([x], { dim, idx, shape }) => {
    const out = newArray(x.dtype, idx.length);
    kernels().gather(
      denseArray(contiguousRaw(x)),
      sizeOf(shape.slice(0, dim)),
      x.shape[dim],
      sizeOf(shape.slice(dim + 1)),
      idx,
      shape[dim],
      out,
    );
    return new Tensor(out, shape);
  },
  backward: (dy, { inputs: [x], opts: { dim, idx, shape } }) => {
    const g = full(x.shape, 0, { dtype: dy.dtype });
    kernels().scatterAdd(
      denseArray(contiguousRaw(dy)),
      sizeOf(shape.slice(0, dim)),
      x.shape[dim],
      sizeOf(shape.slice(dim + 1)),
      idx,
      shape[dim],
      g.storage,
    );
    return [g, null];
  },
  attrs: (o) => ({ dim: o.dim }),
});

/**
 * PyTorch's gather: out[i][j][k] = x[i][index[i][j][k]][k] for dim = 1. index has x's rank;
 * along the other axes it may be shorter than x.
 * @example F.gather(tensor([[1, 2], [3, 4]]), 1, tensor([[1], [0]], { dtype: 'int32' })).toArray() // [[2], [3]]
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  arg('gather', 'x', x, IS_TENSOR);
  const d = normAxis('gather', dim, x.ndim);
  check(
    index.ndim === x.ndim && index.shape.every((s, i) => i === d || s <= x.shape[i]),
    'gather',
    () => `index shape ${fmtShape(index.shape)} does not fit input shape ${fmtShape(x.shape)} along axes other than ${dim}`,
  );
  const idx = checkIndex('gather', index, x.shape[d], `axis ${d} of shape ${fmtShape(x.shape)}`);
  // Cut x down to the index's extent on the other axes (a view), so both share [outer, *, inner].
  let src = x;
  index.shape.forEach((s, i) => {
    if (i !== d && s < x.shape[i]) src = narrow(src, i, 0, s);
  });
  return gatherOp([src, index], { dim: d, idx, shape: index.shape.slice() });
}

/**
 * One-hot encoding of int32 class indices: shape [..., numClasses], float32 (torch.nn.functional.one_hot gives int64).
 * @example F.oneHot(tensor([0, 2], { dtype: 'int32' }), 3).toArray() // [[1, 0, 0], [0, 0, 1]]
 */
export function oneHot(index: Tensor, numClasses: number): Tensor {
  arg('oneHot', 'index', index, IS_TENSOR);
  check(Number.isInteger(numClasses) && numClasses > 0, 'oneHot', () => `numClasses must be a positive integer, got ${numClasses}`);
  const idx = checkIndex('oneHot', index, numClasses, `${numClasses} classes`);
  const out = new Float32Array(idx.length * numClasses);
  for (let i = 0; i < idx.length; i++) out[i * numClasses + idx[i]] = 1;
  return new Tensor(out, [...index.shape, numClasses]);
}
