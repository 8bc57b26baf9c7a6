import { arg, is } from '../util/args.js';
import { detach } from '../autograd/engine.js';
import { Tensor } from '../tensor/tensor.js';
import { check, fmtShape } from '../util/errors.js';
import { eq, where } from './elementwise.js';
import { indexSelect } from './indexing.js';
import { reshape, unsqueeze } from './movement.js';

const IS_TENSOR = is.instance(Tensor);

export interface EmbeddingOptions {
  /** Index whose row receives no gradient (a padding token); negative counts from the end. */
  paddingIdx?: number | null;
}

/**
 * Looks up rows of weight [numEmbeddings, dim] for int32 indices of any shape:
 * out[..., :] = weight[indices[...], :], shape [...indices.shape, dim].
 * The gradient adds each output row into the row it came from, except for paddingIdx.
 * @example F.embedding(tensor([[1, 2, 0]], { dtype: 'int32' }), weight, { paddingIdx: 0 }) // [1, 3, dim]
 */
export function embedding(indices: Tensor, weight: Tensor, opts: EmbeddingOptions = {}): Tensor {
  arg('embedding', 'indices', indices, IS_TENSOR);
  check(weight.ndim === 2, 'embedding', () => `weight must be [numEmbeddings, embeddingDim], got shape ${fmtShape(weight.shape)}`);
  check(
    indices.dtype === 'int32',
    'embedding',
    () => `indices must be an int32 tensor, got ${indices.dtype} (shape ${fmtShape(indices.shape)})`,
  );
  const [num, dim] = weight.shape;
  let pad = opts.paddingIdx ?? null;
  if (pad !== null) {
    check(Number.isInteger(pad) && pad >= -num && pad < num, 'embedding', () => `paddingIdx ${pad} is out of range for ${num} embeddings`);
    if (pad < 0) pad += num;
  }
  const rows = indexSelect(weight, 0, reshape(indices, [indices.size]));
  let out = rows;
  if (pad !== null && weight.requiresGrad) {
    // Rows looked up at paddingIdx come from a detached copy: the same values, no gradient.
    const isPad = unsqueeze(eq(reshape(indices, [indices.size]), pad), 1);
    out = where(isPad, detach(rows), rows);
  }
  return reshape(out, [...indices.shape, dim]);
}
