import { arg, check as isCheck, is } from '../util/args.js';
import { Tensor } from '../tensor/tensor.js';
import { check } from '../util/errors.js';
import { importOptional } from '../util/optional.js';
import { svgPicture, type RasterOptions, type SvgPicture } from './raster.js';

/**
 * A Vega-Lite specification (https://vega.github.io/vega-lite/docs/spec.html), typed loosely
 * here so that tsgrad's declarations do not need vega-lite's, an optional package.
 */
export type VegaLiteSpec = Record<string, unknown>;

/** Options shared by the charts: where to write, a title, and the PNG resolution. */
export interface ChartOptions extends RasterOptions {
  /** Writes `<out>.svg` and `<out>.png` (a trailing .svg/.png is dropped); Node only. */
  out?: string;
  title?: string;
  /** Also rasterise to PNG (default true). */
  png?: boolean;
}

// A sans-serif font that the renderer finds on Debian (see raster.ts), so that SVG and PNG look alike.
const CONFIG = { font: 'DejaVu Sans', view: { stroke: null } } as const;

/**
 * Compiles a Vega-Lite spec and renders it to SVG with vega's headless View (no canvas
 * needed). vega and vega-lite are optional packages, loaded on first use.
 * @example
 * const svg = await renderVegaLite({ data: { values: [{ x: 1, y: 2 }, { x: 2, y: 3 }] }, mark: 'line',
 *   encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } });
 */
export async function renderVegaLite(spec: VegaLiteSpec): Promise<string> {
  arg('renderVegaLite', 'spec', spec, is.object);
  const [vega, vl] = await Promise.all([
    importOptional('vega', 'renderVegaLite', () => import('vega')),
    importOptional('vega-lite', 'renderVegaLite', () => import('vega-lite')),
  ]);
  const vg = vl.compile({ config: CONFIG, ...spec } as unknown as import('vega-lite').TopLevelSpec).spec;
  const view = new vega.View(vega.parse(vg), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Compiles and renders a Vega-Lite spec, then rasterises and (given out) writes SVG and PNG. */
export async function renderChart(spec: VegaLiteSpec, opts: ChartOptions): Promise<SvgPicture> {
  return svgPicture(await renderVegaLite(spec), opts.out, opts);
}

/**
 * A training history as one series per quantity: `loss` with `valLoss` (or
 * `val_loss`), `accuracy` with `valAccuracy`, and so on. Accepts an object of
 * per-epoch arrays (`{ loss: [...], valLoss: [...] }`), the same under a
 * `history` field (Keras), or an array of per-epoch records.
 */
export type HistoryLike = Record<string, unknown> | ReadonlyArray<Record<string, unknown>> | { history: Record<string, unknown> };

interface Quantity {
  name: string;
  train?: number[];
  val?: number[];
}

const isNumbers = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((e) => typeof e === 'number');

/**
 * The per-epoch arrays of a history, paired as training and validation (what plotHistory charts).
 * @example
 * historyQuantities({ loss: [0.9, 0.5], valLoss: [1, 0.7], accuracy: [0.7, 0.8] });
 * // [{ name: 'loss', train: [0.9, 0.5], val: [1, 0.7] }, { name: 'accuracy', train: [0.7, 0.8] }]
 */
export function historyQuantities(history: HistoryLike): Quantity[] {
  arg('historyQuantities', 'history', history, is.anyOf(is.object, HISTORY));
  let h: Record<string, unknown>;
  if (Array.isArray(history)) {
    h = {};
    for (const rec of history as ReadonlyArray<Record<string, unknown>>) {
      for (const [k, v] of Object.entries(rec)) {
        if (typeof v === 'number') ((h[k] ??= []) as number[]).push(v);
      }
    }
  } else {
    const o = history as Record<string, unknown>;
    h = o.history && typeof o.history === 'object' && !Array.isArray(o.history) ? (o.history as Record<string, unknown>) : o;
    if (Array.isArray(o.epochs)) return historyQuantities(o.epochs as Array<Record<string, unknown>>);
  }
  const byName = new Map<string, Quantity>();
  for (const [key, v] of Object.entries(h)) {
    // Bookkeeping, not quantities to chart.
    if (!isNumbers(v) || ['epoch', 'epochs', 'lr', 'time', 'seconds'].includes(key)) continue;
    const m = /^val(?:_|(?=[A-Z]))(.+)$/.exec(key);
    const name = m ? m[1].charAt(0).toLowerCase() + m[1].slice(1) : key;
    const q = byName.get(name) ?? { name };
    if (m) q.val = v;
    else q.train = v;
    byName.set(name, q);
  }
  // Loss first, then the metrics in the order they appeared.
  return [...byName.values()].sort((a, b) => Number(b.name === 'loss') - Number(a.name === 'loss'));
}

/**
 * Training and validation loss and every metric per epoch: one line chart per
 * quantity, side by side, rendered with Vega-Lite to SVG and PNG.
 *
 * @example
 * const history = await fit(model, train, { epochs: 5, validation });
 * await plotHistory(history, { out: 'runs/mnist/history', title: 'MNIST CNN' });
 */
export async function plotHistory(history: HistoryLike, opts: ChartOptions = {}): Promise<SvgPicture> {
  arg('plotHistory', 'opts', opts, is.optional(is.object));
  const qs = historyQuantities(history);
  check(qs.length > 0, 'plotHistory', () => 'the history has no per-epoch numbers (expected e.g. { loss: [...], valLoss: [...] })');
  const values = qs.flatMap((q) => [
    ...(q.train ?? []).map((v, i) => ({ quantity: q.name, split: 'training', epoch: i + 1, value: v })),
    ...(q.val ?? []).map((v, i) => ({ quantity: q.name, split: 'validation', epoch: i + 1, value: v })),
  ]);
  const charts = qs.map((q) => ({
    title: q.name,
    transform: [{ filter: { field: 'quantity', equal: q.name } }],
    mark: { type: 'line', point: true },
    width: 260,
    height: 180,
    encoding: {
      x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1, format: 'd' }, scale: { nice: false } },
      y: { field: 'value', type: 'quantitative', title: q.name, scale: { zero: false } },
      color: { field: 'split', type: 'nominal', title: null, scale: { domain: ['training', 'validation'] } },
    },
  }));
  const spec = {
    title: opts.title,
    data: { values },
    concat: charts,
    columns: Math.min(3, charts.length),
    resolve: { scale: { y: 'independent' } },
  } as VegaLiteSpec;
  return renderChart(spec, opts);
}

/** Series for plotSeries: named y arrays (x = 0, 1, ...), or explicit x and y. */
export type SeriesInput = Record<string, readonly number[] | { x: readonly number[]; y: readonly number[] }>;

export interface SeriesOptions extends ChartOptions {
  xLabel?: string;
  yLabel?: string;
  logX?: boolean;
  logY?: boolean;
  /** Draw a dot at each point (default when a series has at most 60 points). */
  points?: boolean;
  width?: number;
  height?: number;
}

/**
 * A generic line chart of one or more series (the double-descent risk curve,
 * a learning-rate sweep, ...).
 *
 * @example
 * await plotSeries({ train: { x: widths, y: trainRisk }, test: { x: widths, y: testRisk } },
 *   { xLabel: 'parameters', yLabel: 'risk', logY: true, out: 'double-descent' });
 */
export async function plotSeries(series: SeriesInput, opts: SeriesOptions = {}): Promise<SvgPicture> {
  arg('plotSeries', 'opts', opts, is.optional(is.object));
  const values: Array<{ series: string; x: number; y: number }> = [];
  for (const [name, s] of Object.entries(series)) {
    const ys = 'y' in s ? s.y : (s as readonly number[]);
    const xs = 'x' in s ? s.x : ys.map((_, i) => i);
    check(xs.length === ys.length, 'plotSeries', () => `series ${name} has ${xs.length} x values but ${ys.length} y values`);
    ys.forEach((y, i) => values.push({ series: name, x: xs[i], y }));
  }
  check(values.length > 0, 'plotSeries', () => 'no points to plot');
  const counts = Object.values(series).map((s) => ('y' in s ? s.y.length : (s as readonly number[]).length));
  const spec = {
    title: opts.title,
    width: opts.width ?? 420,
    height: opts.height ?? 260,
    data: { values },
    mark: { type: 'line', point: opts.points ?? Math.max(...counts) <= 60 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: opts.xLabel ?? 'x', scale: opts.logX ? { type: 'log' } : { zero: false } },
      y: { field: 'y', type: 'quantitative', title: opts.yLabel ?? 'y', scale: opts.logY ? { type: 'log' } : { zero: false } },
      color: { field: 'series', type: 'nominal', title: null },
    },
  } as VegaLiteSpec;
  return renderChart(spec, opts);
}

export interface HeatmapOptions extends ChartOptions {
  /** Row labels (the true classes of a confusion matrix); default 0..n-1. */
  rowLabels?: readonly string[];
  colLabels?: readonly string[];
  xLabel?: string;
  yLabel?: string;
  /** Print the value in each cell (default when at most 20×20). */
  annotate?: boolean;
}

/**
 * A matrix as a heatmap with Vega-Lite; with the defaults it is a confusion
 * matrix, true class down, predicted class across.
 *
 * @example
 * await plotConfusion([[50, 2], [3, 45]], { rowLabels: ['cat', 'dog'], out: 'confusion' });
 */
export async function plotConfusion(matrix: Tensor | readonly (readonly number[])[], opts: HeatmapOptions = {}): Promise<SvgPicture> {
  arg('plotConfusion', 'opts', opts, is.optional(is.object));
  const m = matrix instanceof Tensor ? (matrix.toArray() as number[][]) : matrix;
  check(
    m.length > 0 && m.every((r) => Array.isArray(r) && r.length === m[0].length),
    'plotConfusion',
    () => `expected a non-empty rectangular matrix, got ${m.length} rows of lengths ${m.map((r) => r.length).join(',')}`,
  );
  const rows = opts.rowLabels ?? m.map((_, i) => String(i));
  const cols = opts.colLabels ?? opts.rowLabels ?? m[0].map((_, j) => String(j));
  const values = m.flatMap((r, i) => r.map((v, j) => ({ row: rows[i], col: cols[j], value: v })));
  const max = Math.max(...values.map((v) => v.value));
  const cell = Math.max(18, Math.min(40, Math.floor(400 / Math.max(rows.length, cols.length))));
  const base = {
    encoding: {
      x: { field: 'col', type: 'ordinal', sort: cols, title: opts.xLabel ?? 'predicted', axis: { labelAngle: 0 } },
      y: { field: 'row', type: 'ordinal', sort: rows, title: opts.yLabel ?? 'true' },
    },
  };
  const layers: unknown[] = [
    { mark: 'rect', encoding: { color: { field: 'value', type: 'quantitative', title: null, scale: { scheme: 'blues' } } } },
  ];
  if (opts.annotate ?? (rows.length <= 20 && cols.length <= 20)) {
    layers.push({
      mark: { type: 'text', fontSize: Math.min(12, cell / 2.5) },
      encoding: {
        text: { field: 'value', type: 'quantitative', format: Number.isInteger(max) ? 'd' : '.2f' },
        color: { condition: { test: `datum.value > ${max / 2}`, value: 'white' }, value: 'black' },
      },
    });
  }
  const spec = {
    title: opts.title,
    data: { values },
    width: cell * cols.length,
    height: cell * rows.length,
    ...base,
    layer: layers,
  } as VegaLiteSpec;
  return renderChart(spec, opts);
}

const HISTORY = isCheck('a History', (v) => typeof v === 'object' && v !== null);
