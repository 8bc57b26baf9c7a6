/**
 * Pictures without native code: PNGs come from resvg compiled to WebAssembly, in Node and in a
 * browser tab. The fixture is the PNG that the native resvg add-on (@resvg/resvg-js 2.6.2) drew
 * for the same chart with the same fonts before tsgrad moved to the wasm build; Node's PNG must
 * match it pixel for pixel. In Chromium, test/browser/pictures.js is bundled with esbuild (as a
 * user's page bundles tsgrad) and draws the same chart, which Node's renderer must reproduce.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
import { chromiumFor } from './chromium.js';
import { PNG } from 'pngjs';
import * as tg from 'tsgrad';
import { serveDir, type StaticServer } from './static-server.js';
import { repoPath, repoRoot } from './util.js';

const FONT_DIR = '/usr/share/fonts/truetype/dejavu';
const HISTORY = {
  loss: [1.2, 0.8, 0.55, 0.42, 0.37, 0.35],
  valLoss: [1.25, 0.9, 0.7, 0.66, 0.68, 0.72],
  accuracy: [0.61, 0.74, 0.82, 0.87, 0.89, 0.9],
  valAccuracy: [0.6, 0.71, 0.78, 0.8, 0.8, 0.79],
};
const TITLE = 'training curves';

interface PixelDiff {
  width: number;
  height: number;
  /** Pixels whose RGBA differs at all, and the largest channel difference. */
  differing: number;
  maxChannel: number;
}

function comparePng(actual: Uint8Array, expected: Uint8Array): PixelDiff {
  const a = PNG.sync.read(Buffer.from(actual));
  const b = PNG.sync.read(Buffer.from(expected));
  assert.deepEqual([a.width, a.height], [b.width, b.height], 'PNG size');
  let differing = 0;
  let maxChannel = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    let d = 0;
    for (let c = 0; c < 4; c++) d = Math.max(d, Math.abs(a.data[i + c] - b.data[i + c]));
    if (d > 0) differing++;
    maxChannel = Math.max(maxChannel, d);
  }
  return { width: a.width, height: a.height, differing, maxChannel };
}

const fixture = (): Uint8Array => readFileSync(repoPath('test', 'fixtures', 'pictures', 'history-resvg-native.png'));

test('plotHistory in Node: the wasm renderer draws the native add-on’s PNG pixel for pixel', async (t) => {
  assert.ok(
    existsSync(join(FONT_DIR, 'DejaVuSans.ttf')),
    `the fixture was drawn with DejaVu Sans (${FONT_DIR}); install fonts-dejavu-core`,
  );
  const r = await tg.plotHistory(HISTORY, { title: TITLE });
  const d = comparePng(r.png!, fixture());
  t.diagnostic(`Node: ${JSON.stringify(d)}`);
  assert.equal(d.differing, 0, `${d.differing} pixels differ (largest channel difference ${d.maxChannel})`);
});

test('plotHistory, drawGraph, filter and saliency grids in a Chromium page, bundled with esbuild', { timeout: 120_000 }, async (t) => {
  const browser = await chromiumFor(t);
  if (!browser) return;
  const out = mkdtempSync(join(tmpdir(), 'tsgrad-pictures-'));
  const log: string[] = [];
  let srv: StaticServer | undefined;
  try {
    const build = await esbuild.build({
      entryPoints: [repoPath('test', 'browser', 'pictures.js')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      outfile: join(out, 'pictures.js'),
      absWorkingDir: repoRoot,
      logLevel: 'silent',
    });
    assert.deepEqual(build.errors, []);
    const require = createRequire(import.meta.url);
    srv = await serveDir(out, {
      log,
      extra: {
        '/index.html': repoPath('test', 'browser', 'index.html'),
        '/resvg.wasm': require.resolve('@resvg/resvg-wasm/index_bg.wasm'),
        '/DejaVuSans.ttf': join(FONT_DIR, 'DejaVuSans.ttf'),
        '/DejaVuSans-Bold.ttf': join(FONT_DIR, 'DejaVuSans-Bold.ttf'),
      },
    });
    const page = await browser.newPage();
    page.on('pageerror', (e) => log.push(`page error: ${e.message}`));
    page.on('console', (m) => log.push(`console.${m.type()}: ${m.text()}`));
    await page.goto(`${srv.base}/index.html`);
    const r = await page.evaluate(
      async ([history, title]) => {
        const m = await import(new URL('/pictures.js', location.href).href);
        return (await m.drawHistory(history, title)) as { svg: string; png: number[] };
      },
      [HISTORY, TITLE] as const,
    );
    const png = Uint8Array.from(r.png);
    // vega lays text out with a canvas's measureText in a browser and by estimate in Node, so the
    // page's chart is laid out a little differently; the renderer must still be the same: Node's
    // PNG of the page's SVG equals the page's PNG pixel for pixel.
    const d = comparePng(png, await tg.svgToPng(r.svg));
    const [w, h] = [/width="([\d.]+)"/.exec(r.svg)?.[1], /height="([\d.]+)"/.exec(r.svg)?.[1]].map(Number);
    t.diagnostic(`Chromium: SVG ${w}×${h}, PNG ${JSON.stringify(d)}`);
    assert.deepEqual([d.width, d.height], [Math.ceil(2 * w), Math.ceil(2 * h)], 'the PNG is the SVG at scale 2');
    assert.ok(r.svg.includes(TITLE) && r.svg.includes('accuracy') && r.svg.includes('loss'), 'the chart has its title and both panels');
    assert.equal(
      d.differing,
      0,
      `${d.differing} pixels differ from Node's PNG of the same SVG (largest channel difference ${d.maxChannel})`,
    );
    // The computational graph, laid out by Graphviz compiled to WebAssembly, in the same page.
    const g = await page.evaluate(async () => {
      const m = await import(new URL('/pictures.js', location.href).href);
      return (await m.drawSquareGraph()) as { dot: string; svg: string; pngBytes: number };
    });
    t.diagnostic(`Chromium graph: ${g.dot.split('\n').length} DOT lines, SVG ${g.svg.length} chars, PNG ${g.pngBytes} bytes`);
    assert.match(g.dot, /^digraph/);
    for (const op of ['mul', 'sum']) assert.ok(g.svg.includes(op), `the drawn graph has no ${op} node`);
    assert.ok(g.pngBytes > 1000, `the graph's PNG has ${g.pngBytes} bytes`);
    // Filter and saliency grids: PNG encoding by pngjs's browser build, chosen by package.json's
    // "browser" field, which the bundler follows; the same grids in Node for comparison.
    const f = await page.evaluate(async () => {
      const m = await import(new URL('/pictures.js', location.href).href);
      return m.drawFilters() as { filters: number[]; saliency: number[]; decoded: number[] };
    });
    t.diagnostic(`Chromium grids: ${JSON.stringify(f)}`);
    // The same function in Node (pngjs on zlib): the same grid sizes.
    const inNode = (await import(pathToFileURL(repoPath('test', 'browser', 'pictures.js')).href)) as {
      drawFilters: () => { filters: number[]; saliency: number[]; decoded: number[] };
    };
    const n = inNode.drawFilters();
    assert.deepEqual(
      [f.filters.slice(0, 2), f.saliency.slice(0, 2)],
      [n.filters.slice(0, 2), n.saliency.slice(0, 2)],
      'grid sizes, page and Node',
    );
    assert.deepEqual(f.decoded, f.filters.slice(0, 2), 'the page decodes its own PNG');
    assert.ok(f.filters[2] > 100 && f.saliency[2] > 100, 'PNG bytes');
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- server and browser ---\n${log.join('\n')}`, { cause: e });
  } finally {
    await browser.close();
    await srv?.close();
    rmSync(out, { recursive: true, force: true });
  }
});
