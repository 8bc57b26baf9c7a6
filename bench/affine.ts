// The fast MNIST recipe's augmentation (randomAffine with degrees 8, translate 0.06, scale
// 0.92-1.08, src/apps/mnist.ts) on a [128, 1, 28, 28] float32 batch: the warp by the wasm
// kernel (assembly/augment.ts) against the reference's JavaScript loop, medians of alternating
// runs. Each run is the whole transform, the random draws and the result tensor included.
// Run: npm run build && node dist/bench/affine.js [threads] [runs]
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { randomAffine } from '../src/data/augment.js';
import { withBackend } from '../src/kernels/index.js';
import { load, setNumThreads, wasmLoadError } from '../src/kernels/wasm/index.js';
import { Tensor } from '../src/tensor/tensor.js';
import { median } from './timing.js';

if (!load()) throw new Error(`bench/affine: the wasm backend did not load: ${wasmLoadError()}`);
const threads = Number(process.argv[2] ?? 2);
const runs = Number(process.argv[3] ?? 60);
setNumThreads(threads);

const n = 128;
// An MNIST-like input: mostly zeros (the background), strokes near 1.
const x = new Tensor(
  new Float32Array(n * 28 * 28).map(() => (Math.random() < 0.2 ? Math.random() : 0)),
  [n, 1, 28, 28],
);
const augment = randomAffine({ degrees: 8, translate: [0.06, 0.06], scale: [0.92, 1.08] });
const timed = (backend: 'wasm' | 'ref'): number =>
  withBackend(backend, () => {
    const t0 = performance.now();
    augment([x]);
    return performance.now() - t0;
  });

let model = os.cpus()[0]?.model ?? 'unknown CPU';
try {
  model = /Model name:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8').replace(/model name/g, 'Model name'))?.[1]?.trim() ?? model;
} catch {
  // Not Linux: os.cpus() names the model.
}
console.log(`${model}, ${os.cpus().length} cores; ${threads} threads; batch ${n}; medians of ${runs} alternating runs`);

const times: Record<'wasm' | 'ref', number[]> = { wasm: [], ref: [] };
// Warm-up: compiles both paths and grows the heap to its size.
for (let i = 0; i < 50; i++) for (const b of ['wasm', 'ref'] as const) timed(b);
for (let i = 0; i < runs; i++) {
  // Alternate which path goes first, so that neither always follows the other.
  for (const b of i % 2 ? (['wasm', 'ref'] as const) : (['ref', 'wasm'] as const)) times[b].push(timed(b));
}
const [w, r] = [median(times.wasm), median(times.ref)];
const range = (a: number[]): string => `${Math.min(...a).toFixed(3)}-${Math.max(...a).toFixed(3)}`;
console.log(
  `randomAffine  wasm ${w.toFixed(3)} ms (${range(times.wasm)})   ref ${r.toFixed(3)} ms (${range(times.ref)})   (${(r / w).toFixed(1)}× faster)`,
);
