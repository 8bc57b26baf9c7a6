import { arg, is } from '../util/args.js';
import { toDot, type DotOptions } from '../autograd/dot.js';
import { zeros } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { check, fmtShape } from '../util/errors.js';
import { svgPicture, type RasterOptions, type SvgPicture } from './raster.js';
import { importOptional } from '../util/optional.js';
import { inEvalMode, runLayer, type Layer } from './layers.js';
import { Module } from '../nn/module.js';

type Graphviz = import('@hpcc-js/wasm-graphviz').Graphviz;
let graphviz: Promise<Graphviz> | null = null;

/** Graphviz compiled to WebAssembly (an optional package), loaded once on first use. */
function loadGraphviz(): Promise<Graphviz> {
  graphviz ??= importOptional('@hpcc-js/wasm-graphviz', 'dotToSvg', () => import('@hpcc-js/wasm-graphviz')).then((m) => m.Graphviz.load());
  graphviz.catch(() => (graphviz = null));
  return graphviz;
}

/**
 * Lays out DOT source with Graphviz's dot engine (compiled to WebAssembly) and returns SVG markup.
 * @example
 * const svg = await dotToSvg('digraph { x -> mul; mul -> sum }');
 */
export async function dotToSvg(dot: string): Promise<string> {
  arg('dotToSvg', 'dot', dot, is.string);
  return (await loadGraphviz()).dot(dot, 'svg');
}

export interface DrawGraphOptions extends DotOptions, RasterOptions {
  /** Writes `<out>.svg` (and `<out>.png` with png: true). */
  out?: string;
  /** Also rasterise to PNG (default false: large graphs make large PNGs). */
  png?: boolean;
}

/** A drawn graph: the DOT source, its SVG, and the files written. */
export interface GraphPicture extends SvgPicture {
  dot: string;
}

/**
 * Draws the computational graph below a tensor: `toDot` laid out by Graphviz
 * (compiled to WebAssembly, so no system Graphviz is needed). Async because the
 * WebAssembly module loads asynchronously the first time.
 *
 * @example
 * const x = tensor([1, 2], { requiresGrad: true });
 * await drawGraph(x.mul(x).sum(), { out: 'graph' }); // graph.svg
 */
export async function drawGraph(root: Tensor, opts: DrawGraphOptions = {}): Promise<GraphPicture> {
  arg('drawGraph', 'root', root, is.instance(Tensor));
  const dot = toDot(root, opts);
  const svg = await dotToSvg(dot);
  return { dot, ...(await svgPicture(svg, opts.out, { ...opts, png: opts.png ?? false })) };
}

/**
 * The graph of a model's forward pass: runs the model on zeros of inputShape
 * (in eval mode, the input requiring a gradient so every op is recorded) and
 * draws it with parameters labelled by their dotted names (`0.weight`).
 *
 * @example
 * await graphOfModel(model, [1, 1, 28, 28], { out: 'runs/mnist/graph' });
 */
export async function graphOfModel(model: Layer, inputShape: readonly number[], opts: DrawGraphOptions = {}): Promise<GraphPicture> {
  arg('graphOfModel', 'inputShape', inputShape, is.shape);
  check(
    inputShape.length > 0 && inputShape.every((d) => Number.isInteger(d) && d > 0),
    'graphOfModel',
    () => `inputShape must be positive integers, got ${fmtShape(inputShape)}`,
  );
  const names = new Map(opts.names ?? []);
  if (model instanceof Module) for (const [name, p] of model.namedParameters()) names.set(p, name);
  const x = zeros(inputShape, { requiresGrad: true });
  names.set(x, 'input');
  const y = inEvalMode(model, () => runLayer(model, x));
  return drawGraph(y, { ...opts, names });
}
