/**
 * The one binding table: every threaded export of build/kernels.wasm, by index. The
 * worker threads resolve the same list, so a job is posted as (index, args, nTasks).
 */
import { TsgradError } from '../../util/errors.js';
import { opTableHash } from '../elementwise-table.js';
import type { FloatArray } from '../types.js';
import { Runtime } from './runtime.js';

export const TASKS = [
  'gemmTask',
  'convForwardTask',
  'convBackwardInputTask',
  'convBackwardWeightTask',
  'maxPoolForwardTask',
  'maxPoolBackwardTask',
  'avgPoolForwardTask',
  'avgPoolBackwardTask',
  'unaryTask',
  'binaryTask',
  'reduceTask',
  'transposeTask',
  'winogradTask',
  'winogradWeightGradTask',
  'winograd4Task',
  'winograd4WeightGradTask',
  'winograd4WeightsTask',
  'winograd4WeightGradFinishTask',
  'reluMaskSumTask',
  'channelStatsTask',
  'channelAffineTask',
  'batchNormBackwardTask',
  'adamTask',
  'simdPeakTask',
  'convDirectForwardTask',
  'convDirectBackwardTask',
  'affineWarpTask',
] as const;
export type TaskName = (typeof TASKS)[number];

const index = new Map<string, number>(TASKS.map((n, i) => [n, i]));

let runtime: Runtime | null = null;
let failure: string | null = null;

/** The runtime, created on first use; null (with `loadError()` saying why) when it cannot load. */
export function getRuntime(): Runtime | null {
  if (runtime || failure) return runtime;
  try {
    runtime = new Runtime([...TASKS]);
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
  }
  // A module compiled from another op table would run the wrong op for a code: refuse it loudly
  // (a stale build/ is a developer's state to fix, not a platform to fall back from).
  const built = runtime && (runtime.exports.opTableHash as (() => number) | undefined)?.();
  if (runtime && built !== opTableHash()) {
    runtime = null;
    throw new TsgradError(
      `wasm backend: build/kernels.wasm was compiled from another elementwise op table (hash ${built} against ${opTableHash()} in ` +
        'src/kernels/elementwise-table.ts); run npm run build:wasm',
    );
  }
  return runtime;
}

export function loadError(): string | null {
  return failure;
}

/** Runs a threaded kernel: writes its argument words, then splits it into nTasks tasks. */
export function runTask(rt: Runtime, name: TaskName, words: number[], nTasks: number): void {
  // A NaN or fractional size reaches the kernel as 0 or a truncated count, and a NaN task
  // count never completes: an impossible geometry must be an error, never a spin.
  const bad = words.findIndex((w) => !Number.isInteger(w) || w < -0x80000000 || w > 0xffffffff);
  if (bad >= 0 || !Number.isInteger(nTasks) || nTasks < 0) {
    const what = bad >= 0 ? `argument word ${bad} is ${words[bad]}` : `task count is ${nTasks}`;
    throw new TsgradError(`wasm ${name}: impossible geometry (${what}; words ${words.join(', ')})`);
  }
  rt.run(index.get(name)!, rt.args(words), nTasks);
}

/**
 * The runtime, reset for a kernel call, when the wasm module has loaded, the call is worth its
 * copies (`enough`) and every array given is float32; null otherwise, and the caller runs its
 * ref kernel instead.
 */
export function runtimeIf(enough: boolean, ...arrays: Array<FloatArray | null | undefined>): Runtime | null {
  if (!enough || !arrays.every((a) => a === null || a === undefined || a instanceof Float32Array)) return null;
  const rt = getRuntime();
  if (!rt) return null;
  rt.reset();
  return rt;
}

/**
 * How many tasks a job over `units` independent units (images, channels, planes) is cut into:
 * several per thread, so that a thread that starts late (or is descheduled on a busy machine)
 * leaves less work for the others to wait on; one when there is one thread.
 */
export const tasksFor = (rt: Runtime, units: number): number => (rt.threadCount === 1 ? 1 : Math.min(units, 4 * rt.threadCount));

/**
 * Work below which a kernel stays in plain TypeScript: the copies and the thread
 * wake-up cost more than they save; whether 3×3 convolutions may take Winograd, and how wide
 * its gemms are made; and whether a fused conv + ReLU + 2×2 max-pool block with few input
 * channels may take the direct kernels.
 * Read by the kernels; changed only for the span of withWasmLimits.
 */
export const limits: Readonly<WasmLimits> = {
  minGemmWork: 16384,
  minElements: 2048,
  winograd: true,
  winograd4: true,
  winogradColumns: 32,
  directConv: true,
};

export interface WasmLimits {
  minGemmWork: number;
  minElements: number;
  winograd: boolean;
  /** Whether Winograd takes F(4×4, 3×3) (winograd4.ts) rather than F(2×2, 3×3) (winograd.ts). */
  winograd4: boolean;
  /**
   * The gemm width (tiles of a chunk of images) Winograd's chunks aim at; 1 gives one image per
   * chunk. Narrow chunks keep a chunk's transformed tiles in the core's own cache: 32 rather than
   * 128 made the fast MNIST recipe's step 0.4-0.6 ms faster (BENCHMARKS.md).
   */
  winogradColumns: number;
  directConv: boolean;
}

/**
 * Runs fn with some of the wasm backend's cut-offs changed and restores them afterwards (tests
 * lower them to 0 so that even 1×1 problems take the wasm kernels; benchmarks turn Winograd or the
 * direct convolution off to compare the paths).
 * @example withWasmLimits({ minElements: 0, minGemmWork: 0 }, () => x.relu())
 */
export function withWasmLimits<T>(change: Partial<WasmLimits>, fn: () => T): T {
  const saved = { ...limits };
  Object.assign(limits, change);
  try {
    return fn();
  } finally {
    Object.assign(limits, saved);
  }
}
