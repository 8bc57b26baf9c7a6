import type { Tensor } from './tensor.js';

/**
 * Which tensors are parameters. A parameter stays one when it is frozen (requiresGrad false),
 * as in PyTorch, so Module.parameters(), stateDict() and save keep it; the mark is kept here
 * rather than on the tensor so that it costs nothing on the millions of intermediate tensors.
 */
const marked = new WeakSet<Tensor>();

/** Marks t as a parameter (nn.init.parameter does; Module does for tensor fields that require gradients). */
export function markParameter(t: Tensor): Tensor {
  marked.add(t);
  return t;
}

export function isParameter(t: Tensor): boolean {
  return marked.has(t);
}
