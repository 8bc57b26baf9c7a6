export * from './fit.js';
export * from './history.js';
export * from './callbacks.js';
export * from './file-callbacks.js';
export * from './metrics.js';
export * from './progress.js';
export * from './ranking.js';
