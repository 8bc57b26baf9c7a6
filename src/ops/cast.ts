import { defineOp } from '../autograd/engine.js';
import type { DType } from '../kernels/types.js';
import { markParameter } from '../tensor/param.js';
import { castRaw } from '../tensor/raw.js';
import { Tensor } from '../tensor/tensor.js';
import { arg, is } from '../util/args.js';
import { TsgradError, fmtShape } from '../util/errors.js';

/** The dtypes a tensor can hold, in the order error messages list them. */
export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32'];

const castOp = defineOp<DType, DType>({
  name: 'to',
  forward: ([x], dtype) => [castRaw(x, dtype), x.dtype],
  // A float-to-float cast passes the gradient through, converted back to the input's dtype.
  backward: (dy, { saved }) => [castRaw(dy, saved)],
  attrs: (dtype) => ({ dtype }),
});

/**
 * x converted to dtype, like PyTorch's x.to(dtype): x itself when it already has that dtype,
 * else a copy. float32 ↔ float64 is differentiable; a cast to int32 truncates toward zero and
 * cuts the graph (integers carry no gradient), as PyTorch's .int() does.
 * @example tensor([1.5, -2.7]).to('int32').toArray() // [1, -2]
 */
export function to(x: Tensor, dtype: DType): Tensor {
  arg('to', 'dtype', dtype, is.oneOf(DTYPES));
  if (x.dtype === dtype) return x;
  if (dtype === 'int32') return castRaw(x, dtype);
  return castOp([x], dtype);
}

/** x as float32 (PyTorch's x.float()). */
export const float = (x: Tensor): Tensor => to(x, 'float32');

/** x as float64 (PyTorch's x.double()). */
export const double = (x: Tensor): Tensor => to(x, 'float64');

/** x as int32, truncated toward zero (PyTorch's x.int()). */
export const int = (x: Tensor): Tensor => to(x, 'int32');

/**
 * Sets whether gradients flow to a leaf tensor, in place, and returns it (PyTorch's
 * requires_grad_). Only floating-point leaves can require gradients; a tensor made by an op
 * takes its flag from its inputs. A parameter frozen this way stays a parameter of its module.
 * @example const w = randn([3, 2]).requiresGrad_();
 */
export function requiresGrad_(x: Tensor, on = true): Tensor {
  arg('requiresGrad_', 'on', on, is.bool);
  if (x.node !== null) {
    if (on) return x;
    throw new TsgradError(
      `requiresGrad_: the tensor of shape ${fmtShape(x.shape)} was made by '${x.node.op}', not a leaf; ` +
        'only leaf tensors can change requiresGrad (use detach() to get a leaf)',
    );
  }
  if (on && x.dtype === 'int32') {
    throw new TsgradError(`requiresGrad_: only floating-point tensors can require gradients, got int32 of shape ${fmtShape(x.shape)}`);
  }
  // A leaf that took gradients is a parameter being frozen: keep it one.
  if (!on && x.requiresGrad) markParameter(x);
  x.requiresGrad = on;
  return x;
}
