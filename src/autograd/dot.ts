import { arg, is } from '../util/args.js';
import { Tensor } from '../tensor/tensor.js';

const IS_TENSOR = is.instance(Tensor);

export interface DotOptions {
  /** Graph direction: 'TB' top-to-bottom (default) or 'LR'. */
  rankdir?: 'TB' | 'LR' | 'BT' | 'RL';
  /** Labels for tensors, e.g. parameter names; a tensor's own `name` is used otherwise. */
  names?: Map<Tensor, string>;
}

const shapeLabel = (t: Tensor): string => `[${t.shape.join('×')}]`;
const esc = (s: string): string => s.replace(/"/g, '\\"');

/**
 * The computational graph below a tensor as Graphviz DOT: leaves (variables and
 * constants) as boxes with their shape, each operation as an ellipse with its op
 * name and output shape, edges in the direction data flows. Render it with Graphviz
 * (`dot -Tsvg`), or draw it with drawGraph; PyTorch users know the picture from torchviz.
 * @example
 * const w = tensor([1, 2], { requiresGrad: true });
 * const dot = toDot(w.mul(w).sum(), { rankdir: 'LR' }); // 'digraph tsgrad { ... }'
 * writeFileSync('graph.dot', dot);
 */
export function toDot(root: Tensor, opts: DotOptions = {}): string {
  arg('toDot', 'root', root, IS_TENSOR);
  const ids = new Map<Tensor, string>();
  const lines: string[] = [];
  const stack: Tensor[] = [root];
  const idOf = (t: Tensor): string => {
    let id = ids.get(t);
    if (!id) {
      id = `n${ids.size}`;
      ids.set(t, id);
    }
    return id;
  };
  const seen = new Set<Tensor>([root]);
  while (stack.length > 0) {
    const t = stack.pop() as Tensor;
    const id = idOf(t);
    const name = opts.names?.get(t) ?? t.name;
    if (t.node) {
      const attrs = t.node.attrs
        ? Object.entries(t.node.attrs)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(' ')
        : '';
      const label = [t.node.op, attrs, shapeLabel(t)].filter(Boolean).join('\\n');
      lines.push(`  ${id} [label="${esc(label)}", shape=ellipse, style=filled, fillcolor="#dbe9f6"];`);
      for (const p of t.node.parents) {
        lines.push(`  ${idOf(p)} -> ${id};`);
        if (!seen.has(p)) {
          seen.add(p);
          stack.push(p);
        }
      }
    } else {
      const kind = t.requiresGrad ? 'variable' : 'constant';
      const label = `${name ?? kind}\\n${shapeLabel(t)}`;
      const color = t.requiresGrad ? '#fde4b8' : '#eeeeee';
      lines.push(`  ${id} [label="${esc(label)}", shape=box, style="rounded,filled", fillcolor="${color}"];`);
    }
  }
  return (
    [
      'digraph tsgrad {',
      `  rankdir=${opts.rankdir ?? 'TB'};`,
      '  node [fontname="DejaVu Sans", fontsize=11];',
      ...lines.reverse(),
      '}',
    ].join('\n') + '\n'
  );
}
