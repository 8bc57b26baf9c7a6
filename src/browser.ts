/**
 * tsgrad for browsers: everything of the public API that runs without Node (tensors, autograd,
 * ops, `nn`, `optim`, `F`, backend control, datasets and loaders, augmentation, `fit` with its
 * metrics and callbacks; progress goes to the console; charts, graph drawings and sequence logos as
 * SVG and PNG, filter and saliency grids, Grad-CAM). The file readers, save/load, the
 * file-writing callbacks, the HTML report, the apps and the CLI are added by the Node entry
 * point, index.ts, which re-exports this module.
 *
 * Run it inside a module Web Worker (the API is synchronous, so a long training would block a
 * page's main thread): the wasm backend reads
 * build/*.wasm with a synchronous request, which browsers allow only in workers. Its kernel
 * threads need a cross-origin-isolated page (served with `Cross-Origin-Opener-Policy: same-origin`
 * and `Cross-Origin-Embedder-Policy: require-corp`), elsewhere it runs on one thread; and they
 * start only once the worker returns to its event loop, hence `await ready()` before training.
 * On a page's main thread the library runs on the 'ref' backend; `wasmLoadError()` says why.
 * @example
 * // worker.js, started with new Worker('worker.js', { type: 'module' })
 * import * as tg from 'tsgrad/browser';
 * await tg.ready();
 * const x = tg.randn([200, 300]);
 * postMessage({ backend: tg.getBackend(), threads: tg.getNumThreads(), sum: x.matmul(x.transpose()).sum().item() });
 */
export { Tensor } from './tensor/tensor.js';
export type { GraphNode, NestedArray } from './tensor/tensor.js';
export * from './tensor/create.js';
export { manualSeed, rng, Rng } from './util/rng.js';
export { TsgradError } from './util/errors.js';
export { setBackend, getBackend, withBackend, kernels, setNumThreads, getNumThreads } from './kernels/index.js';
export { ready, wasmLoadError, wasmStats, resetWasmStats } from './kernels/wasm/index.js';
export type { DType, Kernels } from './kernels/types.js';
export { noGrad, isGradEnabled, backward, detach, defineOp, customOp } from './autograd/engine.js';
export * from './autograd/gradcheck.js';
export * from './autograd/dot.js';
export * from './ops/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as F from './nn/functional.js';
export * from './data/dataset.js';
export * from './data/loader.js';
export * from './data/split.js';
export * from './data/tabular.js';
export * from './data/augment.js';
export * from './data/dna.js';
export * from './data/ratings.js';
export * from './data/mnist-tasks.js';
export * from './train/fit.js';
export * from './train/history.js';
export * from './train/callbacks.js';
export * from './train/metrics.js';
export * from './train/ranking.js';
export * from './train/image-metrics.js';
export * from './train/progress.js';
// Pictures: charts (vega, vega-lite), graph drawings (graphviz-wasm), filter and saliency grids,
// Grad-CAM, sequence logos, and their PNGs (resvg-wasm and pngjs's browser build; call
// configurePictures first). The packages for charts, graphs and PNGs of SVG are optional and load
// on first use; writing files (`out`) is Node's.
export * from './viz/browser.js';
// Models as data: the safetensors format and a saved model rebuilt from fetched bytes.
export { encodeSafetensors, decodeSafetensors, type Safetensors } from './io/safetensors.js';
export { modelConfig, buildModel, modelFromBytes, type ModelConfig } from './io/model-bytes.js';
export { mnistDigit } from './data/mnist-style.js';
