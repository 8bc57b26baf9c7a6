import { is, options } from '../../util/args.js';
import { ReLU } from '../activation.js';
import { Conv2d } from '../conv.js';
import { Dropout } from '../dropout.js';
import { Flatten } from '../flatten.js';
import { Linear } from '../linear.js';
import { AdaptiveAvgPool2d, MaxPool2d } from '../pooling.js';
import { Sequential } from '../sequential.js';

/**
 * AlexNet (Krizhevsky, Sutskever and Hinton, 2012) as torchvision defines it, for
 * [N, 3, 224, 224] images; 61,100,840 parameters with 1000 classes.
 * features: Conv 3→64 11×11 s4 p2, ReLU, MaxPool 3 s2, Conv 64→192 5×5 p2, ReLU, MaxPool 3 s2,
 * Conv 192→384 3×3 p1, ReLU, Conv 384→256 3×3 p1, ReLU, Conv 256→256 3×3 p1, ReLU, MaxPool 3 s2;
 * AdaptiveAvgPool 6×6; classifier: Dropout, Linear 9216→4096, ReLU, Dropout, Linear 4096→4096,
 * ReLU, Linear 4096→numClasses. One Sequential, so summary() lists every layer.
 * @example nn.models.alexnet().forward(randn([1, 3, 224, 224])) // [1, 1000]
 */
export function alexnet(opts: { numClasses?: number; dropout?: number } = {}): Sequential {
  options<{ numClasses?: number; dropout?: number }>('alexnet', opts, { numClasses: is.positiveInt, dropout: is.fraction });
  const { numClasses = 1000, dropout = 0.5 } = opts;
  const conv = (inChannels: number, outChannels: number, kernelSize: number, stride: number, padding: number) =>
    new Conv2d({ inChannels, outChannels, kernelSize, stride, padding });
  const pool = () => new MaxPool2d({ kernelSize: 3, stride: 2 });
  return new Sequential(
    conv(3, 64, 11, 4, 2),
    new ReLU(),
    pool(),
    conv(64, 192, 5, 1, 2),
    new ReLU(),
    pool(),
    conv(192, 384, 3, 1, 1),
    new ReLU(),
    conv(384, 256, 3, 1, 1),
    new ReLU(),
    conv(256, 256, 3, 1, 1),
    new ReLU(),
    pool(),
    new AdaptiveAvgPool2d({ outputSize: 6 }),
    new Flatten(),
    new Dropout({ p: dropout }),
    new Linear({ inFeatures: 256 * 6 * 6, outFeatures: 4096 }),
    new ReLU(),
    new Dropout({ p: dropout }),
    new Linear({ inFeatures: 4096, outFeatures: 4096 }),
    new ReLU(),
    new Linear({ inFeatures: 4096, outFeatures: numClasses }),
  );
}
