import { arg, is, options } from '../util/args.js';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { readJson } from '../util/read-file.js';
import { isAbsolute, join, relative, resolve as resolvePath } from 'node:path';
// The library's layers register themselves when nn is loaded: load() must find them all.
import '../nn/index.js';
import type { Module } from '../nn/module.js';
import { Tensor } from '../tensor/tensor.js';
import { TabularPreprocessor } from '../data/tabular.js';
import { TsgradError } from '../util/errors.js';
import { rng } from '../util/rng.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { applyFrozen, frozenNames, loadOptions } from './frozen.js';
import { loadSafetensors, saveSafetensors } from './safetensors.js';
import {
  CONFIG_FILE,
  WEIGHTS_FILE,
  buildModel,
  checkConfigFormat,
  loadStateChecked,
  modelConfig,
  type SavedConfig,
} from './model-bytes.js';

export { CONFIG_FILE, WEIGHTS_FILE, SUPPORTED_VERSIONS, buildModel, modelConfig, modelFromBytes } from './model-bytes.js';
export type { ModelConfig, SavedConfig } from './model-bytes.js';

/**
 * save/load of models built from the library's layers: the weights go to
 * `model.safetensors` (readable by PyTorch's safetensors), the architecture to
 * `config.json` as a tree of layer classes and their normalised options; a
 * checkpoint adds the optimizer's state, the epoch and the random generator's
 * state, so that training resumes exactly where it stopped.
 */

/** The optimizer interface save() needs: optim.Optimizer satisfies it. */
export interface SavableOptimizer {
  stateDict(): unknown;
  loadStateDict(state: never): void;
  readonly defaults?: unknown;
}

export interface SaveOptions {
  /** Also save the optimizer's state (for resuming training). */
  optimizer?: SavableOptimizer;
  /** Epochs completed so far; fit resumes from here with `initialEpoch`. */
  epoch?: number;
  /** Training history to keep beside the checkpoint (JSON). */
  history?: unknown;
  /** String metadata written into the safetensors header. */
  metadata?: Record<string, string>;
  /** A fitted TabularPreprocessor: its statistics go to preprocessor.json, so that the model's inputs are prepared as in training. */
  preprocessor?: TabularPreprocessor;
}

const OPT_STATE = 'optimizer.json';
const OPT_TENSORS = 'optimizer.safetensors';
const PREPROCESSOR_FILE = 'preprocessor.json';

/**
 * Saves a model (and optionally an optimizer checkpoint) into a directory.
 * @example
 * save(model, 'runs/mnist');            // model.safetensors + config.json
 * const again = load('runs/mnist');     // same predictions
 */
export function save(model: Module, dir: string, opts: SaveOptions = {}): void {
  arg('save', 'dir', dir, is.string);
  options<SaveOptions>('save', opts, {
    optimizer: is.any,
    epoch: is.nonNegativeInt,
    history: is.any,
    metadata: is.any,
    preprocessor: is.instance(TabularPreprocessor),
  });
  // Before anything is written: an unfitted preprocessor is an error, not a half-saved directory.
  const preprocessor = opts.preprocessor && JSON.stringify(opts.preprocessor.toJSON(), null, 2) + '\n';
  mkdirSync(dir, { recursive: true });
  const config: SavedConfig = { format: 'tsgrad', version: 1, model: modelConfig(model), weights: WEIGHTS_FILE };
  saveSafetensors(join(dir, WEIGHTS_FILE), model.stateDict(), { format: 'pt', ...opts.metadata });
  const frozen = frozenNames(model);
  if (frozen.length) config.frozen = frozen;
  if (opts.epoch !== undefined) config.epoch = opts.epoch;
  if (opts.optimizer) {
    const tensors = new Map<string, Tensor>();
    const state = encodeState(opts.optimizer.stateDict(), tensors, 'state');
    writeFileAtomic(join(dir, OPT_STATE), JSON.stringify(state));
    saveSafetensors(join(dir, OPT_TENSORS), tensors);
    config.optimizer = {
      class: opts.optimizer.constructor.name,
      defaults: opts.optimizer.defaults,
      state: OPT_STATE,
      tensors: OPT_TENSORS,
    };
    // The generator feeds shuffling, dropout and augmentation: resuming exactly needs its state too.
    config.rngState = rng.getState();
  }
  if (opts.history !== undefined) config.history = opts.history;
  if (preprocessor) {
    writeFileAtomic(join(dir, PREPROCESSOR_FILE), preprocessor);
    config.preprocessor = PREPROCESSOR_FILE;
  }
  writeFileAtomic(join(dir, CONFIG_FILE), JSON.stringify(config, null, 2) + '\n');
}

/**
 * Reads and checks a model directory's config.json: its format and version, and that the files it
 * names lie inside the directory.
 * @example const { model, epoch, optimizer } = readConfig('runs/mnist'); // the architecture tree, epochs done, optimizer files
 */
export function readConfig(dir: string): SavedConfig {
  const path = join(dir, CONFIG_FILE);
  const config = readJson<SavedConfig>('load', path, dir, 'save()');
  checkConfigFormat(config, path);
  // Files named by the config are read from the model's directory and nowhere else: a config
  // must not make load() read an arbitrary file of the machine.
  const files: Array<[string, unknown]> = [['weights', config.weights ?? WEIGHTS_FILE]];
  if (config.optimizer) files.push(['optimizer.state', config.optimizer.state], ['optimizer.tensors', config.optimizer.tensors]);
  if (config.preprocessor !== undefined) files.push(['preprocessor', config.preprocessor]);
  for (const [key, file] of files) {
    if (typeof file !== 'string' || !insideDir(dir, file)) {
      throw new TsgradError(`load: ${path}: "${key}" must name a file inside the model's directory ${dir}, got ${JSON.stringify(file)}`);
    }
  }
  return config;
}

function insideDir(dir: string, file: string): boolean {
  if (file === '' || isAbsolute(file)) return false;
  const rel = relative(resolvePath(dir), resolvePath(dir, file));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

export interface LoadOptions<M extends Module = Module> {
  /** A model built by the caller to load the weights into (names and shapes must match exactly). */
  into?: M;
}

/**
 * Rebuilds a saved model through the layer registry and loads its weights; predictions equal
 * the saved model's bit for bit. With `{ into: model }` the weights go into a model the caller
 * built instead, which needs no registration; then `path` may also be a bare `.safetensors`
 * file (one written by PyTorch's safetensors, say), whose tensor names and shapes must be the
 * model's state-dict names and shapes. Parameters saved frozen come back frozen.
 * @example
 * const model = load('runs/mnist');
 * load('runs/mine', { into: new MyNet({ hidden: 8 }) });
 * load('lenet5_from_torch.safetensors', { into: nn.models.lenet5() });
 */
export function load<M extends Module = Module>(path: string, opts: LoadOptions<M> = {}): M {
  const { into } = loadOptions<M>(opts);
  arg('load', 'path', path, is.string);
  if (isFile(path)) {
    if (!into) {
      throw new TsgradError(
        `load: ${path} is a file; a bare safetensors file holds weights but no architecture, so pass { into: model } ` +
          '(or give the directory that save() wrote)',
      );
    }
    loadWeightsFrom(into, path);
    return into;
  }
  const config = readConfig(path);
  const model = (into ?? buildModel(config.model, join(path, CONFIG_FILE))) as M;
  const renamed = loadWeights(model, path, config.weights ?? WEIGHTS_FILE);
  applyFrozen(model, config, path, renamed);
  return model;
}

/**
 * The TabularPreprocessor saved with a model by save(model, dir, { preprocessor }), fitted as it
 * was: transform new tables with it before predicting.
 * @example
 * const model = load('runs/adult');
 * const prep = loadPreprocessor('runs/adult');
 * const probs = predict(model, prep.transform(readTable('new-people.csv'))).softmax(1);
 */
export function loadPreprocessor(dir: string): TabularPreprocessor {
  arg('loadPreprocessor', 'dir', dir, is.string);
  const configPath = join(dir, CONFIG_FILE);
  if (!existsSync(configPath))
    throw new TsgradError(`loadPreprocessor: ${configPath} not found (is ${dir} a directory written by save()?)`);
  const config = readConfig(dir);
  if (config.preprocessor === undefined) {
    throw new TsgradError(`loadPreprocessor: ${configPath} names no preprocessor; save one with save(model, dir, { preprocessor })`);
  }
  const path = join(dir, config.preprocessor);
  return TabularPreprocessor.fromJSON(readJson('loadPreprocessor', path, dir, 'save()'), path);
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/**
 * Loads `model.safetensors` from dir into an existing model. Every parameter and
 * buffer must be present with its shape and dtype, and the file may hold nothing
 * else; a mismatch throws naming the tensor and the file. Returns the names the file used
 * for each state-dict name, which differ only for a file written with tsgrad's earlier
 * names (`layers.0.weight` for PyTorch's `0.weight`).
 * @example loadWeights(buildModel(readConfig('runs/mnist').model), 'runs/mnist'); // what load('runs/mnist') does
 */
export function loadWeights(model: Module, dir: string, file = WEIGHTS_FILE): Map<string, string> {
  arg('loadWeights', 'dir', dir, is.string);
  return loadWeightsFrom(model, join(dir, file));
}

function loadWeightsFrom(model: Module, path: string): Map<string, string> {
  if (!existsSync(path)) throw new TsgradError(`load: weights file ${path} not found`);
  return loadStateChecked(model, loadSafetensors(path).tensors, path);
}

export interface Checkpoint {
  model: Module;
  config: SavedConfig;
  /** Epochs completed when it was saved (pass as fit's initialEpoch). */
  epoch: number;
  /** For `optimizer.loadStateDict(...)` on an optimizer built over `model.parameters()`. */
  optimizerState?: unknown;
  /** Restores the random generator to its state at save time. */
  restoreRng(): void;
}

/**
 * Loads a checkpoint written by save(model, dir, { optimizer, epoch }).
 * @example
 * const ck = loadCheckpoint('ckpt');
 * const opt = new optim.Adam(ck.model.parameters());
 * opt.loadStateDict(ck.optimizerState as optim.OptimizerStateDict);
 * ck.restoreRng();
 * fit(ck.model, { ...opts, optimizer: opt, initialEpoch: ck.epoch });
 */
export function loadCheckpoint(dir: string): Checkpoint {
  arg('loadCheckpoint', 'dir', dir, is.string);
  const config = readConfig(dir);
  const model = load(dir);
  let optimizerState: unknown;
  if (config.optimizer) {
    const statePath = join(dir, config.optimizer.state);
    const tensorPath = join(dir, config.optimizer.tensors);
    if (!existsSync(statePath)) throw new TsgradError(`loadCheckpoint: ${statePath} not found`);
    const { tensors } = loadSafetensors(tensorPath);
    optimizerState = decodeState(JSON.parse(readFileSync(statePath, 'utf8')), tensors, tensorPath);
  }
  return {
    model,
    config,
    epoch: config.epoch ?? 0,
    optimizerState,
    restoreRng: () => {
      if (config.rngState) rng.setState(config.rngState);
    },
  };
}

/**
 * JSON form of a state dict: tensors move into `tensors` under their path, non-finite numbers are
 * tagged. How save() and saveCheckpoint() store optimizer and scheduler state; decodeState reverses it.
 * @example
 * const tensors = new Map<string, Tensor>();
 * encodeState({ step: 3, m: [tensor([1, 2])], best: -Infinity }, tensors, 'state');
 * // { step: 3, m: [{ $tensor: 'state.m.0' }], best: { $number: '-Infinity' } }, tensors: state.m.0
 */
export function encodeState(v: unknown, tensors: Map<string, Tensor>, path: string): unknown {
  if (v instanceof Tensor) {
    tensors.set(path, v);
    return { $tensor: path };
  }
  if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) };
  if (Array.isArray(v)) return v.map((e, i) => encodeState(e, tensors, `${path}.${i}`));
  if (v instanceof Map) return { $map: [...v].map(([k, e], i) => [k, encodeState(e, tensors, `${path}.${i}`)]) };
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, encodeState(e, tensors, `${path}.${k}`)]));
  }
  return v;
}

/**
 * The state dict that encodeState turned into JSON: `$tensor` entries are looked up in `tensors`
 * (read from `file`, which errors name), `$number` and `$map` entries are restored.
 * @example
 * const { tensors } = loadSafetensors('ckpt/optimizer.safetensors');
 * const state = decodeState(JSON.parse(readFileSync('ckpt/optimizer.json', 'utf8')), tensors, 'ckpt/optimizer.safetensors');
 */
export function decodeState(v: unknown, tensors: Map<string, Tensor>, file: string): unknown {
  if (Array.isArray(v)) return v.map((e) => decodeState(e, tensors, file));
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.$tensor === 'string') {
      const t = tensors.get(o.$tensor);
      if (!t) throw new TsgradError(`loadCheckpoint: ${file} has no tensor '${o.$tensor}'`);
      return t;
    }
    if (typeof o.$number === 'string') return Number(o.$number);
    if (Array.isArray(o.$map)) return new Map((o.$map as Array<[unknown, unknown]>).map(([k, e]) => [k, decodeState(e, tensors, file)]));
    return Object.fromEntries(Object.entries(o).map(([k, e]) => [k, decodeState(e, tensors, file)]));
  }
  return v;
}
