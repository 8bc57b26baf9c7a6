/**
 * The browser path, in Debian's headless Chromium driven by playwright-core: dist/src/browser.js
 * in a module Worker on a cross-origin-isolated page (wasm with 2 kernel threads on a shared
 * memory), in a Worker on a plain page (the single-thread build), and on a page's main thread
 * (which cannot read the .wasm synchronously, so falls back to ref). The pages and the worker are
 * test/browser/*.html|js, served from the source tree; the library from dist/ and build/.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, MISSING, launchChromium } from './chromium.js';
import { repoRoot } from './util.js';

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
/** What the server exposes: the compiled library, the wasm builds and the test pages. */
const SERVED = ['dist/', 'build/', 'test/browser/'];

type Variant = 'isolated' | 'plain';

interface Diff {
  maxDiff: number;
  maxAbs: number;
}

interface WorkerReport {
  readyMs: number;
  crossOriginIsolated: boolean;
  backend: string;
  threads: number;
  wasmMs: number;
  workerTasks: number;
  diffs: Record<string, Diff>;
}

interface XorReport {
  /** The same network trained by fit(): first and last epoch loss, console lines printed. */
  fit: { first: number; last: number; lines: number; lastLine: string };
  backend: string;
  wasmLoadError: string | null;
  setBackendError: string | null;
  first: number;
  last: number;
  predictions: number[];
}

type Reply<T> = { ok: true; report: T } | { ok: false; error: string };

/** Requests and browser messages, printed with any failed assertion. */
const log: string[] = [];

/**
 * Serves the package root under /isolated/ (with COOP and COEP, so pages there are
 * cross-origin isolated and get SharedArrayBuffer) and under /plain/ (without).
 */
function startServer(): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/(isolated|plain)\/(.*)$/.exec(url.pathname);
    const rel = match ? normalize(match[2]) : '';
    const send = (status: number, headers: Record<string, string>, body?: Buffer) => {
      // Pages, wasm builds and failures: the library's many modules would drown them.
      if (status !== 200 || /\.(html|wasm)$/.test(url.pathname)) log.push(`server: ${status} ${url.pathname}`);
      res.writeHead(status, headers).end(body);
    };
    if (!match || !SERVED.some((dir) => rel.startsWith(dir))) return send(404, {});
    const headers: Record<string, string> = { 'Content-Type': TYPES[extname(rel)] ?? 'application/octet-stream' };
    if (match[1] === 'isolated') {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    readFile(join(repoRoot, rel)).then(
      (body) => send(200, headers, body),
      () => send(404, {}),
    );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The assertion message's tail: everything the server and the browser said. */
function context(what: string): string {
  return `${what}\n--- server requests and browser console ---\n${log.join('\n')}`;
}

function unwrap<T>(reply: Reply<T>, what: string): T {
  if (!reply.ok) assert.fail(context(`${what} threw in the browser:\n${reply.error}`));
  return reply.report;
}

/** Largest allowed |wasm - ref|: float32 rounding, relative to the largest value. */
function assertAgree(diffs: Record<string, Diff>, what: string): void {
  for (const [name, d] of Object.entries(diffs)) {
    const tol = 1e-5 * d.maxAbs + 1e-6;
    assert.ok(d.maxDiff <= tol, context(`${what}: ${name} differs from ref by ${d.maxDiff} (max |ref| ${d.maxAbs}, tolerance ${tol})`));
  }
}

describe('browser (headless Chromium)', { timeout: 60_000 }, () => {
  let server: Server | null = null;
  let browser: Browser | null = null;
  let base = '';

  before(async () => {
    if (!existsSync(CHROMIUM)) return;
    server = await startServer();
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  /** Opens test/browser/index.html under the variant's path, its console forwarded to `log`. */
  async function open(variant: Variant): Promise<Page> {
    if (!browser) assert.fail(MISSING);
    const page = await browser.newPage();
    page.on('console', (m) => log.push(`${variant} console.${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => log.push(`${variant} page error: ${e.stack ?? e.message}`));
    await page.goto(`${base}/${variant}/test/browser/index.html`);
    return page;
  }

  /** Starts test/browser/worker.js as a module Worker and waits for its report. */
  function runWorker(page: Page, threads: number): Promise<Reply<WorkerReport>> {
    return page.evaluate(
      (threads) =>
        new Promise<Reply<WorkerReport>>((resolve) => {
          const w = new Worker('./worker.js', { type: 'module' });
          const done = (reply: Reply<WorkerReport>) => {
            clearTimeout(timer);
            w.terminate();
            resolve(reply);
          };
          const timer = setTimeout(() => done({ ok: false, error: 'worker.js sent no reply within 20 s' }), 20_000);
          w.onmessage = (e) => done(e.data as Reply<WorkerReport>);
          w.onerror = (e) => done({ ok: false, error: `worker.js failed to load or threw: ${e.message}` });
          w.postMessage({ threads });
        }),
      threads,
    );
  }

  /** Wasm builds the variant's pages fetched, by file name. */
  function wasmFetched(variant: Variant): string[] {
    const re = new RegExp(`^server: 200 /${variant}/build/(.*\\.wasm)$`);
    return log.flatMap((line) => re.exec(line)?.[1] ?? []);
  }

  test('Worker on a cross-origin-isolated page: wasm with 2 kernel threads agrees with ref', async (t) => {
    if (!browser && !process.env.CI) return t.skip(MISSING);
    const page = await open('isolated');
    const r = unwrap(await runWorker(page, 2), 'worker.js (isolated)');
    await page.close();
    t.diagnostic(`isolated worker: ${JSON.stringify(r)}; wasm fetched: ${wasmFetched('isolated')}`);
    assert.equal(r.crossOriginIsolated, true, context('the page served with COOP/COEP is not cross-origin isolated'));
    assert.equal(r.backend, 'wasm', context('backend after setBackend("wasm")'));
    assert.equal(r.threads, 2, context('getNumThreads() after setNumThreads(2)'));
    assert.ok(r.workerTasks > 0, context(`the kernel threads ran no tasks (${r.workerTasks}): all work stayed on the calling thread`));
    assert.ok(!wasmFetched('isolated').includes('kernels-single.wasm'), context('an isolated page loaded the single-thread build'));
    assertAgree(r.diffs, 'isolated worker');
  });

  test('Worker on a plain page: the single-thread build agrees with ref', async (t) => {
    if (!browser && !process.env.CI) return t.skip(MISSING);
    const page = await open('plain');
    const r = unwrap(await runWorker(page, 2), 'worker.js (plain)');
    await page.close();
    t.diagnostic(`plain worker: ${JSON.stringify(r)}; wasm fetched: ${wasmFetched('plain')}`);
    assert.equal(r.crossOriginIsolated, false, context('the page served without COOP/COEP is cross-origin isolated'));
    assert.equal(r.backend, 'wasm', context('backend after setBackend("wasm")'));
    assert.equal(r.threads, 1, context('without shared memory the wasm backend must run one thread'));
    assert.equal(r.workerTasks, 0, context('a kernel thread ran tasks without shared memory'));
    assert.deepEqual(wasmFetched('plain'), ['kernels-single.wasm'], context('the plain page must load build/kernels-single.wasm only'));
    assertAgree(r.diffs, 'plain worker');
  });

  for (const variant of ['plain', 'isolated'] as const) {
    const which = variant === 'plain' ? 'a plain page' : 'a cross-origin-isolated page';
    test(`main thread of ${which}: imports and trains XOR, falling back to ref`, async (t) => {
      if (!browser && !process.env.CI) return t.skip(MISSING);
      const page = await open(variant);
      const reply: Reply<XorReport> = await page.evaluate(async () => {
        try {
          const tg = await import(new URL('../../dist/src/browser.js', location.href).href);
          const { trainXor, fitXor } = await import(new URL('./checks.js', location.href).href);
          let setBackendError: string | null = null;
          try {
            tg.setBackend('wasm');
          } catch (e) {
            setBackendError = e instanceof Error ? e.message : String(e);
          }
          return { ok: true, report: { ...trainXor(tg), setBackendError, fit: fitXor(tg) } };
        } catch (e) {
          return { ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
        }
      });
      await page.close();
      const r = unwrap(reply, `main thread (${variant})`);
      t.diagnostic(`${variant} main thread: ${JSON.stringify(r)}`);
      // A document may not make the synchronous request that reads the .wasm (decision 11: use a Worker).
      assert.equal(r.backend, 'ref', context('backend on the main thread'));
      assert.match(r.wasmLoadError ?? '', /only in a Web Worker/, context('wasmLoadError() must say why wasm did not load'));
      assert.match(r.setBackendError ?? '', /setBackend: backend 'wasm' is not available: .*Web Worker/, context('setBackend("wasm")'));
      assert.ok(r.last < r.first / 10, context(`XOR loss did not fall: ${r.first} -> ${r.last}`));
      assert.deepEqual(r.predictions.map(Math.round), [0, 1, 1, 0], context(`XOR predictions ${r.predictions}`));
      // fit() runs in a browser too, printing one line per epoch to the console.
      assert.ok(r.fit.last < r.fit.first / 10, context(`fit: XOR loss did not fall: ${r.fit.first} -> ${r.fit.last}`));
      assert.equal(r.fit.lines, 150, context('fit with verbose 2 prints one console line per epoch'));
      assert.match(r.fit.lastLine, /Epoch 150\/150/, context('fit: last console line'));
    });
  }
});
