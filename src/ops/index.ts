import './methods.js';

export * from './elementwise.js';
export * from './movement.js';
export * from './reduce.js';
export * from './matmul.js';
export * from './indexing.js';
export { requiresGrad } from './methods.js';
export { conv1d, conv2d, checkConvInput, type Conv1dOptions, type Conv2dOptions, type Padding, type Pair } from './conv.js';
export * from './pool.js';
export * from './conv-pool.js';
export * from './dropout.js';
export * from './norm.js';
export * from './embedding.js';
export { to, DTYPES } from './cast.js';
export * from './upsample.js';
