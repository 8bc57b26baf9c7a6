import { arg, is, options } from '../util/args.js';
import { TsgradError, check } from '../util/errors.js';
import { Optimizer } from './optimizer.js';

const IS_OPTIMIZER = is.instance(Optimizer);

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
 * group's initial lr (as `initialLr` in the group); a subclass's constructor ends with
 * `this.step()`, which performs step 0 (the base cannot: the subclass's fields are not set yet);
 * every later `step()` (once per epoch, after the optimiser's steps) advances `lastEpoch` and
 * sets the groups' lr.
 * @example
 * class HalvingLR extends optim.LRScheduler {
 *   constructor(opt: optim.Optimizer<{ lr: number }>) { super(opt); this.step(); }
 *   protected computeLr() { return this.baseLrs.map((lr) => lr / 2 ** this.lastEpoch); }
 * }
 */
export abstract class LRScheduler {
  readonly optimizer: AnyOptimizer;
  readonly baseLrs: number[];
  lastEpoch = -1;
  protected lastLr: number[] = [];
  /**
   * When fit's LearningRateScheduler steps it: after every epoch (the default), or after every
   * optimizer step ('batch': OneCycleLR, and warm-ups counted in steps).
   */
  interval: 'epoch' | 'batch' = 'epoch';

  constructor(optimizer: AnyOptimizer) {
    arg(new.target.name, 'optimizer', optimizer, IS_OPTIMIZER);
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

  /** Starts the schedule again from the base lrs, as at construction (SequentialLR's milestones). */
  restart(): void {
    this.baseLrs.forEach((lr, i) => setGroupLr(this.optimizer, i, lr));
    this.lastEpoch = -1;
    this.step();
  }
}

/**
 * Scales the lr linearly from startFactor·base to endFactor·base over totalIters steps, then
 * keeps it (PyTorch's LinearLR; a warm-up with the defaults): lr = base · (start + (end -
 * start) · min(epoch, totalIters) / totalIters).
 * @example new optim.LinearLR(opt, { startFactor: 0.1, totalIters: 5 }) // 5 epochs of warm-up
 */
export class LinearLR extends LRScheduler {
  readonly options: { startFactor: number; endFactor: number; totalIters: number };
  constructor(
    optimizer: AnyOptimizer,
    opts: { startFactor?: number; endFactor?: number; totalIters?: number; interval?: 'epoch' | 'batch' } = {},
  ) {
    super(optimizer);
    const o = options<{ startFactor?: number; endFactor?: number; totalIters?: number; interval?: 'epoch' | 'batch' }>('LinearLR', opts, {
      startFactor: is.positive,
      endFactor: is.nonNegative,
      totalIters: is.positiveInt,
      interval: is.oneOf(['epoch', 'batch']),
    });
    this.options = { startFactor: o.startFactor ?? 1 / 3, endFactor: o.endFactor ?? 1, totalIters: o.totalIters ?? 5 };
    check(
      this.options.startFactor <= 1 && this.options.endFactor <= 1,
      'LinearLR',
      () => `startFactor and endFactor must be in (0, 1] and [0, 1], got ${this.options.startFactor} and ${this.options.endFactor}`,
    );
    this.interval = o.interval ?? 'epoch';
    this.step();
  }

  protected computeLr(): number[] {
    const { startFactor: a, endFactor: b, totalIters: t } = this.options;
    const f = a + ((b - a) * Math.min(this.lastEpoch, t)) / t;
    return this.baseLrs.map((base) => base * f);
  }
}

export interface OneCycleLROptions {
  /** The peak lr (one number, or one per parameter group). */
  maxLr: number | number[];
  /** Steps in the whole cycle; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Share of the cycle spent rising (default 0.3). */
  pctStart?: number;
  /** 'cos' (default) or 'linear'. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle the momentum (Adam's β1, SGD's momentum) inversely to the lr (default true). */
  cycleMomentum?: boolean;
  baseMomentum?: number;
  maxMomentum?: number;
  /** Initial lr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** Final lr = initial lr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Fall back to the initial lr before annealing to the final one (default false). */
  threePhase?: boolean;
}

/**
 * The 1cycle policy (Smith & Topin), as PyTorch's OneCycleLR: the lr rises from maxLr/divFactor
 * to maxLr over pctStart of the steps, then anneals to maxLr/(divFactor·finalDivFactor), while
 * the momentum moves the other way between maxMomentum and baseMomentum. It is stepped after
 * every optimizer step (`interval` 'batch'), which fit's LearningRateScheduler does.
 * @example new optim.OneCycleLR(opt, { maxLr: 0.01, epochs: 5, stepsPerEpoch: loader.length })
 */
export class OneCycleLR extends LRScheduler {
  readonly options: Required<Omit<OneCycleLROptions, 'maxLr' | 'epochs' | 'stepsPerEpoch'>> & { maxLrs: number[] };
  private readonly phases: Array<{ end: number; from: 'initial' | 'max' | 'min'; to: 'initial' | 'max' | 'min' }>;

  constructor(optimizer: AnyOptimizer, opts: OneCycleLROptions) {
    const o = options<OneCycleLROptions>(
      'OneCycleLR',
      opts,
      {
        maxLr: is.anyOf(is.positive, is.arrayOf(is.positive)),
        totalSteps: is.positiveInt,
        epochs: is.positiveInt,
        stepsPerEpoch: is.positiveInt,
        pctStart: is.probability,
        annealStrategy: is.oneOf(['cos', 'linear']),
        cycleMomentum: is.bool,
        baseMomentum: is.nonNegative,
        maxMomentum: is.nonNegative,
        divFactor: is.positive,
        finalDivFactor: is.positive,
        threePhase: is.bool,
      },
      ['maxLr'],
    );
    const total = o.totalSteps ?? (o.epochs !== undefined && o.stepsPerEpoch !== undefined ? o.epochs * o.stepsPerEpoch : undefined);
    if (total === undefined) throw new TsgradError('OneCycleLR: give totalSteps, or epochs and stepsPerEpoch');
    const n = optimizer.paramGroups.length;
    const maxLrs = Array.isArray(o.maxLr) ? o.maxLr : new Array<number>(n).fill(o.maxLr);
    check(maxLrs.length === n, 'OneCycleLR', () => `maxLr has ${maxLrs.length} values for ${n} parameter groups`);
    const divFactor = o.divFactor ?? 25;
    // The initial lr is set before the base class records it, as PyTorch does.
    optimizer.paramGroups.forEach((g, i) => {
      const group = g as { initialLr?: number; lr: number };
      group.initialLr = maxLrs[i] / divFactor;
      group.lr = group.initialLr;
    });
    super(optimizer);
    this.interval = 'batch';
    const pct = o.pctStart ?? 0.3;
    this.options = {
      maxLrs,
      totalSteps: total,
      pctStart: pct,
      annealStrategy: o.annealStrategy ?? 'cos',
      cycleMomentum: o.cycleMomentum ?? true,
      baseMomentum: o.baseMomentum ?? 0.85,
      maxMomentum: o.maxMomentum ?? 0.95,
      divFactor,
      finalDivFactor: o.finalDivFactor ?? 1e4,
      threePhase: o.threePhase ?? false,
    };
    this.phases = this.options.threePhase
      ? [
          { end: pct * total - 1, from: 'initial', to: 'max' },
          { end: 2 * pct * total - 2, from: 'max', to: 'initial' },
          { end: total - 1, from: 'initial', to: 'min' },
        ]
      : [
          { end: pct * total - 1, from: 'initial', to: 'max' },
          { end: total - 1, from: 'max', to: 'min' },
        ];
    if (this.options.cycleMomentum) {
      optimizer.paramGroups.forEach((g) => {
        const group = g as { momentum?: number; betas?: [number, number] };
        if (group.betas) group.betas = [this.options.maxMomentum, group.betas[1]];
        else if (group.momentum !== undefined) group.momentum = this.options.maxMomentum;
        else throw new TsgradError('OneCycleLR: the optimizer has no momentum to cycle; pass { cycleMomentum: false }');
      });
    }
    this.step();
  }

  protected computeLr(): number[] {
    const { totalSteps, annealStrategy, maxLrs, divFactor, finalDivFactor, cycleMomentum, baseMomentum, maxMomentum } = this.options;
    const t = this.lastEpoch;
    if (t > totalSteps) {
      throw new TsgradError(
        `OneCycleLR: stepped ${t} times, but the cycle has ${totalSteps} steps (totalSteps, or epochs × stepsPerEpoch)`,
      );
    }
    const anneal = (a: number, b: number, pct: number): number =>
      annealStrategy === 'cos' ? b + ((a - b) / 2) * (Math.cos(Math.PI * pct) + 1) : (b - a) * pct + a;
    let start = 0;
    let k = 0;
    while (k < this.phases.length - 1 && t > this.phases[k].end) start = this.phases[k++].end;
    const ph = this.phases[k];
    const pct = (t - start) / (ph.end - start);
    const momentumAt = (w: 'initial' | 'max' | 'min'): number => (w === 'max' ? baseMomentum : maxMomentum);
    if (cycleMomentum) {
      const m = anneal(momentumAt(ph.from), momentumAt(ph.to), pct);
      this.optimizer.paramGroups.forEach((g) => {
        const group = g as { momentum?: number; betas?: [number, number] };
        if (group.betas) group.betas = [m, group.betas[1]];
        else group.momentum = m;
      });
    }
    return maxLrs.map((max) => {
      const lrOf = (w: 'initial' | 'max' | 'min'): number =>
        w === 'max' ? max : w === 'initial' ? max / divFactor : max / divFactor / finalDivFactor;
      return anneal(lrOf(ph.from), lrOf(ph.to), pct);
    });
  }
}

/**
 * Runs schedules one after another, switching at the given milestones (PyTorch's
 * SequentialLR): schedulers[i] runs from milestones[i-1] on, restarted from the base lr.
 * Build the schedulers on the same optimizer first, then pass them here.
 * @example
 * const warm = new optim.LinearLR(opt, { startFactor: 0.1, totalIters: 3 });
 * const decay = new optim.CosineAnnealingLR(opt, { tMax: 17 });
 * new optim.SequentialLR(opt, { schedulers: [warm, decay], milestones: [3] });
 */
export class SequentialLR extends LRScheduler {
  readonly schedulers: LRScheduler[];
  readonly milestones: number[];

  constructor(optimizer: AnyOptimizer, opts: { schedulers: LRScheduler[]; milestones: number[] }) {
    const o = options<{ schedulers: LRScheduler[]; milestones: number[] }>(
      'SequentialLR',
      opts,
      {
        schedulers: is.arrayOf(is.instance(LRScheduler, 'LRScheduler')),
        milestones: is.arrayOf(is.positiveInt),
      },
      ['schedulers', 'milestones'],
    );
    check(
      o.schedulers.length >= 1 && o.milestones.length === o.schedulers.length - 1,
      'SequentialLR',
      () => `needs one milestone fewer than schedulers, got ${o.milestones.length} milestones for ${o.schedulers.length} schedulers`,
    );
    check(
      o.schedulers.every((s) => s.optimizer === optimizer),
      'SequentialLR',
      () => 'every scheduler must drive the same optimizer',
    );
    check(
      o.milestones.every((m, i) => i === 0 || m > o.milestones[i - 1]),
      'SequentialLR',
      () => `milestones must increase, got [${o.milestones.join(', ')}]`,
    );
    super(optimizer);
    this.schedulers = o.schedulers;
    this.milestones = o.milestones;
    this.interval = o.schedulers[0].interval;
    // Each scheduler stepped once when it was built: undo that, and start the first one.
    this.baseLrs.forEach((lr, i) => setGroupLr(optimizer, i, lr));
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0].step();
    this.lastEpoch = 0;
    this.lastLr = this.schedulers[0].getLastLr();
  }

  override step(): void {
    this.lastEpoch++;
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length;
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.restart();
    else s.step();
    this.lastLr = s.getLastLr();
  }

  protected computeLr(): number[] {
    return this.currentLrs();
  }

  override stateDict(): { lastEpoch: number; lastLr: number[]; schedulers: Array<{ lastEpoch: number; lastLr: number[] }> } {
    return { ...super.stateDict(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  override loadStateDict(sd: { lastEpoch: number; lastLr: number[]; schedulers?: Array<{ lastEpoch: number; lastLr: number[] }> }): void {
    super.loadStateDict(sd);
    sd.schedulers?.forEach((d, i) => this.schedulers[i]?.loadStateDict(d));
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
    const o = options<{ stepSize: number; gamma?: number }>('StepLR', opts, { stepSize: is.positiveInt, gamma: is.nonNegative }, [
      'stepSize',
    ]);
    this.options = { stepSize: o.stepSize, gamma: o.gamma ?? 0.1 };
    this.step();
  }

  protected computeLr(): number[] {
    const { stepSize, gamma } = this.options;
    const lrs = this.currentLrs();
    if (this.lastEpoch === 0 || this.lastEpoch % stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * gamma);
  }
}

/**
 * Multiplies the lr by gamma every epoch: lr = base · gamma^epoch (PyTorch's ExponentialLR).
 * @example const sched = new optim.ExponentialLR(opt, { gamma: 0.95 }); // sched.step() after each epoch
 */
export class ExponentialLR extends LRScheduler {
  readonly options: { gamma: number };
  constructor(optimizer: AnyOptimizer, opts: { gamma: number }) {
    super(optimizer);
    this.options = { gamma: options<{ gamma: number }>('ExponentialLR', opts, { gamma: is.nonNegative }, ['gamma']).gamma };
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
 * @example const sched = new optim.CosineAnnealingLR(opt, { tMax: 50, etaMin: 1e-5 });
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly options: { tMax: number; etaMin: number };
  constructor(optimizer: AnyOptimizer, opts: { tMax: number; etaMin?: number }) {
    super(optimizer);
    const o = options<{ tMax: number; etaMin?: number }>('CosineAnnealingLR', opts, { tMax: is.positiveInt, etaMin: is.nonNegative }, [
      'tMax',
    ]);
    this.options = { tMax: o.tMax, etaMin: o.etaMin ?? 0 };
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

/**
 * lr = base · lrLambda(epoch), for any schedule written as a function (warm-up, decay, ...), as PyTorch's LambdaLR.
 * @example new optim.LambdaLR(opt, { lrLambda: (epoch) => Math.min(1, (epoch + 1) / 5) }) // 5 epochs of warm-up
 */
export class LambdaLR extends LRScheduler {
  private readonly lrLambda: (epoch: number) => number;
  constructor(optimizer: AnyOptimizer, opts: { lrLambda: (epoch: number) => number }) {
    super(optimizer);
    this.lrLambda = options<{ lrLambda: (epoch: number) => number }>('LambdaLR', opts, { lrLambda: is.function }, ['lrLambda']).lrLambda;
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
    arg('ReduceLROnPlateau', 'optimizer', optimizer, IS_OPTIMIZER);
    options<ReduceLROnPlateauOptions>('ReduceLROnPlateau', opts, {
      mode: is.oneOf(['min', 'max']),
      factor: is.nonNegative,
      patience: is.nonNegativeInt,
      threshold: is.nonNegative,
      thresholdMode: is.oneOf(['rel', 'abs']),
      cooldown: is.nonNegativeInt,
      minLr: is.nonNegative,
      eps: is.nonNegative,
    });
    this.optimizer = optimizer;
    this.options = {
      mode: opts.mode ?? 'min',
      factor: opts.factor ?? 0.1,
      patience: opts.patience ?? 10,
      threshold: opts.threshold ?? 1e-4,
      thresholdMode: opts.thresholdMode ?? 'rel',
      cooldown: opts.cooldown ?? 0,
      minLr: opts.minLr ?? 0,
      eps: opts.eps ?? 1e-8,
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
