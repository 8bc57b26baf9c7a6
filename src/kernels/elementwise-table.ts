/**
 * The one table of elementwise primitives. Each entry says, once:
 * - `ref`: the scalar definition, which the ref kernel runs and every fast kernel is tested against;
 * - `params`: the names of its number parameters, if any (hardtanh's min and max), passed to the
 *   kernels after the operands;
 * - `keepsInt`: whether an int32 input gives an int32 result (otherwise the op computes in float);
 * - `wasm`: what the wasm backend runs: 'simd' (a case of unaryV/binaryV in assembly/elementwise.ts,
 *   four lanes at a time), 'scalar' (a case of unaryS there: one float at a time, still threaded),
 *   or `{ refOnly: why }` (no wasm kernel, on purpose: the wasm backend hands it to ref).
 *
 * The op code of an entry is its position in its table, on both sides of the wasm boundary:
 * tools/build-wasm.mjs reads this file, writes the codes as constants into assembly/op-codes.ts,
 * and fails the build unless assembly/elementwise.ts has a case for exactly the ops marked 'simd'
 * or 'scalar'. The built module carries a hash of the table, and the wasm backend refuses a
 * module built from another table (a stale build). The derivative of each op lives in
 * ops/elementwise.ts, in a record over these names, so tsc refuses an op without one.
 */

export type WasmSupport = 'simd' | 'scalar' | { readonly refOnly: string };

export interface UnaryEntry {
  readonly ref: (x: number, p0: number, p1: number) => number;
  readonly params?: readonly string[];
  readonly keepsInt?: boolean;
  readonly wasm: WasmSupport;
}

export interface BinaryEntry {
  readonly ref: (a: number, b: number) => number;
  readonly wasm: WasmSupport;
}

/**
 * Error function to about 1e-7 relative error. Near zero, where erf(x) ≈ 1.13 x, the Maclaurin
 * series keeps the relative error at float64 level (the erfc fit alone has an absolute error of
 * 1.2e-7, which is 1% of erf(1e-5)); from |x| = 0.5 on, erf = 1 - erfc by Numerical Recipes'
 * Chebyshev fit.
 */
export function erf(x: number): number {
  const z = Math.abs(x);
  if (z < 0.5) {
    // erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1)); 12 terms reach 1e-17 at |x| = 0.5.
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 12; n++) {
      term *= -x2 / n;
      sum += term / (2 * n + 1);
    }
    return sum * 1.1283791670955126;
  }
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - r : r - 1;
}

/** Numerically stable logistic function: never evaluates exp of a large positive number. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

const FLOAT_ONLY = 'float64 libm has no float32 SIMD counterpart worth the code; rare in training loops';

export const UNARY_TABLE = {
  neg: { ref: (x) => -x, keepsInt: true, wasm: 'simd' },
  abs: { ref: Math.abs, keepsInt: true, wasm: 'simd' },
  sqrt: { ref: Math.sqrt, wasm: 'simd' },
  square: { ref: (x) => x * x, keepsInt: true, wasm: 'simd' },
  // x <= 0, not !(x > 0): NaN passes through, as in PyTorch.
  relu: { ref: (x) => (x <= 0 ? 0 : x), keepsInt: true, wasm: 'simd' },
  reciprocal: { ref: (x) => 1 / x, wasm: 'simd' },
  // NaN passes through (PyTorch's rule), and the bounds are inclusive.
  softsign: { ref: (x) => x / (1 + Math.abs(x)), wasm: 'simd' },
  hardtanh: { ref: (x, lo, hi) => (x < lo ? lo : x > hi ? hi : x), params: ['min', 'max'], keepsInt: true, wasm: 'simd' },
  exp: { ref: Math.exp, wasm: 'scalar' },
  log: { ref: Math.log, wasm: 'scalar' },
  sigmoid: { ref: sigmoid, wasm: 'scalar' },
  tanh: { ref: Math.tanh, wasm: 'scalar' },
  log1p: { ref: Math.log1p, wasm: { refOnly: FLOAT_ONLY } },
  sign: { ref: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0), keepsInt: true, wasm: { refOnly: 'used for gradients of abs only' } },
  erf: { ref: erf, wasm: { refOnly: FLOAT_ONLY } },
  sin: { ref: Math.sin, wasm: { refOnly: FLOAT_ONLY } },
  cos: { ref: Math.cos, wasm: { refOnly: FLOAT_ONLY } },
  isnan: { ref: (x) => (Number.isNaN(x) ? 1 : 0), wasm: { refOnly: 'a check, not a training op' } },
} as const satisfies Record<string, UnaryEntry>;

export const BINARY_TABLE = {
  add: { ref: (a, b) => a + b, wasm: 'simd' },
  sub: { ref: (a, b) => a - b, wasm: 'simd' },
  mul: { ref: (a, b) => a * b, wasm: 'simd' },
  div: { ref: (a, b) => a / b, wasm: 'simd' },
  // A NaN on either side wins, as in PyTorch (f32x4.max/min do the same).
  maximum: { ref: (a, b) => (a > b || Number.isNaN(a) ? a : b), wasm: 'simd' },
  minimum: { ref: (a, b) => (a < b || Number.isNaN(a) ? a : b), wasm: 'simd' },
  eq: { ref: (a, b) => (a === b ? 1 : 0), wasm: 'simd' },
  ne: { ref: (a, b) => (a !== b ? 1 : 0), wasm: 'simd' },
  lt: { ref: (a, b) => (a < b ? 1 : 0), wasm: 'simd' },
  le: { ref: (a, b) => (a <= b ? 1 : 0), wasm: 'simd' },
  gt: { ref: (a, b) => (a > b ? 1 : 0), wasm: 'simd' },
  ge: { ref: (a, b) => (a >= b ? 1 : 0), wasm: 'simd' },
  pow: { ref: Math.pow, wasm: { refOnly: FLOAT_ONLY } },
} as const satisfies Record<string, BinaryEntry>;

export type UnaryOp = keyof typeof UNARY_TABLE;
export type BinaryOp = keyof typeof BINARY_TABLE;
export const UNARY_OPS = Object.keys(UNARY_TABLE) as UnaryOp[];
export const BINARY_OPS = Object.keys(BINARY_TABLE) as BinaryOp[];

/** The entry of a unary op (typed as the general entry, so that optional fields read as such). */
export const unaryEntry = (op: UnaryOp): UnaryEntry => UNARY_TABLE[op];
export const binaryEntry = (op: BinaryOp): BinaryEntry => BINARY_TABLE[op];

/** Whether the wasm backend has a kernel for the op (the rest are ref-only on purpose). */
export const hasWasmKernel = (e: UnaryEntry | BinaryEntry): boolean => typeof e.wasm === 'string';

/**
 * A fingerprint of the op codes and their wasm support, computed the same way by
 * tools/build-wasm.mjs into the module: FNV-1a over "name:support," for each unary op, then "|",
 * then the same for each binary op.
 */
export function opTableHash(): number {
  const part = (names: readonly string[], entry: (n: string) => UnaryEntry | BinaryEntry): string =>
    names.map((n) => `${n}:${typeof entry(n).wasm === 'string' ? entry(n).wasm : 'ref'},`).join('');
  const text = part(UNARY_OPS, (n) => unaryEntry(n as UnaryOp)) + '|' + part(BINARY_OPS, (n) => binaryEntry(n as BinaryOp));
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
