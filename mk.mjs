import * as tg from '/work/main/dist/src/index.js';
const model = tg.load('/tmp/keras-mnist');
tg.maximizeGrid(model, 'conv1', { steps: 100, seed: 0, out: 'docs/images/mnist-cnn-maximize.png' });
