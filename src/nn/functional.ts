/** F: every layer and loss as a plain function (F.linear, F.conv2d, F.crossEntropy, ...). */
export * from '../ops/index.js';
export { linear } from './linear.js';
export * from './losses.js';
