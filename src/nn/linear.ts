import { Tensor } from '../tensor/tensor.js';
import { add } from '../ops/elementwise.js';
import { matmul } from '../ops/matmul.js';
import { transpose } from '../ops/movement.js';
import { TsgradError, check, fmtShape } from '../util/errors.js';
import { arg, is, options } from '../util/args.js';
import { kaimingUniform, parameter, uniform } from './init.js';
import { Module } from './module.js';
import { register } from './registry.js';

/**
 * Affine map y = x·Wᵀ + b over the last axis, for any leading batch axes:
 * x [..., in], w [out, in], b [out] -> y [..., out].
 * @example F.linear(x, w, b) // x [32, 784], w [10, 784], b [10] -> [32, 10]
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  arg('linear', 'input', x, is.instance(Tensor));
  arg('linear', 'weight', weight, is.instance(Tensor));
  arg('linear', 'bias', bias, is.nullable(is.instance(Tensor)));
  check(weight.ndim === 2, 'linear', () => `weight must be 2-D [outFeatures, inFeatures], got shape ${fmtShape(weight.shape)}`);
  const [outF, inF] = weight.shape;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    const got = x.shape[x.ndim - 1] ?? 0;
    throw new TsgradError(
      `linear: input has ${got} features (shape ${fmtShape(x.shape)}) ` +
        `but the weight expects ${inF} (weight shape ${fmtShape(weight.shape)})`,
    );
  }
  if (bias) {
    check(
      bias.ndim === 1 && bias.shape[0] === outF,
      'linear',
      () => `bias must have shape [${outF}] to match weight ${fmtShape(weight.shape)}, got ${fmtShape(bias.shape)}`,
    );
  }
  // transpose(w) is a strided view that gemm reads as Wᵀ without copying.
  const y = matmul(x, transpose(weight));
  return bias ? add(y, bias) : y;
}

export interface LinearOptions {
  inFeatures: number;
  outFeatures: number;
  /** Whether to learn an additive bias (default true). */
  bias?: boolean;
}

/**
 * Fully connected layer y = x·Wᵀ + b with PyTorch's initialisation: W and b drawn from
 * U(-1/√inFeatures, 1/√inFeatures) (kaiming-uniform with a = √5), from the seeded generator.
 * @example
 * const fc = new nn.Linear({ inFeatures: 784, outFeatures: 10 });
 * fc.forward(x); // [batch, 784] -> [batch, 10]
 */
export class Linear extends Module {
  readonly options: Required<LinearOptions>;
  weight: Tensor;
  bias: Tensor | null;

  constructor(opts: LinearOptions) {
    super();
    const {
      inFeatures,
      outFeatures,
      bias = true,
    } = options<LinearOptions>(
      'Linear',
      opts,
      {
        inFeatures: is.positiveInt,
        outFeatures: is.positiveInt,
        bias: is.bool,
      },
      ['inFeatures', 'outFeatures'],
    );
    this.options = { inFeatures, outFeatures, bias };
    this.weight = kaimingUniform(parameter([outFeatures, inFeatures]), { a: Math.sqrt(5) });
    const bound = 1 / Math.sqrt(inFeatures);
    this.bias = bias ? uniform(parameter([outFeatures]), { low: -bound, high: bound }) : null;
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

// Explicit names, so that saved models and the printed model survive a minifier.
register(Linear, 'Linear');
