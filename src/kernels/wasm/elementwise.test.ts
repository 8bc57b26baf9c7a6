import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertClose } from '../../../test/util.js';
import { refKernels } from '../ref/index.js';
import { contiguousStrides } from '../../util/shape.js';
import { BINARY_OPS, UNARY_OPS, binaryEntry, hasWasmKernel, unaryEntry } from '../elementwise-table.js';
import type { BinaryOp, UnaryOp, View } from '../types.js';
import { withWasmLimits } from './binding.js';
import { load } from './index.js';
import { rand, withThreads } from './test-helpers.js';

const wasm = load();
if (!wasm) throw new Error('elementwise.test: the wasm backend did not load (run npm run build:wasm)');

const dense = (data: Float32Array, shape: number[], offset = 0): View => ({ data, offset, shape, strides: contiguousStrides(shape) });
const size = (s: number[]): number => s.reduce((a, b) => a * b, 1);

// Transcendentals: AssemblyScript's float32 Mathf against float64 Math rounded to float32.
const UNARY_TOL = { atol: 1e-7, rtol: 2e-6 };

/** Runs fn with the ref unary/binary kernels replaced by ones that throw: whatever fn runs must be wasm. */
function wasmOnly(fn: () => void): void {
  const { unary, binary } = refKernels;
  refKernels.unary = (op) => {
    throw new Error(`${op} fell back to the ref kernel`);
  };
  refKernels.binary = (op) => {
    throw new Error(`${op} fell back to the ref kernel`);
  };
  try {
    fn();
  } finally {
    Object.assign(refKernels, { unary, binary });
  }
}

// Inputs inside each op's domain, and its parameters (hardtanh's bounds), by op.
const POSITIVE = new Set<UnaryOp>(['sqrt', 'log', 'log1p']);
const PARAMS: Partial<Record<UnaryOp, number[]>> = { hardtanh: [-0.3, 0.45] };

test('every op of the table has a wasm kernel, or says why it is ref-only', () => {
  for (const op of UNARY_OPS) {
    const w = unaryEntry(op).wasm;
    assert.ok(typeof w === 'string' || w.refOnly.length > 10, `${op}: a ref-only op must say why`);
    assert.equal((unaryEntry(op).params ?? []).length, (PARAMS[op] ?? []).length, `${op}: the test must pass its parameters`);
  }
  for (const op of BINARY_OPS) {
    const w = binaryEntry(op).wasm;
    assert.ok(typeof w === 'string' || w.refOnly.length > 10, `${op}: a ref-only op must say why`);
  }
  // What the kernels below iterate: every op with a wasm kernel, read from the table itself.
  assert.ok(UNARY_WASM.includes('hardtanh') && UNARY_WASM.includes('exp') && !UNARY_WASM.includes('sin'));
  assert.ok(BINARY_WASM.includes('ge') && !BINARY_WASM.includes('pow'));
});

const UNARY_WASM = UNARY_OPS.filter((op) => hasWasmKernel(unaryEntry(op)));
const BINARY_WASM = BINARY_OPS.filter((op) => hasWasmKernel(binaryEntry(op)));

test("wasm unary ops of the table run in wasm and match the table's definition on dense and offset views", () => {
  withThreads((t) => {
    for (const op of UNARY_WASM) {
      for (const n of [1, 3, 4, 17, 1000, 40001]) {
        const data = rand(n + 5);
        if (POSITIVE.has(op)) for (let i = 0; i < data.length; i++) data[i] = Math.abs(data[i]) + 1e-3;
        data[2] = 0;
        data[3] = -0;
        if (!POSITIVE.has(op) && n > 8) data[9] = NaN;
        const x = dense(data, [n], 5 % (data.length - n + 1));
        const [a, b] = [new Float32Array(n), new Float32Array(n)];
        withWasmLimits({ minElements: 0 }, () => wasmOnly(() => wasm!.unary(op, x, a, PARAMS[op])));
        const f = unaryEntry(op).ref;
        const [p0 = 0, p1 = 0] = PARAMS[op] ?? [];
        for (let i = 0; i < n; i++) b[i] = f(data[x.offset + i], p0, p1);
        assertClose(a, b, { ...UNARY_TOL, what: `${op} n=${n} threads=${t}` });
      }
    }
    // A transposed (non-dense) view goes to ref and must still be right.
    for (const op of UNARY_OPS.filter((o) => !POSITIVE.has(o))) {
      const data = rand(12);
      const x: View = { data, offset: 0, shape: [4, 3], strides: [1, 4] };
      const [a, b] = [new Float32Array(12), new Float32Array(12)];
      wasm!.unary(op, x, a, PARAMS[op]);
      refKernels.unary(op, x, b, PARAMS[op]);
      assertClose(a, b, { ...UNARY_TOL, what: `${op} strided` });
    }
    // relu keeps NaN (PyTorch's rule) and maps -0 to +0, in the SIMD lanes and the scalar tail.
    const out = new Float32Array(9);
    wasm!.unary('relu', dense(new Float32Array([NaN, -1, 2, -0, NaN, 3, -4, 5, NaN]), [9]), out);
    assert.deepEqual([...out], [NaN, 0, 2, 0, NaN, 3, 0, 5, NaN]);
  });
});

/** [a shape, a strides, b shape, b strides, out shape]: views broadcast to the out shape. */
function bview(data: Float32Array, own: number[], out: number[]): View {
  // own has out's rank with 1 where the operand is broadcast.
  const st = contiguousStrides(own).map((s, i) => (own[i] === 1 && out[i] !== 1 ? 0 : s));
  return { data, offset: 0, shape: out, strides: st };
}

test('wasm binary ops match ref on the common broadcast patterns', () => {
  const ops: readonly BinaryOp[] = BINARY_OPS;
  // prettier-ignore
  const patterns: [number[], number[], number[]][] = [
    [[1], [1], [1]],
    [[37], [37], [37]],
    [[5, 7], [1, 1], [5, 7]],
    [[1, 1], [5, 7], [5, 7]],
    [[9, 13], [1, 13], [9, 13]],
    [[9, 13], [9, 1], [9, 13]],
    [[1, 13], [9, 1], [9, 13]],
    [[4, 6, 5, 3], [1, 6, 1, 1], [4, 6, 5, 3]],
    [[1, 6, 1, 1], [4, 6, 5, 3], [4, 6, 5, 3]],
    [[3, 4, 5, 6], [3, 1, 5, 1], [3, 4, 5, 6]],
    [[64, 300], [64, 300], [64, 300]],
    [[2, 8, 30, 30], [1, 8, 1, 1], [2, 8, 30, 30]],
  ];
  withThreads((t) => {
    for (const op of ops) {
      for (const [sa, sb, so] of patterns) {
        const [da, db] = [rand(size(sa)), rand(size(sb))];
        // Equal values (for eq, le, ge, maximum's ties) and a NaN in each operand.
        for (let i = 0; i < Math.min(da.length, db.length); i += 3) db[i] = da[i];
        if (da.length > 4) da[4] = NaN;
        if (db.length > 6) db[6] = NaN;
        const a = bview(da, sa, so);
        const b = bview(db, sb, so);
        const [x, y] = [new Float32Array(size(so)), new Float32Array(size(so))];
        wasm!.binary(op, a, b, x);
        refKernels.binary(op, a, b, y);
        assertClose(x, y, { atol: 1e-6, rtol: 1e-6, what: `${op} ${JSON.stringify([sa, sb])} threads=${t}` });
      }
    }
    // Every op the table gives wasm runs there (a row broadcast, small enough to reach the tail).
    for (const op of BINARY_WASM) {
      const [da, db] = [rand(9 * 13), rand(13)];
      const out = new Float32Array(9 * 13);
      withWasmLimits({ minElements: 0 }, () =>
        wasmOnly(() => wasm!.binary(op, bview(da, [9, 13], [9, 13]), bview(db, [1, 13], [9, 13]), out)),
      );
      const f = binaryEntry(op).ref;
      assertClose(
        out,
        Float32Array.from(da, (v, i) => f(v, db[i % 13])),
        { atol: 1e-6, rtol: 1e-6, what: `${op} in wasm threads=${t}` },
      );
    }
  });
});

test('wasm reduce matches ref for sum, max and min', () => {
  // prettier-ignore
  const shapes: [number, number, number][] = [
    [1, 1, 1], [1, 7, 1], [3, 1, 5], [1, 1000, 1], [4, 33, 1], [2, 17, 9], [1, 50, 300],
    [128, 10, 1], [5, 3, 4001], [2, 16, 1], [3, 19, 1], [7, 189, 1], [4, 64, 1],
  ];
  withThreads((t) => {
    for (const op of ['sum', 'max', 'min'] as const) {
      for (const [o, r, i] of shapes) {
        const x = rand(o * r * i);
        const [a, b] = [new Float32Array(o * i), new Float32Array(o * i)];
        wasm!.reduce(op, x, o, r, i, a);
        refKernels.reduce(op, x, o, r, i, b);
        // Both accumulate sums in float64 and round once: only the order differs.
        assertClose(a, b, { atol: 1e-6, rtol: 1e-6, what: `${op} [${o},${r},${i}] threads=${t}` });
      }
    }
  });
});

test('wasm max and min over contiguous rows (inner 1) propagate NaN from any position', () => {
  withThreads((t) => {
    for (const red of [1, 3, 4, 5, 16, 17, 33]) {
      for (let pos = 0; pos < red; pos += Math.max(1, red >> 2)) {
        const x = rand(2 * red);
        x[red + pos] = NaN;
        for (const op of ['max', 'min'] as const) {
          const [a, b] = [new Float32Array(2), new Float32Array(2)];
          wasm!.reduce(op, x, 2, red, 1, a);
          refKernels.reduce(op, x, 2, red, 1, b);
          assert.equal(a[0], b[0], `${op} red=${red} threads=${t}`);
          assert.ok(Number.isNaN(a[1]) && Number.isNaN(b[1]), `${op} red=${red} NaN at ${pos} threads=${t}`);
        }
      }
    }
  });
});

test('wasm copy of transposed views matches ref', () => {
  // [shape, strides, offset] of the source view; the destination is dense.
  const cases: [number[], number[], number][] = [
    [[1, 1], [1, 1], 0],
    [[3, 5], [1, 3], 0],
    [[128, 37], [1, 128], 2],
    [[33, 9], [1, 33], 0],
    [[4, 7, 6], [42, 1, 7], 1],
    [[2, 1, 5, 3], [15, 15, 1, 5], 0],
    // Not a transpose: a strided slice, which stays on ref.
    [[6, 4], [10, 2], 1],
  ];
  withThreads((t) => {
    for (const [shape, strides, offset] of cases) {
      const n = size(shape);
      const data = rand(offset + 2 * n + 20);
      const src: View = { data, offset, shape, strides };
      const [a, b] = [rand(n + 3), new Float32Array(n + 3)];
      b.set(a);
      wasm!.copy(src, { data: a, offset: 3, shape, strides: contiguousStrides(shape) });
      refKernels.copy(src, { data: b, offset: 3, shape, strides: contiguousStrides(shape) });
      assertClose(a, b, { atol: 0, rtol: 0, what: `copy ${JSON.stringify([shape, strides])} threads=${t}` });
    }
  });
});
