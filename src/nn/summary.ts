import { arg, is } from '../util/args.js';
import { noGrad } from '../autograd/engine.js';
import type { DType } from '../kernels/types.js';
import { zeros } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { check, fmtShape } from '../util/errors.js';
// Type-only: module.ts imports this file for Module.summary, so a value import would be circular.
import type { Module } from './module.js';
import { entryOf, layerName } from './registry.js';

export interface SummaryRow {
  /** Dotted name of the layer inside the model ('0', '1.0'), as in stateDict keys. */
  name: string;
  /** Registered layer name ('Conv2d'). */
  type: string;
  /** Output shape for a batch of 1. */
  outputShape: number[];
  /** Parameter elements of the layer (frozen ones included) plus its floating buffers (running statistics). */
  params: number;
  /** Elements of the parameters that require gradients. */
  trainable: number;
}

export interface SummaryResult {
  totalParams: number;
  trainableParams: number;
  rows: SummaryRow[];
  /** The printed table. */
  text: string;
}

export interface SummaryOptions {
  /** Input dtype (default float32; int32 for models that start with an Embedding). */
  dtype?: DType;
  /** Where the table goes (default console.log); pass () => {} to keep quiet. */
  print?: (text: string) => void;
}

const count = (ts: Array<[string, Tensor]>): number => ts.reduce((n, [, t]) => n + t.size, 0);
const fmtInt = (n: number): string => n.toLocaleString('en-US');

/**
 * A Keras-like table of a model's layers: runs one forward pass without gradients on zeros
 * of shape [1, ...inputShape] (the batch axis is not part of inputShape) and records each
 * layer's output shape and parameter count. Sequential models list every layer (nested
 * Sequentials are walked); any other module is one row. Layers run in evaluation mode and
 * the model's training flags are restored afterwards, so running statistics stay untouched.
 * Total = trainable parameters + non-trainable ones (frozen parameters and batch-norm
 * statistics), as in Keras.
 * @example
 * nn.models.kerasMnistCnn().summary([1, 28, 28]).totalParams // 1199882
 */
export function summary(model: Module, inputShape: readonly number[], opts: SummaryOptions = {}): SummaryResult {
  arg('summary', 'inputShape', inputShape, is.shape);
  check(
    inputShape.every((d) => Number.isInteger(d) && d > 0),
    'summary',
    () => `inputShape must be positive integers without the batch axis, got ${fmtShape(inputShape)}`,
  );
  const rows: SummaryRow[] = [];
  const flags = model.namedModules().map(([, m]) => [m, m.training] as const);
  model.eval();
  try {
    noGrad(() => {
      const visit = (m: Module, name: string, x: Tensor): Tensor => {
        const layers = entryOf(m)?.sequence?.(m);
        if (layers) {
          // Children are named as in stateDict keys: a Sequential's are 0, 1, ...
          const childName = new Map(m.namedChildren().map(([n, c]) => [c, n]));
          let y = x;
          layers.forEach((l, i) => {
            const own = childName.get(l) ?? String(i);
            y = visit(l, name ? `${name}.${own}` : own, y);
          });
          return y;
        }
        const y = m.forward(x);
        const params = m.namedParameters();
        const trainable = count(params.filter(([, p]) => p.requiresGrad));
        rows.push({
          name: name || '(model)',
          type: layerName(m),
          outputShape: y.shape.slice(),
          // Floating buffers are statistics a layer keeps (Keras counts them); a counter such as
          // num_batches_tracked is not.
          params: count(params) + count(m.namedBuffers().filter(([, b]) => b.dtype !== 'int32')),
          trainable,
        });
        return y;
      };
      visit(model, '', zeros([1, ...inputShape], { dtype: opts.dtype ?? 'float32' }));
    });
  } finally {
    for (const [m, t] of flags) m.training = t;
  }
  const totalParams = rows.reduce((n, r) => n + r.params, 0);
  const trainableParams = rows.reduce((n, r) => n + r.trainable, 0);
  const text = formatTable(rows, inputShape, totalParams, trainableParams);
  (opts.print ?? console.log)(text);
  return { totalParams, trainableParams, rows, text };
}

function formatTable(rows: SummaryRow[], inputShape: readonly number[], total: number, trainable: number): string {
  const cells = rows.map((r) => [`${r.name} (${r.type})`, fmtShape([-1, ...r.outputShape.slice(1)]), fmtInt(r.params)]);
  const head = ['Layer (type)', 'Output shape', 'Param #'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)) + 2);
  const line = (c: string[]): string =>
    c
      .map((s, i) => (i === 2 ? s.padStart(widths[i]) : s.padEnd(widths[i])))
      .join('')
      .trimEnd();
  const width = widths.reduce((a, b) => a + b, 0);
  return [
    `Input shape: ${fmtShape([-1, ...inputShape])}`,
    '_'.repeat(width),
    line(head),
    '='.repeat(width),
    ...cells.map(line),
    '='.repeat(width),
    `Total params: ${fmtInt(total)}`,
    `Trainable params: ${fmtInt(trainable)}`,
    `Non-trainable params: ${fmtInt(total - trainable)}`,
    '_'.repeat(width),
  ].join('\n');
}
