import { arg, is } from '../util/args.js';
import { defineOp } from '../autograd/engine.js';
import type { DType, FloatArray } from '../kernels/types.js';
import { contiguousRaw } from '../tensor/raw.js';
import { Tensor, denseArray, newArray } from '../tensor/tensor.js';
import { check } from '../util/errors.js';
import { rng } from '../util/rng.js';

const IS_TENSOR = is.instance(Tensor);

export interface DropoutOptions {
  /** Probability of zeroing each element (default 0.5). */
  p?: number;
  /** Drop only in training; in evaluation dropout is the identity (default true, as in PyTorch's F.dropout). */
  training?: boolean;
}

/** Bits drawn for a mask, reused across calls (grown as needed): one array fewer per call. */
let bits = new Uint32Array(0);

/** 1/(1 - p) in x's precision (float32 rounds it first, as a float32 mask would hold it); 0 for p = 1. */
const scaleOf = (p: number, dtype: DType): number => (p < 1 ? (dtype === 'float32' ? Math.fround(1 / (1 - p)) : 1 / (1 - p)) : 0);

// A primitive, not mul(x, mask): as a composite, dropout sent a full-size mask through the
// wasm heap's mul every step and drew it one generator call at a time, a measurable share
// of a CNN's step (composites become primitives only where a benchmark shows such a cost).
const dropoutOp = defineOp<{ p: number }, Uint8Array>({
  name: 'dropout',
  // One pass draws the mask and applies it; only the kept/dropped bits are saved (a byte per
  // element, not a float mask), and y = x·0 keeps a NaN input NaN as x·mask does.
  forward: ([x], { p }) => {
    const n = x.size;
    const xs = denseArray(contiguousRaw(x)) as FloatArray;
    const y = newArray(x.dtype, n) as FloatArray;
    const keep = new Uint8Array(n);
    // p = 1 drops everything (the scale would be infinite): keep stays all zeros.
    const scale = scaleOf(p, x.dtype);
    if (p < 1) {
      // One 32-bit draw per element against p·2^32 (p to 2^-32).
      const threshold = p * 4294967296;
      if (bits.length < n) bits = new Uint32Array(n);
      rng.fillU32(bits, n);
      for (let i = 0; i < n; i++) keep[i] = bits[i] >= threshold ? 1 : 0;
    }
    for (let i = 0; i < n; i++) y[i] = xs[i] * (keep[i] ? scale : 0);
    return [new Tensor(y, x.shape), keep];
  },
  backward: (dy, { inputs: [x], opts: { p }, saved: keep }) => {
    const scale = scaleOf(p, x.dtype);
    const d = denseArray(contiguousRaw(dy)) as FloatArray;
    const dx = newArray(x.dtype, x.size) as FloatArray;
    for (let i = 0; i < dx.length; i++) dx[i] = d[i] * (keep[i] ? scale : 0);
    return [new Tensor(dx, x.shape)];
  },
  attrs: ({ p }) => ({ p }),
});

/**
 * Inverted dropout: each element is zeroed with probability p and the survivors are
 * scaled by 1/(1 - p), so that E[y] = x and evaluation needs no rescaling.
 * The mask comes from the seeded generator (manualSeed repeats it); the gradient is mask/(1 - p).
 * @example F.dropout(x, { p: 0.25, training: model.training })
 */
export function dropout(x: Tensor, opts: DropoutOptions = {}): Tensor {
  arg('dropout', 'x', x, IS_TENSOR);
  const { p = 0.5, training = true } = opts;
  check(typeof p === 'number' && p >= 0 && p <= 1, 'dropout', () => `p must be a probability in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  check(x.dtype !== 'int32', 'dropout', () => 'input must be floating point, got int32');
  return dropoutOp([x], { p });
}
