export { Module, assignInPlace } from './module.js';
export { Linear, type LinearOptions } from './linear.js';
// Layer files are re-exported whole, so that a new layer is one file (or a few lines in its
// family's file) and needs no line here.
export * from './sequential.js';
export * from './activation.js';
export * as init from './init.js';
export * from './losses.js';
export * from './conv.js';
export * from './pooling.js';
export * from './dropout.js';
export * from './normalization.js';
export * from './embedding.js';
export * from './flatten.js';
export * from './upsample.js';
export { summary, type SummaryOptions, type SummaryResult, type SummaryRow } from './summary.js';
export * as models from './models/index.js';
export { register, registeredNames, layerName, type RegisterOptions, type LayerConfig } from './registry.js';
