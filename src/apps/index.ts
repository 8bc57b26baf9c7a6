export * from './genes.js';
export * from './mnist.js';
export * from './dna.js';
export * from './ncf.js';
export * from './double-descent.js';
export * from './lasso.js';
export * from './vision.js';
