import { arg, is } from '../util/args.js';
import { TsgradError } from '../util/errors.js';
import { refKernels } from './ref/index.js';
import type { Kernels } from './types.js';
import { load as loadWasm, wasmLoadError } from './wasm/index.js';

export type BackendName = 'ref' | 'wasm';

/** Backends register a loader here; `wasm` is registered below and loads on first use. */
const loaders = new Map<BackendName, () => Kernels | null>([['ref', () => refKernels]]);
let active: Kernels = refKernels;
let activeName: BackendName = 'ref';
let defaultChosen = false;

/** Registers a backend loader; called by kernels/wasm. */
export function registerBackend(name: BackendName, load: () => Kernels | null): void {
  loaders.set(name, load);
}

registerBackend('wasm', loadWasm);

/**
 * The kernels every op runs on: the active backend's set (choosing the default, wasm where it
 * loads, on first call). Ops call it; user code needs it only to look at or call a kernel directly.
 * @example kernels().name; // 'wasm' (or 'ref' where WebAssembly did not load)
 */
export function kernels(): Kernels {
  if (!defaultChosen) chooseDefault();
  return active;
}

function chooseDefault(): void {
  defaultChosen = true;
  const wasm = loaders.get('wasm')?.();
  if (wasm) {
    active = wasm;
    activeName = 'wasm';
  }
}

/**
 * Chooses the kernels: 'wasm' (WebAssembly SIMD, the default where it loads) or 'ref' (pure
 * TypeScript). Throws, saying why, when the backend cannot load; see withBackend for the scoped form.
 * @example
 * setBackend('ref'); // e.g. to check a result against the reference kernels
 * getBackend(); // 'ref'
 */
export function setBackend(name: BackendName): void {
  const load = loaders.get(name);
  const k = load?.();
  if (!k) {
    const why = name === 'wasm' && wasmLoadError() ? `: ${wasmLoadError()}` : '';
    throw new TsgradError(`setBackend: backend '${name}' is not available${why} (known: ${[...loaders.keys()].join(', ')})`);
  }
  defaultChosen = true;
  active = k;
  activeName = name;
}

/**
 * Runs fn with the given backend active and restores the previous one afterwards, also when fn
 * throws: the scoped form of setBackend, for code that must not leave global state changed.
 * @example const y = withBackend('ref', () => x.matmul(w)); // the reference kernels, just for this
 */
export function withBackend<T>(name: BackendName, fn: () => T): T {
  arg('withBackend', 'fn', fn, is.function);
  const before = getBackend();
  setBackend(name);
  try {
    return fn();
  } finally {
    setBackend(before);
  }
}

/**
 * The name of the active backend: 'wasm' or 'ref' (choosing the default, wasm where it loads,
 * on first call).
 * @example if (getBackend() === 'ref') console.warn(`running on the slow reference kernels: ${wasmLoadError()}`);
 */
export function getBackend(): BackendName {
  if (!defaultChosen) chooseDefault();
  return activeName;
}

export { refKernels };
export { setNumThreads, getNumThreads } from './wasm/index.js';
export type { Kernels };
