import { arg, is } from '../util/args.js';
import { Tensor, denseArray } from '../tensor/tensor.js';
import { castRaw } from '../tensor/raw.js';
import { rng } from '../util/rng.js';
import { TsgradError } from '../util/errors.js';
import { backward, detach, noGrad } from './engine.js';

export interface GradcheckOptions {
  /** Step of the central difference (default 1e-6 in float64). */
  eps?: number;
  /** Allowed |analytic - numeric| is atol + rtol * |numeric| (defaults 1e-5 and 1e-3). */
  atol?: number;
  rtol?: number;
  /** Which inputs to check (default: every floating-point input). */
  wrt?: number[];
}

export interface GradcheckResult {
  ok: boolean;
  /** Largest |analytic - numeric| over all checked entries. */
  maxAbsError: number;
  /** Where the worst entry is, and its two values. */
  worst: { input: number; index: number; analytic: number; numeric: number } | null;
}

/**
 * Compares the gradients backward() computes with central differences
 * (f(x + eps) - f(x - eps)) / 2eps, in float64. A non-scalar output is reduced
 * by a fixed random projection, so that every output entry takes part.
 * @example gradcheck((a, b) => a.mul(b).sum(), [randn([3]), randn([3])]).ok // true
 */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): GradcheckResult {
  arg('gradcheck', 'fn', fn, is.function);
  arg('gradcheck', 'inputs', inputs, is.arrayOf(is.instance(Tensor)));
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3 } = opts;
  const xs = inputs.map((t) => (t.dtype === 'int32' ? t : castRaw(detach(t), 'float64')));
  const wrt = opts.wrt ?? xs.map((t, i) => (t.dtype === 'int32' ? -1 : i)).filter((i) => i >= 0);
  const probe = noGrad(() => fn(...xs));
  const weights = Float64Array.from({ length: probe.size }, () => rng.random() * 2 - 1);
  const scalarOf = (out: Tensor): number => {
    const v = denseArray(out);
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i] * weights[i];
    return s;
  };

  // Analytic: backward of the projection, i.e. backward(out, weights).
  const leaves = xs.map((t, i) => {
    const c = new Tensor((t.storage as Float64Array).slice(), t.shape, t.strides, t.offset);
    c.requiresGrad = wrt.includes(i);
    return c;
  });
  const out = fn(...leaves);
  if (!out.requiresGrad) throw new TsgradError('gradcheck: the function output does not depend on any checked input');
  backward(out, new Tensor(Float64Array.from(weights), out.shape));

  let maxAbsError = 0;
  let worst: GradcheckResult['worst'] = null;
  let ok = true;
  noGrad(() => {
    for (const i of wrt) {
      const x = xs[i];
      const data = x.storage as Float64Array;
      const grad = leaves[i].grad ? denseArray(leaves[i].grad as Tensor) : new Float64Array(x.size);
      for (let j = 0; j < x.size; j++) {
        const pos = storageIndex(x, j);
        const orig = data[pos];
        data[pos] = orig + eps;
        const fp = scalarOf(fn(...xs));
        data[pos] = orig - eps;
        const fm = scalarOf(fn(...xs));
        data[pos] = orig;
        const numeric = (fp - fm) / (2 * eps);
        const err = Math.abs(grad[j] - numeric);
        if (err > maxAbsError || Number.isNaN(err)) {
          maxAbsError = Number.isNaN(err) ? Infinity : err;
          worst = { input: i, index: j, analytic: grad[j], numeric };
        }
        if (!(err <= atol + rtol * Math.abs(numeric))) ok = false;
      }
    }
  });
  return { ok, maxAbsError, worst };
}

/** Storage position of the j-th element in row-major order. */
function storageIndex(t: Tensor, j: number): number {
  let pos = t.offset;
  for (let d = t.ndim - 1; d >= 0; d--) {
    const n = t.shape[d];
    pos += (j % n) * t.strides[d];
    j = Math.floor(j / n);
  }
  return pos;
}
