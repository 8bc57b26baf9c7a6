/**
 * Loads a model directory written by the library's save() (config.json and model.safetensors)
 * from a URL, with the checks load() makes on files, and errors a reader can act on: which URL,
 * what the server said or what is wrong with the file.
 */
import * as tg from 'tsgrad/browser';
import type { ModelSummary } from '../protocol.js';

async function fetchOk(url: string, what: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`could not fetch ${what} ${url} (${(e as Error).message})`, { cause: e });
  }
  if (!res.ok) throw new Error(`the server answered ${[res.status, res.statusText].filter(Boolean).join(' ')} for ${what} ${url}`);
  return res;
}

/** The digit classifier in the directory at dirUrl: a Sequential mapping [N, 1, 28, 28] to 10 scores. */
export async function loadDigitModel(dirUrl: string): Promise<{ model: tg.nn.Sequential; summary: ModelSummary }> {
  const dir = dirUrl.endsWith('/') ? dirUrl : `${dirUrl}/`;
  const configUrl = new URL('config.json', dir).href;
  const text = await (await fetchOk(configUrl, 'the model config')).text();
  let weightsFile = 'model.safetensors';
  try {
    const named = (JSON.parse(text) as { weights?: unknown }).weights;
    if (typeof named === 'string') weightsFile = named;
  } catch {
    // modelFromBytes reports the invalid JSON below, naming the file.
  }
  // Like load(), read weights only from inside the model's directory.
  const weightsUrl = new URL(weightsFile, dir).href;
  if (!weightsUrl.startsWith(dir)) throw new Error(`${configUrl} names weights outside its directory: ${weightsFile}`);
  const bytes = new Uint8Array(await (await fetchOk(weightsUrl, 'the weights')).arrayBuffer());
  // load()'s checks on the two files: format and version, every weight's name, shape and dtype.
  const model = tg.modelFromBytes(text, bytes, { where: dir });
  if (!(model instanceof tg.nn.Sequential)) throw new Error(`${configUrl} describes a ${tg.nn.layerName(model)}, not a Sequential`);
  model.eval();
  // The page only reads gradients with respect to inputs (saliency, filter ascent).
  model.requiresGrad_(false);
  const out = tg.noGrad(() => model.forward(tg.zeros([1, 1, 28, 28])));
  if (out.ndim !== 2 || out.shape[1] !== 10) {
    throw new Error(`${configUrl}: the model maps a 28 × 28 image to shape [${out.shape}], not to 10 class scores`);
  }
  const convs = model.layers.flatMap((l, layer) => (l instanceof tg.nn.Conv2d ? [{ layer, filters: l.options.outChannels }] : []));
  const parameters = model.parameters().reduce((n, p) => n + p.size, 0);
  // The first layer's filters, shown beside the drawing: [out, 1, k, k] for a grey input.
  const first = model.layers.find((l): l is tg.nn.Conv2d => l instanceof tg.nn.Conv2d);
  const w = first?.weight;
  const firstFilters =
    w && w.shape[1] === 1 && w.shape[2] === w.shape[3]
      ? { count: w.shape[0], side: w.shape[2], weights: Float32Array.from(w.data()) }
      : null;
  return { model, summary: { url: dir, parameters, layers: model.layers.map((l) => tg.nn.layerName(l)), convs, firstFilters } };
}
