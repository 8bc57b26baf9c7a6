/** The model zoo: ready-made architectures of the course, each a Sequential. */
export { mlp, activationLayer, type ActivationName, type MlpOptions } from './mlp.js';
export { lenet5 } from './lenet.js';
export { kerasMnistCnn } from './keras-mnist-cnn.js';
export { fastMnistCnn, type FastMnistCnnOptions } from './fast-mnist-cnn.js';
export { alexnet } from './alexnet.js';
export { dnaCnn, dnaPrimer, BothStrands, reverseComplementOneHot, type DnaCnnOptions } from './dna-cnn.js';
export { GMF, NcfMLP, NeuMF, type NcfOptions } from './ncf.js';
export { localizer, gridDetector, UNet, SubPixelSR } from './vision.js';
