// Entry point of build/kernels.wasm. Every threaded kernel has the signature
// (args, task, nTasks, worker): args points at its i32 parameter words in the shared
// memory, task/nTasks say which share to compute, worker picks the thread's scratch.
// No kernel allocates: JavaScript owns the heap above heapBase().
export { gemmScratchBytes, gemmTask, simdPeakTask } from './gemm';
export { convScratchBytes, convForwardTask, convBackwardInputTask, convBackwardWeightTask, reluMaskSumTask } from './conv';
export { maxPoolForwardTask, maxPoolBackwardTask, avgPoolForwardTask, avgPoolBackwardTask } from './pool';
export { unaryTask, binaryTask, transposeTask } from './elementwise';
export { opTableHash } from './op-codes';
export { reduceTask } from './reduce';
export { adamTask } from './optim';

/** First free byte after the module's static data. */
export function heapBase(): usize {
  return __heap_base;
}
export { winogradScratchBytes, winogradWeights, winogradTask, winogradWeightGradTask, winogradWeightGradFinish } from './winograd';
export { convDirectScratchBytes, convDirectForwardTask, convDirectBackwardTask } from './conv-direct';
export { channelStatsTask, channelAffineTask, batchNormBackwardTask } from './norm';
export { winograd4ScratchBytes, winograd4NonFinite, winograd4WeightsTask, winograd4Task, winograd4WeightGradTask, winograd4WeightGradFinishTask } from './winograd4';
export { affineWarpScratchBytes, affineWarpTask } from './augment';
