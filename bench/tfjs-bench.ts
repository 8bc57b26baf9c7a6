/**
 * TF.js peer: `node dist/bench/tfjs-bench.js '<ChildConfig>'` with variant
 * 'cpu' or 'wasm'. One backend per process, so neither's global state touches
 * the other.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as tfw from '@tensorflow/tfjs-backend-wasm';
import { emit, readConfig, runCases } from './protocol.js';
import { BATCH, LR, SGEMM_SIZES, unitOf, type CaseResult, type ChildConfig } from './spec.js';
import { gflop, measure, rate } from './timing.js';
import { dnaCnn, kerasMnistCnn, mlp, registerWasmConvFilterGrad } from './tfjs-models.js';

const cfg: ChildConfig = readConfig();

async function init(): Promise<void> {
  if (cfg.variant === 'wasm') {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    tfw.setWasmPaths(path.join(dir, 'dist') + path.sep);
    registerWasmConvFilterGrad();
  }
  const ok = await tf.setBackend(cfg.variant);
  if (!ok) throw new Error(`tfjs: backend ${cfg.variant} failed to initialise`);
  await tf.ready();
  const info: Record<string, unknown> = { framework: `tfjs-${cfg.variant}`, version: tf.version.tfjs, backend: tf.getBackend() };
  if (cfg.variant === 'wasm') {
    info.threads = tfw.getThreadsCount();
    info.simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    info.multithread = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    info.note = 'Conv2DBackpropFilter built from wasm Conv2D + Transpose (bench/tfjs-models.ts)';
  }
  emit({ kind: 'info', info });
}

function sgemm(n: number): CaseResult {
  const a = tf.randomUniform([n, n]);
  const b = tf.randomUniform([n, n]);
  const t = measure(`sgemm-${n}`, cfg, () => {
    const c = tf.matMul(a, b);
    c.dataSync(); // forces the product on every backend
    c.dispose();
  });
  tf.dispose([a, b]);
  return { case: `sgemm-${n}`, ...rate(gflop(n), t), unit: unitOf(`sgemm-${n}`), iters: t.iters, seconds: t.seconds };
}

/** Random one-hot sequences [b, 200, 4]. */
function oneHotDna(b: number): tf.Tensor {
  return tf.tidy(() => tf.oneHot(tf.randomUniform([b, 200], 0, 4, 'int32'), 4).toFloat());
}

function train(name: string, model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, loss: 'softmax' | 'bce'): CaseResult {
  const opt = tf.train.adam(LR);
  const step = () => {
    const l = opt.minimize(() => {
      const out = model.apply(x, { training: true }) as tf.Tensor;
      return loss === 'softmax' ? tf.losses.softmaxCrossEntropy(y, out) : tf.losses.sigmoidCrossEntropy(y, out);
    }, true);
    l?.dataSync();
    l?.dispose();
  };
  const t = measure(name, cfg, step);
  tf.dispose([x, y]);
  model.dispose();
  opt.dispose();
  return { case: name, ...rate(x.shape[0], t), unit: 'images/s', iters: t.iters, seconds: t.seconds };
}

const labels10 = (b: number) => tf.tidy(() => tf.oneHot(tf.randomUniform([b], 0, 10, 'int32'), 10).toFloat());

const table: Record<string, (name: string) => CaseResult> = {
  ...Object.fromEntries(SGEMM_SIZES.map((n) => [`sgemm-${n}`, () => sgemm(n)])),
  'mlp-train': (name) => train(name, mlp(), tf.randomUniform([BATCH.train, 784]), labels10(BATCH.train), 'softmax'),
  'cnn-train': (name) => train(name, kerasMnistCnn(), tf.randomUniform([BATCH.train, 28, 28, 1]), labels10(BATCH.train), 'softmax'),
  'dna-train': (name) => train(name, dnaCnn(), oneHotDna(BATCH.train), tf.randomUniform([BATCH.train, 1]).round(), 'bce'),
  'cnn-infer': (name) => {
    const model = kerasMnistCnn();
    const x = tf.randomUniform([BATCH.infer, 28, 28, 1]);
    const t = measure(name, cfg, () => {
      const y = tf.tidy(() => model.apply(x, { training: false }) as tf.Tensor);
      y.dataSync();
      y.dispose();
    });
    x.dispose();
    model.dispose();
    return { case: name, ...rate(BATCH.infer, t), unit: 'images/s', iters: t.iters, seconds: t.seconds };
  },
};

await init();
await runCases(cfg, table);
