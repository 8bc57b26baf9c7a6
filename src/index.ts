/**
 * tsgrad: tensors, autograd, layers and training in TypeScript.
 * @example
 * import * as tg from 'tsgrad';
 * const x = tg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * x.mul(x).sum().backward();
 * console.log(x.grad?.toArray()); // [[2, 4], [6, 8]]
 */
// Everything that runs in a browser too (see browser.ts), then what needs Node: the file readers
// and MNIST from disk, save/load, the file-writing callbacks, pictures and the apps.
export * from './browser.js';
export * from './data/idx.js';
export * from './data/csv.js';
export * as datasets from './data/datasets.js';
export * from './train/file-callbacks.js';
export * from './io/index.js';
export * from './viz/index.js';
export * from './apps/index.js';
