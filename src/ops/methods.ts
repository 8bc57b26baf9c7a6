import { arg, is } from '../util/args.js';
import { backward, detach } from '../autograd/engine.js';
import { Tensor } from '../tensor/tensor.js';
import * as C from './cast.js';
import * as E from './elementwise.js';
import * as I from './indexing.js';
import { matmul } from './matmul.js';
import * as M from './movement.js';
import * as R from './reduce.js';

/**
 * The op functions as Tensor methods: x.add(y) is add(x, y). Attached here, above
 * the tensor layer, so that tensor/ never imports ops/.
 */
const methods = {
  add: E.add,
  sub: E.sub,
  mul: E.mul,
  div: E.div,
  pow: E.pow,
  maximum: E.maximum,
  minimum: E.minimum,
  eq: E.eq,
  ne: E.ne,
  lt: E.lt,
  le: E.le,
  gt: E.gt,
  ge: E.ge,
  neg: E.neg,
  exp: E.exp,
  log: E.log,
  log1p: E.log1p,
  sqrt: E.sqrt,
  abs: E.abs,
  reciprocal: E.reciprocal,
  square: E.square,
  sign: E.sign,
  erf: E.erf,
  sin: E.sin,
  cos: E.cos,
  relu: E.relu,
  sigmoid: E.sigmoid,
  tanh: E.tanh,
  leakyRelu: E.leakyRelu,
  softplus: E.softplus,
  gelu: E.gelu,
  softsign: E.softsign,
  mish: E.mish,
  silu: E.silu,
  elu: E.elu,
  hardtanh: E.hardtanh,
  relu6: E.relu6,
  clamp: E.clamp,
  isnan: E.isnan,
  sum: R.sum,
  mean: R.mean,
  max: R.max,
  min: R.min,
  var: R.variance,
  std: R.std,
  argmax: R.argmax,
  argmin: R.argmin,
  logSumExp: R.logSumExp,
  softmax: R.softmax,
  logSoftmax: R.logSoftmax,
  cumsum: R.cumsum,
  norm: R.norm,
  topk: R.topk,
  matmul,
  reshape: M.reshape,
  permute: M.permute,
  transpose: M.transpose,
  expand: M.expand,
  squeeze: M.squeeze,
  unsqueeze: M.unsqueeze,
  flatten: M.flatten,
  slice: M.slice,
  narrow: M.narrow,
  select: M.select,
  pad: M.pad,
  contiguous: M.contiguous,
  indexSelect: I.indexSelect,
  gather: I.gather,
  oneHot: I.oneHot,
  backward,
  detach,
  to: C.to,
  float: C.float,
  double: C.double,
  int: C.int,
  requiresGrad_: C.requiresGrad_,
};

type Method<F> = F extends (self: Tensor, ...rest: infer R) => infer T ? (...rest: R) => T : never;
type TensorMethods = { [K in keyof typeof methods]: Method<(typeof methods)[K]> };

declare module '../tensor/tensor.js' {
  // Declaration merging: the methods join the Tensor class's type.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Tensor extends TensorMethods {}
}

for (const [name, fn] of Object.entries(methods)) {
  const f = fn as (self: Tensor, ...rest: unknown[]) => unknown;
  Object.defineProperty(Tensor.prototype, name, {
    value: function (this: Tensor, ...rest: unknown[]) {
      return f(this, ...rest);
    },
    writable: true,
    configurable: true,
  });
}

/**
 * Marks a tensor as a leaf that collects gradients (or not, with on = false); returns it for
 * chaining. The function form of `requiresGrad_`, with its checks: an int32 tensor, or a tensor
 * an op made, is refused rather than silently marked.
 * @example const w = F.requiresGrad(randn([784, 10])); // w.requiresGrad: true
 */
export function requiresGrad(t: Tensor, on = true): Tensor {
  arg('requiresGrad', 't', t, is.instance(Tensor));
  return C.requiresGrad_(t, on);
}
