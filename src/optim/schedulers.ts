import { TsgradError, check } from '../util/errors.js';
import type { Optimizer } from './optimizer.js';

/** Any optimiser whose groups have an lr. */
type AnyOptimizer = Optimizer<{ lr: number }>;

function groupLr(opt: AnyOptimizer, i: number): number {
  return opt.paramGroups[i].lr;
}

function setGroupLr(opt: AnyOptimizer, i: number, lr: number): void {
  opt.paramGroups[i].lr = lr;
}

/**
 * Base of the epoch-based schedules, PyTorch's chainable form: the constructor records each
 * group's initial lr (as `initialLr` in the group) and performs step 0; every `step()` (once
 * per epoch, after the optimiser's steps) advances `lastEpoch` and sets the groups' lr.
 */
export abstract class LRScheduler {
  readonly optimizer: AnyOptimizer;
  readonly baseLrs: number[];
  lastEpoch = -1;
  protected lastLr: number[] = [];

  constructor(optimizer: AnyOptimizer) {
    this.optimizer = optimizer;
    this.baseLrs = optimizer.paramGroups.map((g, i) => {
      const group = g as { initialLr?: number };
      if (group.initialLr === undefined) group.initialLr = groupLr(optimizer, i);
      return group.initialLr;
    });
  }

  /** The lr of each group for the current lastEpoch. */
  protected abstract computeLr(): number[];

  /** Advances one epoch and updates the optimiser's learning rates. */
  step(): void {
    this.lastEpoch++;
    const lrs = this.computeLr();
    lrs.forEach((lr, i) => setGroupLr(this.optimizer, i, lr));
    this.lastLr = lrs;
  }

  /** The learning rates set by the last step(), one per group. */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  /** The schedule's counters, for checkpoints. */
  stateDict(): { lastEpoch: number; lastLr: number[] } {
    return { lastEpoch: this.lastEpoch, lastLr: this.lastLr.slice() };
  }

  loadStateDict(sd: { lastEpoch: number; lastLr: number[] }): void {
    this.lastEpoch = sd.lastEpoch;
    this.lastLr = sd.lastLr.slice();
  }

  protected currentLrs(): number[] {
    return this.optimizer.paramGroups.map((_, i) => groupLr(this.optimizer, i));
  }
}

/**
 * Multiplies the lr by gamma every stepSize epochs: lr = base · gamma^⌊epoch / stepSize⌋.
 * @example const sched = new optim.StepLR(opt, { stepSize: 30, gamma: 0.1 });
 */
export class StepLR extends LRScheduler {
  readonly options: { stepSize: number; gamma: number };
  constructor(optimizer: AnyOptimizer, opts: { stepSize: number; gamma?: number }) {
    super(optimizer);
    check(Number.isInteger(opts.stepSize) && opts.stepSize > 0, 'StepLR', () => `stepSize must be a positive integer, got ${String(opts.stepSize)}`);
    this.options = { stepSize: opts.stepSize, gamma: opts.gamma ?? 0.1 };
    this.step();
  }

  protected computeLr(): number[] {
    const { stepSize, gamma } = this.options;
    const lrs = this.currentLrs();
    if (this.lastEpoch === 0 || this.lastEpoch % stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * gamma);
  }
}

/** Multiplies the lr by gamma every epoch: lr = base · gamma^epoch. */
export class ExponentialLR extends LRScheduler {
  readonly options: { gamma: number };
  constructor(optimizer: AnyOptimizer, opts: { gamma: number }) {
    super(optimizer);
    check(typeof opts.gamma === 'number', 'ExponentialLR', () => `gamma must be a number, got ${String(opts.gamma)}`);
    this.options = { gamma: opts.gamma };
    this.step();
  }

  protected computeLr(): number[] {
    const lrs = this.currentLrs();
    return this.lastEpoch === 0 ? lrs : lrs.map((lr) => lr * this.options.gamma);
  }
}

/**
 * Cosine annealing from the base lr down to etaMin over tMax epochs:
 * lr = etaMin + (base - etaMin)(1 + cos(π · epoch / tMax)) / 2, in PyTorch's recursive form
 * (which rises again after tMax, with period 2 tMax).
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly options: { tMax: number; etaMin: number };
  constructor(optimizer: AnyOptimizer, opts: { tMax: number; etaMin?: number }) {
    super(optimizer);
    check(Number.isInteger(opts.tMax) && opts.tMax > 0, 'CosineAnnealingLR', () => `tMax must be a positive integer, got ${String(opts.tMax)}`);
    this.options = { tMax: opts.tMax, etaMin: opts.etaMin ?? 0 };
    this.step();
  }

  protected computeLr(): number[] {
    const { tMax, etaMin } = this.options;
    const e = this.lastEpoch;
    const lrs = this.currentLrs();
    if (e === 0) return lrs;
    const m = 2 * tMax;
    if ((((e - 1 - tMax) % m) + m) % m === 0) {
      return lrs.map((lr, i) => lr + ((this.baseLrs[i] - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * e) / tMax)) / (1 + Math.cos((Math.PI * (e - 1)) / tMax));
    return lrs.map((lr) => ratio * (lr - etaMin) + etaMin);
  }
}

/** lr = base · lrLambda(epoch), for any schedule written as a function (warm-up, decay, ...). */
export class LambdaLR extends LRScheduler {
  private readonly lrLambda: (epoch: number) => number;
  constructor(optimizer: AnyOptimizer, opts: { lrLambda: (epoch: number) => number }) {
    super(optimizer);
    if (typeof opts.lrLambda !== 'function') throw new TsgradError('LambdaLR: lrLambda must be a function of the epoch');
    this.lrLambda = opts.lrLambda;
    this.step();
  }

  protected computeLr(): number[] {
    return this.baseLrs.map((base) => base * this.lrLambda(this.lastEpoch));
  }
}

export interface ReduceLROnPlateauOptions {
  /** 'min' (default) when lower metric is better (a loss), 'max' for accuracy. */
  mode?: 'min' | 'max';
  /** lr is multiplied by factor on a plateau (default 0.1). */
  factor?: number;
  /** Epochs without improvement tolerated before reducing (default 10). */
  patience?: number;
  /** Relative improvement needed to count as better (default 1e-4). */
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** Lower bound of the lr (default 0). */
  minLr?: number;
  /** Reductions smaller than eps are skipped (default 1e-8). */
  eps?: number;
}

/**
 * Reduces the lr by `factor` when a metric has stopped improving for `patience` epochs
 * (PyTorch's rules, relative threshold). Call step(metric) once per epoch.
 * @example const sched = new optim.ReduceLROnPlateau(opt, { patience: 3 }); sched.step(valLoss);
 */
export class ReduceLROnPlateau {
  readonly optimizer: AnyOptimizer;
  readonly options: Required<ReduceLROnPlateauOptions>;
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: AnyOptimizer, opts: ReduceLROnPlateauOptions = {}) {
    this.optimizer = optimizer;
    this.options = {
      mode: opts.mode ?? 'min', factor: opts.factor ?? 0.1, patience: opts.patience ?? 10, threshold: opts.threshold ?? 1e-4,
      thresholdMode: opts.thresholdMode ?? 'rel', cooldown: opts.cooldown ?? 0, minLr: opts.minLr ?? 0, eps: opts.eps ?? 1e-8,
    };
    const o = this.options;
    check(o.mode === 'min' || o.mode === 'max', 'ReduceLROnPlateau', () => `mode must be 'min' or 'max', got '${String(o.mode)}'`);
    check(o.factor < 1, 'ReduceLROnPlateau', () => `factor must be below 1, got ${o.factor}`);
    check(o.thresholdMode === 'rel' || o.thresholdMode === 'abs', 'ReduceLROnPlateau', () => `thresholdMode must be 'rel' or 'abs'`);
    this.best = o.mode === 'min' ? Infinity : -Infinity;
    this.lastLr = optimizer.paramGroups.map((_, i) => groupLr(optimizer, i));
  }

  private isBetter(a: number): boolean {
    const { mode, threshold, thresholdMode } = this.options;
    if (mode === 'min') return thresholdMode === 'rel' ? a < this.best * (1 - threshold) : a < this.best - threshold;
    return thresholdMode === 'rel' ? a > this.best * (1 + threshold) : a > this.best + threshold;
  }

  /** Records one epoch's metric and reduces the lr if it has plateaued. */
  step(metric: number): void {
    check(typeof metric === 'number', 'ReduceLROnPlateau.step', () => `expects the metric as a number, got ${typeof metric}`);
    this.lastEpoch++;
    if (this.isBetter(metric)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.options.patience) {
      const { factor, minLr, eps } = this.options;
      this.optimizer.paramGroups.forEach((_, i) => {
        const old = groupLr(this.optimizer, i);
        const lr = Math.max(old * factor, minLr);
        if (old - lr > eps) setGroupLr(this.optimizer, i, lr);
      });
      this.cooldownCounter = this.options.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((_, i) => groupLr(this.optimizer, i));
  }

  getLastLr(): number[] {
    return this.lastLr.slice();
  }
}
