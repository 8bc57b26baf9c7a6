// The build refuses an op table and AssemblyScript kernels that disagree: each case copies the two
// files into a scratch checkout, breaks them one way, and runs the real build script on it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BINARY_OPS, UNARY_OPS, unaryEntry } from '../src/kernels/elementwise-table.js';

const repo = new URL('../..', import.meta.url).pathname;
const TABLE = 'src/kernels/elementwise-table.ts';
const KERNELS = 'assembly/elementwise.ts';

/** Runs tools/build-wasm.mjs --codes-only on a copy of the two files, edited by change. */
function buildWith(change: (files: { table: string; kernels: string }) => { table: string; kernels: string }) {
  const root = mkdtempSync(join(tmpdir(), 'tsgrad-optable-'));
  try {
    mkdirSync(join(root, 'src/kernels'), { recursive: true });
    mkdirSync(join(root, 'assembly'), { recursive: true });
    const files = change({ table: readFileSync(join(repo, TABLE), 'utf8'), kernels: readFileSync(join(repo, KERNELS), 'utf8') });
    writeFileSync(join(root, TABLE), files.table);
    writeFileSync(join(root, KERNELS), files.kernels);
    const r = spawnSync(process.execPath, [join(repo, 'tools/build-wasm.mjs'), '--root', root, '--codes-only'], { encoding: 'utf8' });
    const codes = r.status === 0 ? readFileSync(join(root, 'assembly/op-codes.ts'), 'utf8') : '';
    return { status: r.status, out: r.stdout + r.stderr, codes };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('the op codes are generated from the table, in its order', () => {
  const r = buildWith((f) => f);
  assert.equal(r.status, 0, r.out);
  const constant = (prefix: string, op: string): string => `${prefix}_${op.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
  UNARY_OPS.forEach((op, i) => assert.ok(r.codes.includes(`export const ${constant('U', op)}: i32 = ${i};`), op));
  BINARY_OPS.forEach((op, i) => assert.ok(r.codes.includes(`export const ${constant('B', op)}: i32 = ${i};`), op));
  const simd = UNARY_OPS.filter((op) => unaryEntry(op).wasm === 'simd')
    .map((op) => `op == ${constant('U', op)}`)
    .join(' || ');
  assert.ok(r.codes.includes(`unaryIsSimd(op: i32): bool { return ${simd}; }`));
  assert.match(simd, /U_HARDTANH/);
});

test('an op the table gives to wasm without a case in the kernels fails the build', () => {
  const r = buildWith(({ table, kernels }) => ({
    table: table.replace('sin: { ref: Math.sin, wasm: { refOnly: FLOAT_ONLY } }', "sin: { ref: Math.sin, wasm: 'scalar' }"),
    kernels,
  }));
  assert.equal(r.status, 1);
  assert.match(r.out, /unaryS has no 'case U_SIN:' although src\/kernels\/elementwise-table.ts marks the op for it/);
});

test('a kernel case for an op the table keeps on ref fails the build', () => {
  const r = buildWith(({ table, kernels }) => ({
    table: table.replace("tanh: { ref: Math.tanh, wasm: 'scalar' }", "tanh: { ref: Math.tanh, wasm: { refOnly: 'x' } }"),
    kernels,
  }));
  assert.equal(r.status, 1);
  assert.match(r.out, /unaryS has 'case U_TANH:' but src\/kernels\/elementwise-table.ts does not mark that op for it/);
});

test('a binary case removed from the kernels, or a bad wasm field, fails the build', () => {
  const removed = buildWith(({ table, kernels }) => ({ table, kernels: kernels.replace(/ {4}case B_LE: .*\n/, '') }));
  assert.equal(removed.status, 1);
  assert.match(removed.out, /binaryV has no 'case B_LE:'/);
  const typo = buildWith(({ table, kernels }) => ({
    table: table.replace(
      "relu: { ref: (x) => (x <= 0 ? 0 : x), keepsInt: true, wasm: 'simd' }",
      "relu: { ref: (x) => (x <= 0 ? 0 : x), keepsInt: true, wasm: 'smid' }",
    ),
    kernels,
  }));
  assert.equal(typo.status, 1);
  assert.match(typo.out, /UNARY_TABLE\.relu\.wasm must be 'simd', 'scalar' or \{ refOnly: why \}, got 'smid'/);
});
