import { binaryEntry, unaryEntry, type BinaryOp, type UnaryOp } from '../elementwise-table.js';
import type { TypedArray, View } from '../types.js';
import { planRows } from './strided.js';

export function unary(op: UnaryOp, x: View, out: TypedArray, params: readonly number[] = []): void {
  const plan = planRows(x.shape, [x.strides], [x.offset]);
  const n = plan.n;
  const s = plan.inner[0];
  const xd = x.data;
  let o = 0;
  // The commonest ops get their own loop so that V8 inlines the arithmetic.
  plan.forEach(([xo]) => {
    switch (op) {
      case 'neg':
        for (let i = 0; i < n; i++) out[o + i] = -xd[xo + i * s];
        break;
      case 'exp':
        for (let i = 0; i < n; i++) out[o + i] = Math.exp(xd[xo + i * s]);
        break;
      case 'relu':
        for (let i = 0; i < n; i++) {
          const v = xd[xo + i * s];
          out[o + i] = v <= 0 ? 0 : v;
        }
        break;
      case 'square':
        for (let i = 0; i < n; i++) {
          const v = xd[xo + i * s];
          out[o + i] = v * v;
        }
        break;
      default: {
        const f = unaryEntry(op).ref;
        const [p0 = 0, p1 = 0] = params;
        for (let i = 0; i < n; i++) out[o + i] = f(xd[xo + i * s], p0, p1);
      }
    }
    o += n;
  });
}

export function binary(op: BinaryOp, a: View, b: View, out: TypedArray): void {
  const plan = planRows(a.shape, [a.strides, b.strides], [a.offset, b.offset]);
  const n = plan.n;
  const [sa, sb] = plan.inner;
  const ad = a.data;
  const bd = b.data;
  let o = 0;
  plan.forEach(([ao, bo]) => {
    switch (op) {
      case 'add':
        for (let i = 0; i < n; i++) out[o + i] = ad[ao + i * sa] + bd[bo + i * sb];
        break;
      case 'sub':
        for (let i = 0; i < n; i++) out[o + i] = ad[ao + i * sa] - bd[bo + i * sb];
        break;
      case 'mul':
        for (let i = 0; i < n; i++) out[o + i] = ad[ao + i * sa] * bd[bo + i * sb];
        break;
      case 'div':
        for (let i = 0; i < n; i++) out[o + i] = ad[ao + i * sa] / bd[bo + i * sb];
        break;
      default: {
        const f = binaryEntry(op).ref;
        for (let i = 0; i < n; i++) out[o + i] = f(ad[ao + i * sa], bd[bo + i * sb]);
      }
    }
    o += n;
  });
}

/** Whether a view covers data[offset .. offset + size) row-major, with no gaps. */
function isDense(v: View): boolean {
  let expect = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== expect) return false;
    expect *= v.shape[i];
  }
  return true;
}

/**
 * Fast path of where for float32 cond and a dense and b one broadcast value (relu's gradient
 * is where(y, dy, 0)): branch-free on the bits, since a data-dependent branch mispredicts
 * about half the time on activations, which makes it several times slower. c !== 0 is (bits & 0x7fffffff) != 0
 * (-0 is false, NaN true); the mask is all ones exactly then.
 */
function whereScalarB(c: View, a: View, b: View, out: Float32Array): boolean {
  if (!(c.data instanceof Float32Array) || !(a.data instanceof Float32Array) || !(b.data instanceof Float32Array)) return false;
  if (!isDense(c) || !isDense(a) || !b.strides.every((s, i) => s === 0 || b.shape[i] === 1)) return false;
  const n = out.length;
  const ci = new Int32Array(c.data.buffer, c.data.byteOffset + c.offset * 4, n);
  const ai = new Int32Array(a.data.buffer, a.data.byteOffset + a.offset * 4, n);
  const bf = new Float32Array([b.data[b.offset]]);
  const bi = new Int32Array(bf.buffer)[0];
  const oi = new Int32Array(out.buffer, out.byteOffset, n);
  for (let i = 0; i < n; i++) {
    const m = (((ci[i] & 0x7fffffff) + 0x7fffffff) | 0) >> 31;
    oi[i] = (ai[i] & m) | (bi & ~m);
  }
  return true;
}

export function where(c: View, a: View, b: View, out: TypedArray): void {
  let size = 1;
  for (const d of c.shape) size *= d;
  if (out instanceof Float32Array && out.length === size && whereScalarB(c, a, b, out)) return;
  const plan = planRows(c.shape, [c.strides, a.strides, b.strides], [c.offset, a.offset, b.offset]);
  const n = plan.n;
  const [sc, sa, sb] = plan.inner;
  let o = 0;
  plan.forEach(([co, ao, bo]) => {
    for (let i = 0; i < n; i++) out[o + i] = c.data[co + i * sc] !== 0 ? a.data[ao + i * sa] : b.data[bo + i * sb];
    o += n;
  });
}

export function copy(src: View, dst: View): void {
  const plan = planRows(src.shape, [src.strides, dst.strides], [src.offset, dst.offset]);
  const n = plan.n;
  const [ss, ds] = plan.inner;
  const sd = src.data;
  const dd = dst.data;
  plan.forEach(([so, d0]) => {
    if (ss === 1 && ds === 1) dd.set(sd.subarray(so, so + n), d0);
    else for (let i = 0; i < n; i++) dd[d0 + i * ds] = sd[so + i * ss];
  });
}
