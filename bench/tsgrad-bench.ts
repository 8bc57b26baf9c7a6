/**
 * tsgrad: `node --expose-gc dist/bench/tsgrad-bench.js '<ChildConfig>'` with variant 'wasm'
 * (the default backend, all cores) or 'ref'. Besides the shared cases it runs, on wasm,
 * the copy-share measurement (inside cnn-train), the 'leak-check' case, and 'cnn-profile' and
 * 'fast-cnn-profile' (time and copies per kernel in a training step of the Keras CNN and of the
 * fast recipe's convnet).
 */
import * as tg from '../src/index.js';
import { getRuntime } from '../src/kernels/wasm/binding.js';
import { resetWasmStats, simdPeak, wasmLoadError, wasmStats } from '../src/kernels/wasm/index.js';
import { profileKernels } from './profile.js';
import { emit, readConfig, runCases } from './protocol.js';
import { BATCH, LR, NCF_SIZES, SGEMM_SIZES, unitOf, type CaseResult, type ChildConfig } from './spec.js';
import { gflop, measure, median, rate } from './timing.js';

const { nn, optim } = tg;
const cfg: ChildConfig = readConfig();
/** cnn-train's images/s, which sizes the leak check. */
let cnnTrainRate = 0;

function init(): void {
  tg.manualSeed(0);
  try {
    tg.setBackend(cfg.variant as 'wasm' | 'ref');
  } catch (e) {
    emit({ kind: 'info', info: { framework: `tsgrad-${cfg.variant}`, error: String(e), wasmLoadError: wasmLoadError() } });
    throw e;
  }
  emit({ kind: 'info', info: { framework: `tsgrad-${cfg.variant}`, backend: tg.getBackend(), threads: tg.getNumThreads() } });
}

function sgemm(n: number): CaseResult {
  const a = tg.rand([n, n]);
  const b = tg.rand([n, n]);
  const t = measure(`sgemm-${n}`, cfg, () => void tg.matmul(a, b));
  return { case: `sgemm-${n}`, ...rate(gflop(n), t), unit: unitOf(`sgemm-${n}`), iters: t.iters, seconds: t.seconds };
}

const mlp = () =>
  new nn.Sequential(
    new nn.Linear({ inFeatures: 784, outFeatures: 512 }),
    new nn.ReLU(),
    new nn.Linear({ inFeatures: 512, outFeatures: 256 }),
    new nn.ReLU(),
    new nn.Linear({ inFeatures: 256, outFeatures: 10 }),
  );

/** Random one-hot sequences [b, 4, 200]. */
const dnaBatch = (b: number) =>
  tg
    .oneHot(tg.randint(0, 4, [b, 200]), 4)
    .permute([0, 2, 1])
    .contiguous();

type Loss = (out: tg.Tensor, y: tg.Tensor) => tg.Tensor;
type Model = tg.nn.Module & { forward(x: tg.Tensor): tg.Tensor };

function trainStep(model: Model, x: tg.Tensor, y: tg.Tensor, loss: Loss): () => void {
  model.train();
  const opt = new optim.Adam(model.parameters(), { lr: LR });
  return () => {
    opt.zeroGrad();
    const l = loss(model.forward(x), y);
    l.backward();
    opt.step();
    l.item();
  };
}

function train(name: string, model: Model, x: tg.Tensor, y: tg.Tensor, loss: Loss): CaseResult {
  const step = trainStep(model, x, y, loss);
  // The wasm copy counters are reset when the timed phase starts, so warm-up copies do not count.
  const t = measure(name, cfg, step, resetWasmStats);
  const result = { case: name, ...rate(x.shape[0], t), unit: 'images/s', iters: t.iters, seconds: t.seconds };
  if (name === 'cnn-train') {
    cnnTrainRate = result.value;
    if (cfg.variant === 'wasm') copyShare(t.seconds, t.iters, wasmStats());
  }
  return result;
}

function copyShare(seconds: number, iters: number, { copyMs, copyBytes }: { copyMs: number; copyBytes: number }): void {
  emit({
    kind: 'extra',
    name: 'copy-share',
    data: {
      share: copyMs / 1000 / seconds,
      stepMs: (seconds * 1000) / iters,
      copyMsPerStep: copyMs / iters,
      copyMBPerStep: copyBytes / iters / 1e6,
      copyGBps: copyBytes / 1e9 / (copyMs / 1000),
      source: 'wasmStats() counters of src/kernels/wasm (time spent in copyIn/copyOut and the partial-sum read-out)',
    },
  });
}

function ceiling(name: string): CaseResult {
  const oneThread = simdPeak(1);
  const allThreads = simdPeak(tg.getNumThreads());
  emit({ kind: 'extra', name, data: { oneThread, allThreads, threads: tg.getNumThreads(), fma: getRuntime()?.fma ?? false } });
  return { case: name, value: allThreads, unit: 'GFLOP/s (ceiling)', iters: 3, seconds: 0 };
}

const crossEntropy: Loss = (out, y) => nn.crossEntropy(out, y);
const bce: Loss = (out, y) => nn.bceWithLogits(out, y);
const labels10 = (b: number) => tg.randint(0, 10, [b]);

const table: Record<string, (name: string) => CaseResult | { cannot: string }> = {
  ...Object.fromEntries(SGEMM_SIZES.map((n) => [`sgemm-${n}`, () => sgemm(n)])),
  'mlp-train': (name) => train(name, mlp(), tg.rand([BATCH.train, 784]), labels10(BATCH.train), crossEntropy),
  'cnn-train': (name) => train(name, nn.models.kerasMnistCnn(), tg.rand([BATCH.train, 1, 28, 28]), labels10(BATCH.train), crossEntropy),
  'dna-train': (name) =>
    train(name, nn.models.dnaCnn(), dnaBatch(BATCH.train), tg.randint(0, 2, [BATCH.train, 1], { dtype: 'float32' }), bce),
  'ncf-train': (name) => {
    // NeuMF on MovieLens 1M's table sizes: random (user, item) pairs and labels; one Adam step per batch.
    const b = BATCH.ncf;
    const pairs = new Int32Array(2 * b);
    for (let i = 0; i < b; i++) [pairs[2 * i], pairs[2 * i + 1]] = [tg.rng.int(0, NCF_SIZES.users), tg.rng.int(0, NCF_SIZES.items)];
    const model = new nn.models.NeuMF(NCF_SIZES);
    const r = train(name, model, new tg.Tensor(pairs, [b, 2]), tg.randint(0, 2, [b, 1], { dtype: 'float32' }), bce);
    return { ...r, unit: unitOf(name) };
  },
  // The upsampling layers of the image tasks: a decoder from 7×7 to 56×56, and the segmentation U-Net.
  'upsample-train': (name) =>
    train(
      name,
      new nn.Sequential(
        new nn.ConvTranspose2d({ inChannels: 32, outChannels: 16, kernelSize: 2, stride: 2 }),
        new nn.ReLU(),
        new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }),
        new nn.Conv2d({ inChannels: 16, outChannels: 16, kernelSize: 3, padding: 1 }),
        new nn.ReLU(),
        new nn.Conv2d({ inChannels: 16, outChannels: 16, kernelSize: 3, padding: 1 }),
        new nn.PixelShuffle({ upscaleFactor: 2 }),
      ),
      tg.rand([BATCH.upsample, 32, 7, 7]),
      tg.rand([BATCH.upsample, 4, 56, 56]),
      (out, y) => nn.mseLoss(out, y),
    ),
  'unet-train': (name) =>
    train(
      name,
      new nn.models.UNet({ classes: 11 }),
      tg.rand([BATCH.unet, 1, 48, 48]),
      tg.randint(0, 11, [BATCH.unet, 48, 48]),
      crossEntropy,
    ),
  'cnn-infer': (name) => {
    const model = nn.models.kerasMnistCnn();
    model.eval();
    const x = tg.rand([BATCH.infer, 1, 28, 28]);
    const t = measure(name, cfg, () => tg.noGrad(() => void model.forward(x)));
    return { case: name, ...rate(BATCH.infer, t), unit: 'images/s', iters: t.iters, seconds: t.seconds };
  },
  'leak-check': leakCheck,
  // The scale of the sgemm figures: this engine's f32x4 multiply-add ceiling on this machine,
  // before the sgemm cases and again after them (a drop shows that the cores were shared).
  'simd-peak': ceiling,
  'simd-peak-after': ceiling,
  'cnn-profile': (name) => profile(name, nn.models.kerasMnistCnn(), crossEntropy),
  // The fast recipe's step (tsgrad train mnist, the time-to-accuracy case): its network and loss.
  'fast-cnn-profile': (name) => profile(name, nn.models.fastMnistCnn(), (out, y) => nn.crossEntropy(out, y, { labelSmoothing: 0.1 })),
};

/** Time and heap copies per kernel in a training step of `model` at batch 128 (an extra of the run). */
function profile(name: string, model: Model, loss: Loss): CaseResult {
  const step = trainStep(model, tg.rand([BATCH.train, 1, 28, 28]), labels10(BATCH.train), loss);
  // Warm: the first steps of a process pay for compiling and for first-touched memory.
  for (let i = 0; i < (cfg.quick ? 1 : 5); i++) step();
  const steps = cfg.quick ? 2 : 10;
  const p = profileKernels(step, steps);
  emit({ kind: 'extra', name, data: p });
  return { case: name, value: p.totalMs, unit: 'ms/step (profiled)', iters: steps, seconds: (p.totalMs * steps) / 1000 };
}

/**
 * Resident memory at step 10 and at step 200 (40 in --quick) of CNN training. No single
 * reading is a level: with live memory flat (V8 heap and array buffers constant after gc()),
 * RSS after gc() is the live memory plus the freed memory glibc still holds at the top of its
 * brk heap, which it returns only once that exceeds its trim threshold (64 MiB since
 * keep-freed-memory.ts; [heap] measured 37-87 MB before it). Readings jump by up to that much
 * between steps and stay high or low for tens of steps: in three runs, the medians of ten
 * readings at steps 10-19 and 191-200 differed by -14.9%, +4.3% and +3.8%, and the highest
 * readings by +1.2%, +2.3% and -13.6%. So RSS is read after gc() at every step from 10 on and
 * the levels at step 10 and at the last step are those of the least-squares line through all
 * the readings: a leak is a slope, the trim noise averages out. The windows' medians and the
 * single readings at step 10 and at the last step are reported beside it. The batch is 128 when
 * the steps fit the budget at cnn-train's speed, else 64 or 32.
 */
function leakCheck(name: string): CaseResult {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const budget = cfg.extrasBudget ?? 60;
  const rate = cnnTrainRate || 100;
  const steps = cfg.quick ? 40 : 200;
  const first = 10;
  // gc() after every step costs about as much as a step of batch 32: budget for twice the steps.
  const batch = [128, 64, 32].find((b) => (2 * steps * b) / rate <= budget) ?? 32;
  const step = trainStep(nn.models.kerasMnistCnn(), tg.rand([batch, 1, 28, 28]), labels10(batch), crossEntropy);
  const mb = (bytes: number): number => Math.round(bytes / 2 ** 20);
  const readings: number[] = [];
  const t0 = performance.now();
  for (let i = 1; i <= steps; i++) {
    step();
    if (i < first) continue;
    gc();
    readings.push(process.memoryUsage().rss);
  }
  const seconds = (performance.now() - t0) / 1000;
  // Least squares over (step, rss) for steps first..steps.
  const xs = readings.map((_, j) => first + j);
  const mx = xs.reduce((p, q) => p + q, 0) / xs.length;
  const my = readings.reduce((p, q) => p + q, 0) / readings.length;
  const slope = xs.reduce((p, x, j) => p + (x - mx) * (readings[j] - my), 0) / xs.reduce((p, x) => p + (x - mx) ** 2, 0);
  const [start, end] = [my + slope * (first - mx), my + slope * (steps - mx)];
  const growth = (end - start) / start;
  const [early, late] = [readings.slice(0, 10), readings.slice(-10)];
  emit({
    kind: 'extra',
    name: 'leak-check',
    data: {
      batch,
      steps,
      seconds,
      rssStartMB: mb(start),
      rssEndMB: mb(end),
      growth,
      medianGrowth: (median(late) - median(early)) / median(early),
      singleReadingGrowth: (late[late.length - 1] - early[0]) / early[0],
      minMB: mb(Math.min(...readings)),
      maxMB: mb(Math.max(...readings)),
      earlyMB: early.map(mb),
      lateMB: late.map(mb),
      everyTenthMB: readings.filter((_, j) => j % 10 === 0).map(mb),
      gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
    },
  });
  return { case: name, value: growth * 100, unit: '% RSS growth', iters: steps, seconds, note: `batch ${batch}` };
}

init();
await runCases(cfg, table);
