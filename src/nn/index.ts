export { Module, assignInPlace } from './module.js';
export { Linear, type LinearOptions } from './linear.js';
export { Sequential } from './sequential.js';
export * from './activation.js';
export * as init from './init.js';
export * from './losses.js';
export { Conv1d, Conv2d, type Conv1dOptions, type Conv2dOptions } from './conv.js';
export {
  MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool2d,
  GlobalMaxPool1d, GlobalAvgPool1d, GlobalMaxPool2d, GlobalAvgPool2d, type Pool1dOptions, type Pool2dOptions,
} from './pooling.js';
export { Dropout } from './dropout.js';
export { BatchNorm1d, BatchNorm2d, LayerNorm, type BatchNormOptions, type LayerNormOptions } from './normalization.js';
export { Embedding, type EmbeddingOptions } from './embedding.js';
export { Flatten } from './flatten.js';
export { summary, type SummaryOptions, type SummaryResult, type SummaryRow } from './summary.js';
export * as models from './models/index.js';
export { register, registeredNames, layerName, type RegisterOptions, type LayerConfig } from './registry.js';
