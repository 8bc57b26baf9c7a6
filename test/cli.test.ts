import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from './util.js';
import { HEAP_FLAGS } from '../src/cli/heap-flags.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

test('tsgrad --help and --version', () => {
  const h = run('--help');
  assert.equal(h.status, 0);
  assert.match(h.stdout, /tsgrad train <task>/);
  assert.match(h.stdout, /genes/);
  const v = run('--version');
  assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+$/);
});

test('the tsgrad command (bin.js) runs the CLI in a Node started with the heap flags, passing on its exit code', () => {
  const bin = repoPath('dist', 'src', 'cli', 'bin.js');
  // A preload that reports each process's flags: the first process lacks the heap flags, the one it starts has them.
  const report = "--import=data:text/javascript,console.error('execArgv '+JSON.stringify(process.execArgv))";
  const r = spawnSync(process.execPath, [report, bin, '--version'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.trim(), /^\d+\.\d+\.\d+$/);
  const argvs = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('execArgv '))
    .map((l) => JSON.parse(l.slice(9)) as string[]);
  assert.equal(argvs.length, 2, r.stderr);
  assert.ok(!argvs[0].includes(HEAP_FLAGS[0]));
  for (const f of HEAP_FLAGS) assert.ok(argvs[1].includes(f), `${f} in ${JSON.stringify(argvs[1])}`);
  // Started with the flags already, it runs the CLI in the same process.
  const once = spawnSync(process.execPath, [...HEAP_FLAGS, report, bin, '--version'], { encoding: 'utf8' });
  assert.equal(once.stderr.split('\n').filter((l) => l.startsWith('execArgv ')).length, 1, once.stderr);
  const bad = spawnSync(process.execPath, [bin, 'train', 'nosuch'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown task 'nosuch'/);
});

test('tsgrad train genes --json ends with a JSON result', () => {
  const r = run('train', 'genes', '--json');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  const result = JSON.parse(lines[lines.length - 1]);
  assert.equal(result.task, 'genes');
  for (const key of ['coefficients', 'intercept', 'closedFormCoefficients', 'r2']) assert.ok(key in result, key);
  assert.equal(result.coefficients.length, 4);
  assert.ok(result.r2 > 0.99);
});

test('tsgrad train genes reads a CSV with --target', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgrad-cli-'));
  const file = join(dir, 'expr.csv');
  const rows = ['g1,g2,y'];
  for (let i = 0; i < 50; i++) rows.push(`${i % 7},${(i * 3) % 11},${1 + 2 * (i % 7) - 0.5 * ((i * 3) % 11)}`);
  writeFileSync(file, rows.join('\n') + '\n');
  const r = run('train', 'genes', '--csv', file, '--target', 'y', '--json', '--epochs', '800');
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.ok(Math.abs(result.closedFormCoefficients[0] - 2) < 1e-6);
  assert.ok(Math.abs(result.coefficients[0] - 2) < 1e-2, String(result.coefficients));
  assert.ok(Math.abs(result.coefficients[1] + 0.5) < 1e-2, String(result.coefficients));
});

test('tsgrad reports bad input clearly', () => {
  const r = run('train', 'genes', '--csv', '/nonexistent.csv', '--target', 'y');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /nonexistent\.csv/);
  const u = run('train', 'nosuchtask');
  assert.equal(u.status, 2);
  assert.match(u.stderr, /unknown task 'nosuchtask'/);
  const e = run('train', 'genes', '--epochs', 'many');
  assert.notEqual(e.status, 0);
  assert.match(e.stderr, /--epochs expects a positive whole number, got 'many'/);
});
