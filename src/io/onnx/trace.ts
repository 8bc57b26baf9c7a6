import { noGrad, traceOps } from '../../autograd/engine.js';
import type { Module } from '../../nn/module.js';
import { layerName } from '../../nn/registry.js';
import { tensor } from '../../tensor/create.js';
import { Tensor, denseArray } from '../../tensor/tensor.js';
import { indexSelect } from '../../ops/indexing.js';
import { mul } from '../../ops/elementwise.js';
import { TsgradError, fmtShape } from '../../util/errors.js';

/**
 * A model's forward pass as a list of values in topological order, read from the graph that
 * tsgrad records for autograd. The model runs twice, on the example batch and on a batch one
 * larger: the two graphs must have the same ops, and a size that differs between them is a
 * batch-dependent one, which the exporter keeps symbolic. A value that differs between the two
 * runs but was not computed by a recorded op (made from the input outside the graph) would be
 * frozen into the file, so it is refused.
 */

export interface TraceValue {
  kind: 'input' | 'param' | 'const' | 'op';
  /** The value in the run on the example batch. */
  t: Tensor;
  /** The same value in the run on the larger batch. */
  other: Tensor;
  /** Positions of the op's inputs in Trace.values. */
  parents: number[];
  op?: string;
  opts?: unknown;
  /** The module that ran the op: its dotted name and class, e.g. `'3' (Conv2d)`. */
  scope?: string;
  /** A parameter's or buffer's state-dict name; an input's position. */
  name?: string;
  input?: number;
}

export interface Trace {
  values: TraceValue[];
  inputs: number[];
  output: number;
}

/** Runs model.forward(...inputs) with every op recorded and each op tagged with its module. */
function record(model: Module, inputs: Tensor[]): Tensor {
  const stack: string[] = [];
  const restore: Array<() => void> = [];
  for (const [name, m] of model.namedModules()) {
    const own = Object.prototype.hasOwnProperty.call(m, 'forward');
    const original = m.forward;
    const label = `${name === '' ? 'the model' : `'${name}'`} (${layerName(m)})`;
    Object.defineProperty(m, 'forward', {
      configurable: true,
      writable: true,
      value: (...xs: Tensor[]) => {
        stack.push(label);
        try {
          return original.apply(m, xs);
        } finally {
          stack.pop();
        }
      },
    });
    restore.push(() => {
      if (own) Object.defineProperty(m, 'forward', { configurable: true, writable: true, value: original });
      else delete (m as { forward?: unknown }).forward;
    });
  }
  try {
    return traceOps(
      () => model.forward(...inputs),
      () => stack[stack.length - 1] ?? 'the model',
    );
  } finally {
    for (const r of restore) r();
  }
}

/** The values below root in topological order (parents first), stopping at the inputs. */
function walk(root: Tensor, inputs: Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  const stack: Array<[Tensor, number]> = [[root, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const parents = inputs.includes(top[0]) ? [] : (top[0].node?.parents ?? []);
    if (top[1] < parents.length) {
      const p = parents[top[1]++];
      if (!seen.has(p)) {
        seen.add(p);
        stack.push([p, 0]);
      }
    } else {
      stack.pop();
      order.push(top[0]);
    }
  }
  return order;
}

/** A batch one larger than x: its rows reversed, then its first row again; floats scaled by 1.5. */
function largerBatch(x: Tensor): Tensor {
  return noGrad(() => {
    const n = x.shape[0];
    const idx = Array.from({ length: n + 1 }, (_, i) => (i < n ? n - 1 - i : 0));
    const rows = indexSelect(x, 0, tensor(idx, { dtype: 'int32' }));
    return x.dtype === 'int32' ? rows : mul(rows, 1.5);
  });
}

function sameValues(a: Tensor, b: Tensor): boolean {
  if (a.dtype !== b.dtype || a.ndim !== b.ndim || a.shape.some((d, i) => d !== b.shape[i])) return false;
  const x = denseArray(a);
  const y = denseArray(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i] && !(Number.isNaN(x[i]) && Number.isNaN(y[i]))) return false;
  return true;
}

/**
 * Traces model on the example inputs (each with the batch on axis 0) and on a batch one larger.
 * `op` names the caller in errors.
 */
export function traceModel(op: string, model: Module, inputs: Tensor[]): Trace {
  const params = new Map<Tensor, string>();
  for (const [name, t] of model.stateDict()) if (!params.has(t)) params.set(t, name);
  const wasTraining = model.training;
  model.eval();
  let outA: Tensor;
  let outB: Tensor;
  const others = inputs.map(largerBatch);
  try {
    outA = runChecked(op, model, inputs);
    outB = runChecked(op, model, others);
  } finally {
    model.train(wasTraining);
  }
  const a = walk(outA, inputs);
  const b = walk(outB, others);
  const index = new Map(a.map((t, i) => [t, i]));
  const indexB = new Map(b.map((t, i) => [t, i]));
  const differs = (why: string): never => {
    throw new TsgradError(`${op}: the model's graph changes with the batch size (${why}); the exporter needs the same ops for every batch`);
  };
  if (a.length !== b.length) differs(`${a.length} values for a batch of ${inputs[0].shape[0]}, ${b.length} for one more`);
  const values: TraceValue[] = a.map((t, i) => {
    const u = b[i];
    const input = inputs.indexOf(t);
    if (input >= 0) {
      if (others.indexOf(u) !== input) differs(`input ${input} is used differently`);
      return { kind: 'input', t, other: u, parents: [], input, name: inputs.length === 1 ? 'input' : `input${input}` };
    }
    const param = params.get(t);
    if (param !== undefined) {
      if (u !== t) differs(`parameter ${param} is used differently`);
      return { kind: 'param', t, other: u, parents: [], name: param };
    }
    const node = t.node;
    if (!node) {
      if (u.node || !sameValues(t, u)) {
        const user = a.find((v) => v.node?.parents.includes(t))?.node;
        throw new TsgradError(
          `${op}: a tensor of shape ${fmtShape(t.shape)}${user ? ` read by op '${user.op}' in ${user.scope ?? 'the model'}` : ''} ` +
            'depends on the input but was not computed by a recorded op, so it would be frozen into the file; ' +
            'compute it with tsgrad ops on the input, or keep it in a parameter or buffer',
        );
      }
      return { kind: 'const', t, other: u, parents: [] };
    }
    const nodeB = u.node;
    if (!nodeB || nodeB.op !== node.op) differs(`op ${i} is '${node.op}' for one batch and '${nodeB?.op ?? 'a constant'}' for the other`);
    const parents = node.parents.map((p) => index.get(p) as number);
    const parentsB = nodeB!.parents.map((p) => indexB.get(p) as number);
    if (parents.some((p, j) => p !== parentsB[j])) differs(`the inputs of '${node.op}' in ${node.scope ?? 'the model'}`);
    if (t.ndim !== u.ndim) differs(`'${node.op}' in ${node.scope ?? 'the model'} gives ranks ${t.ndim} and ${u.ndim}`);
    return { kind: 'op', t, other: u, parents, op: node.op, opts: node.opts, scope: node.scope };
  });
  return { values, inputs: inputs.map((t) => index.get(t) ?? -1), output: values.length - 1 };
}

function runChecked(op: string, model: Module, inputs: Tensor[]): Tensor {
  let out: unknown;
  try {
    out = record(model, inputs);
  } catch (e) {
    if (!(e instanceof TsgradError)) throw e;
    const shapes = inputs.map((t) => `${t.dtype} ${fmtShape(t.shape)}`).join(', ');
    throw new TsgradError(`${op}: the model cannot run on an example input of ${shapes}: ${e.message}`);
  }
  if (!(out instanceof Tensor)) throw new TsgradError(`${op}: the model's forward must return one tensor, got ${typeof out}`);
  return out;
}
