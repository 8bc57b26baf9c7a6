// The fast MNIST recipe's training step as `fit` runs it (`tsgrad train mnist`: fastMnistCnn,
// one-cycle Adam, label smoothing, randomAffine, batch 128, all 60,000 images), timed from step
// 21 on by a callback, with V8's garbage collections over the same steps (perf_hooks 'gc'
// entries): what the heap flag of the tsgrad command (src/cli/heap-flags.ts) changes.
// Run: npm run build && node [--initial-old-space-size=64] dist/bench/fit-step.js [steps]
import { PerformanceObserver } from 'node:perf_hooks';
import * as tg from '../src/index.js';
import { median } from './timing.js';

const steps = Number(process.argv[2] ?? 300);
if (!(steps >= 10 && steps <= 440))
  throw new Error(`bench/fit-step: steps must be 10..440 (one epoch, after 20 warm-up steps), got ${process.argv[2]}`);
await tg.ready();
tg.manualSeed(0);
const data = tg.datasets.mnist({});
const model = tg.nn.models.fastMnistCnn();
const setup = tg.mnistRecipe(model, { recipe: 'fast', model: 'fast', epochs: 4, batchSize: 128, trainSize: data.train.length });

const gcs: Array<{ at: number; ms: number; major: boolean }> = [];
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as { detail?: { kind?: number } }).detail?.kind;
    // NODE_PERFORMANCE_GC_MAJOR = 4 (a mark-compact).
    gcs.push({ at: e.startTime, ms: e.duration, major: kind === 4 });
  }
});
observer.observe({ entryTypes: ['gc'] });

const marks: number[] = [];
let done = 0;
tg.fit(model, {
  train: data.train,
  epochs: 1,
  batchSize: 128,
  optimizer: setup.optimizer,
  loss: setup.loss,
  augment: setup.augment,
  callbacks: [
    ...setup.callbacks,
    {
      onBatchEnd: (_step, _logs, ctx) => {
        if (++done >= 20) marks.push(performance.now());
        if (done === 20 + steps) ctx.stopTraining = true;
      },
    },
  ],
  verbose: 0,
});
// The observer's entries arrive when the event loop turns.
await new Promise((r) => setTimeout(r, 50));
observer.disconnect();

const [t0, t1] = [marks[0], marks[marks.length - 1]];
const within = gcs.filter((g) => g.at >= t0 && g.at < t1);
const perStep = marks.slice(1).map((t, i) => t - marks[i]);
const sorted = [...perStep].sort((a, b) => a - b);
const heapFlag = process.execArgv.find((a) => a.startsWith('--initial-old-space-size')) ?? 'no heap flag';
console.log(
  `fit step (${heapFlag}, ${steps} steps): mean ${((t1 - t0) / steps).toFixed(2)} ms, median ${median(perStep).toFixed(2)}, ` +
    `90th percentile ${sorted[Math.floor(0.9 * sorted.length)].toFixed(2)}; garbage collection ` +
    `${(within.reduce((s, g) => s + g.ms, 0) / steps).toFixed(2)} ms a step, ${within.filter((g) => g.major).length} mark-compacts, ` +
    `${within.length} collections in all`,
);
