import { TsgradError, fmtShape } from '../util/errors.js';
import { full } from '../tensor/create.js';
import { binaryRaw, castRaw, contiguousRaw, sumToShape } from '../tensor/raw.js';
import { Tensor, newArray, storageVersion, type GraphNode } from '../tensor/tensor.js';
import { kernels } from '../kernels/index.js';
import type { DType, TypedArray } from '../kernels/types.js';
import { arg, is, isPlainObject, options } from '../util/args.js';

const IS_TENSOR = is.instance(Tensor);

let gradEnabled = true;

/** Set while a model is traced for export (see traceOps): every op records its node. */
let tracer: { scope(): string } | null = null;

/**
 * Whether ops currently record graph nodes: false inside noGrad, as PyTorch's
 * `torch.is_grad_enabled()`.
 * @example
 * isGradEnabled(); // true
 * noGrad(() => isGradEnabled()); // false
 */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs fn without recording the graph (inference, parameter updates): PyTorch's
 * `with torch.no_grad():`. Results do not require gradients, and no memory is kept for backward.
 * @example
 * const w = tensor([1, 2, 3], { requiresGrad: true });
 * const y = noGrad(() => w.mul(2)); // y.requiresGrad === false
 */
export function noGrad<T>(fn: () => T): T {
  arg('noGrad', 'fn', fn, is.function);
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** What an op's backward receives: its inputs, its output, its options and anything forward saved. */
export interface OpContext<O, S> {
  inputs: Tensor[];
  out: Tensor;
  opts: O;
  saved: S;
}

export interface OpSpec<O, S> {
  name: string;
  /** Computes the output from the inputs; may return [out, saved] to pass values to backward. */
  forward(inputs: Tensor[], opts: O): Tensor | [Tensor, S];
  /** One gradient per input (null where none flows), given dy = dLoss/dOut. Broadcasting is undone by the engine. */
  backward(dy: Tensor, ctx: OpContext<O, S>): Array<Tensor | null | undefined>;
  /** Options to show in a drawing of the graph. */
  attrs?(opts: O): Record<string, unknown>;
  /**
   * Hands back what forward saved once nothing will read it: after backward (unless the graph
   * is retained), or at once when no node is recorded. For saved storage a backend lends
   * (kernels().savedIndices); ordinary arrays need none.
   */
  release?(saved: S): void;
  /**
   * backward keeps no reference to dy once it returns (none in a closure, none saved, none
   * returned but through its gradients): the engine may then hand dy's storage back for the
   * next gradient (see gradientArray). Set by the library's convolutions.
   */
  dropsGradient?: boolean;
}

/**
 * Defines a differentiable op: forward and backward side by side.
 * The forward runs with recording off; a node is recorded when any input requires a gradient.
 * The library's own ops are built with it; for a function of your own, customOp is the simpler form.
 * @example
 * const square = defineOp({ name: 'square', forward: ([x]) => x.mul(x), backward: (dy, { inputs: [x] }) => [dy.mul(x).mul(2)] });
 * const w = tensor([1, 2, 3], { requiresGrad: true });
 * square([w], undefined).sum().backward(); // w.grad: [2, 4, 6]
 */
export function defineOp<O = undefined, S = undefined>(spec: OpSpec<O, S>): (inputs: Tensor[], opts: O) => Tensor {
  options<OpSpec<O, S>>(
    'defineOp',
    spec,
    { name: is.string, forward: is.function, backward: is.function, attrs: is.function, release: is.function, dropsGradient: is.bool },
    ['name', 'forward', 'backward'],
  );
  return (inputs, opts) => {
    const result = noGrad(() => spec.forward(inputs, opts));
    const [out, saved] = Array.isArray(result) ? result : [result, undefined as S];
    const grad = inputs.some((t) => t.requiresGrad);
    if (gradEnabled && (grad || tracer)) {
      const ctx: OpContext<O, S> = { inputs, out, opts, saved };
      // What backward may read, with the storage versions it must still have then: a number each.
      const kept = [...inputs, out];
      const node: GraphNode = {
        op: spec.name,
        parents: inputs,
        backward: (dy) => spec.backward(dy, ctx),
        attrs: spec.attrs?.(opts),
        opts,
        ...(tracer ? { scope: tracer.scope() } : {}),
        saved: kept,
        savedVersions: kept.map((t) => storageVersion(t.storage)),
        ...(spec.dropsGradient ? { dropsGradient: true } : {}),
        release: () => {
          node.released = true;
          if (ctx.saved !== undefined) spec.release?.(ctx.saved);
          ctx.saved = undefined as S;
        },
      };
      // A traced op on values that need no gradient (int32 indices, constants) keeps its node
      // for the exporter but does not start requiring a gradient.
      if (grad) out.requiresGrad = true;
      out.node = node;
    } else if (saved !== undefined) {
      spec.release?.(saved);
    }
    return out;
  };
}

/**
 * Runs fn with every op recording its node, whether or not its inputs require gradients, each
 * node tagged with scope() (the module running it) and its options: the graph the exporters
 * read (io/onnx). detach records an identity node too, so that nothing computed from the
 * inputs leaves the graph.
 */
export function traceOps<T>(fn: () => T, scope: () => string): T {
  if (tracer) throw new TsgradError('traceOps: a trace is already running');
  const prev = gradEnabled;
  gradEnabled = true;
  tracer = { scope };
  try {
    return fn();
  } finally {
    tracer = null;
    gradEnabled = prev;
  }
}

/**
 * A user-defined differentiable function of tensors.
 * @example
 * const cube = customOp({ name: 'cube', forward: ([x]) => x.pow(3), backward: (dy, { inputs: [x] }) => [dy.mul(x.pow(2)).mul(3)] });
 */
export function customOp(spec: {
  name: string;
  forward: (inputs: Tensor[]) => Tensor;
  backward: (dy: Tensor, ctx: { inputs: Tensor[]; out: Tensor }) => Array<Tensor | null | undefined>;
}): (...inputs: Tensor[]) => Tensor {
  options<{ name: string; forward: unknown; backward: unknown }>(
    'customOp',
    spec,
    { name: is.string, forward: is.function, backward: is.function },
    ['name', 'forward', 'backward'],
  );
  const op = defineOp<undefined, undefined>({
    name: spec.name,
    forward: (inputs) => spec.forward(inputs.map(detach)),
    backward: (dy, ctx) => spec.backward(dy, ctx),
  });
  return (...inputs) => op(inputs, undefined);
}

/**
 * A tensor sharing t's data, cut from the graph: no gradient flows back through it, as with
 * PyTorch's `t.detach()` (use it for targets computed from the model, or values kept for logging).
 * @example
 * const w = tensor([1, 2, 3], { requiresGrad: true });
 * const d = detach(w.mul(2)); // [2, 4, 6], d.requiresGrad === false
 */
export function detach(t: Tensor): Tensor {
  arg('detach', 't', t, IS_TENSOR);
  const out = new Tensor(t.storage, t.shape, t.strides, t.offset);
  if (tracer && gradEnabled) out.node = { op: 'identity', parents: [t], backward: () => [null], scope: tracer.scope() };
  return out;
}

/** Tensors of the graph below root, each after all of its parents (reverse of backward order). */
export function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // Iterative depth-first search: deep graphs (long training unrolls) must not overflow the stack.
  const stack: Array<[Tensor, number]> = [[root, 0]];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const parents = t.node?.parents ?? [];
    if (i < parents.length) {
      top[1]++;
      const p = parents[i];
      if (!seen.has(p) && p.requiresGrad) {
        seen.add(p);
        stack.push([p, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

export interface BackwardOptions {
  /**
   * Keep the graph's saved values so that backward can run through it again (the gradients
   * then accumulate). Without it the first backward frees them and a second one throws.
   */
  retainGraph?: boolean;
}

/**
 * Reverse-mode differentiation: accumulates d(root)/d(leaf) into the `.grad` of
 * every leaf that requires a gradient. A non-scalar root needs `gradient`,
 * the vector of the vector-Jacobian product. As in PyTorch, the graph's saved values
 * are freed afterwards unless `retainGraph: true`, and backward throws, before changing
 * any gradient, when the graph was freed already or when a tensor it saved was written
 * in place since the forward (an optimizer step between forward and backward).
 * @example
 * loss.backward();                          // scalar loss
 * y.backward(tg.onesLike(y), { retainGraph: true }); // keep the graph for a second backward
 * loss.backward({ retainGraph: true });
 */
export function backward(root: Tensor, gradient?: Tensor | BackwardOptions, opts?: BackwardOptions): void {
  arg('backward', 'root', root, IS_TENSOR);
  if (gradient !== undefined && !(gradient instanceof Tensor)) {
    if (opts !== undefined || !isPlainObject(gradient)) arg('backward', 'gradient', gradient, is.optional(is.instance(Tensor)));
    opts = gradient;
    gradient = undefined;
  }
  const { retainGraph = false } = options<BackwardOptions>('backward', opts, { retainGraph: is.bool });
  if (!root.requiresGrad) {
    throw new TsgradError('backward: this tensor does not require gradients (no input of its graph has requiresGrad: true)');
  }
  let seed: Tensor;
  if (gradient === undefined) {
    if (root.size !== 1) {
      throw new TsgradError(
        `backward: tensor of shape ${fmtShape(root.shape)} is not a scalar; pass backward(gradient) with a gradient of that shape`,
      );
    }
    seed = full(root.shape, 1, { dtype: root.dtype });
  } else {
    if (gradient.shape.length !== root.shape.length || gradient.shape.some((d, i) => d !== root.shape[i])) {
      throw new TsgradError(`backward: gradient shape ${fmtShape(gradient.shape)} does not match tensor shape ${fmtShape(root.shape)}`);
    }
    seed = castRaw(gradient, root.dtype);
  }
  const order = topoOrder(root);
  for (let i = order.length - 1; i >= 0; i--) checkNode(order[i]);
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  noGrad(() => {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      const node: GraphNode | null = t.node;
      if (!node) {
        // A leaf keeps a dense gradient of its own: g may be a broadcast view or shared with another leaf.
        t.grad = t.grad ? binaryRaw('add', t.grad, g) : ownDenseCopy(g);
        recycle(g, grads);
        continue;
      }
      const pgs = node.backward(g);
      node.parents.forEach((p, j) => {
        const pg = pgs[j];
        if (!pg || !p.requiresGrad) return;
        const shaped = castRaw(sumToShape(pg, p.shape), p.dtype);
        const prev = grads.get(p);
        grads.set(p, prev ? binaryRaw('add', prev, shaped) : shaped);
      });
      // An op that may keep dy (a custom op's closure) makes its storage the user's for good.
      if (node.dropsGradient) recycle(g, grads);
      else recyclable.delete(g.storage);
    }
  });
  if (!retainGraph) for (const t of order) t.node?.release?.();
}

/** Throws when backward cannot run through t's node: freed by an earlier backward, or a saved tensor written since. */
function checkNode(t: Tensor): void {
  const node = t.node;
  if (!node) return;
  if (node.released) {
    throw new TsgradError(
      `backward: the graph through '${node.op}' (output shape ${fmtShape(t.shape)}) has already been freed by an earlier backward(); ` +
        'pass { retainGraph: true } to the first backward() to run backward through the same graph again',
    );
  }
  const saved = node.saved ?? [];
  const at = node.savedVersions ?? [];
  for (let j = 0; j < saved.length; j++) {
    const now = storageVersion(saved[j].storage);
    if (now !== at[j]) {
      throw new TsgradError(
        'backward: one of the variables needed for gradient computation has been modified by an inplace operation: ' +
          `${node.op} saved a tensor of shape ${fmtShape(saved[j].shape)} at version ${at[j]}, now at version ${now} ` +
          '(an optimizer step, loadStateDict, an init function, copy_ or markModified() after the forward); ' +
          'run the forward again after changing the values',
      );
    }
  }
}

/** Storages of gradientArray that the engine may still hand back. */
const recyclable = new WeakSet<TypedArray>();

/**
 * An array of n elements for a gradient that a backward kernel writes in full and a later op of
 * the same pass reads (a convolution's dx): from the backend when it has one (kernels().gradientArray:
 * a wasm heap block, not zeroed, which the next backward kernel reads without copying it in),
 * else a fresh array. Such a gradient never leaves backward (leaves get copies), so backward hands its
 * storage back once it is consumed: after an op with dropsGradient has run on it, or a leaf has
 * copied it, and when no gradient still pending shares the storage. A training loop then reuses
 * the same heap blocks step after step instead of allocating, copying out and copying in.
 */
export function gradientArray(dtype: DType, n: number): TypedArray {
  const a = dtype === 'float32' ? kernels().gradientArray(n) : null;
  if (!a) return newArray(dtype, n);
  recyclable.add(a);
  return a;
}

/** Hands g's storage back to the backend when it is a gradientArray that no pending gradient shares. */
function recycle(g: Tensor, grads: Map<Tensor, Tensor>): void {
  const s = g.storage;
  if (!recyclable.has(s)) return;
  for (const other of grads.values()) if (other.storage === s) return;
  recyclable.delete(s);
  kernels().releaseSaved(s as Float32Array);
}

function ownDenseCopy(t: Tensor): Tensor {
  const dense = contiguousRaw(t);
  return dense === t ? new Tensor(t.storage.slice(), t.shape) : dense;
}
