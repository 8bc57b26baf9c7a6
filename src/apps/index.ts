export * from './genes.js';
