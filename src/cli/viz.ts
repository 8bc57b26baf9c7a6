import { vizFilters, vizGraph, vizMaximize, vizReport, vizSaliency } from '../viz/commands.js';
import { UsageError, flagSpec, inputFile, intFlag, modelDir, outDirFlag, parseFlags } from './flags.js';

const PICTURES = ['filters', 'maximize', 'saliency', 'graph', 'report'];

export const VIZ_USAGE =
  'Usage: tsgrad viz filters|maximize|saliency|graph|report <model dir> [--layer name] [--input file] ' +
  '[--class N] [--steps N] --out dir\n\n' +
  "One picture of a saved model: filters (a convolution's weights), maximize (the input each filter of a convolution\n" +
  'responds to most), saliency (|d score / d pixel| for an input), graph (the forward pass) or report (all of them).';

/** `tsgrad viz <what> <model dir> --out dir`: one picture of a saved model. */
export async function vizCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseFlags('tsgrad viz', args, flagSpec(['out', 'layer', 'input', 'class', 'steps']));
  const [what, dirArg, ...extra] = positionals;
  if (!what || !PICTURES.includes(what)) {
    throw new UsageError(`tsgrad viz: ${what ? `unknown picture '${what}'` : 'which picture?'} (${PICTURES.join(', ')})\n\n${VIZ_USAGE}`);
  }
  if (extra.length) throw new UsageError(`tsgrad viz ${what}: unexpected argument '${extra[0]}'`);
  const dir = modelDir(dirArg);
  if (values.out === undefined) throw new UsageError(`tsgrad viz ${what}: --out dir is required`);
  const out = outDirFlag(values)!;
  const steps = intFlag(values, 'steps');
  const classIndex = intFlag(values, 'class', 0);
  const input = values.input === undefined ? undefined : inputFile(String(values.input), '--input');
  // A layer given as a number is an index into the model's layers; otherwise a name like conv1 or 2.0 (a layer inside a nested Sequential).
  const layer = values.layer === undefined ? undefined : /^\d+$/.test(String(values.layer)) ? Number(values.layer) : String(values.layer);
  const base = { out, layer };
  let paths: string[];
  switch (what) {
    case 'filters':
      paths = vizFilters(dir, base);
      break;
    case 'maximize':
      paths = vizMaximize(dir, { ...base, steps });
      break;
    case 'saliency':
      paths = vizSaliency(dir, { ...base, input, classIndex });
      break;
    case 'graph':
      paths = await vizGraph(dir, base);
      break;
    default:
      paths = await vizReport(dir, base);
  }
  for (const p of paths) console.log(p);
}
