export * from './dataset.js';
export * from './loader.js';
export * from './split.js';
export * from './idx.js';
export * from './csv.js';
export * from './tabular.js';
export * from './augment.js';
export * as datasets from './datasets.js';
