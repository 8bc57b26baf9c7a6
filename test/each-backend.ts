import assert from 'node:assert/strict';
import { getBackend, gradcheck, setBackend, type Tensor } from '../src/index.js';
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

/** The float64 central-difference tolerances the layer tests share. */
export const GRADCHECK_TOLERANCE = { eps: 1e-6, atol: 1e-6, rtol: 1e-4 };

/** Asserts that gradcheck passes for fn at inputs, naming the case and the worst entry. */
export function assertGradcheck(name: string, fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): void {
  const r = gradcheck(fn, inputs, GRADCHECK_TOLERANCE);
  assert.ok(r.ok, `${name}: gradcheck failed, max error ${r.maxAbsError} at ${JSON.stringify(r.worst)}`);
}
