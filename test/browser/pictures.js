// Bundled by test/browser-pictures.test.ts with esbuild, as a user's page would bundle tsgrad:
// draws training curves and a computational graph to PNG in the page with the optional packages
// (vega, vega-lite, resvg-wasm, graphviz-wasm).
import * as tg from 'tsgrad/browser';
import { configurePictures, drawGraph, plotHistory, tensor } from 'tsgrad/browser';

/** Draws the history; returns the SVG and the PNG's bytes as a plain array. */
export async function drawHistory(history, title) {
  const font = async (f) => new Uint8Array(await (await fetch(f)).arrayBuffer());
  configurePictures({
    wasm: fetch('/resvg.wasm'),
    fonts: [await font('/DejaVuSans.ttf'), await font('/DejaVuSans-Bold.ttf')],
    fontFamily: 'DejaVu Sans',
  });
  const r = await plotHistory(history, { title });
  return { svg: r.svg, png: Array.from(r.png) };
}

/** Draws the graph of sum(x * x) with Graphviz (wasm) and rasterises it; returns its DOT, SVG and PNG size in bytes. */
export async function drawSquareGraph() {
  const x = tensor([1, 2], { requiresGrad: true });
  const g = await drawGraph(x.mul(x).sum(), { png: true });
  return { dot: g.dot, svg: g.svg, pngBytes: g.png.length };
}

/**
 * A small CNN's first-layer filters and a saliency map as PNG grids (pngjs's browser build, by the
 * "browser" field of package.json); returns their sizes and the decoded grid's first pixel.
 */
export function drawFilters() {
  tg.manualSeed(0);
  const model = new tg.nn.Sequential(
    new tg.nn.Conv2d({ inChannels: 1, outChannels: 8, kernelSize: 3 }),
    new tg.nn.ReLU(),
    new tg.nn.Flatten(),
    new tg.nn.Linear({ inFeatures: 8 * 26 * 26, outFeatures: 10 }),
  );
  const filters = tg.filterGrid(model.at(0));
  const x = tg.rand([1, 1, 28, 28]);
  const sal = tg.saliencyImage(x, tg.saliency(model, x, 3));
  const decoded = tg.readPng(filters.png);
  return {
    filters: [filters.width, filters.height, filters.png.length],
    saliency: [sal.width, sal.height, sal.png.length],
    decoded: [decoded.width, decoded.height],
  };
}
