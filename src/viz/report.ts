import { arg, check as isCheck, is } from '../util/args.js';
import { basename, join } from 'node:path';
import type { Tensor } from '../tensor/tensor.js';
import { writeOut } from './files.js';
import { featureMaps, filterGrid } from './filters.js';
import { graphOfModel } from './graph.js';
import { convWeight, runLayer, sequentialLayers, type Layer } from './layers.js';
import { escapeXml } from './logo.js';
import { maximizeGrid } from './maximize.js';
import { plotConfusion, plotHistory, type HistoryLike } from './plot.js';
import { attributionImage, saliency, saliencyImage } from './saliency.js';
import { gradCam, integratedGradients } from './attribution.js';
import { colorize, imageGrid } from './image.js';
import { noGrad } from '../autograd/engine.js';
import { stack } from '../ops/movement.js';

export interface ReportOptions {
  title?: string;
  /** Training history (fit's History or per-epoch arrays): the curves. */
  history?: HistoryLike;
  /** The trained model: filters, activation maximisation, forward-pass graph. */
  model?: Layer;
  /** Confusion matrix on the test set, true class down. */
  confusion?: readonly (readonly number[])[] | Tensor;
  /** Class names for the confusion matrix. */
  labels?: readonly string[];
  /** Input shape with the batch axis for the graph; inferred from the first layer otherwise. */
  inputShape?: readonly number[];
  /** One input [1, ...] for saliency, integrated gradients and feature maps. */
  sample?: Tensor;
  /** A few inputs [N, ...] (say two test images per class) for a grid of Grad-CAM maps laid over them. */
  attributionSamples?: Tensor;
  /** For an image classifier, the regularised picture of each class ("what the network thinks a 3 looks like"); default true. */
  classImages?: boolean;
  /** Layer for activation maximisation; default the last convolution. */
  maximizeLayer?: number | string;
  /** Gradient-ascent steps for the activation-maximisation grid (default 60). */
  maximizeSteps?: number;
  /** Extra key figures shown in a table (test accuracy, training time, ...). */
  summary?: Record<string, string | number>;
  /** Pictures an application wrote into dir itself, each section linking its files (PNG or SVG). */
  sections?: ReadonlyArray<{ title: string; files: readonly string[]; note?: string }>;
}

/**
 * The input shape of a model with its batch axis: [1, C, 28, 28] for a 2-D
 * convolution first (the MNIST size), [1, C, 100] for a 1-D one, [1, in] for a
 * Linear first.
 * @example
 * guessInputShape(tg.nn.models.lenet5()); // [1, 1, 28, 28]
 */
export function guessInputShape(model: Layer): number[] | null {
  arg('guessInputShape', 'model', model, LAYER);
  for (const { layer } of sequentialLayers(model)) {
    const w = convWeight(layer);
    if (w) return w.ndim === 4 ? [1, w.shape[1], 28, 28] : [1, w.shape[1], 100];
    const lw = (layer as { weight?: Tensor }).weight;
    if (lw && lw.ndim === 2) return [1, lw.shape[1]];
  }
  return null;
}

/**
 * Writes `report.html` into dir with the pictures beside it: training curves,
 * confusion matrix, first-layer filters, activation-maximisation grid of a
 * convolution layer, saliency and feature maps of a sample, and the graph of the
 * forward pass. Sections without their input are left out. Returns the paths.
 *
 * @example
 * await writeReport('runs/mnist', { history, model, confusion, sample: xTest.narrow(0, 0, 1) });
 */
export async function writeReport(dir: string, opts: ReportOptions): Promise<{ html: string; paths: string[] }> {
  arg('writeReport', 'dir', dir, is.string);
  const paths: string[] = [];
  const sections: string[] = [];
  // Pixel grids stay sharp when the browser enlarges them; charts are linked as SVG.
  const img = (file: string, alt: string): string =>
    `<img src="${escapeXml(basename(file))}" alt="${escapeXml(alt)}"${file.endsWith('.png') ? ' class="px"' : ''}>`;
  const section = (title: string, body: string, note?: string): void => {
    sections.push(`<section><h2>${escapeXml(title)}</h2>${note ? `<p>${escapeXml(note)}</p>` : ''}${body}</section>`);
  };
  if (opts.summary) {
    const rows = Object.entries(opts.summary).map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${escapeXml(String(v))}</td></tr>`);
    section('Summary', `<table>${rows.join('')}</table>`);
  }
  if (opts.history) {
    const r = await plotHistory(opts.history, { out: join(dir, 'history') });
    paths.push(...r.paths);
    section('Training curves', img(r.paths[0], 'loss and metrics per epoch'), 'Training and validation loss and metrics per epoch.');
  }
  if (opts.confusion) {
    const r = await plotConfusion(opts.confusion, { out: join(dir, 'confusion'), rowLabels: opts.labels });
    paths.push(...r.paths);
    section('Confusion matrix', img(r.paths[0], 'confusion matrix'), 'Test set: true class down, predicted class across.');
  }
  const model = opts.model;
  const convs = model ? sequentialLayers(model).filter((l) => convWeight(l.layer)) : [];
  if (model && convs.length > 0) {
    const f = filterGrid(convs[0].layer, { out: join(dir, 'filters.png') });
    paths.push(f.path as string);
    section(
      'First-layer filters',
      img(f.path as string, 'filters'),
      `The kernels of ${convs[0].name}, each scaled to its own range (dark low, light high).`,
    );
    const layer = opts.maximizeLayer ?? convs[convs.length - 1].index;
    const m = maximizeGrid(model, layer, { steps: opts.maximizeSteps ?? 60, seed: 0, out: join(dir, 'maximize.png') });
    paths.push(m.path as string);
    section(
      'Activation maximisation',
      img(m.path as string, 'activation maximisation'),
      `For each filter of layer ${String(layer)}: the input that maximises its mean activation, found by regularised gradient ascent ` +
        'from a grey image (random jitter, decay towards grey, blur, values kept in [0, 1]).',
    );
  }
  if (model && opts.sample && opts.sample.ndim === 4 && (opts.classImages ?? true)) {
    const classes = noGrad(() => runLayer(model, opts.sample as Tensor)).shape[1];
    const last = sequentialLayers(model).length - 1;
    const grid = maximizeGrid(model, last, {
      filters: Array.from({ length: classes }, (_, i) => i),
      steps: opts.maximizeSteps ? 2 * opts.maximizeSteps : 200,
      jitter: 2,
      seed: 0,
      nrow: classes,
      inputShape: opts.sample.shape.slice(1),
      out: join(dir, 'classes.png'),
    });
    paths.push(grid.path as string);
    section(
      'What each class looks like to the network',
      img(grid.path as string, 'class images'),
      `Classes 0 to ${classes - 1}, left to right: the input that maximises each class score, by the same regularised ascent.`,
    );
  }
  if (model && convs.length > 0 && opts.attributionSamples) {
    const xs = opts.attributionSamples;
    const tiles: Tensor[] = [];
    for (let i = 0; i < xs.shape[0]; i++) {
      const x = xs.narrow(0, i, 1);
      const cam = gradCam(model, x);
      if (cam.map.ndim !== 2) break;
      const [h, w] = cam.map.shape;
      tiles.push(
        noGrad(() =>
          colorize(unit(x.reshape([-1, h, w]).mean({ axis: 0 })), 'gray')
            .add(colorize(unit(cam.map), 'hot'))
            .mul(0.5),
        ),
      );
    }
    const overlays = tiles.length === xs.shape[0] ? tiles : null;
    if (overlays) {
      const p = imageGrid(stack(overlays), { nrow: 10, scale: 3, normalize: 'none', out: join(dir, 'gradcam.png') });
      paths.push(p.path as string);
      section(
        'Grad-CAM',
        img(p.path as string, 'Grad-CAM'),
        'Where the last convolution found the evidence for the predicted class, laid over each test image.',
      );
    }
  }
  if (model && opts.sample) {
    const s = saliency(model, opts.sample);
    if (s.map.ndim === 2) {
      const p = saliencyImage(opts.sample, s, { out: join(dir, 'saliency.png') });
      paths.push(p.path as string);
      section('Saliency', img(p.path as string, 'saliency'), `|d score / d input| for the predicted class ${s.classIndex}.`);
      const ig = integratedGradients(model, opts.sample, { steps: 64 });
      const q = attributionImage(opts.sample, ig.map.abs(), { out: join(dir, 'integrated-gradients.png') });
      paths.push(q.path as string);
      const c = ig.completeness;
      section(
        'Integrated gradients',
        img(q.path as string, 'integrated gradients'),
        `|attribution| of each pixel from a black image, 64 steps: the attributions sum to ${c.sum.toFixed(4)}, ` +
          `the score difference is ${c.scoreDifference.toFixed(4)} (completeness error ${(100 * c.relativeError).toFixed(3)}%).`,
      );
    }
    if (convs.length > 0) {
      const maps = featureMaps(model, opts.sample, { outDir: dir });
      paths.push(...maps.map((fm) => fm.image.path as string));
      section(
        'Feature maps',
        maps
          .map(
            (fm) =>
              `<figure>${img(fm.image.path as string, fm.name)}<figcaption>${escapeXml(`${fm.name} (${fm.kind})`)}</figcaption></figure>`,
          )
          .join(''),
      );
    }
  }
  for (const s of opts.sections ?? []) section(s.title, s.files.map((f) => img(f, s.title)).join(''), s.note);
  const inputShape = opts.inputShape ?? (model ? guessInputShape(model) : null);
  if (model && inputShape) {
    const g = await graphOfModel(model, inputShape, { out: join(dir, 'graph') });
    paths.push(...g.paths);
    section(
      'Computational graph',
      img(g.paths[0], 'forward pass graph'),
      `The forward pass on one input of shape [${inputShape.join(', ')}]; parameters carry their names.`,
    );
  }
  const title = opts.title ?? 'tsgrad report';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
img { max-width: 100%; } img.px { image-rendering: pixelated; border: 1px solid #ddd; }
figure { display: inline-block; margin: 0 1em 1em 0; } th { text-align: left; padding-right: 1em; }
</style></head>
<body><h1>${escapeXml(title)}</h1>
${sections.join('\n')}
</body></html>
`;
  const htmlPath = writeOut(join(dir, 'report.html'), html);
  return { html: htmlPath, paths: [htmlPath, ...paths] };
}

/** t scaled to [0, 1] over its own range. */
function unit(t: Tensor): Tensor {
  return t.sub(t.min()).div(t.max().sub(t.min()).add(1e-12));
}

const LAYER = isCheck(
  'a Module or a function',
  (v) => typeof v === 'function' || typeof (v as { forward?: unknown } | null)?.forward === 'function',
);
