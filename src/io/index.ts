export * from './safetensors.js';
export * from './save.js';
// checkpoint.ts's loadCheckpoint takes over save.ts's: it also restores into objects the caller built.
export { saveCheckpoint, loadCheckpoint, type CheckpointContents, type CheckpointTargets, type LoadedCheckpoint } from './checkpoint.js';
export { readImage, writeImage, type ReadImageOptions } from './image.js';
export * from './onnx/index.js';
export { saveOnnx } from './onnx/file.js';
