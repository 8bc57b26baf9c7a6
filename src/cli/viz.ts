import { vizFilters, vizGradCam, vizGraph, vizIntegratedGradients, vizMaximize, vizReport, vizSaliency } from '../viz/commands.js';
import { UsageError, flagSpec, inputFile, intFlag, modelDir, outDirFlag, parseFlags } from './flags.js';

const PICTURES = ['filters', 'maximize', 'saliency', 'gradcam', 'ig', 'graph', 'report'];

export const VIZ_USAGE =
  'Usage: tsgrad viz filters|maximize|saliency|gradcam|ig|graph|report <model dir> [--layer name] [--input file] ' +
  '[--class N] [--steps N] [--method regularized|plain] [--weights pooled|elementwise] --out dir\n\n' +
  "One picture of a saved model: filters (a convolution's weights), maximize (the input each filter of a convolution\n" +
  'responds to most; --method plain for bare gradient ascent), saliency (|d score / d pixel| for an input),\n' +
  'gradcam (Grad-CAM at a convolution, --weights elementwise for LayerCAM), ig (integrated gradients from a black\n' +
  'input, with their completeness), graph (the forward pass) or report (all of them).';

/** `tsgrad viz <what> <model dir> --out dir`: one picture of a saved model. */
export async function vizCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseFlags(
    'tsgrad viz',
    args,
    flagSpec(['out', 'layer', 'input', 'class', 'steps', 'method', 'weights']),
  );
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
  const method = values.method;
  if (method !== undefined && method !== 'regularized' && method !== 'plain') {
    throw new UsageError(`tsgrad viz: --method must be regularized or plain, got ${String(method)}`);
  }
  const weights = values.weights;
  if (weights !== undefined && weights !== 'pooled' && weights !== 'elementwise') {
    throw new UsageError(`tsgrad viz: --weights must be pooled or elementwise, got ${String(weights)}`);
  }
  let paths: string[];
  switch (what) {
    case 'filters':
      paths = vizFilters(dir, base);
      break;
    case 'maximize':
      paths = vizMaximize(dir, { ...base, steps, method });
      break;
    case 'saliency':
      paths = vizSaliency(dir, { ...base, input, classIndex });
      break;
    case 'gradcam':
      paths = vizGradCam(dir, { ...base, input, classIndex, weights });
      break;
    case 'ig': {
      const r = vizIntegratedGradients(dir, { ...base, input, classIndex, steps });
      const c = r.completeness;
      console.log(
        `completeness: attributions sum to ${c.sum.toFixed(4)}, score difference ${c.scoreDifference.toFixed(4)} ` +
          `(relative error ${(100 * c.relativeError).toFixed(3)}%)`,
      );
      paths = r.paths;
      break;
    }
    case 'graph':
      paths = await vizGraph(dir, base);
      break;
    default:
      paths = await vizReport(dir, base);
  }
  for (const p of paths) console.log(p);
}
