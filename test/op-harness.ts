/**
 * The one op-test harness. `testOp` replays a PyTorch fixture case (test/fixtures/ops.json,
 * made by tools/make_op_fixtures.py): forward in float32, input gradients of (out * w).sum(),
 * and a float64 central-difference gradcheck on the same inputs. `gradcheckOp` runs the
 * gradcheck alone on seeded random inputs. Every check runs on every backend that loads.
 *
 * @example
 * testOp('add', ([a, b]) => a.add(b), ['same', 'row']);
 * gradcheckOp('add', ([a, b]) => a.add(b), [[3, 4], [4]]);
 */
import { eachBackend } from './each-backend.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Tensor, gradcheck, manualSeed, randn, rand, tensor } from '../src/index.js';
import type { BackendName } from '../src/kernels/index.js';
import { assertClose, loadFixture } from './util.js';

/**
 * Float32 tolerances against PyTorch's float64 results: |got - want| <= ATOL + RTOL * |want|.
 * RTOL: a few float32 roundings (2^-24 ≈ 6e-8 each) through exp/log/erf and sums of at most
 * a few dozen terms stay far below 1e-4. ATOL covers values that are near zero only through
 * cancellation (a sum of terms of size ~1, the variance's centred values), where the error
 * is absolute, about 1e-7 times the terms' size: 1e-5 leaves a wide margin.
 */
export const F32_RTOL = 1e-4;
export const F32_ATOL = 1e-5;

/** Float64 gradcheck: central differences with step 1e-6; |analytic - numeric| <= 1e-6 + 1e-4 |numeric|. */
export const GRADCHECK = { eps: 1e-6, atol: 1e-6, rtol: 1e-4 };

interface FixtureTensor {
  shape: number[];
  dtype: 'float32' | 'int32';
  data: number[];
}

export interface OpCase {
  op: string;
  id: string;
  opts: Record<string, unknown>;
  inputs: FixtureTensor[];
  out: { shape: number[]; data: number[] };
  /** Weights of the loss (out * w).sum(); absent for ops without a gradient. */
  w?: number[];
  /** dLoss/dInput per input; null for index or condition inputs. */
  grads?: Array<number[] | null>;
}

/** An op under test: the inputs in fixture order and the case's options. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OpFn = (xs: Tensor[], opts: any) => Tensor;

let cases: OpCase[] | null = null;
const registered = new Set<string>();

function allCases(): OpCase[] {
  cases ??= loadFixture<{ cases: OpCase[] }>('ops').cases;
  return cases;
}

function findCase(op: string, id: string): OpCase {
  const c = allCases().find((k) => k.op === op && k.id === id);
  if (!c) throw new Error(`op-harness: no fixture case ${op}/${id} in test/fixtures/ops.json`);
  return c;
}

/** Runs fn once on each available backend, restoring the previously active backend afterwards. */
export function onEachBackend(fn: (backend: BackendName) => void): void {
  eachBackend(fn);
}

function build(t: FixtureTensor, requiresGrad = false): Tensor {
  return tensor(t.data, { shape: t.shape, dtype: t.dtype, requiresGrad });
}

function assertShape(what: string, got: readonly number[], want: readonly number[]): void {
  assert.deepEqual([...got], want, `${what}: shape [${got.join(',')}], expected [${want.join(',')}]`);
}

/**
 * Registers one test per fixture case of `op`: forward and input gradients against PyTorch
 * in float32, then a float64 gradcheck on the same inputs, on every backend.
 */
export function testOp(op: string, fn: OpFn, ids: string | readonly string[]): void {
  for (const id of typeof ids === 'string' ? [ids] : ids) {
    registered.add(`${op}/${id}`);
    test(`${op}/${id} matches PyTorch`, () => {
      const c = findCase(op, id);
      onEachBackend((backend) => checkCase(c, fn, `${op}/${id} on ${backend}`));
    });
  }
}

function checkCase(c: OpCase, fn: OpFn, where: string): void {
  const differentiable = c.grads !== undefined && c.w !== undefined;
  const wants = c.grads ?? c.inputs.map(() => null);
  const xs = c.inputs.map((t, i) => build(t, differentiable && wants[i] !== null));
  const out = fn(xs, c.opts);
  assertShape(`${where} forward`, out.shape, c.out.shape);
  assertClose(out.data(), c.out.data, { rtol: F32_RTOL, atol: F32_ATOL, what: `${where} forward` });
  if (!differentiable) return;

  out.backward(tensor(c.w as number[], { shape: c.out.shape }));
  wants.forEach((want, i) => {
    if (want === null) return;
    const g = xs[i].grad;
    assert.ok(g, `${where}: input ${i} received no gradient`);
    assertShape(`${where} grad of input ${i}`, g.shape, c.inputs[i].shape);
    assertClose(g.data(), want, { rtol: F32_RTOL, atol: F32_ATOL, what: `${where} grad of input ${i}` });
  });

  const wrt = wants.map((w, i) => (w === null ? -1 : i)).filter((i) => i >= 0);
  const fresh = c.inputs.map((t) => build(t));
  const r = gradcheck((...ys) => fn(ys, c.opts), fresh, { ...GRADCHECK, wrt });
  assert.ok(r.ok, `${where}: gradcheck failed, worst ${JSON.stringify(r.worst)}`);
}

/** What gradcheckOp draws for one input: a shape of normal values, a shape with a kind, or a fixed tensor. */
export type InputSpec = readonly number[] | { shape: readonly number[]; kind: 'normal' | 'positive' | 'nonzero' } | Tensor;

function parse(spec: Exclude<InputSpec, Tensor>): { shape: readonly number[]; kind: string } {
  return 'kind' in spec ? spec : { shape: spec as readonly number[], kind: 'normal' };
}

function draw(spec: InputSpec): Tensor {
  if (spec instanceof Tensor) return spec;
  const { shape, kind } = parse(spec);
  if (kind === 'positive') return rand(shape, { low: 0.5, high: 2.5, dtype: 'float64' });
  const x = randn(shape, { dtype: 'float64' });
  if (kind === 'nonzero') {
    // |x| >= 0.5: divisions and reciprocals stay well conditioned, kinks stay far from x ± eps.
    const d = x.storage as Float64Array;
    for (let i = 0; i < d.length; i++) d[i] = Math.sign(d[i] || 1) * (Math.abs(d[i]) + 0.5);
  }
  return x;
}

const describe = (spec: InputSpec): string => `[${(spec instanceof Tensor ? spec.shape : parse(spec).shape).join(',')}]`;

/** Registers a float64 gradcheck of fn on seeded random inputs of the given shapes, on every backend. */
export function gradcheckOp(name: string, fn: OpFn, specs: readonly InputSpec[], opts: Record<string, unknown> = {}): void {
  test(`${name} gradcheck on ${specs.map(describe).join(' ')}`, () => {
    onEachBackend((backend) => {
      manualSeed(1234);
      const xs = specs.map(draw);
      const r = gradcheck((...ys) => fn(ys, opts), xs, GRADCHECK);
      assert.ok(r.ok, `${name} on ${backend}: gradcheck failed, worst ${JSON.stringify(r.worst)}`);
    });
  });
}

/** Registers a test that fails when a fixture case of these ops has no testOp line. */
export function assertFixturesCovered(ops: readonly string[]): void {
  test(`every fixture case of ${ops.join(', ')} is tested`, () => {
    const missing = allCases()
      .filter((c) => ops.includes(c.op) && !registered.has(`${c.op}/${c.id}`))
      .map((c) => `${c.op}/${c.id}`);
    assert.deepEqual(missing, [], `fixture cases without a testOp line: ${missing.join(', ')}`);
    for (const op of ops)
      assert.ok(
        allCases().some((c) => c.op === op),
        `no fixture case for op ${op}`,
      );
  });
}
