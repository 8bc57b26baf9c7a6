// Quick sgemm micro-benchmark of the wasm kernels (GFLOP/s), with the ref kernel and
// TF.js wasm's matMul for scale. Run: npx tsx bench/gemm.ts [sizes...]
import { refKernels } from '../src/kernels/ref/index.js';
import { load, setNumThreads, wasmLoadError, wasmStats, resetWasmStats } from '../src/kernels/wasm/index.js';
import type { ConvGeom, GemmArgs, Kernels } from '../src/kernels/types.js';

function args(n: number): GemmArgs {
  const a = new Float32Array(n * n).map(() => Math.random() - 0.5);
  const b = new Float32Array(n * n).map(() => Math.random() - 0.5);
  return { a, b, out: new Float32Array(n * n), batch: 1, m: n, n, k: n, transA: false, transB: false, strideA: 0, strideB: 0 };
}

/** Best-of GFLOP/s over runs lasting at least `ms` in total. */
function gflops(k: Kernels, n: number, ms = 400): number {
  const p = args(n);
  k.gemm(p);
  let best = Infinity;
  const t0 = performance.now();
  let reps = 0;
  while (performance.now() - t0 < ms || reps < 3) {
    const t = performance.now();
    k.gemm(p);
    best = Math.min(best, performance.now() - t);
    reps++;
  }
  return (2 * n ** 3) / (best * 1e6);
}

async function tfjsWasm(n: number): Promise<number | string> {
  try {
    const tf = await import('@tensorflow/tfjs');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const { fileURLToPath } = await import('node:url');
    const dir = fileURLToPath(new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url));
    wasm.setWasmPaths(dir);
    await tf.setBackend('wasm');
    const a = tf.randomUniform([n, n]);
    const b = tf.randomUniform([n, n]);
    tf.matMul(a, b).dataSync();
    let best = Infinity;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const c = tf.matMul(a, b);
      c.dataSync();
      best = Math.min(best, performance.now() - t);
      c.dispose();
    }
    return (2 * n ** 3) / (best * 1e6);
  } catch (e) {
    return `unavailable (${(e as Error).message})`;
  }
}

const wasm = load();
if (!wasm) throw new Error(`bench/gemm: the wasm backend did not load: ${wasmLoadError()}`);
const sizes = process.argv.slice(2).map(Number);
for (const threads of [1, 2]) {
  setNumThreads(threads);
  for (const n of sizes.length ? sizes : [128, 256, 512, 1024, 2048]) {
    resetWasmStats();
    const g = gflops(wasm, n);
    console.log(`wasm sgemm n=${n} threads=${threads}: ${g.toFixed(1)} GFLOP/s`);
  }
}
{
  // Copy cost at n = 1024: bytes moved per call and their share of one call.
  setNumThreads(2);
  const p = args(1024);
  wasm.gemm(p);
  resetWasmStats();
  const t = performance.now();
  for (let i = 0; i < 5; i++) wasm.gemm(p);
  const total = performance.now() - t;
  const s = wasmStats();
  console.log(
    `copy cost n=1024: ${(s.copyBytes / 5 / 1e6).toFixed(1)} MB/call, ${(s.copyMs / 5).toFixed(2)} ms of ${(total / 5).toFixed(2)} ms (${((100 * s.copyMs) / total).toFixed(1)}%), ${(s.copyBytes / s.copyMs / 1e6).toFixed(1)} GB/s`,
  );
}
/** The Keras MNIST CNN's two convolutions at batch 128: ms per pass and the copy share. */
function convs(k: Kernels): void {
  const layers: [string, ConvGeom][] = [
    [
      'conv1 1->32 28x28',
      {
        n: 128,
        cIn: 1,
        h: 28,
        w: 28,
        cOut: 32,
        kh: 3,
        kw: 3,
        strideH: 1,
        strideW: 1,
        padTop: 0,
        padLeft: 0,
        dilationH: 1,
        dilationW: 1,
        groups: 1,
        outH: 26,
        outW: 26,
      },
    ],
    [
      'conv2 32->64 26x26',
      {
        n: 128,
        cIn: 32,
        h: 26,
        w: 26,
        cOut: 64,
        kh: 3,
        kw: 3,
        strideH: 1,
        strideW: 1,
        padTop: 0,
        padLeft: 0,
        dilationH: 1,
        dilationW: 1,
        groups: 1,
        outH: 24,
        outW: 24,
      },
    ],
  ];
  for (const [name, g] of layers) {
    const x = new Float32Array(g.n * g.cIn * g.h * g.w).map(() => Math.random());
    const w = new Float32Array(g.cOut * g.cIn * g.kh * g.kw).map(() => Math.random());
    const y = new Float32Array(g.n * g.cOut * g.outH * g.outW);
    const dx = new Float32Array(x.length);
    const dw = new Float32Array(w.length);
    const flops = 2 * g.n * g.cOut * g.outH * g.outW * g.cIn * g.kh * g.kw;
    const passes: [string, () => void][] = [
      ['forward', () => k.conv2dForward(x, w, null, y, g)],
      ['backward input', () => k.conv2dBackwardInput(y, w, dx, g)],
      ['backward weight', () => k.conv2dBackwardWeight(x, y, dw, g)],
    ];
    for (const [pass, run] of passes) {
      run();
      resetWasmStats();
      let best = Infinity;
      let total = 0;
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        run();
        const dt = performance.now() - t;
        total += dt;
        best = Math.min(best, dt);
      }
      const copy = (100 * wasmStats().copyMs) / total;
      console.log(`${name} ${pass}: ${best.toFixed(1)} ms, ${(flops / best / 1e6).toFixed(1)} GFLOP/s, copies ${copy.toFixed(1)}%`);
    }
  }
}
setNumThreads(2);
convs(wasm);

console.log(`ref sgemm n=512: ${gflops(refKernels, 512, 1000).toFixed(2)} GFLOP/s`);
const tf = await tfjsWasm(1024);
console.log(`tfjs-wasm matMul n=1024: ${typeof tf === 'number' ? tf.toFixed(1) + ' GFLOP/s' : tf}`);
