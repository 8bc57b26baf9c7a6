// The fast MNIST CNN's first block (conv 1→16 3×3 padding 1 on 28×28, ReLU, max-pool 2) at
// batch 128: the direct kernels of assembly/conv-direct.ts against the general path (im2col +
// gemm, then the pool kernels), forward and backward (dw and dbias, as a first layer asks),
// medians of alternating runs. Run: npm run build && node dist/bench/conv-direct.js [threads] [runs]
import os from 'node:os';
import { readFileSync } from 'node:fs';
import type { ConvGeom, PoolGeom } from '../src/kernels/types.js';
import { load, setNumThreads, wasmLoadError, withWasmLimits } from '../src/kernels/wasm/index.js';

const wasm = load();
if (!wasm) throw new Error(`bench/conv-direct: the wasm backend did not load: ${wasmLoadError()}`);
const threads = Number(process.argv[2] ?? 2);
const runs = Number(process.argv[3] ?? 30);
setNumThreads(threads);

const n = 128;
const g: ConvGeom = {
  n,
  cIn: 1,
  h: 28,
  w: 28,
  cOut: 16,
  kh: 3,
  kw: 3,
  strideH: 1,
  strideW: 1,
  padTop: 1,
  padLeft: 1,
  dilationH: 1,
  dilationW: 1,
  groups: 1,
  outH: 28,
  outW: 28,
};
const pool: PoolGeom = { n, c: 16, h: 28, w: 28, kh: 2, kw: 2, strideH: 2, strideW: 2, padTop: 0, padLeft: 0, outH: 14, outW: 14 };
const rand = (k: number, shift = 0): Float32Array => new Float32Array(k).map(() => Math.random() * 2 - 1 + shift);
// An MNIST-like input: mostly zeros (the background), strokes near 1.
const x = new Float32Array(n * 28 * 28).map(() => (Math.random() < 0.2 ? Math.random() : 0));
const w = rand(16 * 9).map((v) => v / 3);
const bias = rand(16).map((v) => v * 0.1);
const y = new Float32Array(n * 16 * 14 * 14);
const argmax = new Int32Array(y.length);
const dy = rand(y.length);
const dw = new Float32Array(w.length);
const dbias = new Float32Array(16);

const forward = (): void => wasm.conv2dReluMaxPoolForward({ x, w, bias, y, argmax, g, pool });
const backward = (): void => wasm.conv2dReluMaxPoolBackward({ x, w, dy, argmax, g, pool, dw, dbias });
const timed = (direct: boolean, fn: () => void): number =>
  withWasmLimits({ directConv: direct }, () => {
    const t0 = performance.now();
    fn();
    return performance.now() - t0;
  });
const median = (a: number[]): number => [...a].sort((p, q) => p - q)[a.length >> 1];

let model = os.cpus()[0]?.model ?? 'unknown CPU';
try {
  model = /Model name:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8').replace(/model name/g, 'Model name'))?.[1]?.trim() ?? model;
} catch {
  // Not Linux: os.cpus() names the model.
}
console.log(`${model}, ${os.cpus().length} cores; ${threads} threads; batch ${n}; medians of ${runs} alternating runs`);

for (const [what, fn] of [
  ['forward', forward],
  ['backward', backward],
] as const) {
  const times: Record<'direct' | 'general', number[]> = { direct: [], general: [] };
  // Warm-up: compiles both paths and grows the heap to its size.
  for (let i = 0; i < 3; i++) {
    for (const d of [true, false]) {
      timed(d, forward);
      timed(d, fn);
    }
  }
  for (let i = 0; i < runs; i++) {
    // Alternate which path goes first, so that neither always follows the other.
    for (const d of i % 2 ? [true, false] : [false, true]) times[d ? 'direct' : 'general'].push(timed(d, fn));
  }
  const [d, s] = [median(times.direct), median(times.general)];
  console.log(`${what.padEnd(8)} direct ${d.toFixed(2)} ms   general ${s.toFixed(2)} ms   (${(s / d).toFixed(1)}× faster)`);
}
