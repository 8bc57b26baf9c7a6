import { is, options } from '../util/args.js';
/**
 * Training progress output. On a terminal: one live line per epoch, redrawn
 * in place with \r, showing step/total, a bar, ETA, loss, metrics and
 * samples/s. Elsewhere (a pipe, a log file, CI) one plain line per epoch.
 * Silent with verbose 0.
 */

/** Where progress goes: process.stdout by default (the console in a browser), a fake in tests. */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** 0 silent, 1 live bar on a terminal (plain lines otherwise), 2 one line per epoch. */
  verbose?: 0 | 1 | 2;
  stream?: ProgressStream;
  /** Minimum milliseconds between redraws of the live bar (default 100). */
  interval?: number;
}

/**
 * process.stdout in Node; elsewhere (a browser) a stream that hands each finished line to
 * console.log, since a console has no \r to redraw a live bar with.
 */
function defaultStream(): ProgressStream {
  const stdout = (globalThis as { process?: { stdout?: ProgressStream } }).process?.stdout;
  if (stdout) return stdout;
  let line = '';
  return {
    write(s: string): void {
      const parts = (line + s).split('\n');
      line = parts.pop() ?? '';
      for (const l of parts) console.log(l);
    },
  };
}

/**
 * fit()'s progress output, Keras style: with verbose 1 on a terminal a live bar per epoch, else one
 * line per epoch; nothing with verbose 0. A hand-written training loop can use it the same way.
 * @example
 * const bar = new Progress({ verbose: 2 });
 * bar.epochBegin(0, 10);
 * bar.epochEnd({ loss: 0.28, val_loss: 0.3 }, 60000); // Epoch 1/10 - 4.2s - loss: 0.2800 - val_loss: 0.3000 - ...
 */
export class Progress {
  private readonly verbose: 0 | 1 | 2;
  private readonly stream: ProgressStream;
  private readonly live: boolean;
  private readonly interval: number;
  private epochStart = 0;
  private lastDraw = 0;
  private label = '';

  constructor(opts: ProgressOptions = {}) {
    options<ProgressOptions>('Progress', opts, { verbose: is.oneOf([0, 1, 2]), stream: is.any, interval: is.nonNegative });
    this.verbose = opts.verbose ?? 1;
    this.stream = opts.stream ?? defaultStream();
    this.live = this.verbose === 1 && this.stream.isTTY === true;
    this.interval = opts.interval ?? 100;
  }

  /** Whether a live bar is drawn (verbose 1 on a terminal). */
  get isLive(): boolean {
    return this.live;
  }

  /** Starts an epoch (1-based in the display). */
  epochBegin(epoch: number, epochs: number): void {
    this.epochStart = performance.now();
    this.lastDraw = 0;
    this.label = `Epoch ${epoch + 1}/${epochs}`;
  }

  /** After each step: redraws the live bar (throttled; always on the last step). */
  step(step: number, total: number, samples: number, logs: Record<string, number>): void {
    if (!this.live) return;
    const now = performance.now();
    if (step < total && now - this.lastDraw < this.interval) return;
    this.lastDraw = now;
    const elapsed = (now - this.epochStart) / 1000;
    const eta = step > 0 ? (elapsed / step) * (total - step) : 0;
    const width = 24;
    const done = Math.round((width * step) / total);
    const bar = '='.repeat(Math.max(0, done - 1)) + (done > 0 ? (step < total ? '>' : '=') : '') + '.'.repeat(width - done);
    const rate = elapsed > 0 ? samples / elapsed : 0;
    const line = `${this.label} ${String(step).padStart(String(total).length)}/${total} [${bar}] ETA ${fmtTime(eta)}${fmtLogs(logs)} - ${Math.round(rate)} samples/s`;
    const cols = this.stream.columns ?? 120;
    this.stream.write(`\r${line.slice(0, cols - 1).padEnd(Math.min(cols - 1, line.length))}\x1b[K`);
  }

  /** Ends an epoch: the finished line with the epoch's time, training and validation results. */
  epochEnd(logs: Record<string, number>, samples: number): void {
    if (this.verbose === 0) return;
    const secs = (performance.now() - this.epochStart) / 1000;
    const rate = secs > 0 ? Math.round(samples / secs) : 0;
    const line = `${this.label} - ${secs.toFixed(1)}s${fmtLogs(logs)} - ${rate} samples/s`;
    this.stream.write(this.live ? `\r${line}\x1b[K\n` : `${line}\n`);
  }

  /** A message on its own line (early stopping, NaN), below any live bar. */
  message(text: string): void {
    if (this.verbose === 0) return;
    this.stream.write(`${this.live ? '\n' : ''}${text}\n`);
  }
}

function fmtLogs(logs: Record<string, number>): string {
  return Object.entries(logs)
    .map(([k, v]) => ` - ${k}: ${Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(2)}`)
    .join('');
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
