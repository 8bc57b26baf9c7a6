/**
 * tsgrad's side of the time-to-accuracy case: `node dist/bench/tta.js '<TtaConfig json>'`.
 * Trains nn.models.fastMnistCnn by the fast recipe of `tsgrad train mnist` (mnistRecipe), on
 * all 60,000 training images; the clock runs over training only: at each check (see
 * TtaConfig.checksPerEpoch) it stops, the 10,000 test images are scored, and the run ends at the
 * first check at or above the target. Prints `@@tta <TtaResult json>` per seed. bench/torch_tta.py is the same in PyTorch.
 */
import * as tg from '../src/index.js';
import type { Callback } from '../src/train/callbacks.js';
import { checkSteps, TTA_TAG, type TtaConfig, type TtaResult } from './tta-spec.js';

const cfg = JSON.parse(process.argv[2] ?? '{}') as TtaConfig;
await tg.ready();

function run(seed: number): TtaResult {
  tg.manualSeed(seed);
  const data = tg.datasets.mnist({ dir: cfg.dataDir });
  const model = tg.nn.models.fastMnistCnn();
  const setup = tg.mnistRecipe(model, {
    recipe: 'fast',
    model: 'fast',
    epochs: cfg.epochs,
    batchSize: cfg.batchSize,
    trainSize: data.train.length,
  });
  const checks: number[] = [];
  const steps = Math.ceil(data.train.length / cfg.batchSize);
  const at = new Set(checkSteps(steps, cfg.checksPerEpoch));
  let trained = 0;
  let start = 0;
  let done = 0;
  let step = 0;
  const clock: Callback = {
    onEpochBegin: () => {
      step = 0;
      start = performance.now();
    },
    onBatchEnd: (_step, logs, ctx) => {
      if (!at.has(++step)) return;
      trained += (performance.now() - start) / 1000;
      done = logs.epoch + step / steps;
      const acc = tg.evaluate(model, data.test, { loss: 'crossEntropy', metrics: ['accuracy'], batchSize: 500 }).accuracy;
      checks.push(acc);
      if (acc >= cfg.target) ctx.stopTraining = true;
      start = performance.now();
    },
  };
  tg.fit(model, {
    train: data.train,
    epochs: cfg.epochs,
    batchSize: cfg.batchSize,
    optimizer: setup.optimizer,
    loss: setup.loss,
    augment: setup.augment,
    callbacks: [...setup.callbacks, clock],
    verbose: 0,
  });
  const reached = checks[checks.length - 1] >= cfg.target;
  return { seed, seconds: reached ? trained : null, trainSeconds: trained, epochs: done, testAccuracy: checks, reached };
}

for (const seed of cfg.seeds) process.stdout.write(`${TTA_TAG}${JSON.stringify(run(seed))}\n`);
