import { parseArgs } from 'node:util';
import { vizFilters, vizGraph, vizMaximize, vizReport, vizSaliency } from '../viz/commands.js';

export const VIZ_USAGE = 'tsgrad viz filters|maximize|saliency|graph|report <model dir> [--layer name] [--input file] --out dir';

/** `tsgrad viz <what> <model dir> --out dir`: one picture of a saved model. */
export async function vizCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      layer: { type: 'string' },
      input: { type: 'string' },
      class: { type: 'string' },
      steps: { type: 'string' },
    },
  });
  const [what, dir] = positionals;
  if (!what || !dir || !values.out) throw new Error(`usage: ${VIZ_USAGE}`);
  // A layer given as a number is an index into the model's layers; otherwise a name like conv1 or layers.3.
  const layer = values.layer === undefined ? undefined : /^\d+$/.test(values.layer) ? Number(values.layer) : values.layer;
  const base = { out: values.out, layer };
  let paths: string[];
  switch (what) {
    case 'filters':
      paths = vizFilters(dir, base);
      break;
    case 'maximize':
      paths = vizMaximize(dir, { ...base, steps: values.steps === undefined ? undefined : Number(values.steps) });
      break;
    case 'saliency':
      paths = vizSaliency(dir, { ...base, input: values.input, classIndex: values.class === undefined ? undefined : Number(values.class) });
      break;
    case 'graph':
      paths = await vizGraph(dir, base);
      break;
    case 'report':
      paths = await vizReport(dir, base);
      break;
    default:
      throw new Error(`tsgrad viz: unknown picture '${what}' (filters, maximize, saliency, graph, report)`);
  }
  for (const p of paths) console.log(p);
}
