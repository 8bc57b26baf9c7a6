/**
 * The callbacks that write files (checkpoints, a CSV log): Node only, kept apart from
 * callbacks.ts so that fit() and the other callbacks also run in a browser (tsgrad/browser).
 */
import { is, options, options as checkOptions } from '../util/args.js';
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-write.js';
import { save } from '../io/save.js';
import { direction, monitored, type Callback, type MonitorOptions, type TrainContext } from './callbacks.js';

export interface ModelCheckpointOptions extends MonitorOptions {
  /** Directory to save into; `{epoch}` is replaced by the 1-based epoch number. */
  dir: string;
  /** Save only when the monitored result improves (default false: every epoch). */
  saveBestOnly?: boolean;
  /** Include the optimizer state and random-generator state for exact resume (default true). */
  saveOptimizer?: boolean;
}

/**
 * Saves the model after each epoch (or only the best), with the optimizer's
 * state so that loadCheckpoint + fit({ initialEpoch }) resumes exactly. Keras's ModelCheckpoint.
 * @example fit(model, { ..., callbacks: [new ModelCheckpoint({ dir: 'runs/epoch-{epoch}', saveBestOnly: true })] })
 */
export class ModelCheckpoint implements Callback {
  readonly options: Required<ModelCheckpointOptions>;
  best = NaN;

  constructor(opts: ModelCheckpointOptions) {
    options<ModelCheckpointOptions>(
      'ModelCheckpoint',
      opts,
      {
        dir: is.string,
        monitor: is.string,
        saveBestOnly: is.bool,
        mode: is.oneOf(['auto', 'min', 'max']),
        saveOptimizer: is.bool,
      },
      ['dir'],
    );
    this.options = { monitor: 'val_loss', saveBestOnly: false, mode: 'auto', saveOptimizer: true, ...opts };
  }

  onEpochEnd(epoch: number, logs: Record<string, number>, ctx: TrainContext): void {
    const { dir, monitor, saveBestOnly, mode, saveOptimizer } = this.options;
    if (saveBestOnly) {
      const v = monitored(monitor, logs, 'ModelCheckpoint');
      const dirn = direction(monitor, mode);
      if (!(Number.isNaN(this.best) || (dirn === 'min' ? v < this.best : v > this.best))) return;
      this.best = v;
    }
    save(ctx.model, dir.replace('{epoch}', String(epoch + 1)), {
      optimizer: saveOptimizer ? ctx.optimizer : undefined,
      epoch: epoch + 1,
      history: ctx.history.toJSON(),
    });
  }
}

/**
 * Writes each epoch's results to a CSV file (header on the first line). The whole file is
 * rewritten atomically at every epoch, so that a run killed at any moment leaves a complete
 * file; with `append`, the lines of an earlier file are kept before the new ones. Keras's CSVLogger.
 * @example fit(model, { ..., callbacks: [new CsvLogger({ path: 'runs/log.csv' })] }) // epoch,loss,val_loss,...
 */
export class CsvLogger implements Callback {
  private keys: string[] | null = null;
  private text = '';

  constructor(readonly options: { path: string; separator?: string; append?: boolean }) {
    checkOptions<{ path: string; separator?: string; append?: boolean }>(
      'CsvLogger',
      options,
      {
        path: is.string,
        separator: is.string,
        append: is.bool,
      },
      ['path'],
    );
  }

  onTrainBegin(): void {
    this.keys = null;
    const { path, append } = this.options;
    this.text = append && existsSync(path) ? readFileSync(path, 'utf8') : '';
    writeFileAtomic(path, this.text);
  }

  onEpochEnd(epoch: number, logs: Record<string, number>): void {
    const sep = this.options.separator ?? ',';
    if (!this.keys) {
      this.keys = Object.keys(logs);
      if (!this.text) this.text = ['epoch', ...this.keys].join(sep) + '\n';
    }
    this.text += [epoch, ...this.keys.map((k) => logs[k])].join(sep) + '\n';
    writeFileAtomic(this.options.path, this.text);
  }
}
