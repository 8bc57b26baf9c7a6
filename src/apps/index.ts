export * from './genes.js';
export * from './mnist.js';
export * from './dna.js';
export * from './ncf.js';
