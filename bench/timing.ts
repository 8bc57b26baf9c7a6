/**
 * Time-based measurement: warm-up steps are run and discarded, then steps are
 * run until the time budget is spent, so a case costs about the same wall time
 * whatever the framework's speed.
 */
import { emit } from './protocol.js';
import type { ChildConfig } from './spec.js';

export interface Timed {
  iters: number;
  seconds: number;
}

const now = (): number => performance.now() / 1000;

/**
 * Runs `step` for warm-up then for `cfg.seconds`; reports warm-up progress so a timeout can be
 * bounded. `onTimed` runs between the two phases (e.g. to reset counters).
 */
export function measure(name: string, cfg: ChildConfig, step: () => void, onTimed?: () => void): Timed {
  const w0 = now();
  let warm = 0;
  let last = 0;
  do {
    const s = now();
    step();
    last = now() - s;
    warm++;
  } while (warm < cfg.warmupMax && now() - w0 < cfg.warmupSeconds);
  emit({ kind: 'warm', case: name, seconds: now() - w0, stepSeconds: last });
  // A step longer than the budget is timed once: one step is enough to show its order.
  onTimed?.();
  const t0 = now();
  let iters = 0;
  do {
    step();
    iters++;
  } while (now() - t0 < cfg.seconds);
  return { iters, seconds: now() - t0 };
}

/** GFLOP/s of `iters` n×n×n products in `seconds`. */
export function gflops(n: number, t: Timed): number {
  return (2 * n ** 3 * t.iters) / t.seconds / 1e9;
}

export function perSecond(batch: number, t: Timed): number {
  return (batch * t.iters) / t.seconds;
}
