import { is, options } from '../../util/args.js';
import { ReLU } from '../activation.js';
import { Conv2d } from '../conv.js';
import { Dropout } from '../dropout.js';
import { Flatten } from '../flatten.js';
import { Linear } from '../linear.js';
import { MaxPool2d } from '../pooling.js';
import { Sequential } from '../sequential.js';

/**
 * The Keras example MNIST convnet (mnist_cnn.py), 1,199,882 parameters, ~99.2% test accuracy:
 * Conv 1→32 3×3 → ReLU → Conv 32→64 3×3 → ReLU → MaxPool 2 → Dropout 0.25 → Flatten (9216)
 * → Linear 128 → ReLU → Dropout 0.5 → Linear 10 (logits).
 * @example nn.models.kerasMnistCnn().summary([1, 28, 28])
 */
export function kerasMnistCnn(opts: { dropout?: readonly [number, number] | number } = {}): Sequential {
  options<{ dropout?: unknown }>('kerasMnistCnn', opts, { dropout: is.anyOf(is.fraction, is.arrayOf(is.fraction, 2)) });
  const d = opts.dropout ?? [0.25, 0.5];
  const [d1, d2] = typeof d === 'number' ? [d, d] : d;
  return new Sequential(
    new Conv2d({ inChannels: 1, outChannels: 32, kernelSize: 3 }),
    new ReLU(),
    new Conv2d({ inChannels: 32, outChannels: 64, kernelSize: 3 }),
    new ReLU(),
    new MaxPool2d({ kernelSize: 2 }),
    new Dropout({ p: d1 }),
    new Flatten(),
    new Linear({ inFeatures: 9216, outFeatures: 128 }),
    new ReLU(),
    new Dropout({ p: d2 }),
    new Linear({ inFeatures: 128, outFeatures: 10 }),
  );
}
