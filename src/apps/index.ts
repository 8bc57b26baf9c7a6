export * from './genes.js';
export * from './mnist.js';
