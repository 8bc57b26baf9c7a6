/** Ready-made data sets: `datasets.mnist()`. */
export { mnist, mnistDataDir } from './mnist.js';
export type { Mnist, MnistFiles, MnistOptions } from './mnist.js';
