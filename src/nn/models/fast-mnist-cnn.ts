import { is, options } from '../../util/args.js';
import { ReLU } from '../activation.js';
import { Conv2d } from '../conv.js';
import { Flatten } from '../flatten.js';
import { Linear } from '../linear.js';
import { MaxPool2d } from '../pooling.js';
import { Sequential } from '../sequential.js';

export interface FastMnistCnnOptions {
  /** Channels of the three convolution blocks (default [16, 32, 64]). */
  channels?: readonly [number, number, number];
  numClasses?: number;
}

/**
 * The small convnet of tsgrad's fast MNIST recipe (`tsgrad train mnist`): three blocks of
 * Conv 3×3 (padding 1) → ReLU → MaxPool 2 (28 → 14 → 7 → 3), then Flatten → Linear to the
 * classes. 29,066 parameters with the default channels, a fortieth of the Keras example's
 * convnet, and about five times its training speed: every block runs as one fused
 * convolution-ReLU-pool op. Batch norm is left out: with the rest of the recipe (one-cycle
 * Adam, label smoothing, augmentation) it reached the same accuracy in the same epochs at
 * a third of the speed (BENCHMARKS.md).
 * @example nn.models.fastMnistCnn().forward(x) // [N, 1, 28, 28] -> [N, 10]
 */
export function fastMnistCnn(opts: FastMnistCnnOptions = {}): Sequential {
  options<FastMnistCnnOptions>('fastMnistCnn', opts, { channels: is.arrayOf(is.positiveInt, 3), numClasses: is.positiveInt });
  const { channels = [16, 32, 64], numClasses = 10 } = opts;
  const layers = [];
  let inChannels = 1;
  for (const c of channels) {
    layers.push(new Conv2d({ inChannels, outChannels: c, kernelSize: 3, padding: 1 }), new ReLU(), new MaxPool2d({ kernelSize: 2 }));
    inChannels = c;
  }
  return new Sequential(...layers, new Flatten(), new Linear({ inFeatures: inChannels * 3 * 3, outFeatures: numClasses }));
}
