/**
 * A saved model's architecture and weights as data, with no file system: the config tree, the
 * checks load() makes, and a model built from a config and safetensors bytes. save.ts reads and
 * writes the files; this module runs in browsers too (a page fetches the two files, then calls
 * modelFromBytes).
 */
import { arg, check as isCheck, is } from '../util/args.js';
import '../nn/index.js';
import { legacyStateNames, type Module } from '../nn/module.js';
import { fromConfig, toConfig, type LayerConfig } from '../nn/registry.js';
import { Tensor } from '../tensor/tensor.js';
import { TsgradError, fmtShape } from '../util/errors.js';
import { applyFrozen } from './frozen.js';
import { decodeSafetensors } from './safetensors.js';

export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';

/** One node of the architecture: a registered layer's name and options, or a Sequential's layers. */
export type ModelConfig = LayerConfig;

export interface SavedConfig {
  format: 'tsgrad';
  version: 1;
  model: ModelConfig;
  weights: string;
  epoch?: number;
  optimizer?: { class: string; defaults: unknown; state: string; tensors: string };
  rngState?: number[];
  history?: unknown;
  /** Parameters frozen with requiresGrad_(false), restored so by load. */
  frozen?: string[];
  /** The file holding the preprocessor's fitted state (see loadPreprocessor). */
  preprocessor?: string;
}

/**
 * The architecture of a model as a JSON tree of registered layers (see nn.register): what save()
 * writes to config.json, like Keras's `model.get_config()`.
 * @example
 * modelConfig(new nn.Sequential(new nn.Linear({ inFeatures: 4, outFeatures: 2 }), new nn.ReLU()));
 * // { class: 'Sequential', layers: [{ class: 'Linear', options: { inFeatures: 4, outFeatures: 2, bias: true } }, { class: 'ReLU', options: {} }] }
 */
export function modelConfig(model: Module): ModelConfig {
  arg('modelConfig', 'model', model, IS_MODULE);
  return toConfig(model);
}

/**
 * Builds a fresh model (new random weights) from a config tree, through the layer registry: Keras's
 * `Model.from_config`. `where` names the config in errors.
 * @example const twin = buildModel(modelConfig(model)); // same architecture, new weights
 */
export function buildModel(config: ModelConfig, where = CONFIG_FILE): Module {
  arg('buildModel', 'config', config, is.object);
  return fromConfig(config, where);
}

/** The config.json format versions load() reads. */
export const SUPPORTED_VERSIONS: readonly number[] = [1];

/**
 * Throws unless a parsed config.json is a tsgrad model config of a version this tsgrad reads;
 * `path` names it in the error.
 */
export function checkConfigFormat(config: unknown, path: string): asserts config is SavedConfig {
  const c = config as Partial<SavedConfig> | null;
  if (c?.format !== 'tsgrad' || typeof c.model !== 'object' || c.model === null) {
    throw new TsgradError(`load: ${path} is not a tsgrad model config (expected format "tsgrad" and a model entry)`);
  }
  // A config without a version predates the field and reads as version 1.
  const version = (c as { version?: unknown }).version ?? 1;
  if (!SUPPORTED_VERSIONS.includes(version as number)) {
    throw new TsgradError(
      `load: ${path} has format version ${JSON.stringify(version)}, which this tsgrad cannot read ` +
        `(supported: ${SUPPORTED_VERSIONS.join(', ')}); it was written by a newer tsgrad or is damaged`,
    );
  }
}

/**
 * Loads stored tensors into a model after checking them: every parameter and buffer present with
 * its shape and dtype, nothing else; a mismatch throws naming the tensor and `path`. Returns the
 * names the file used for each state-dict name (they differ only for files with tsgrad's earlier
 * names).
 */
export function loadStateChecked(model: Module, stored: Map<string, Tensor>, path: string): Map<string, string> {
  const own = model.stateDict();
  const { tensors, names } = withCurrentNames(model, own, stored);
  for (const [name, dst] of own) {
    const src = tensors.get(name);
    if (!src) {
      throw new TsgradError(
        `load: ${path} has no tensor '${name}' (the model expects ${dst.dtype} ${fmtShape(dst.shape)}); the file holds ${[...stored.keys()].join(', ') || 'no tensors'}`,
      );
    }
    if (src.dtype !== dst.dtype || src.ndim !== dst.ndim || src.shape.some((d, i) => d !== dst.shape[i])) {
      throw new TsgradError(
        `load: tensor '${names.get(name) ?? name}' in ${path} is ${src.dtype} ${fmtShape(src.shape)} but the model expects ${dst.dtype} ${fmtShape(dst.shape)}`,
      );
    }
  }
  const extra = [...tensors.keys()].filter((k) => !own.has(k));
  if (extra.length) throw new TsgradError(`load: ${path} holds tensors the model does not have: ${extra.join(', ')}`);
  model.loadStateDict(tensors);
  return names;
}

/**
 * A saved model from its two files' contents, with load()'s checks: the config.json (text or
 * parsed) and the model.safetensors bytes. For browsers, which fetch files instead of reading
 * them; `where` names the model in errors (a URL, say). Parameters saved frozen come back frozen.
 * @example
 * const [config, weights] = await Promise.all([
 *   fetch('models/mnist/config.json').then((r) => r.text()),
 *   fetch('models/mnist/model.safetensors').then((r) => r.arrayBuffer()),
 * ]);
 * const model = modelFromBytes(config, new Uint8Array(weights), { where: 'models/mnist/' });
 */
export function modelFromBytes(config: string | object, weights: Uint8Array, opts: { where?: string } = {}): Module {
  arg('modelFromBytes', 'config', config, is.anyOf(is.string, is.object));
  arg('modelFromBytes', 'weights', weights, is.instance(Uint8Array));
  const where = opts.where ?? '<bytes>';
  // A file of the model: `models/m/config.json` for a directory URL, `<bytes> config.json` otherwise.
  const named = (file: string): string => `${where}${where.endsWith('/') ? '' : ' '}${file}`;
  const configName = named(CONFIG_FILE);
  let parsed: unknown = config;
  if (typeof config === 'string') {
    try {
      parsed = JSON.parse(config);
    } catch (e) {
      throw new TsgradError(`load: ${configName} is not valid JSON (${(e as Error).message})`);
    }
  }
  checkConfigFormat(parsed, configName);
  const model = buildModel(parsed.model, configName);
  const weightsName = named(parsed.weights ?? WEIGHTS_FILE);
  const names = loadStateChecked(model, decodeSafetensors(weights, weightsName).tensors, weightsName);
  applyFrozen(model, parsed, where, names);
  return model;
}

/**
 * The stored tensors under the model's state-dict names. A file written with tsgrad's earlier
 * names (none of the current ones present, every earlier one present) is renamed; a buffer
 * those files lacked (num_batches_tracked) keeps the model's value.
 */
function withCurrentNames(
  model: Module,
  own: Map<string, Tensor>,
  stored: Map<string, Tensor>,
): { tensors: Map<string, Tensor>; names: Map<string, string> } {
  const same = { tensors: stored, names: new Map([...own.keys()].map((k) => [k, k])) };
  if ([...own.keys()].some((k) => stored.has(k))) return same;
  const legacy = legacyStateNames(model);
  const known = [...legacy].filter(([now, old]) => now !== old);
  if (known.length === 0 || ![...legacy.values()].every((old) => stored.has(old))) return same;
  const tensors = new Map<string, Tensor>();
  for (const [now, t] of own) {
    const old = legacy.get(now);
    tensors.set(now, old === undefined ? t : (stored.get(old) as Tensor));
  }
  for (const [name, t] of stored) if (![...legacy.values()].includes(name)) tensors.set(name, t);
  return { tensors, names: legacy };
}

const IS_MODULE = isCheck('a Module', (v) => typeof (v as { forward?: unknown } | null)?.forward === 'function');
