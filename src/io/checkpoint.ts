import { readFileSync } from 'node:fs';
import { readJson } from '../util/read-file.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { join } from 'node:path';
import { Module } from '../nn/module.js';
import type { Optimizer, OptimizerStateDict } from '../optim/optimizer.js';
import { Tensor } from '../tensor/tensor.js';
import { check, is, options } from '../util/args.js';
import { TsgradError } from '../util/errors.js';
import { rng } from '../util/rng.js';
import { loadSafetensors } from './safetensors.js';
import { type Checkpoint, decodeState, encodeState, load, loadCheckpoint as loadSavedCheckpoint, readConfig, save } from './save.js';

/**
 * Public checkpoints, PyTorch's `torch.save({ model, optimizer, scheduler, epoch })` pattern:
 * the model's weights and architecture (as save() writes them), the optimizer's state, the
 * scheduler's state, the epoch, the random generator's state and any JSON `extra`. Loading
 * into freshly built objects in a new process continues training exactly as the uninterrupted
 * run would have, bit for bit (the generator feeds dropout, shuffling and augmentation).
 * @example
 * saveCheckpoint('ckpt', { model, optimizer, scheduler, epoch: 5 });
 * // later, maybe in another process, with the same data and freshly built objects:
 * const { epoch } = loadCheckpoint('ckpt', { model, optimizer, scheduler });
 * fit(model, { ...opts, optimizer, initialEpoch: epoch });
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyOptimizer = Optimizer<any>;

/** What a scheduler must offer to be checkpointed (optim's LR schedulers do). */
export interface CheckpointScheduler {
  stateDict(): unknown;
  loadStateDict(state: never): void;
}

export interface CheckpointContents {
  model: Module;
  optimizer: AnyOptimizer;
  scheduler?: CheckpointScheduler;
  /** Epochs completed (fit resumes from here with `initialEpoch`). */
  epoch: number;
  /** Anything else worth keeping, as JSON (best metric so far, a run name, ...). */
  extra?: unknown;
}

export interface CheckpointTargets {
  model: Module;
  optimizer?: AnyOptimizer;
  scheduler?: CheckpointScheduler;
}

export interface LoadedCheckpoint {
  epoch: number;
  extra?: unknown;
}

interface CheckpointFile {
  format: 'tsgrad-checkpoint';
  version: 1;
  epoch: number;
  rngState: number[];
  scheduler?: unknown;
  extra?: unknown;
}

const CHECKPOINT_FILE = 'checkpoint.json';

const stateful = check('an object with stateDict() and loadStateDict()', (v) => {
  const o = v as Partial<CheckpointScheduler> | undefined;
  return typeof o?.stateDict === 'function' && typeof o.loadStateDict === 'function';
});
const aModule = is.instance(Module);

/**
 * Writes a checkpoint directory; see the file's comment. The generator's state is taken now.
 * checkpoint.json is written last, so a directory holding it is complete.
 * @example saveCheckpoint(`ckpt/epoch-${epoch}`, { model, optimizer, scheduler, epoch, extra: { bestAccuracy } });
 */
export function saveCheckpoint(dir: string, contents: CheckpointContents): void {
  const c = options<CheckpointContents>(
    'saveCheckpoint',
    contents,
    {
      model: aModule,
      optimizer: stateful,
      scheduler: stateful,
      epoch: is.nonNegativeInt,
      extra: is.any,
    },
    ['model', 'optimizer', 'epoch'],
  );
  save(c.model, dir, { optimizer: c.optimizer, epoch: c.epoch });
  const file: CheckpointFile = { format: 'tsgrad-checkpoint', version: 1, epoch: c.epoch, rngState: rng.getState() };
  if (c.scheduler) {
    const tensors = new Map<string, Tensor>();
    file.scheduler = encodeState(c.scheduler.stateDict(), tensors, 'scheduler');
    // Schedulers hold numbers today; a tensor in one would need this file.
    if (tensors.size) throw new TsgradError('saveCheckpoint: the scheduler state holds tensors, which checkpoints do not support');
  }
  if (c.extra !== undefined) file.extra = JSON.parse(JSON.stringify(c.extra));
  // Written last: a checkpoint.json means the rest of the directory is complete.
  writeFileAtomic(join(dir, CHECKPOINT_FILE), JSON.stringify(file, null, 2) + '\n');
}

/**
 * Restores a checkpoint into objects the caller built the same way as before: the model's
 * weights (strict names and shapes), the optimizer's and scheduler's state and the random
 * generator's state; returns the epoch and the extra. Without targets, reads a directory
 * written by save(model, dir, { optimizer, epoch }) and rebuilds the model (see io/save.ts).
 * @example
 * const model = new MyNet(); // built as before the save
 * const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
 * const { epoch, extra } = loadCheckpoint('ckpt', { model, optimizer });
 */
export function loadCheckpoint(dir: string, targets: CheckpointTargets): LoadedCheckpoint;
export function loadCheckpoint(dir: string): Checkpoint;
export function loadCheckpoint(dir: string, targets?: CheckpointTargets): LoadedCheckpoint | Checkpoint {
  if (targets === undefined) return loadSavedCheckpoint(dir);
  const t = options<CheckpointTargets>(
    'loadCheckpoint',
    targets,
    {
      model: aModule,
      optimizer: stateful,
      scheduler: stateful,
    },
    ['model'],
  );
  const path = join(dir, CHECKPOINT_FILE);
  const file = readJson<CheckpointFile>('loadCheckpoint', path, dir, 'saveCheckpoint()');
  const valid =
    file?.format === 'tsgrad-checkpoint' && Number.isInteger(file.epoch) && Array.isArray(file.rngState) && file.rngState.length >= 4;
  if (!valid) {
    throw new TsgradError(
      `loadCheckpoint: ${path} is not a tsgrad checkpoint ` + '(expected format "tsgrad-checkpoint", an epoch and rngState)',
    );
  }
  if (t.scheduler && file.scheduler === undefined) {
    throw new TsgradError(`loadCheckpoint: a scheduler was given but ${dir} was saved without one`);
  }
  load(dir, { into: t.model });
  if (t.optimizer) {
    const opt = readConfig(dir).optimizer;
    if (!opt) throw new TsgradError(`loadCheckpoint: an optimizer was given but ${dir} holds no optimizer state`);
    const tensorPath = join(dir, opt.tensors);
    const { tensors } = loadSafetensors(tensorPath);
    const state = decodeState(JSON.parse(readFileSync(join(dir, opt.state), 'utf8')), tensors, tensorPath);
    t.optimizer.loadStateDict(state as OptimizerStateDict);
  }
  if (t.scheduler) t.scheduler.loadStateDict(decodeState(file.scheduler, new Map(), path) as never);
  rng.setState(file.rngState);
  return file.extra === undefined ? { epoch: file.epoch } : { epoch: file.epoch, extra: file.extra };
}
