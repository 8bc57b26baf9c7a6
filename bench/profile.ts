/**
 * A per-kernel profile of a training step, for the kernel work: wraps every method of
 * the active kernel set to add up its wall time and the wasm heap copies made inside it
 * (from the wasm counters), keyed by kernel and op ('binary:mul', 'conv2dForward', ...).
 * Bench-only instrumentation: the wrappers are removed before it returns.
 */
import * as tg from '../src/index.js';
import { wasmStats } from '../src/kernels/wasm/index.js';

export interface KernelCost {
  calls: number;
  ms: number;
  copyMs: number;
  copyMB: number;
}

/**
 * A kernel call's row: the op name of unary/binary/reduce/argReduce (their first argument), and
 * the layer of the fused convolution blocks (their args' geometry), kept apart.
 */
function keyOf(name: string, args: unknown[]): string {
  if (typeof args[0] === 'string') return `${name}:${args[0]}`;
  const g = (args[0] as { g?: { cIn?: unknown; cOut: number; h: number; w: number } } | undefined)?.g;
  return typeof g?.cIn === 'number' ? `${name} ${g.cIn}->${g.cOut} ${g.h}x${g.w}` : name;
}

/** Runs `steps` calls of `step` with the kernels wrapped; costs are per step, largest time first. */
export function profileKernels(step: () => void, steps: number): { totalMs: number; kernels: Record<string, KernelCost> } {
  const k = tg.kernels() as unknown as Record<string, unknown>;
  const saved = new Map<string, unknown>();
  const costs = new Map<string, KernelCost>();
  for (const [name, fn] of Object.entries(k)) {
    if (typeof fn !== 'function') continue;
    saved.set(name, fn);
    k[name] = (...args: unknown[]) => {
      const key = keyOf(name, args);
      const s0 = wasmStats();
      const t0 = performance.now();
      const r = (fn as (...a: unknown[]) => unknown)(...args);
      const s1 = wasmStats();
      const c = costs.get(key) ?? { calls: 0, ms: 0, copyMs: 0, copyMB: 0 };
      c.calls++;
      c.ms += performance.now() - t0;
      c.copyMs += s1.copyMs - s0.copyMs;
      c.copyMB += (s1.copyBytes - s0.copyBytes) / 1e6;
      costs.set(key, c);
      return r;
    };
  }
  const t0 = performance.now();
  try {
    for (let i = 0; i < steps; i++) step();
  } finally {
    for (const [name, fn] of saved) k[name] = fn;
  }
  const totalMs = (performance.now() - t0) / steps;
  const per = (c: KernelCost): KernelCost => ({
    calls: c.calls / steps,
    ms: +(c.ms / steps).toFixed(2),
    copyMs: +(c.copyMs / steps).toFixed(2),
    copyMB: +(c.copyMB / steps).toFixed(2),
  });
  const sorted = [...costs.entries()].sort((a, b) => b[1].ms - a[1].ms);
  return { totalMs: +totalMs.toFixed(1), kernels: Object.fromEntries(sorted.map(([key, c]) => [key, per(c)])) };
}
