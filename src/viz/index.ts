/** viz: pictures of training and of the network's insides (curves, graphs, filters, saliency, logos, reports). */
export * from './browser.js';
export { writeReport, guessInputShape, type ReportOptions } from './report.js';
