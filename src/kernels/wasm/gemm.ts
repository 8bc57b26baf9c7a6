import { refKernels } from '../ref/index.js';
import type { GemmArgs } from '../types.js';
import { getRuntime, limits, runTask } from './binding.js';

/** Elements of an operand spanning `batch` matrices of `size` at `stride` (0 = shared). */
function span(batch: number, stride: number, size: number): number {
  return batch <= 1 || stride === 0 ? size : (batch - 1) * stride + size;
}

/**
 * sgemm on the wasm heap: A, B (and C when accumulating) are copied in, the product is
 * split over the threads (by batch when there are many small matrices, else by the
 * longer of N and M), and C is copied out. Anything but float32 goes to ref.
 */
export function gemm(p: GemmArgs): void {
  const rt = getRuntime();
  const { batch, m, n, k } = p;
  if (
    !rt ||
    !(p.a instanceof Float32Array) ||
    !(p.b instanceof Float32Array) ||
    !(p.out instanceof Float32Array) ||
    batch * m * n * k < limits.minGemmWork ||
    batch * m * n === 0
  ) {
    refKernels.gemm(p);
    return;
  }
  rt.reset();
  const aLen = span(batch, p.strideA, m * k);
  const bLen = span(batch, p.strideB, k * n);
  const cLen = batch * m * n;
  const a = rt.copyIn(p.a, aLen);
  const b = rt.copyIn(p.b, bLen);
  const c = p.accumulate ? rt.copyIn(p.out, cLen) : rt.alloc(cLen * 4);
  const threads = rt.threadCount;
  const scratchBytes = (rt.exports.gemmScratchBytes as () => number)();
  const scratch = rt.alloc(scratchBytes * threads);
  // Many small matrices: one task per slice of the batch. Otherwise split inside each matrix.
  let mode = n >= m ? 1 : 2;
  let tasks = Math.min(threads, Math.ceil(mode === 1 ? n / 8 : m / 4));
  if (batch >= 2 * threads && m * n <= 256 * 256) {
    mode = 0;
    tasks = Math.min(batch, threads * 4);
  }
  const words = [a, b, c, batch, m, n, k, +p.transA, +p.transB, p.strideA, p.strideB, p.accumulate ? 1 : 0, scratch, scratchBytes, mode];
  runTask(rt, 'gemmTask', words, tasks);
  rt.copyOut(c, p.out, cLen);
}
