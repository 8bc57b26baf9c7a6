/**
 * Time-based measurement: warm-up steps are run and discarded, then steps are run until
 * the time budget is spent, so a case costs about the same wall time whatever the
 * framework's speed. The figure uses the median step, which a burst of other work on the
 * machine moves less than the mean; the mean is kept beside it.
 */
import { emit } from './protocol.js';
import type { ChildConfig } from './spec.js';

export interface Timed {
  iters: number;
  /** Seconds of the timed phase (warm-up excluded). */
  seconds: number;
  /** Median seconds of one step. */
  median: number;
}

const now = (): number => performance.now() / 1000;

/**
 * Runs `step` for warm-up then for `cfg.seconds`; reports warm-up progress so a timeout can be
 * bounded. `onTimed` runs between the two phases (e.g. to reset counters).
 */
export function measure(name: string, cfg: ChildConfig, step: () => void, onTimed?: () => void): Timed {
  const w0 = now();
  let warm = 0;
  let last: number;
  do {
    const s = now();
    step();
    last = now() - s;
    warm++;
  } while (warm < cfg.warmupMax && now() - w0 < cfg.warmupSeconds);
  emit({ kind: 'warm', case: name, seconds: now() - w0, stepSeconds: last });
  onTimed?.();
  // A step longer than the budget is timed once: one step is enough to show its order.
  const times: number[] = [];
  const t0 = now();
  let prev = t0;
  do {
    step();
    const t = now();
    times.push(t - prev);
    prev = t;
  } while (prev - t0 < cfg.seconds);
  return { iters: times.length, seconds: prev - t0, median: median(times) };
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A case's figure from `work` per step (GFLOP or images): by the median step, and by the mean. */
export function rate(work: number, t: Timed): { value: number; mean: number } {
  return { value: work / t.median, mean: (work * t.iters) / t.seconds };
}

/** GFLOP of one n×n×n product. */
export const gflop = (n: number): number => (2 * n ** 3) / 1e9;
