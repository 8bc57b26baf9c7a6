import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { load, readConfig } from '../io/save.js';
import { Module } from '../nn/module.js';
import { tensor, zeros } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { TsgradError } from '../util/errors.js';
import { writeOut } from './files.js';
import { filterGrid } from './filters.js';
import { graphOfModel } from './graph.js';
import { readPng } from './image.js';
import { convWeight, findLayer, sequentialLayers } from './layers.js';
import { maximizeGrid } from './maximize.js';
import { guessInputShape, writeReport, type ReportOptions } from './report.js';
import { attributionImage, saliency, saliencyImage } from './saliency.js';
import { gradCam, integratedGradients, type GradCamOptions } from './attribution.js';

/**
 * The `tsgrad viz filters|maximize|saliency|graph <model dir> --out dir` commands
 * as functions: each takes a saved model's directory (or a loaded model) and an
 * output folder, and returns the paths it wrote.
 */

export interface VizOptions {
  /** Output folder. */
  out: string;
  /** Layer: index, dotted name (`2.0`) or `convN`. */
  layer?: number | string;
}

const asModel = (m: Module | string): Module => (typeof m === 'string' ? load(m) : m);

/** `tsgrad viz filters`: the weights of a convolution layer (default the first) as an image grid. */
export function vizFilters(model: Module | string, opts: VizOptions): string[] {
  const m = asModel(model);
  const layer = findLayer('viz filters', m, opts.layer ?? 'conv0');
  const r = filterGrid(layer.layer, { out: join(opts.out, `filters-${layer.name || 'model'}.png`) });
  return [r.path as string];
}

/** `tsgrad viz maximize`: activation maximisation for every filter of a layer (default the last convolution). */
export function vizMaximize(
  model: Module | string,
  opts: VizOptions & { steps?: number; stepSize?: number; seed?: number; method?: 'regularized' | 'plain' },
): string[] {
  const m = asModel(model);
  const convs = sequentialLayers(m).filter((l) => convWeight(l.layer));
  const which = opts.layer ?? convs[convs.length - 1]?.index;
  if (which === undefined) throw new TsgradError('viz maximize: the model has no convolution layer; pass --layer');
  const layer = findLayer('viz maximize', m, which);
  const r = maximizeGrid(m, layer.index, {
    steps: opts.steps,
    stepSize: opts.stepSize,
    method: opts.method,
    seed: opts.seed ?? 0,
    out: join(opts.out, `maximize-${layer.name || 'model'}.png`),
  });
  return [r.path as string];
}

/**
 * Reads an input for saliency: a PNG (grey, scaled to [0, 1]) or a JSON array,
 * reshaped to the model's input shape.
 */
export function readInput(file: string, shape: readonly number[]): Tensor {
  if (!existsSync(file)) throw new TsgradError(`viz saliency: input file ${file} not found`);
  if (extname(file).toLowerCase() === '.png') {
    const { width, height, data } = readPng(readFileSync(file));
    const grey = new Float32Array(width * height);
    for (let i = 0; i < grey.length; i++) grey[i] = (data[4 * i] + data[4 * i + 1] + data[4 * i + 2]) / (3 * 255);
    return tensor(grey, { shape });
  }
  const values = JSON.parse(readFileSync(file, 'utf8')) as number[];
  return tensor(values.flat(Infinity) as number[], { shape });
}

/** `tsgrad viz saliency`: the saliency map of an input (--input file), beside the input. */
export function vizSaliency(model: Module | string, opts: VizOptions & { input?: string | Tensor; classIndex?: number }): string[] {
  const m = asModel(model);
  const shape = guessInputShape(m);
  if (!shape) throw new TsgradError('viz saliency: cannot infer the model input shape');
  const x = opts.input === undefined ? zeros(shape).add(0.5) : typeof opts.input === 'string' ? readInput(opts.input, shape) : opts.input;
  const s = saliency(m, x, opts.classIndex);
  if (s.map.ndim !== 2) {
    // A sequence: per-position importance as JSON (a picture of it is the logo's job).
    const json = JSON.stringify({ classIndex: s.classIndex, score: s.score, importance: Array.from(s.map.data()) });
    return [writeOut(join(opts.out, 'saliency.json'), json)];
  }
  return [saliencyImage(x, s, { out: join(opts.out, 'saliency.png') }).path as string];
}

/** The input of an attribution command: the file given, or a grey image (sequence), shaped as guessInputShape says ([1, ...]). */
function attributionInput(op: string, m: Module, input: string | Tensor | undefined): Tensor {
  const shape = guessInputShape(m);
  if (!shape) throw new TsgradError(`${op}: cannot infer the model input shape`);
  const x = input === undefined ? zeros(shape).add(0.5) : typeof input === 'string' ? readInput(input, shape) : input;
  return x.reshape(shape);
}

/**
 * `tsgrad viz gradcam`: Grad-CAM of an input (--input file) at a convolution (default the last):
 * input, map and overlay as gradcam.png; for a sequence, the per-position map as gradcam.json.
 */
export function vizGradCam(
  model: Module | string,
  opts: VizOptions & { input?: string | Tensor; classIndex?: number; weights?: GradCamOptions['weights'] },
): string[] {
  const m = asModel(model);
  const x = attributionInput('viz gradcam', m, opts.input);
  const cam = gradCam(m, x, { layer: opts.layer, classIndex: opts.classIndex, weights: opts.weights });
  if (cam.map.ndim !== 2) {
    const json = JSON.stringify({ classIndex: cam.classIndex, score: cam.score, layer: cam.layer, map: Array.from(cam.map.data()) });
    return [writeOut(join(opts.out, 'gradcam.json'), json)];
  }
  return [attributionImage(x, cam.map, { out: join(opts.out, 'gradcam.png') }).path as string];
}

/**
 * `tsgrad viz ig`: integrated gradients of an input from a black (all-zero) baseline, with their
 * completeness (attributions' sum against the score difference) in ig.json; for an image, |map|
 * as ig.png.
 */
export function vizIntegratedGradients(
  model: Module | string,
  opts: VizOptions & { input?: string | Tensor; classIndex?: number; steps?: number },
): { paths: string[]; completeness: { sum: number; scoreDifference: number; relativeError: number } } {
  const m = asModel(model);
  const x = attributionInput('viz ig', m, opts.input);
  const ig = integratedGradients(m, x, { steps: opts.steps ?? 64, classIndex: opts.classIndex });
  const paths = [
    writeOut(
      join(opts.out, 'ig.json'),
      JSON.stringify({ classIndex: ig.classIndex, score: ig.score, completeness: ig.completeness, map: Array.from(ig.map.data()) }),
    ),
  ];
  if (ig.map.ndim === 2) paths.push(attributionImage(x, ig.map.abs(), { out: join(opts.out, 'ig.png') }).path as string);
  return { paths, completeness: ig.completeness };
}

/** `tsgrad viz graph`: the forward-pass graph of the model as SVG. */
export async function vizGraph(model: Module | string, opts: VizOptions & { inputShape?: readonly number[] }): Promise<string[]> {
  const m = asModel(model);
  const shape = opts.inputShape ?? guessInputShape(m);
  if (!shape) throw new TsgradError('viz graph: cannot infer the model input shape; pass inputShape');
  return (await graphOfModel(m, shape, { out: join(opts.out, 'graph') })).paths;
}

/**
 * The report of a saved model: its history (kept in config.json by save), and
 * whatever else the caller passes (confusion matrix, sample input).
 */
export async function vizReport(model: Module | string, opts: VizOptions & Omit<ReportOptions, 'model'>): Promise<string[]> {
  const m = asModel(model);
  const history = opts.history ?? (typeof model === 'string' ? (readConfig(model).history as ReportOptions['history']) : undefined);
  return (await writeReport(opts.out, { ...opts, model: m, history })).paths;
}

export { writeReport };
