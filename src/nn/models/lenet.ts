import { is, options } from '../../util/args.js';
import { Conv2d } from '../conv.js';
import { Flatten } from '../flatten.js';
import { Linear } from '../linear.js';
import { AvgPool2d } from '../pooling.js';
import { Sequential } from '../sequential.js';
import { activationLayer, type ActivationName } from './mlp.js';

/**
 * LeNet-5 (LeCun et al., 1998) for 28×28 grey images, as the d2l book writes it: the first
 * convolution pads by 2 so that a 28×28 digit plays the 32×32 input of the paper.
 * Conv 1→6 5×5 → act → AvgPool 2 → Conv 6→16 5×5 → act → AvgPool 2 → Flatten (400)
 * → Linear 120 → act → Linear 84 → act → Linear numClasses (logits). 61,706 parameters.
 * @example nn.models.lenet5().forward(x) // [N, 1, 28, 28] -> [N, 10]
 */
export function lenet5(opts: { numClasses?: number; activation?: ActivationName } = {}): Sequential {
  options<{ numClasses?: number; activation?: string }>('lenet5', opts, { numClasses: is.positiveInt, activation: is.string });
  const { numClasses = 10, activation = 'tanh' } = opts;
  return new Sequential(
    new Conv2d({ inChannels: 1, outChannels: 6, kernelSize: 5, padding: 2 }),
    activationLayer(activation),
    new AvgPool2d({ kernelSize: 2 }),
    new Conv2d({ inChannels: 6, outChannels: 16, kernelSize: 5 }),
    activationLayer(activation),
    new AvgPool2d({ kernelSize: 2 }),
    new Flatten(),
    new Linear({ inFeatures: 16 * 5 * 5, outFeatures: 120 }),
    activationLayer(activation),
    new Linear({ inFeatures: 120, outFeatures: 84 }),
    activationLayer(activation),
    new Linear({ inFeatures: 84, outFeatures: numClasses }),
  );
}
