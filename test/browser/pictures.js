// Bundled by test/browser-pictures.test.ts with esbuild, as a user's page would bundle tsgrad:
// draws training curves and a computational graph to PNG in the page with the optional packages
// (vega, vega-lite, resvg-wasm, graphviz-wasm).
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
