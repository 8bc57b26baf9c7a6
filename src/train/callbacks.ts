import { arg, check, is, options, options as checkOptions, stripUndefined } from '../util/args.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { LRScheduler } from '../optim/schedulers.js';
import { Tensor } from '../tensor/tensor.js';
import { TsgradError } from '../util/errors.js';
import type { History } from './history.js';

/** What callbacks see and may change while fit() runs. */
export interface TrainContext {
  model: Module;
  optimizer: Optimizer<object>;
  history: History;
  epochs: number;
  stepsPerEpoch: number;
  /** Set to true to end training after the current step or epoch. */
  stopTraining: boolean;
  stopReason?: string;
  /** Prints a line (respects verbose). */
  log(message: string): void;
}

/**
 * Hooks into fit(), Keras style. Epochs and steps are 0-based here; messages
 * for people print them 1-based.
 */
export interface Callback {
  onTrainBegin?(ctx: TrainContext): void;
  onEpochBegin?(epoch: number, ctx: TrainContext): void;
  /**
   * After each batch; logs.loss is the batch's loss (possibly NaN: the step is then not applied),
   * and `stepped` is false for a batch whose gradients wait for more (accumulateSteps).
   */
  onBatchEnd?(step: number, logs: { loss: number; batchSize: number; epoch: number; stepped?: boolean }, ctx: TrainContext): void;
  /** After each epoch with its results (loss, metrics, val_*, lr). */
  onEpochEnd?(epoch: number, logs: Record<string, number>, ctx: TrainContext): void;
  onTrainEnd?(ctx: TrainContext): void;
}

export type Mode = 'min' | 'max' | 'auto';

/** What a callback that watches one result of each epoch is told about it. */
export interface MonitorOptions {
  /** The result to watch (default 'val_loss'). */
  monitor?: string;
  /** Whether smaller or larger is better ('auto': smaller for losses and errors). */
  mode?: Mode;
}

/**
 * Losses and errors improve downward, everything else (accuracy, auc, f1, r2) upward.
 * @example direction('val_loss', 'auto') // 'min'; direction('val_accuracy', 'auto') // 'max'
 */
export function direction(monitor: string, mode: Mode): 'min' | 'max' {
  if (mode !== 'auto') return mode;
  return /loss|mse|mae|error/.test(monitor) ? 'min' : 'max';
}

/**
 * The monitored result of an epoch; throws, naming the callback `who`, when it is missing.
 * @example monitored('val_loss', { loss: 0.31, val_loss: 0.42 }, 'MyCallback') // 0.42
 */
export function monitored(monitor: string, logs: Record<string, number>, who: string): number {
  const v = logs[monitor];
  if (v === undefined) {
    throw new TsgradError(
      `${who}: monitor '${monitor}' is not among this epoch's results (${Object.keys(logs).join(', ')}); did you pass validation data?`,
    );
  }
  return v;
}

export interface EarlyStoppingOptions extends MonitorOptions {
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** At the end, put back the weights of the best epoch (default false). */
  restoreBest?: boolean;
}

/**
 * Stops training when the monitored result has not improved by minDelta for
 * `patience` epochs; with restoreBest, rolls the model back to its best epoch.
 * @example fit(model, { ..., callbacks: [new EarlyStopping({ monitor: 'val_loss', patience: 3, restoreBest: true })] })
 */
export class EarlyStopping implements Callback {
  readonly options: Required<EarlyStoppingOptions>;
  best = NaN;
  bestEpoch = -1;
  stoppedEpoch = -1;
  private wait = 0;
  private snapshot: Map<string, Tensor> | null = null;

  constructor(opts: EarlyStoppingOptions = {}) {
    const o = options<EarlyStoppingOptions>('EarlyStopping', opts, {
      monitor: is.string,
      patience: is.nonNegativeInt,
      minDelta: is.nonNegative,
      mode: is.oneOf(['auto', 'min', 'max']),
      restoreBest: is.bool,
    });
    this.options = { monitor: 'val_loss', patience: 0, minDelta: 0, mode: 'auto', restoreBest: false, ...stripUndefined(o) };
  }

  onTrainBegin(): void {
    this.best = NaN;
    this.bestEpoch = -1;
    this.stoppedEpoch = -1;
    this.wait = 0;
    this.snapshot = null;
  }

  onEpochEnd(epoch: number, logs: Record<string, number>, ctx: TrainContext): void {
    const { monitor, minDelta, patience, restoreBest, mode } = this.options;
    const v = monitored(monitor, logs, 'EarlyStopping');
    const dir = direction(monitor, mode);
    const better = Number.isNaN(this.best) || (dir === 'min' ? v < this.best - minDelta : v > this.best + minDelta);
    if (better && !Number.isNaN(v)) {
      this.best = v;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (restoreBest) this.snapshot = copyState(ctx.model);
      return;
    }
    this.wait++;
    // Keras's rule: stop once `patience` epochs in a row brought no improvement.
    if (this.wait >= patience) {
      this.stoppedEpoch = epoch;
      ctx.stopTraining = true;
      ctx.stopReason = `EarlyStopping: ${monitor} has not improved for ${this.wait} epoch${this.wait === 1 ? '' : 's'} (best ${this.best.toPrecision(5)} at epoch ${this.bestEpoch + 1})`;
    }
  }

  onTrainEnd(ctx: TrainContext): void {
    if (this.options.restoreBest && this.snapshot && this.bestEpoch !== ctx.history.epoch[ctx.history.epoch.length - 1]) {
      ctx.model.loadStateDict(this.snapshot);
      ctx.log(`EarlyStopping: restored the weights of epoch ${this.bestEpoch + 1} (${this.options.monitor} ${this.best.toPrecision(5)})`);
    }
  }
}

function copyState(model: Module): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [k, t] of model.stateDict()) out.set(k, new Tensor(t.data(), t.shape));
  return out;
}

/** An epoch-based schedule (StepLR, CosineAnnealingLR, ...) or ReduceLROnPlateau. */
export interface Schedule {
  step(metric?: number): void;
}

/**
 * Steps a learning-rate schedule after every epoch; ReduceLROnPlateau-style
 * schedules receive the monitored result (default 'val_loss'). When fit resumes from a
 * checkpoint (initialEpoch), an epoch schedule built afresh is moved on to that epoch, so
 * that it continues as the interrupted run would have; list it before ModelCheckpoint, so
 * that the checkpoint holds the lr of the epoch that follows.
 * @example new LearningRateScheduler(new optim.StepLR(opt, { stepSize: 5, gamma: 0.5 }))
 */
export class LearningRateScheduler implements Callback {
  constructor(
    readonly schedule: Schedule,
    readonly options: { monitor?: string } = {},
  ) {
    arg('LearningRateScheduler', 'schedule', schedule, SCHEDULE);
    checkOptions<{ monitor?: string }>('LearningRateScheduler', this.options, { monitor: is.string });
  }

  private get perBatch(): boolean {
    return this.schedule instanceof LRScheduler && this.schedule.interval === 'batch';
  }

  onEpochBegin(epoch: number): void {
    // The optimizer's restored lr is already this epoch's: only the count moves.
    if (this.schedule instanceof LRScheduler && !this.perBatch && this.schedule.lastEpoch < epoch) this.schedule.lastEpoch = epoch;
  }

  onBatchEnd(_step: number, logs: { stepped?: boolean }): void {
    // A schedule counted in optimizer steps (OneCycleLR) moves after each one; with gradient
    // accumulation, not after the batches that only added to the gradients.
    if (this.perBatch && logs.stepped !== false) this.schedule.step();
  }

  onEpochEnd(_epoch: number, logs: Record<string, number>): void {
    if (this.perBatch) return;
    // Plateau schedules take the metric; epoch schedules take none (step.length tells them apart).
    if (this.schedule.step.length >= 1) this.schedule.step(monitored(this.options.monitor ?? 'val_loss', logs, 'LearningRateScheduler'));
    else this.schedule.step();
  }
}

/**
 * Ends training (without an exception) at the first step whose loss is NaN or
 * infinite; History.stopped then names the epoch and step. Without it, fit throws.
 * Keras's TerminateOnNaN.
 * @example fit(model, { train: [x, y], optimizer: opt, epochs: 10, callbacks: [new TerminateOnNaN()] }).stopped
 */
export class TerminateOnNaN implements Callback {
  onBatchEnd(step: number, logs: { loss: number; epoch: number }, ctx: TrainContext): void {
    if (!Number.isFinite(logs.loss)) {
      ctx.stopTraining = true;
      ctx.stopReason = `TerminateOnNaN: loss is ${logs.loss} at epoch ${logs.epoch + 1}, step ${step + 1}/${ctx.stepsPerEpoch}`;
    }
  }
}

/** A schedule: anything with a step() method (an LRScheduler or ReduceLROnPlateau). */
const SCHEDULE = check(
  'a learning-rate schedule (an object with a step() method)',
  (v) => typeof (v as { step?: unknown } | null)?.step === 'function',
);
