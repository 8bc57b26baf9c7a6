import { defineOp } from '../autograd/engine.js';
import { kernels } from '../kernels/index.js';
import type { FloatArray } from '../kernels/types.js';
import { broadcastView, castRaw, contiguousRaw, promote } from '../tensor/raw.js';
import { Tensor, newArrayToOverwrite } from '../tensor/tensor.js';
import { TsgradError, fmtShape } from '../util/errors.js';
import { arg, is } from '../util/args.js';
import { broadcastShapes, sizeOf } from '../util/shape.js';
import { squeeze, transpose, unsqueeze } from './movement.js';

/**
 * How a [..., r, c] operand reaches gemm without a copy: row-major, or a transposed view
 * of a row-major matrix (the backward pass's Aᵀ and Bᵀ), with one batch stride.
 */
interface Operand {
  data: FloatArray;
  trans: boolean;
  batchStride: number;
}

/** How the last two axes of t are laid out: row-major, a transposed view of a row-major matrix, or neither. */
function matrixLayout(t: Tensor): 'plain' | 'trans' | 'other' {
  const nd = t.ndim;
  const r = t.shape[nd - 2];
  const c = t.shape[nd - 1];
  const sr = t.strides[nd - 2];
  const sc = t.strides[nd - 1];
  if ((sc === 1 || c === 1) && (sr === c || r === 1)) return 'plain';
  if ((sr === 1 || r === 1) && (sc === r || c === 1)) return 'trans';
  return 'other';
}

function asOperand(t: Tensor, batchShape: readonly number[]): Operand {
  const nd = t.ndim;
  const r = t.shape[nd - 2];
  const c = t.shape[nd - 1];
  const layout = matrixLayout(t);
  const trans = layout === 'trans';
  const ownBatch = t.shape.slice(0, nd - 2);
  const batchN = sizeOf(batchShape);
  const shared = ownBatch.every((d) => d === 1);
  // Batch axes must be either absent/shared (stride 0) or dense with stride r*c and not broadcast.
  const denseBatch =
    ownBatch.length === batchShape.length &&
    ownBatch.every((d, i) => d === batchShape[i]) &&
    ownBatch.every((_, i) => t.strides[i] === r * c * sizeOf(ownBatch.slice(i + 1)) || ownBatch[i] === 1);
  const floatOk = t.dtype !== 'int32';
  if (layout !== 'other' && floatOk && (shared || denseBatch)) {
    const base = t.storage as FloatArray;
    const span = shared ? r * c : r * c * batchN;
    return { data: base.subarray(t.offset, t.offset + span), trans, batchStride: shared ? 0 : r * c };
  }
  // Anything else (broadcast batch axes, odd strides, int32) is materialised once.
  const full = contiguousRaw(broadcastView(t.dtype === 'int32' ? castRaw(t, 'float32') : t, [...batchShape, r, c]));
  return { data: full.storage as FloatArray, trans: false, batchStride: batchN > 1 ? r * c : 0 };
}

const matmulOp = defineOp<undefined>({
  name: 'matmul',
  forward: ([a, b]) => {
    const m = a.shape[a.ndim - 2];
    const k = a.shape[a.ndim - 1];
    const n = b.shape[b.ndim - 1];
    const batchShape = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
    const batch = sizeOf(batchShape);
    const dtype = promote(a.dtype, b.dtype) === 'float64' ? 'float64' : 'float32';
    const A = asOperand(dtype === 'float64' ? castRaw(a, 'float64') : a, batchShape);
    const B = asOperand(dtype === 'float64' ? castRaw(b, 'float64') : b, batchShape);
    // gemm without accumulate writes every element (both backends).
    const out = newArrayToOverwrite(dtype, batch * m * n) as FloatArray;
    kernels().gemm({
      a: A.data,
      b: B.data,
      out,
      batch,
      m,
      n,
      k,
      transA: A.trans,
      transB: B.trans,
      strideA: A.batchStride,
      strideB: B.batchStride,
    });
    return new Tensor(out, [...batchShape, m, n]);
  },
  // dA = dY·Bᵀ and dB = Aᵀ·dY; transposes are views that gemm reads in place. When an input
  // is itself a transposed view (Linear's x·Wᵀ), its gradient is computed transposed,
  // dBᵀ = dYᵀ·A, so that the transpose's own backward hands W a dense gradient instead of
  // a strided one that the engine would copy (MLP 784-512-256-10: 3 copies, ~1-3 ms a step).
  backward: (dy, { inputs: [a, b] }) => [
    !a.requiresGrad ? null : matrixLayout(a) === 'trans' ? transpose(matmul(b, transpose(dy))) : matmul(dy, transpose(b)),
    !b.requiresGrad ? null : matrixLayout(b) === 'trans' ? transpose(matmul(transpose(dy), a)) : matmul(transpose(a), dy),
  ],
});

/**
 * Matrix product with PyTorch's rules: 2-D·2-D, batched [..., m, k]·[..., k, n] with
 * broadcasting of the batch axes, and 1-D operands treated as a row or a column vector (torch.matmul).
 * @example F.matmul(randn([8, 3, 4]), randn([4, 5])).shape // [8, 3, 5]
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  arg('matmul', 'input', a, is.instance(Tensor));
  arg('matmul', 'other', b, is.instance(Tensor));
  if (a.ndim === 0 || b.ndim === 0) {
    throw new TsgradError(`matmul: both operands need at least 1 dimension, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const k1 = a.shape[a.ndim - 1];
  const k2 = b.ndim === 1 ? b.shape[0] : b.shape[b.ndim - 2];
  if (k1 !== k2) {
    throw new TsgradError(`matmul: inner dimensions differ: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)} (${k1} vs ${k2})`);
  }
  // [k]·[k] is a dot product: the inner call already dropped b's axis, leaving [1].
  if (a.ndim === 1) return squeeze(matmul(unsqueeze(a, 0), b), b.ndim === 1 ? 0 : -2);
  if (b.ndim === 1) return squeeze(matmul(a, unsqueeze(b, 1)), -1);
  return matmulOp([a, b], undefined);
}
