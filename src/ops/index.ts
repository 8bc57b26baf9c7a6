import './methods.js';

export * from './elementwise.js';
export * from './movement.js';
export * from './reduce.js';
export * from './matmul.js';
export * from './indexing.js';
export { requiresGrad } from './methods.js';
