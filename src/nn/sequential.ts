import type { Tensor } from '../tensor/tensor.js';
import { TsgradError } from '../util/errors.js';
import { ReLU } from './activation.js';
import { Conv1d, Conv2d } from './conv.js';
import { Module } from './module.js';
import { register } from './registry.js';
import { GlobalMaxPool1d, MaxPool1d, MaxPool2d } from './pooling.js';

const hasFusedRelu = (m: Module): m is Module & { forwardRelu(x: Tensor): Tensor } =>
  typeof (m as { forwardRelu?: unknown }).forwardRelu === 'function';

/**
 * layer(x) → ReLU → pool as one op when layer and pool are exactly a Conv2d and a MaxPool2d or
 * a Conv1d and a MaxPool1d or GlobalMaxPool1d (not subclasses, which may compute something
 * else); else null.
 */
function convReluMaxPool(layer: Module, pool: Module | undefined, x: Tensor): Tensor | null {
  if (layer.constructor === Conv2d && pool?.constructor === MaxPool2d) return (layer as Conv2d).forwardReluMaxPool(x, (pool as MaxPool2d).options);
  if (layer.constructor === Conv1d && pool?.constructor === MaxPool1d) return (layer as Conv1d).forwardReluMaxPool(x, (pool as MaxPool1d).options);
  if (layer.constructor === Conv1d && pool?.constructor === GlobalMaxPool1d) return (layer as Conv1d).forwardReluGlobalMaxPool(x);
  return null;
}

/**
 * Layers applied one after another: forward(x) = layers[n-1](...layers[0](x)).
 * Parameters are named by position: `layers.0.weight`, `layers.0.bias`, ...
 * @example
 * const mlp = new nn.Sequential(new nn.Linear({ inFeatures: 2, outFeatures: 8 }), new nn.Tanh(),
 *   new nn.Linear({ inFeatures: 8, outFeatures: 1 }));
 * mlp.forward(x); // [batch, 2] -> [batch, 1]
 */
export class Sequential extends Module {
  /** No options of its own: the layers are its configuration. */
  readonly options: Record<string, never> = {};
  layers: Module[];

  constructor(...layers: Module[]) {
    super();
    layers.forEach((l, i) => {
      if (!(l instanceof Module)) throw new TsgradError(`Sequential: argument ${i} is not a Module (got ${typeof l})`);
    });
    this.layers = layers;
  }

  forward(x: Tensor): Tensor {
    let y = x;
    const layers = this.layers;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i];
      // Conv2d, ReLU, MaxPool2d run as one op that never stores the convolution's output, and a
      // convolution followed by a plain ReLU as one op: same values and gradients, fewer passes
      // and full-size arrays (measured on the Keras CNN: see ops/conv-pool.ts and ops/conv.ts).
      const pooled = i + 1 < layers.length && layers[i + 1].constructor === ReLU ? convReluMaxPool(layer, layers[i + 2], y) : null;
      if (pooled) {
        y = pooled;
        i += 2;
        continue;
      }
      if (i + 1 < layers.length && layers[i + 1].constructor === ReLU && hasFusedRelu(layer)) {
        y = layer.forwardRelu(y);
        i++;
        continue;
      }
      y = layer.forward(y);
    }
    return y;
  }

  /** Appends a layer; returns this for chaining. */
  add(layer: Module): this {
    if (!(layer instanceof Module)) throw new TsgradError(`Sequential.add: expected a Module, got ${typeof layer}`);
    this.layers.push(layer);
    return this;
  }

  get length(): number {
    return this.layers.length;
  }

  /** The layer at index i (negative counts from the end). */
  at(i: number): Module {
    const j = i < 0 ? i + this.layers.length : i;
    if (!Number.isInteger(i) || j < 0 || j >= this.layers.length) {
      throw new TsgradError(`Sequential.at: index ${i} is out of range for ${this.layers.length} layers`);
    }
    return this.layers[j];
  }
}

// A Sequential is saved as its layers, not as options: its constructor takes the layers themselves.
register(Sequential, {
  name: 'Sequential',
  toConfig: (m, child) => ({ layers: m.layers.map(child) }),
  fromConfig: (node, child) => {
    if (!Array.isArray(node.layers)) throw new TsgradError('load: a Sequential needs a layers array');
    return new Sequential(...node.layers.map(child));
  },
  sequence: (m) => m.layers,
});
