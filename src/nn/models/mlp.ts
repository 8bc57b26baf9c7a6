import { arg, is } from '../../util/args.js';
import { check } from '../../util/errors.js';
import { ELU, GELU, LeakyReLU, ReLU, SiLU, Sigmoid, Tanh } from '../activation.js';
import { Dropout } from '../dropout.js';
import { Linear } from '../linear.js';
import type { Module } from '../module.js';
import { Sequential } from '../sequential.js';

export type ActivationName = 'relu' | 'tanh' | 'sigmoid' | 'gelu' | 'silu' | 'elu' | 'leakyRelu';

const ACTIVATIONS: Record<ActivationName, () => Module> = {
  relu: () => new ReLU(),
  tanh: () => new Tanh(),
  sigmoid: () => new Sigmoid(),
  gelu: () => new GELU(),
  silu: () => new SiLU(),
  elu: () => new ELU(),
  leakyRelu: () => new LeakyReLU(),
};

/**
 * An activation layer by name, for the zoo's options.
 * @example nn.models.activationLayer('gelu') // a new nn.GELU()
 */
export function activationLayer(name: ActivationName): Module {
  const make = ACTIVATIONS[name];
  check(make !== undefined, 'models', () => `unknown activation '${name}' (expected ${Object.keys(ACTIVATIONS).join(', ')})`);
  return make();
}

export interface MlpOptions {
  inFeatures: number;
  /** Widths of the hidden layers, e.g. [128, 64]; [] gives a linear model. */
  hidden: readonly number[];
  outFeatures: number;
  /** Dropout probability after each hidden activation (default 0: none). */
  dropout?: number;
  /** Hidden activation (default 'relu'). */
  activation?: ActivationName;
}

/**
 * A multilayer perceptron: Linear → activation (→ Dropout) for each hidden width, then a
 * final Linear producing logits (no output activation).
 * @example nn.models.mlp({ inFeatures: 784, hidden: [128], outFeatures: 10, dropout: 0.2 })
 */
export function mlp(opts: MlpOptions): Sequential {
  arg('mlp', 'opts', opts, is.object);
  const { inFeatures, hidden, outFeatures, dropout = 0, activation = 'relu' } = opts;
  const layers: Module[] = [];
  let width = inFeatures;
  for (const h of hidden) {
    layers.push(new Linear({ inFeatures: width, outFeatures: h }), activationLayer(activation));
    if (dropout > 0) layers.push(new Dropout({ p: dropout }));
    width = h;
  }
  layers.push(new Linear({ inFeatures: width, outFeatures }));
  return new Sequential(...layers);
}
