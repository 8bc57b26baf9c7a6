import { convBlock, type ConvBlockOptions } from '../ops/conv-pool.js';
import { checkConvInput } from '../ops/conv.js';
import type { Tensor } from '../tensor/tensor.js';
import { ReLU } from './activation.js';
import { Conv1d, Conv2d } from './conv.js';
import type { Module } from './module.js';
import { GlobalMaxPool1d, MaxPool1d, MaxPool2d } from './pooling.js';
import type { ModuleClass } from './registry.js';

/**
 * The one fusion pass. A run of layers in a Sequential that matches a pattern below runs as one
 * fused op (ops/conv-pool.ts's convBlock) with the same values and gradients as the layers one
 * after another, fewer passes over memory and no full-size intermediate. Layers match by exact
 * class, not subclass: a subclass may compute something else. Longer patterns come first.
 * A new fusion is one entry here and, when it needs a kernel, one attribute of convBlock.
 */
interface Fusion {
  /** The classes of the layers the pattern covers, in order. */
  layers: readonly ModuleClass[];
  /** The fused block's attributes for the matched layers. */
  block(layers: readonly Module[]): ConvBlockOptions;
}

const relu: ConvBlockOptions = { activation: 'relu' };

export const FUSIONS: readonly Fusion[] = [
  { layers: [Conv2d, ReLU, MaxPool2d], block: (l) => ({ ...relu, pool: { type: 'max', ...(l[2] as MaxPool2d).options } }) },
  { layers: [Conv1d, ReLU, MaxPool1d], block: (l) => ({ ...relu, pool: { type: 'max', ...(l[2] as MaxPool1d).options } }) },
  { layers: [Conv1d, ReLU, GlobalMaxPool1d], block: () => ({ ...relu, pool: { type: 'globalMax' } }) },
  { layers: [Conv2d, ReLU], block: () => relu },
  { layers: [Conv1d, ReLU], block: () => relu },
];

/** One step of a fused run: a layer alone, or a convolution with the fusion's block options. */
export type Step = { layer: Module; count: 1 } | { layer: Conv1d | Conv2d; count: number; block: ConvBlockOptions };

/** The steps a run of layers takes: each position matched against the patterns, longest first. */
export function fusePlan(layers: readonly Module[]): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < layers.length;) {
    const f = FUSIONS.find((p) => p.layers.every((cls, j) => layers[i + j]?.constructor === cls));
    if (f) {
      const run = layers.slice(i, i + f.layers.length);
      steps.push({ layer: run[0] as Conv1d | Conv2d, count: run.length, block: f.block(run) });
      i += run.length;
    } else {
      steps.push({ layer: layers[i], count: 1 });
      i++;
    }
  }
  return steps;
}

/** Runs the steps of a plan on x. */
export function runPlan(steps: readonly Step[], x: Tensor): Tensor {
  let y = x;
  for (const s of steps) {
    if (!('block' in s)) {
      y = s.layer.forward(y);
      continue;
    }
    const conv = s.layer;
    // The layer's own input check, so that errors name the layer as its forward would.
    checkConvInput(conv instanceof Conv2d ? 'Conv2d' : 'Conv1d', y, conv.weight.shape, conv.options.groups);
    y = convBlock(y, conv.weight, conv.bias, conv.options, s.block);
  }
  return y;
}
