import type { Tensor } from '../tensor/tensor.js';
import { TsgradError } from '../util/errors.js';
import { fusePlan, runPlan, type Step } from './fuse.js';
import { Module } from './module.js';
import { register } from './registry.js';

/**
 * Layers applied one after another: `forward(x) = layers[n-1](...layers[0](x))`.
 * Parameters are named by position: `0.weight`, `0.bias` (PyTorch's names), ...
 * @example
 * const mlp = new nn.Sequential(new nn.Linear({ inFeatures: 2, outFeatures: 8 }), new nn.Tanh(),
 *   new nn.Linear({ inFeatures: 8, outFeatures: 1 }));
 * mlp.forward(x); // [batch, 2] -> [batch, 1]
 */
export class Sequential extends Module {
  /** No options of its own: the layers are its configuration. */
  readonly options: Record<string, never> = {};
  layers: Module[];
  // Not enumerable: a cache, not a child, so that namedChildren() and stateDict() skip it.
  declare private plan?: { layers: Module[]; steps: Step[] };

  constructor(...layers: Module[]) {
    super();
    layers.forEach((l, i) => {
      if (!(l instanceof Module)) throw new TsgradError(`Sequential: argument ${i} is not a Module (got ${typeof l})`);
    });
    this.layers = layers;
    Object.defineProperty(this, 'plan', { value: undefined, writable: true, enumerable: false });
  }

  /**
   * Runs the layers in turn; runs that match a pattern of the fusion pass (nn/fuse.ts: a
   * convolution, a ReLU and a max pool, ...) run as one fused op with the same values and
   * gradients. The plan is made again when the layers change.
   */
  forward(x: Tensor): Tensor {
    const key = this.layers.slice();
    if (!this.plan || this.plan.layers.length !== key.length || this.plan.layers.some((l, i) => l !== key[i])) {
      this.plan = { layers: key, steps: fusePlan(key) };
    }
    return runPlan(this.plan.steps, x);
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
