/**
 * tsgrad: tensors, autograd, layers and training in TypeScript.
 * @example
 * import * as tg from 'tsgrad';
 * const x = tg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * x.mul(x).sum().backward();
 * console.log(x.grad?.toArray()); // [[2, 4], [6, 8]]
 */
export { Tensor } from './tensor/tensor.js';
export type { GraphNode, NestedArray } from './tensor/tensor.js';
export * from './tensor/create.js';
export { manualSeed, rng, Rng } from './util/rng.js';
export { TsgradError } from './util/errors.js';
export { setBackend, getBackend, kernels, setNumThreads, getNumThreads } from './kernels/index.js';
export { ready } from './kernels/wasm/index.js';
export type { DType, Kernels } from './kernels/types.js';
export { noGrad, isGradEnabled, backward, detach, defineOp, customOp } from './autograd/engine.js';
export * from './autograd/gradcheck.js';
export * from './autograd/dot.js';
export * from './ops/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * from './train/index.js';
export * from './data/index.js';
export * from './io/index.js';
export * from './viz/index.js';
export * as F from './nn/functional.js';
export * from './apps/index.js';
