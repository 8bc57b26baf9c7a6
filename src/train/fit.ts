import { backward, noGrad } from '../autograd/engine.js';
import { DataLoader, type BatchTransform } from '../data/loader.js';
import { Subset, TensorDataset, type Dataset } from '../data/dataset.js';
import type { Module } from '../nn/module.js';
import { bceWithLogits, binaryCrossEntropy, crossEntropy, l1Loss, mseLoss } from '../nn/losses.js';
import { clipGradNorm, clipGradValue } from '../optim/clip.js';
import { l1Penalty, l2Penalty } from '../optim/regularizers.js';
import { logSoftmax, mean, sum } from '../ops/reduce.js';
import { add, mul, neg } from '../ops/elementwise.js';
import { reshape } from '../ops/movement.js';
import { Tensor, denseArray, newArray } from '../tensor/tensor.js';
import { arg, check, is, options, type Spec } from '../util/args.js';
import { TsgradError, fmtShape } from '../util/errors.js';
import { Module as ModuleClass } from '../nn/module.js';
import { Optimizer } from '../optim/optimizer.js';
import type { Callback, TrainContext } from './callbacks.js';
import { History } from './history.js';
import { resolveMetric, type Metric } from './metrics.js';
import { Progress, type ProgressStream } from './progress.js';

/** Training or evaluation data: a dataset, a loader, or tensors `[x, y]` / `{ x, y }`. */
export type DataSource = Dataset | DataLoader | [Tensor, Tensor] | { x: Tensor; y: Tensor };

/** A loss by name or as a function of (predictions, targets) returning a scalar tensor. */
export type LossSpec = 'crossEntropy' | 'mse' | 'l1' | 'bce' | 'bceWithLogits' | ((pred: Tensor, target: Tensor) => Tensor);

/** Penalty strength: one λ for every weight, or λ per module name prefix (`{ '0': 1e-4 }`). */
export type PenaltySpec = number | Record<string, number>;

export interface FitOptions {
  train: DataSource;
  /** Held-out data evaluated after each epoch (val_loss, val_<metric>). */
  validation?: DataSource;
  /** Instead of validation: hold out this last fraction of the training data (Keras' rule, before shuffling). */
  validationSplit?: number;
  /** Train until this epoch (default 1). */
  epochs?: number;
  /** Start here, e.g. the epoch stored in a checkpoint (default 0). */
  initialEpoch?: number;
  /** Examples per step when train is not already a DataLoader (default 32). */
  batchSize?: number;
  /** Reshuffle every epoch (default true; ignored for a DataLoader). */
  shuffle?: boolean;
  optimizer: Optimizer<object>;
  /** Default 'crossEntropy' (which also accepts soft targets [N, C] from mixup/cutmix). */
  loss?: LossSpec;
  metrics?: Array<string | Metric>;
  callbacks?: Callback[];
  /** 0 silent, 1 progress bar on a terminal (plain lines otherwise), 2 one line per epoch. */
  verbose?: 0 | 1 | 2;
  /** Penalties added to the training loss, on weights (parameters not named `bias`). */
  regularization?: { l1?: PenaltySpec; l2?: PenaltySpec };
  /** Augmentation applied to every training batch. */
  augment?: BatchTransform;
  /** Where progress goes (default process.stdout). */
  stream?: ProgressStream;
  /**
   * Gradient accumulation: one optimizer step per this many batches, with the gradients of a
   * batch scaled by 1/k, so that k batches of a mean loss step as one batch k times larger.
   */
  accumulateSteps?: number;
  /** Clip the gradients' total 2-norm to this before each optimizer step (optim.clipGradNorm). */
  clipGradNorm?: number;
  /** Clamp every gradient to [-v, v] before each optimizer step (optim.clipGradValue). */
  clipGradValue?: number;
}

/**
 * Trains a model, Keras style: for each epoch, each batch runs forward, loss,
 * backward and an optimizer step; then validation data is evaluated and
 * callbacks run. The reported `loss` is the data loss without penalties, so
 * that training and validation losses compare directly.
 *
 * A NaN or infinite loss stops training with a TsgradError naming the epoch and
 * step (or, with a TerminateOnNaN callback, ends it and records History.stopped).
 * @example
 * const history = fit(model, {
 *   train: [x, y], validationSplit: 0.1, epochs: 5, batchSize: 64,
 *   optimizer: new optim.Adam(model.parameters(), { lr: 1e-3 }), metrics: ['accuracy'],
 * });
 */
export function fit(model: Module, opts: FitOptions): History {
  const run = startRun(model, opts);
  const { ctx, history } = run;
  run.call('onTrainBegin', ctx);
  for (let epoch = opts.initialEpoch ?? 0; epoch < run.epochs && !ctx.stopTraining; epoch++) {
    const trained = trainEpoch(run, epoch);
    if (history.stopped) break;
    endEpoch(run, epoch, trained);
  }
  run.call('onTrainEnd', ctx);
  return history;
}

/** Everything one fit() call holds for its whole run, built once from the options. */
interface Run {
  model: Module;
  opts: FitOptions;
  epochs: number;
  accumulate: number;
  batchSize: number;
  lossFn: (pred: Tensor, target: Tensor) => Tensor;
  metrics: Metric[];
  progress: Progress;
  trainLoader: DataLoader;
  validation?: DataSource;
  penalty: (() => Tensor) | null;
  history: History;
  ctx: TrainContext;
  /** Runs one hook of every callback, in order. */
  call: <K extends keyof Callback>(hook: K, ...args: unknown[]) => void;
}

/** What an epoch's batches add up to: the mean data loss needs the sum and the count. */
interface EpochTotals {
  lossSum: number;
  seen: number;
  outs: Collector;
}

/** Checks the options and builds the loaders, the penalty, the history and the callbacks' context. */
function startRun(model: Module, opts: FitOptions): Run {
  arg('fit', 'model', model, IS_MODULE);
  options<FitOptions>('fit', opts, FIT_SPEC, ['train', 'optimizer']);
  const accumulate = opts.accumulateSteps ?? 1;
  if (!Number.isInteger(accumulate) || accumulate < 1)
    throw new TsgradError(`fit: accumulateSteps must be a positive integer, got ${accumulate}`);
  const batchSize = opts.batchSize ?? 32;
  const epochs = opts.epochs ?? 1;
  const progress = new Progress({ verbose: opts.verbose ?? 1, stream: opts.stream });
  const { trainLoader, validation } = prepareData(opts, batchSize);
  const steps = trainLoader.length;
  if (steps === 0)
    throw new TsgradError(
      `fit: the training data gives no batches (${trainLoader.dataset.length} examples, batchSize ${trainLoader.batchSize}, dropLast ${trainLoader.dropLast})`,
    );
  const history = new History();
  const callbacks = opts.callbacks ?? [];
  return {
    model,
    opts,
    epochs,
    accumulate,
    batchSize,
    progress,
    trainLoader,
    validation,
    history,
    lossFn: resolveLoss(opts.loss ?? 'crossEntropy'),
    metrics: (opts.metrics ?? []).map(resolveMetric),
    penalty: penaltyTerm(model, opts.regularization),
    ctx: {
      model,
      optimizer: opts.optimizer,
      history,
      epochs,
      stepsPerEpoch: steps,
      stopTraining: false,
      log: (m) => progress.message(m),
    },
    call: (hook, ...args) => {
      for (const cb of callbacks) (cb[hook] as ((...a: unknown[]) => void) | undefined)?.call(cb, ...args);
    },
  };
}

/** One pass over the training batches; stops early when a callback asks or the loss is not finite. */
function trainEpoch(run: Run, epoch: number): EpochTotals {
  const { model, progress, ctx, metrics, trainLoader } = run;
  model.train();
  progress.epochBegin(epoch, run.epochs);
  run.call('onEpochBegin', epoch, ctx);
  const totals: EpochTotals = { lossSum: 0, seen: 0, outs: new Collector() };
  const running = new Map<string, number>();
  let step = 0;
  for (let batch of trainLoader) {
    if (run.opts.augment) batch = run.opts.augment(batch);
    const [x, y] = batch;
    const bs = x.shape[0];
    const result = trainStep(run, epoch, step, totals.seen, x, y);
    if (result === 'stopped') break;
    totals.lossSum += result.loss * bs;
    totals.seen += bs;
    if (metrics.length) totals.outs.push(result.out, y);
    step++;
    run.call('onBatchEnd', step - 1, { loss: result.loss, batchSize: bs, epoch, stepped: result.stepped }, ctx);
    if (progress.isLive) {
      const logs: Record<string, number> = { loss: totals.lossSum / totals.seen };
      for (const m of metrics) {
        running.set(m.name, (running.get(m.name) ?? 0) + safeMetric(m, result.out, y) * bs);
        logs[m.name] = (running.get(m.name) ?? 0) / totals.seen;
      }
      progress.step(step, trainLoader.length, totals.seen, logs);
    }
    if (ctx.stopTraining) break;
  }
  return totals;
}

/**
 * Forward, loss, backward on one batch, and an optimizer step when the batch closes an
 * accumulation window (k batches, fewer at the end of the epoch, make one step). A loss that is
 * NaN or infinite throws, unless a callback (TerminateOnNaN) stops training: then 'stopped'.
 */
function trainStep(
  run: Run,
  epoch: number,
  step: number,
  seen: number,
  x: Tensor,
  y: Tensor,
): { loss: number; out: Tensor; stepped: boolean } | 'stopped' {
  const { model, opts, accumulate } = run;
  const steps = run.trainLoader.length;
  const windowStart = step - (step % accumulate);
  const window = Math.min(accumulate, steps - windowStart);
  const stepped = step + 1 === windowStart + window;
  if (step === windowStart) opts.optimizer.zeroGrad();
  const out = model.forward(x);
  const lossT = run.lossFn(out, y);
  const loss = lossT.item();
  if (!Number.isFinite(loss)) {
    const bs = x.shape[0];
    run.call('onBatchEnd', step, { loss, batchSize: bs, epoch }, run.ctx);
    const where = `epoch ${epoch + 1}/${run.epochs}, step ${step + 1}/${steps} (examples ${seen + 1}-${seen + bs} of the epoch)`;
    if (run.ctx.stopTraining) {
      run.history.stopped = { epoch, step, reason: run.ctx.stopReason ?? `loss is ${loss} at ${where}` };
      run.progress.message(run.history.stopped.reason);
      return 'stopped';
    }
    throw new TsgradError(
      `fit: loss is ${loss} at ${where}; the last epoch's mean loss was ${run.history.last('loss') ?? 'not yet known'}. Lower the learning rate or check the data for NaN/inf`,
    );
  }
  const total = run.penalty ? add(lossT, run.penalty()) : lossT;
  backward(window > 1 ? mul(total, 1 / window) : total);
  if (stepped) {
    const params = model.parameters();
    if (opts.clipGradValue !== undefined) clipGradValue(params, opts.clipGradValue);
    if (opts.clipGradNorm !== undefined) clipGradNorm(params, opts.clipGradNorm);
    opts.optimizer.step();
  }
  return { loss, out, stepped };
}

/** The epoch's logs (training loss and metrics, validation, lr) into the history, then the callbacks. */
function endEpoch(run: Run, epoch: number, { lossSum, seen, outs }: EpochTotals): void {
  const { metrics, ctx, history } = run;
  const logs: Record<string, number> = { loss: lossSum / Math.max(1, seen) };
  if (metrics.length && seen > 0) {
    const [p, t] = outs.tensors();
    for (const m of metrics) logs[m.name] = m.fn(p, t);
  }
  if (run.validation) {
    const v = evaluateAs('fit (validation)', run.model, run.validation, {
      loss: run.lossFn,
      metrics,
      batchSize: Math.max(run.batchSize, 256),
    });
    for (const [k, val] of Object.entries(v)) logs[`val_${k}`] = val;
  }
  const shown = { ...logs };
  logs.lr = run.opts.optimizer.lr;
  history.record(epoch, logs);
  run.progress.epochEnd(shown, seen);
  run.call('onEpochEnd', epoch, logs, ctx);
  if (ctx.stopTraining && ctx.stopReason) {
    history.stopped = { epoch, reason: ctx.stopReason };
    run.progress.message(ctx.stopReason);
  }
}

export interface EvaluateOptions {
  loss?: LossSpec;
  metrics?: Array<string | Metric>;
  batchSize?: number;
}

/**
 * Loss and metrics of a model on data, in eval mode without recording the graph.
 * @example evaluate(model, test, { loss: 'crossEntropy', metrics: ['accuracy'] }) // { loss: 0.08, accuracy: 0.975 }
 */
export function evaluate(model: Module, data: DataSource, opts: EvaluateOptions = {}): Record<string, number> {
  arg('evaluate', 'model', model, IS_MODULE);
  options<EvaluateOptions>('evaluate', opts, { loss: LOSS, metrics: is.arrayOf(METRIC), batchSize: is.positiveInt });
  return evaluateAs('evaluate', model, data, opts);
}

/** evaluate, naming `op` in its errors (fit's validation passes its own name). */
function evaluateAs(op: string, model: Module, data: DataSource, opts: EvaluateOptions): Record<string, number> {
  const loader = toLoader(data, opts.batchSize ?? 256, false);
  const lossFn = opts.loss ? resolveLoss(opts.loss) : null;
  const metrics = (opts.metrics ?? []).map(resolveMetric);
  const outs = new Collector();
  let lossSum = 0;
  let n = 0;
  withEval(model, () => {
    for (const [x, y] of loader) {
      const out = model.forward(x);
      if (lossFn) lossSum += lossFn(out, y).item() * x.shape[0];
      n += x.shape[0];
      if (metrics.length) outs.push(out, y);
    }
  });
  // A loss of 0 over no samples would read as a perfect model.
  if (n === 0) throw new TsgradError(`${op}: the data holds 0 samples; a loss or metric needs at least one`);
  const result: Record<string, number> = {};
  if (lossFn) result.loss = lossSum / n;
  if (metrics.length && n > 0) {
    const [p, t] = outs.tensors();
    for (const m of metrics) result[m.name] = m.fn(p, t);
  }
  return result;
}

/**
 * The model's outputs for inputs x ([N, ...] tensor or a dataset's first tensors), in batches,
 * in eval mode (dropout off) and without recording the graph.
 * @example const probs = predict(model, xTest).softmax(1);
 */
export function predict(model: Module, x: Tensor | Dataset, opts: { batchSize?: number } = {}): Tensor {
  arg('predict', 'model', model, IS_MODULE);
  arg(
    'predict',
    'x',
    x,
    check('a Tensor or a Dataset', (v) => v instanceof Tensor || typeof (v as Dataset | null)?.get === 'function'),
  );
  options<{ batchSize?: number }>('predict', opts, { batchSize: is.positiveInt });
  const ds = x instanceof Tensor ? new TensorDataset(x) : x;
  const loader = new DataLoader(ds, { batchSize: opts.batchSize ?? 256 });
  const outs = new Collector();
  withEval(model, () => {
    for (const [xb] of loader) outs.push(model.forward(xb));
  });
  return outs.tensors()[0];
}

function withEval<T>(model: Module, fn: () => T): T {
  const was = model.training;
  model.eval();
  try {
    return noGrad(fn);
  } finally {
    model.train(was);
  }
}

/** Accumulates batch tensors (outputs, targets) and joins them along axis 0. */
class Collector {
  private parts: Tensor[][] = [];

  push(...ts: Tensor[]): void {
    this.parts.push(ts.map((t) => new Tensor(t.data(), t.shape)));
  }

  tensors(): Tensor[] {
    if (this.parts.length === 0) throw new TsgradError('fit: no batches to collect');
    return this.parts[0].map((first, j) => {
      const n = this.parts.reduce((a, p) => a + p[j].shape[0], 0);
      const out = newArray(first.dtype, n * (first.size / Math.max(1, first.shape[0])));
      let off = 0;
      for (const p of this.parts) {
        out.set(denseArray(p[j]), off);
        off += p[j].size;
      }
      return new Tensor(out, [n, ...first.shape.slice(1)]);
    });
  }
}

function safeMetric(m: Metric, out: Tensor, y: Tensor): number {
  try {
    return noGrad(() => m.fn(out, y));
  } catch {
    return NaN; // e.g. AUC on a batch holding one class: shown as NaN in the live bar only
  }
}

/**
 * Loss functions by name; crossEntropy also takes soft targets [N, C] (mixup, cutmix, label smoothing by hand).
 * @example resolveLoss('mse')(tensor([[1], [2]]), tensor([1, 4])).item() // 2: targets [N] are matched to [N, 1]
 */
export function resolveLoss(spec: LossSpec): (pred: Tensor, target: Tensor) => Tensor {
  arg('fit', 'loss', spec, LOSS);
  if (typeof spec === 'function') return spec;
  switch (spec) {
    case 'crossEntropy':
      return (p, t) => (t.dtype !== 'int32' && t.ndim === p.ndim ? softCrossEntropy(p, t) : crossEntropy(p, t));
    case 'mse':
      return (p, t) => mseLoss(p, like(t, p));
    case 'l1':
      return (p, t) => l1Loss(p, like(t, p));
    case 'bce':
      return (p, t) => binaryCrossEntropy(p, like(t, p));
    case 'bceWithLogits':
      return (p, t) => bceWithLogits(p, like(t, p));
    default:
      throw new TsgradError(`fit: unknown loss '${String(spec)}' (known: crossEntropy, mse, l1, bce, bceWithLogits, or a function)`);
  }
}

/** Targets [N] against predictions [N, 1]: reshaped to match, so that no broadcast to [N, N] happens. */
function like(t: Tensor, p: Tensor): Tensor {
  return t.size === p.size && t.ndim !== p.ndim ? reshape(t, p.shape) : t;
}

/** Cross-entropy against class probabilities: mean over rows of -Σ_k t_k log softmax(x)_k. */
function softCrossEntropy(logits: Tensor, target: Tensor): Tensor {
  if (logits.shape.some((d, i) => d !== target.shape[i])) {
    throw new TsgradError(`crossEntropy: soft targets ${fmtShape(target.shape)} must match the logits ${fmtShape(logits.shape)}`);
  }
  return mean(neg(sum(mul(logSoftmax(logits, 1), target), { axis: 1 })));
}

function penaltyTerm(model: Module, reg: FitOptions['regularization']): (() => Tensor) | null {
  if (!reg || (reg.l1 === undefined && reg.l2 === undefined)) return null;
  const weights = model.namedParameters().filter(([name]) => !/(^|\.)bias$/.test(name));
  const groups = (spec: PenaltySpec | undefined): Array<[Tensor[], number]> => {
    if (spec === undefined) return [];
    if (typeof spec === 'number') return spec > 0 ? [[weights.map(([, t]) => t), spec]] : [];
    return Object.entries(spec).map(([prefix, lam]) => {
      const ps = weights.filter(([name]) => name === prefix || name.startsWith(`${prefix}.`)).map(([, t]) => t);
      if (ps.length === 0)
        throw new TsgradError(
          `fit: regularization names '${prefix}', but no weight matches it (weights: ${weights.map(([n]) => n).join(', ')})`,
        );
      return [ps, lam] as [Tensor[], number];
    });
  };
  const terms: Array<() => Tensor> = [
    ...groups(reg.l1).map(
      ([ps, lam]) =>
        () =>
          l1Penalty(ps, lam),
    ),
    ...groups(reg.l2).map(
      ([ps, lam]) =>
        () =>
          l2Penalty(ps, lam),
    ),
  ];
  if (terms.length === 0) return null;
  return () => terms.map((t) => t()).reduce((a, b) => add(a, b));
}

function prepareData(opts: FitOptions, batchSize: number): { trainLoader: DataLoader; validation?: DataSource } {
  const shuffle = opts.shuffle ?? true;
  if (opts.validationSplit !== undefined) {
    if (opts.validation) throw new TsgradError('fit: pass either validation or validationSplit, not both');
    const f = opts.validationSplit;
    if (!(f > 0 && f < 1)) throw new TsgradError(`fit: validationSplit must be in (0, 1), got ${f}`);
    if (opts.train instanceof DataLoader) throw new TsgradError('fit: validationSplit needs a dataset or tensors, not a DataLoader');
    const ds = toDataset(opts.train);
    const n = ds.length;
    const nVal = Math.round(n * f);
    if (nVal === 0 || nVal === n) {
      throw new TsgradError(
        `fit: validationSplit ${f} of ${n} samples leaves ${nVal === 0 ? '0 validation' : '0 training'} samples; ` +
          `${nVal === 0 ? 'use a larger fraction, more data, or no validation' : 'use a smaller fraction'}`,
      );
    }
    const range = (a: number, b: number): Int32Array => Int32Array.from({ length: b - a }, (_, i) => a + i);
    return {
      trainLoader: new DataLoader(new Subset(ds, range(0, n - nVal)), { batchSize, shuffle }),
      validation: new Subset(ds, range(n - nVal, n)),
    };
  }
  return { trainLoader: toLoader(opts.train, batchSize, shuffle), validation: opts.validation };
}

function toDataset(data: Exclude<DataSource, DataLoader>): Dataset {
  if (Array.isArray(data)) return new TensorDataset(...data);
  if (data instanceof Tensor) return new TensorDataset(data);
  if ('x' in data && data.x instanceof Tensor) return new TensorDataset(data.x, (data as { y: Tensor }).y);
  return data as Dataset;
}

function toLoader(data: DataSource, batchSize: number, shuffle: boolean): DataLoader {
  if (data instanceof DataLoader) return data;
  return new DataLoader(toDataset(data), { batchSize, shuffle });
}

const IS_MODULE = is.instance(ModuleClass, 'Module');
const LOSS = is.anyOf(is.oneOf(['crossEntropy', 'mse', 'l1', 'bce', 'bceWithLogits']), is.function);
const METRIC = check('a metric name or { name, fn }', (v) => typeof v === 'string' || (typeof v === 'object' && v !== null && 'fn' in v));
const DATA = check('a Dataset, a DataLoader, tensors [x, y] or { x, y }', (v) => typeof v === 'object' && v !== null);

/** fit's options and what each accepts. */
const FIT_SPEC: Spec<FitOptions> = {
  train: DATA,
  validation: DATA,
  validationSplit: is.number,
  epochs: is.positiveInt,
  initialEpoch: is.nonNegativeInt,
  batchSize: is.positiveInt,
  shuffle: is.bool,
  optimizer: is.instance(Optimizer),
  loss: LOSS,
  metrics: is.arrayOf(METRIC),
  callbacks: is.arrayOf(check('a callback object', (v) => typeof v === 'object' && v !== null)),
  verbose: is.oneOf([0, 1, 2]),
  regularization: check('{ l1?, l2? }', (v) => typeof v === 'object' && v !== null),
  augment: is.function,
  stream: is.any,
  accumulateSteps: is.any,
  clipGradNorm: is.nonNegative,
  clipGradValue: is.nonNegative,
};
