import { arg, is } from '../../util/args.js';
/**
 * The WebAssembly SIMD backend: `{ ...refKernels, ...overrides }`. Each override checks
 * its arguments and hands anything it cannot run (float64, int32, odd layouts, tiny
 * sizes) to the ref kernel, so the two sets always agree on what they accept.
 */
import { refKernels } from '../ref/index.js';
import type { Kernels } from '../types.js';
import * as augment from './augment.js';
import { getRuntime, loadError, runTask } from './binding.js';
import * as conv from './conv.js';
import * as elementwise from './elementwise.js';
import * as gemm from './gemm.js';
import * as norm from './norm.js';
import * as optim from './optim.js';

// Every export of these files is a kernel that overrides ref's of the same name: the type below
// makes tsc refuse an export that is not one of the Kernels interface.
type OnlyKernels<T> = { [K in keyof T]: K extends keyof Kernels ? Kernels[K] : never };
const OVERRIDES: OnlyKernels<typeof augment & typeof conv & typeof elementwise & typeof gemm & typeof norm & typeof optim> = {
  ...augment,
  ...conv,
  ...elementwise,
  ...gemm,
  ...norm,
  ...optim,
};

let kernelSet: Kernels | null = null;

/** The wasm kernels, or null when build/kernels.wasm is missing or fails to load. */
export function load(): Kernels | null {
  if (kernelSet) return kernelSet;
  if (!getRuntime()) return null;
  kernelSet = { ...refKernels, name: 'wasm', ...OVERRIDES };
  return kernelSet;
}

/**
 * Why the wasm backend could not load (null when it loaded or was not tried): a missing
 * build/kernels.wasm, no WebAssembly SIMD, or a browser's main thread.
 * @example
 * const why = wasmLoadError();
 * if (why) console.warn(`tsgrad runs on the ref backend: ${why}`);
 */
export function wasmLoadError(): string | null {
  return loadError();
}

/**
 * Sets the number of threads the wasm kernels use, the calling thread included
 * (default: all cores). Has no effect on the ref backend.
 * @example
 * setNumThreads(1); // single-threaded, e.g. to compare with a one-thread peer
 */
export function setNumThreads(n: number): void {
  arg('setNumThreads', 'n', n, is.positiveInt);
  getRuntime()?.setThreads(n);
}

/**
 * The number of threads the wasm kernels use, the calling thread included (1 when wasm is not
 * loaded); set it with setNumThreads.
 * @example console.log(`${getBackend()} backend on ${getNumThreads()} threads`);
 */
export function getNumThreads(): number {
  const rt = getRuntime();
  return rt ? rt.threadCount : 1;
}

/**
 * Resolves once the kernel threads of the wasm backend are running (at once when it uses
 * one thread or did not load). A browser starts a Worker only when the thread that created
 * it returns to its event loop, so without this a synchronous training loop begun right
 * after `setNumThreads` in a Web Worker runs on that thread alone. Node needs no wait.
 * @example
 * setNumThreads(4);
 * await ready(); // in the browser Worker, before the first training step
 */
export async function ready(opts: { timeoutMs?: number } = {}): Promise<void> {
  const rt = getRuntime();
  if (!rt) return;
  const timeoutMs = opts.timeoutMs ?? 10000;
  const t0 = performance.now();
  while (rt.startedThreads < rt.spawnedThreads) {
    if (performance.now() - t0 > timeoutMs) {
      throw new Error(
        `ready: only ${rt.startedThreads} of ${rt.spawnedThreads} wasm kernel threads started within ${timeoutMs} ms ` +
          '(blocked Workers or blob: URLs? the kernels still run, on the calling thread)',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  rt.releaseWorkerUrl();
}

/**
 * Time and bytes the wasm backend has spent copying operands into its heap and results
 * out (copyOutMs is the second part; it includes the page faults of writing into output
 * arrays on fresh memory, which keep-freed-memory.ts makes rare), and the tasks run by worker threads
 * (not the calling thread): more than 0 shows that the kernel threads really ran.
 * @example
 * resetWasmStats();
 * x.matmul(w);
 * const { copyMs, copyBytes, workerTasks } = wasmStats();
 */
export function wasmStats(): { copyMs: number; copyOutMs: number; copyBytes: number; workerTasks: number } {
  const rt = getRuntime();
  return {
    copyMs: rt?.copyMs ?? 0,
    copyOutMs: rt?.copyOutMs ?? 0,
    copyBytes: rt?.copyBytes ?? 0,
    workerTasks: rt?.workerTasks ?? 0,
  };
}

/**
 * This engine's f32x4 multiply-add ceiling on `threads` threads, in GFLOP/s: the best of
 * three runs of simdPeakTask (ten independent multiply-add chains, no memory traffic), the
 * scale against which the benchmark shows its gemm figures. 0 when wasm did not load.
 */
export function simdPeak(threads: number): number {
  const rt = getRuntime();
  if (!rt) return 0;
  const before = rt.threadCount;
  rt.setThreads(threads);
  // Measured before the kernel threads are up (they take some 100 ms to start in Node, and in
  // a browser only once the event loop turns: await ready()), the ceiling would be one thread's.
  const waitFrom = performance.now();
  while (rt.startedThreads < rt.spawnedThreads && performance.now() - waitFrom < 2000);
  try {
    // About 5 ms a task at 60 GFLOP/s (80 flops a step), 8 tasks a thread to even out late wake-ups.
    const iters = 4_000_000;
    const nTasks = 8 * rt.threadCount;
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      rt.reset();
      const out = rt.alloc(16 * nTasks);
      const t0 = performance.now();
      runTask(rt, 'simdPeakTask', [iters, out], nTasks);
      best = Math.min(best, performance.now() - t0);
    }
    return (80 * iters * nTasks) / (best * 1e6);
  } finally {
    rt.setThreads(before);
  }
}

/**
 * Clears the copy counters of `wasmStats` (copyMs, copyOutMs, copyBytes; workerTasks keeps
 * counting), to measure one piece of work.
 * @example
 * resetWasmStats();
 * model.forward(x);
 * console.log(`${(wasmStats().copyBytes / 1e6).toFixed(1)} MB copied`);
 */
export function resetWasmStats(): void {
  const rt = getRuntime();
  if (rt) {
    rt.copyMs = 0;
    rt.copyOutMs = 0;
    rt.copyBytes = 0;
  }
}

export { withWasmLimits, type WasmLimits } from './binding.js';
