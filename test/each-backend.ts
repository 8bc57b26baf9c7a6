import { getBackend, setBackend } from '../src/index.js';
import type { BackendName } from '../src/kernels/index.js';

/**
 * Runs fn once per registered backend ('ref', then 'wasm' where it loads), skipping only a
 * backend whose setBackend throws, and restores the backend that was active before.
 * Returns the names of the backends that ran.
 */
export function eachBackend(fn: (name: BackendName) => void): BackendName[] {
  const before = getBackend();
  const ran: BackendName[] = [];
  try {
    for (const name of ['ref', 'wasm'] as BackendName[]) {
      try {
        setBackend(name);
      } catch {
        continue;
      }
      ran.push(name);
      try {
        fn(name);
      } catch (e) {
        if (e instanceof Error) e.message = `[backend ${name}] ${e.message}`;
        throw e;
      }
    }
  } finally {
    setBackend(before);
  }
  return ran;
}
