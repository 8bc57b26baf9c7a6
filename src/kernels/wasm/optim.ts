import { refKernels } from '../ref/index.js';
import type { AdamArgs } from '../types.js';
import { getRuntime, limits, runTask } from './binding.js';

const bits = new Int32Array(1);
const asF32 = new Float32Array(bits.buffer);

/** The bit pattern of x as a float32, to pass among a kernel's i32 argument words. */
function f32bits(x: number): number {
  asF32[0] = x;
  return bits[0];
}

/**
 * Adam's update in f32x4 over all threads. Parameters and moments made by persistentBuffer()
 * live in the heap and are updated in place, so a step copies only the gradient in (the
 * Keras CNN's 1.2M parameters: 4.8 MB instead of 34); other arrays are copied in and out.
 * float64 and small parameters go to ref.
 */
export function adam(a: AdamArgs): void {
  const rt = getRuntime();
  const { p, g, m, v } = a;
  if (
    !rt ||
    !(p instanceof Float32Array) ||
    !(g instanceof Float32Array) ||
    !(m instanceof Float32Array) ||
    !(v instanceof Float32Array) ||
    p.length < limits.minElements
  ) {
    refKernels.adam(a);
    return;
  }
  rt.reset();
  const n = p.length;
  // Arrays made by persistentBuffer() (parameters, moments) are used in place: no copies.
  const [pp, gp, mp, vp] = [p, g, m, v].map((a) => rt.copyIn(a));
  const tasks = rt.threadCount === 1 ? 1 : Math.min(4 * rt.threadCount, Math.ceil(n / 16384));
  runTask(rt, 'adamTask', [pp, gp, mp, vp, n, ...[a.b1, a.b2, a.stepSize, a.invBc2, a.eps, 1 - a.b1, 1 - a.b2].map(f32bits)], tasks);
  rt.copyOut(pp, p);
  rt.copyOut(mp, m);
  rt.copyOut(vp, v);
}

/** A long-lived array in the wasm heap where the memory allows it (see Runtime.persistentF32). */
export function persistentBuffer(n: number): Float32Array {
  return getRuntime()?.persistentF32(n) ?? refKernels.persistentBuffer(n);
}

/** Indices saved for a backward pass, in the wasm heap (not zeroed) where the memory allows it (see Runtime.persistent). */
export function savedIndices(n: number): Int32Array {
  return getRuntime()?.persistent(n, Int32Array, false) ?? refKernels.savedIndices(n);
}

/** Floats saved for a backward pass, in the wasm heap (not zeroed); null where the memory does not allow it. */
export function savedFloats(n: number): Float32Array | null {
  return getRuntime()?.persistent(n, Float32Array, false) ?? null;
}

/** A gradient array in the wasm heap (not zeroed: every convolution kernel writes all of dx); null where the memory does not allow it. */
export function gradientArray(n: number): Float32Array | null {
  return getRuntime()?.persistent(n, Float32Array, false) ?? null;
}

export function releaseSaved(a: Int32Array | Float32Array): void {
  getRuntime()?.release(a);
}
