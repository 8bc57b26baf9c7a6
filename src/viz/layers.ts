import { arg, is } from '../util/args.js';
import { Module } from '../nn/module.js';
import { layerName } from '../nn/registry.js';
import { Tensor } from '../tensor/tensor.js';
import { TsgradError } from '../util/errors.js';

/** A layer of a Sequential: a Module, or a plain function of a tensor. */
export type Layer = Module | ((x: Tensor) => Tensor);

/** One layer with its dotted name (`3`, `2.0`) and its position in the flattened list. */
export interface NamedLayer {
  name: string;
  index: number;
  layer: Layer;
}

// Activation layers are recognised by class name, so that viz needs no import of the layer classes.
const ACTIVATIONS = new Set(['ReLU', 'LeakyReLU', 'Sigmoid', 'Tanh', 'GELU', 'ELU', 'SiLU', 'Softplus', 'Hardtanh', 'ReLU6']);

function isSequential(m: unknown): m is Module & { layers: Layer[] } {
  return m instanceof Module && Array.isArray((m as { layers?: unknown }).layers);
}

/**
 * The layers of a Sequential model in the order they run, nested Sequentials
 * flattened (`2.0`); a model that is not a Sequential is one layer.
 * @example
 * sequentialLayers(model).map((l) => l.name); // ['0', '1', '2.0', '2.1', ...]
 */
export function sequentialLayers(model: Layer, prefix = ''): NamedLayer[] {
  arg('sequentialLayers', 'prefix', prefix, is.string);
  if (!isSequential(model)) return [{ name: prefix, index: 0, layer: model }];
  const out: NamedLayer[] = [];
  model.layers.forEach((layer, i) => {
    const name = prefix ? `${prefix}.${i}` : `${i}`;
    if (isSequential(layer)) out.push(...sequentialLayers(layer, name));
    else out.push({ name, index: 0, layer });
  });
  out.forEach((l, i) => (l.index = i));
  return out;
}

/** The layer's weight when it is a convolution (weight [out, in, k] or [out, in, kh, kw]), else null. */
export function convWeight(layer: Layer): Tensor | null {
  if (!(layer instanceof Module)) return null;
  const w = (layer as { weight?: unknown }).weight;
  if (!(w instanceof Tensor) || (w.ndim !== 3 && w.ndim !== 4)) return null;
  return w;
}

export const isConv = (layer: Layer): boolean => convWeight(layer) !== null;

export function isActivation(layer: Layer): boolean {
  if (layer instanceof Module) return ACTIVATIONS.has(layerName(layer));
  return typeof layer === 'function';
}

/** Runs one layer: Module.forward or the function itself. */
export function runLayer(layer: Layer, x: Tensor): Tensor {
  return layer instanceof Module ? layer.forward(x) : layer(x);
}

/**
 * Finds a layer by its index in the flattened Sequential, its dotted name
 * (`2.0`), `conv` for the first convolution or `convN` for the one after N others (`conv1`
 * is the second). `op` names the caller in the error that lists the layers.
 * @example
 * const { name, layer } = findLayer('myTool', model, 'conv1'); // the second convolution
 */
export function findLayer(op: string, model: Layer, which: number | string): NamedLayer {
  const layers = sequentialLayers(model);
  let found: NamedLayer | undefined;
  if (typeof which === 'number') found = layers[which < 0 ? which + layers.length : which];
  else if (/^\d+$/.test(which)) found = layers[Number(which)];
  else {
    const m = /^conv(\d*)$/.exec(which);
    const convs = layers.filter((l) => isConv(l.layer));
    if (m && convs.length === 0) {
      const kinds = [...new Set(layers.map((l) => layerKind(l.layer)))].join(', ');
      throw new TsgradError(
        `${op}: the model has no convolution layer (its layers: ${kinds}); this picture needs one, ` +
          'as in a CNN (tsgrad train mnist --model cnn or lenet5). For any model: tsgrad viz saliency or graph',
      );
    }
    found = m ? convs[Number(m[1] || 0)] : layers.find((l) => l.name === which);
  }
  if (!found) {
    const names = layers.map((l) => `${l.name} (${layerKind(l.layer)})`).join(', ');
    throw new TsgradError(`${op}: no layer ${JSON.stringify(which)}; the model's layers are ${names}`);
  }
  return found;
}

/** A short description of a layer for labels: its registered name or 'function'. */
export function layerKind(layer: Layer): string {
  return layer instanceof Module ? layerName(layer) : 'function';
}

/** Runs the layers up to and including `last` and returns that layer's output. */
export function runUpTo(model: Layer, last: number, x: Tensor): Tensor {
  const layers = sequentialLayers(model);
  let y = x;
  for (let i = 0; i <= last; i++) y = runLayer(layers[i].layer, y);
  return y;
}

/** Runs fn with the model in eval mode (dropout off, running statistics), then restores each module's mode. */
export function inEvalMode<T>(model: Layer, fn: () => T): T {
  if (!(model instanceof Module)) return fn();
  const modes = model.namedModules().map(([, m]) => [m, m.training] as const);
  model.eval();
  try {
    return fn();
  } finally {
    for (const [m, t] of modes) m.training = t;
  }
}

/**
 * Runs fn in eval mode with the parameters frozen, so that a backward pass
 * computes only the input's gradient (no weight gradients, nothing accumulated
 * into .grad), then restores both.
 */
export function inspecting<T>(model: Layer, fn: () => T): T {
  // Each parameter's own flag is restored: parameters the user froze stay frozen.
  const flags = model instanceof Module ? model.parameters().map((p) => [p, p.requiresGrad] as const) : [];
  for (const [p] of flags) p.requiresGrad = false;
  try {
    return inEvalMode(model, fn);
  } finally {
    for (const [p, on] of flags) p.requiresGrad = on;
  }
}
