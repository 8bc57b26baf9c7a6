/**
 * The page's main thread: starts the worker that runs the library (worker.ts), says which
 * kernels it got, switches tabs, and passes each message from the worker to the tabs. It
 * never trains or evaluates a network itself, so that drawing stays smooth.
 *
 * `?model=<url of a model directory>` loads another digit model than models/mnist/.
 */
import './style.css';
import { digitsView } from './digits/view.js';
import { filtersView } from './filters/view.js';
import { playgroundView } from './playground/view.js';
import type { FromWorker, ToWorker } from './protocol.js';

const TABS = ['playground', 'digits', 'filters'] as const;
type Tab = (typeof TABS)[number];

const status = document.getElementById('status') as HTMLElement;

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (msg: ToWorker, transfer: Transferable[] = []) => worker.postMessage(msg, transfer);

const playground = playgroundView(send);
const views = [playground, digitsView(send), filtersView(send)];

function showStatus(msg: Extract<FromWorker, { kind: 'ready' }>): void {
  const threads = `${msg.threads} thread${msg.threads === 1 ? '' : 's'}`;
  const why = msg.isolated
    ? 'the page is cross-origin isolated, so the kernels share memory across threads'
    : 'single-threaded: the page is not cross-origin isolated (its host sends no Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp headers)';
  status.textContent =
    msg.backend === 'wasm'
      ? `Kernels: WebAssembly SIMD (wasm) on ${threads}; ${why}.`
      : `Kernels: ${msg.backend} (plain TypeScript) on 1 thread; WebAssembly did not load: ${msg.wasmError ?? 'unknown reason'}.`;
  Object.assign(status.dataset, { backend: msg.backend, threads: String(msg.threads), isolated: String(msg.isolated), state: 'ready' });
}

worker.onmessage = (e: MessageEvent<FromWorker>) => {
  const msg = e.data;
  if (msg.kind === 'ready') showStatus(msg);
  else if (msg.kind === 'error') {
    status.textContent = `Error in the worker: ${msg.message}`;
    status.dataset.state = 'error';
  }
  for (const v of views) v.onMessage(msg);
};
worker.onerror = (e) => {
  status.textContent = `The worker that runs the library failed: ${e.message || 'it could not be loaded'}.`;
  status.dataset.state = 'error';
};

function selectTab(tab: Tab): void {
  for (const t of TABS) {
    const on = t === tab;
    document.getElementById(`tab-${t}`)?.setAttribute('aria-selected', String(on));
    const panel = document.getElementById(`panel-${t}`);
    if (panel) panel.hidden = !on;
  }
  // Training draws nothing while its tab is hidden: spare the cores for the other tabs.
  if (tab !== 'playground') playground.pause();
  if (location.hash !== `#${tab}`) history.replaceState(null, '', `#${tab}`);
}

for (const t of TABS) document.getElementById(`tab-${t}`)?.addEventListener('click', () => selectTab(t));
const initial = TABS.find((t) => location.hash === `#${t}`) ?? 'playground';
selectTab(initial);

playground.start();
const model = new URLSearchParams(location.search).get('model') ?? 'models/mnist/';
send({ kind: 'load-model', url: new URL(model, location.href).href });
