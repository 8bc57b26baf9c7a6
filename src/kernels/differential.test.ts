/**
 * Differential test of the two backends: thousands of random cases (0-d tensors, size-0 and
 * size-1 dimensions, broadcasts, negative dims, strided views) run through ref and wasm, with
 * the wasm size cut-offs at 0 so that even tiny shapes take its kernels, and must agree. Each
 * case also runs under a time limit, so that a kernel that spins on an impossible geometry
 * fails the test instead of hanging it. A failure prints the seed and the case.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../util/rng.js';
import { TsgradError } from '../util/errors.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import * as ops from '../ops/index.js';
import { BINARY_OPS, UNARY_OPS, type BinaryOp, type UnaryOp } from './elementwise-table.js';
import { kernels, setBackend, withBackend } from './index.js';
import { getNumThreads, setNumThreads, wasmLoadError, withWasmLimits } from './wasm/index.js';

const SEED = Number(process.env.TSGRAD_DIFF_SEED ?? 20261205);
const CASES = 6000;
const TIME_LIMIT_MS = 30_000;

type Case = { name: string; run: () => Tensor | Tensor[] };

/** A random shape of rank 0-4 with sizes 0-5 (0 and 1 often). */
function randShape(r: Rng, maxRank = 4): number[] {
  const rank = r.int(0, maxRank + 1);
  return Array.from({ length: rank }, () => [0, 1, 1, 2, 3, 4, 5, 7][r.int(0, 8)]);
}

/** A shape that broadcasts against s: some dims set to 1, some leading dims dropped. */
function broadcastOf(r: Rng, s: number[]): number[] {
  const drop = r.int(0, s.length + 1);
  return s.slice(drop).map((d) => (r.random() < 0.3 ? 1 : d));
}

function values(r: Rng, n: number): number[] {
  return Array.from({ length: n }, () => {
    const u = r.random();
    if (u < 0.02) return NaN;
    if (u < 0.04) return u < 0.03 ? Infinity : -Infinity;
    if (u < 0.08) return 0;
    return Math.round(r.normal() * 64) / 16;
  });
}

function randTensor(r: Rng, shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(values(r, n), { shape });
}

/** Sometimes a strided view instead of a dense tensor (a transpose of the last two dims). */
function maybeStrided(r: Rng, shape: number[]): Tensor {
  if (shape.length < 2 || r.random() < 0.6) return randTensor(r, shape);
  const s = shape.slice();
  [s[s.length - 1], s[s.length - 2]] = [s[s.length - 2], s[s.length - 1]];
  return randTensor(r, s).transpose(-1, -2);
}

// Every elementwise primitive of the op table, each with its parameters where it has some.
const UNARY: readonly UnaryOp[] = UNARY_OPS;
const BINARY: readonly BinaryOp[] = BINARY_OPS;
const UNARY_CALL: Partial<Record<UnaryOp, (x: Tensor) => Tensor>> = { hardtanh: (x) => ops.hardtanh(x, { min: -0.5, max: 0.7 }) };

function randDims(r: Rng, ndim: number): number | number[] | undefined {
  const rank = Math.max(ndim, 1);
  const u = r.random();
  if (u < 0.2) return undefined;
  const one = (): number => r.int(-rank, rank);
  if (u < 0.7 || ndim === 0) return one();
  return [...new Set(Array.from({ length: r.int(1, rank + 1) }, one).map((d) => (d < 0 ? d + rank : d)))];
}

/** One random case: the op and its inputs, drawn from r (the same draws on both backends). */
function makeCase(r: Rng): Case {
  const kind = r.int(0, 8);
  const shape = randShape(r);
  const x = maybeStrided(r, shape);
  const nonEmpty = x.size > 0;
  switch (kind) {
    case 0: {
      const op = UNARY[r.int(0, UNARY.length)];
      return { name: `${op} ${JSON.stringify(shape)}`, run: () => (UNARY_CALL[op] ?? (ops[op] as (t: Tensor) => Tensor))(x) };
    }
    case 1: {
      const op = BINARY[r.int(0, BINARY.length)];
      const bs = broadcastOf(r, shape);
      const y = r.random() < 0.5 ? randTensor(r, bs) : x;
      const swap = r.random() < 0.5;
      return {
        name: `${op} ${JSON.stringify(shape)} ${JSON.stringify(y.shape)}${swap ? ' swapped' : ''}`,
        run: () => (ops[op] as (a: Tensor, b: Tensor) => Tensor)(swap ? y : x, swap ? x : y),
      };
    }
    case 2: {
      const op = (['sum', 'mean', 'max', 'min'] as const)[r.int(0, nonEmpty ? 4 : 1)];
      const dims = randDims(r, x.ndim);
      const keep = r.random() < 0.5;
      return { name: `${op}(${JSON.stringify(dims)}, ${keep}) ${JSON.stringify(shape)}`, run: () => x[op](dims, keep) };
    }
    case 3: {
      const op = r.random() < 0.5 ? 'argmax' : 'argmin';
      const d = r.random() < 0.3 ? undefined : r.int(-Math.max(x.ndim, 1), Math.max(x.ndim, 1));
      const keep = r.random() < 0.5;
      if (!nonEmpty) return { name: `sum ${JSON.stringify(shape)}`, run: () => x.sum() };
      return { name: `${op}(${d}, ${keep}) ${JSON.stringify(shape)}`, run: () => x[op](d, keep) };
    }
    case 4: {
      const op = r.random() < 0.5 ? 'softmax' : 'logSoftmax';
      const d = r.int(-Math.max(x.ndim, 1), Math.max(x.ndim, 1));
      return { name: `${op}(${d}) ${JSON.stringify(shape)}`, run: () => x[op](d) };
    }
    case 5: {
      const m = [0, 1, 3, 5, 9][r.int(0, 5)];
      const k = [0, 1, 4, 8, 17][r.int(0, 5)];
      const n = [0, 1, 2, 7, 16][r.int(0, 5)];
      const batch = r.random() < 0.3 ? [r.int(1, 4)] : [];
      const a = maybeStrided(r, [...batch, m, k]);
      const b = maybeStrided(r, [k, n]);
      return { name: `matmul ${JSON.stringify(a.shape)} x ${JSON.stringify(b.shape)}`, run: () => a.matmul(b) };
    }
    case 6: {
      // Movement: permute then contiguous (the copy kernels), or a narrowed view reduced.
      if (x.ndim === 0) return { name: 'reshape 0-d', run: () => x.reshape([1, 1]).contiguous() };
      const perm = r.permutation(x.ndim);
      return { name: `permute(${Array.from(perm)}) ${JSON.stringify(shape)}`, run: () => x.permute(Array.from(perm)).contiguous() };
    }
    default: {
      const op = r.random() < 0.5 ? 'cumsum' : 'norm';
      const d = r.int(-Math.max(x.ndim, 1), Math.max(x.ndim, 1));
      return { name: `${op}(${d}) ${JSON.stringify(shape)}`, run: () => (op === 'cumsum' ? x.cumsum(d) : x.norm(2, d)) };
    }
  }
}

/** The outcome of a case: values, shape and dtype, or the error it threw. */
function outcome(c: Case): { shape?: readonly number[]; dtype?: string; data?: number[]; error?: string } {
  try {
    const out = c.run();
    const list = Array.isArray(out) ? out : [out];
    return { shape: list[0].shape, dtype: list[0].dtype, data: list.flatMap((t) => Array.from(t.data())) };
  } catch (e) {
    if (!(e instanceof TsgradError)) throw e;
    return { error: e.message };
  }
}

function close(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= 1e-4 + 1e-4 * Math.abs(b);
}

test(`ref and wasm agree on ${CASES} random cases (seed ${SEED})`, { skip: wasmLoadError() ?? false }, () => {
  const threads = getNumThreads();
  const t0 = performance.now();
  try {
    withBackend('ref', () =>
      withWasmLimits({ minElements: 0, minGemmWork: 0 }, () => {
        for (let i = 0; i < CASES; i++) {
          // Each case draws from a generator of its own, so that it can be replayed alone.
          const caseSeed = SEED + i;
          const make = (): Case => makeCase(new Rng(caseSeed));
          setBackend('ref');
          const want = outcome(make());
          setBackend('wasm');
          setNumThreads(i % 2 === 0 ? threads : 1);
          const c = make();
          const got = outcome(c);
          const where = `case ${i} (seed ${caseSeed}, TSGRAD_DIFF_SEED=${SEED}): ${c.name}`;
          assert.equal(got.error, want.error, `${where}: errors differ`);
          assert.deepEqual(got.shape, want.shape, `${where}: shapes differ`);
          assert.equal(got.dtype, want.dtype, `${where}: dtypes differ`);
          const bad = want.data?.findIndex((v, j) => !close(got.data![j], v)) ?? -1;
          assert.ok(bad < 0, `${where}: element ${bad}: wasm ${got.data?.[bad]}, ref ${want.data?.[bad]}`);
          const ms = performance.now() - t0;
          assert.ok(ms < TIME_LIMIT_MS, `${where}: the run passed its time limit of ${TIME_LIMIT_MS} ms after ${i + 1} cases`);
        }
      }),
    );
  } finally {
    setNumThreads(threads);
  }
  console.log(`differential: ${CASES} cases in ${(performance.now() - t0).toFixed(0)} ms`);
});

test('a wasm task with an impossible geometry is an error, not a spin', { skip: wasmLoadError() ?? false }, () => {
  withBackend('wasm', () =>
    withWasmLimits({ minElements: 0 }, () => {
      const out = new Float32Array(1);
      assert.throws(
        () => kernels().reduce('sum', new Float32Array(4), 1, NaN, 1, out),
        /wasm reduceTask: impossible geometry \(argument word 2 is NaN/,
      );
    }),
  );
});
