/**
 * Every case of test/fixtures/kinks.json (made by tools/make_kink_fixtures.py): values and input
 * gradients at kinks, ties, NaN and ±Inf, against PyTorch, on ref and on wasm with the size
 * cut-offs at 0 so that even these small inputs take the wasm kernels, with 1 and 2 threads.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eachBackend } from '../../test/each-backend.js';
import { loadFixture } from '../../test/util.js';
import { getNumThreads, resetWasmStats, setNumThreads, wasmStats, withWasmLimits } from '../kernels/wasm/index.js';
import { BINARY_OPS, UNARY_OPS, unaryEntry } from '../kernels/elementwise-table.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import * as ops from './index.js';

type Encoded = number | 'nan' | 'inf' | '-inf';

interface KinkCase {
  op: string;
  id: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  opts: any;
  inputs: { shape: number[]; data: Encoded[] }[];
  out: { shape: number[]; data: Encoded[] };
  w?: Encoded[];
  grads?: Encoded[][];
}

const decode = (v: Encoded): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type OpFn = (xs: Tensor[], o: any) => Tensor;
// Every primitive of the op table (parameters, such as hardtanh's, from the case's options), then the rest.
const call = ops as unknown as Record<string, (...a: unknown[]) => Tensor>;
const PRIMITIVES: Record<string, OpFn> = Object.fromEntries([
  ...UNARY_OPS.map((op): [string, OpFn] => [op, ([x], o) => (unaryEntry(op).params ? call[op](x, o) : call[op](x))]),
  ...BINARY_OPS.map((op): [string, OpFn] => [op, ([a, b]) => call[op](a, b)]),
]);
const OPS: Record<string, OpFn> = {
  ...PRIMITIVES,
  leakyRelu: ([x], o) => ops.leakyRelu(x, o.negativeSlope),
  elu: ([x], o) => ops.elu(x, o.alpha),
  softplus: ([x], o) => ops.softplus(x, o),
  gelu: ([x]) => ops.gelu(x),
  silu: ([x]) => ops.silu(x),
  relu6: ([x]) => ops.relu6(x),
  clamp: ([x], o) =>
    ops.clamp(x, {
      ...(o.min !== undefined ? { min: decode(o.min) } : {}),
      ...(o.max !== undefined ? { max: decode(o.max) } : {}),
    }),
  powScalar: ([x], o) => ops.pow(x, o.exponent),
  where: ([c, a, b]) => ops.where(c, a, b),
  maxPool2d: ([x], o) => ops.maxPool2d(x, o),
  avgPool2d: ([x], o) => ops.avgPool2d(x, o),
  maxPool1d: ([x], o) => ops.maxPool1d(x, o),
  globalMaxPool1d: ([x]) => ops.globalMaxPool1d(x),
  globalMaxPool2d: ([x]) => ops.globalMaxPool2d(x),
  globalAvgPool1d: ([x]) => ops.globalAvgPool1d(x),
  globalAvgPool2d: ([x]) => ops.globalAvgPool2d(x),
  adaptiveAvgPool2d: ([x], o) => ops.adaptiveAvgPool2d(x, o.outputSize),
  conv2d: ([x, w, b]) => ops.conv2d(x, w, b),
  conv2dRelu: ([x, w, b], o) => ops.convBlock(x, w, b, { padding: o.padding ?? 0 }, { activation: 'relu' }),
  conv2dReluMaxPool: ([x, w, b], o) =>
    ops.convBlock(x, w, b, { padding: o.padding ?? 0 }, { activation: 'relu', pool: { type: 'max', kernelSize: o.pool } }),
  conv1dRelu: ([x, w, b]) => ops.convBlock(x, w, b, {}, { activation: 'relu' }),
  conv1dReluMaxPool: ([x, w, b], o) => ops.convBlock(x, w, b, {}, { activation: 'relu', pool: { type: 'max', kernelSize: o.pool } }),
  conv1dReluGlobalMaxPool: ([x, w, b]) => ops.convBlock(x, w, b, {}, { activation: 'relu', pool: { type: 'globalMax' } }),
};

/**
 * NaN must meet NaN and ±Inf the same infinity; finite values agree to float32 rounding over
 * the few dozen terms of a convolution (the sign of a zero is not compared).
 */
function assertSame(got: ArrayLike<number>, want: Encoded[], what: string): void {
  assert.equal(got.length, want.length, `${what}: ${got.length} values, expected ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    const a = got[i];
    const b = decode(want[i]);
    const ok = Number.isNaN(b) ? Number.isNaN(a) : !Number.isFinite(b) ? a === b : Math.abs(a - b) <= 1e-5 + 1e-4 * Math.abs(b);
    if (!ok) assert.fail(`${what}[${i}]: got ${a}, expected ${b} (PyTorch)`);
  }
}

function runCase(c: KinkCase, where: string): void {
  const fn = OPS[c.op];
  assert.ok(fn, `no tsgrad function for fixture op ${c.op}`);
  const grad = c.grads !== undefined;
  const frozen: number[] = c.opts.frozen ?? [];
  const xs = c.inputs.map((t, i) => tensor(t.data.map(decode), { shape: t.shape, requiresGrad: grad && !frozen.includes(i) }));
  const out = fn(xs, c.opts);
  assert.deepEqual([...out.shape], c.out.shape, `${where}: output shape`);
  assertSame(out.data(), c.out.data, `${where} forward`);
  if (!c.grads || !c.w) return;
  out.backward(tensor(c.w.map(decode), { shape: c.out.shape }));
  c.grads.forEach((want, i) => {
    const g = xs[i].grad;
    // PyTorch's where takes a boolean condition, which has no gradient.
    if ((c.op === 'where' && i === 0) || frozen.includes(i)) return;
    // An op without a gradient (sign) matches a gradient PyTorch gives as all zeros.
    if (!g)
      assert.ok(
        want.every((v) => v === 0),
        `${where}: input ${i} received no gradient`,
      );
    else assertSame(g.data(), want, `${where} grad of input ${i}`);
  });
}

const cases = loadFixture<{ cases: KinkCase[] }>('kinks').cases;

test('kinks.json covers every op the test knows, and the test every op of the fixture', () => {
  const inFixture = new Set(cases.map((c) => c.op));
  assert.deepEqual([...inFixture].sort(), Object.keys(OPS).sort());
});

for (const c of cases) {
  test(`${c.op}/${c.id} at kinks, NaN and ±Inf matches PyTorch`, () => {
    const ran = eachBackend((backend) => {
      if (backend === 'ref') {
        runCase(c, `${c.op}/${c.id} on ref`);
        return;
      }
      const threads = getNumThreads();
      try {
        withWasmLimits({ minElements: 0, minGemmWork: 0 }, () => {
          for (const t of [1, 2]) {
            setNumThreads(t);
            runCase(c, `${c.op}/${c.id} on wasm, ${t} thread(s)`);
          }
        });
      } finally {
        setNumThreads(threads);
      }
    });
    assert.ok(ran.includes('ref'));
  });
}

test('the kink cases reach the wasm kernels', () => {
  eachBackend((backend) => {
    if (backend !== 'wasm') return;
    withWasmLimits({ minElements: 0, minGemmWork: 0 }, () => {
      for (const op of ['relu', 'maximum', 'maxPool1d', 'conv2dReluMaxPool']) {
        const c = cases.find((k) => k.op === op)!;
        resetWasmStats();
        runCase(c, `${op} on wasm`);
        assert.ok(wasmStats().copyBytes > 0, `${op}: the wasm backend fell back to ref`);
      }
    });
  });
});
