// A module Worker for test/browser.test.ts: runs compareBackends and posts back its report,
// or the error's stack, so that a failure reaches the test's assertion message.
import * as tg from '../../dist/src/browser.js';
import { compareBackends } from './checks.js';

self.onmessage = async (e) => {
  try {
    tg.setBackend('wasm');
    tg.setNumThreads(e.data.threads);
    // Kernel threads are Workers too, started only once this thread returns to its event loop.
    const t0 = performance.now();
    await tg.ready();
    const readyMs = performance.now() - t0;
    postMessage({ ok: true, report: { readyMs, ...compareBackends(tg, e.data.threads) } });
  } catch (err) {
    postMessage({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
};
