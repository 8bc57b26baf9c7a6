/**
 * Saves are atomic: a process killed (SIGKILL) at a random moment while it saves a large model
 * over a good one leaves a directory that still loads, holding either the previous model or the
 * new one whole, twenty times in a row. Then the other files tsgrad writes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as tg from '../src/index.js';
import { bigModel } from './save-common.js';

const child = fileURLToPath(new URL('./save-child.js', import.meta.url));

/** A fingerprint of a model's weights: a few elements of each tensor. */
function fingerprint(m: tg.nn.Module): number[] {
  return [...m.stateDict().values()].flatMap((t) => {
    const d = t.data();
    return [d[0], d[d.length >> 1], d[d.length - 1]];
  });
}

function killDuringSave(dir: string, seed: number, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [child, dir, String(seed)], { stdio: ['ignore', 'pipe', 'inherit'] });
    p.stdout.once('data', () => setTimeout(() => p.kill('SIGKILL'), delayMs));
    p.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`save-child exited with ${code}`))));
  });
}

test('a save killed at a random moment leaves a model that loads, old or new, 20 times in a row', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgrad-atomic-'));
  tg.save(bigModel(1), dir);
  const known = new Map<string, number>([[JSON.stringify(fingerprint(bigModel(1))), 1]]);
  const rng = new tg.Rng(7);
  let newer = 0;
  for (let i = 0; i < 20; i++) {
    const seed = 100 + i;
    known.set(JSON.stringify(fingerprint(bigModel(seed))), seed);
    // A save of this model takes about 10-40 ms here: the kill lands anywhere in the first few.
    await killDuringSave(dir, seed, 5 + rng.int(0, 120));
    const loaded = tg.load(dir);
    const which = known.get(JSON.stringify(fingerprint(loaded)));
    assert.ok(which !== undefined, `kill ${i + 1}: the loaded weights are neither the previous model nor a saved one`);
    if (which === seed) newer++;
  }
  // Some kills land after a whole save, some before: both kinds must have loaded.
  console.log(`atomic save: 20 kills, ${newer} left the new model, ${20 - newer} an earlier one`);
});

test('config.json: a weights path outside the model directory and an unknown version are refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgrad-config-'));
  tg.save(new tg.nn.Linear({ inFeatures: 2, outFeatures: 1 }), dir);
  const path = join(dir, 'config.json');
  const good = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const write = (c: Record<string, unknown>): void => writeFileSync(path, JSON.stringify(c));
  for (const weights of ['../model.safetensors', '/etc/passwd', 'a/../../x.safetensors', '']) {
    write({ ...good, weights });
    assert.throws(
      () => tg.load(dir),
      new RegExp(
        `load: .*config.json: "weights" must name a file inside the model's directory .*, got ${JSON.stringify(JSON.stringify(weights)).slice(1, -1).replace(/[./]/g, '\\$&')}`,
      ),
    );
  }
  write({ ...good, version: 2 });
  assert.throws(() => tg.load(dir), /load: .*config\.json has format version 2, which this tsgrad cannot read \(supported: 1\)/);
  write({ ...good, version: 'one' });
  assert.throws(() => tg.load(dir), /has format version "one"/);
  const { version: _, ...unversioned } = good;
  write(unversioned);
  assert.equal(tg.load(dir).parameters().length, 2);
});

test('empty data: fit with a validation part of 0 samples and evaluate on 0 samples are refused with the count', () => {
  const x = tg.randn([500, 3]);
  const y = tg.randn([500, 1]);
  const model = new tg.nn.Linear({ inFeatures: 3, outFeatures: 1 });
  const base = { epochs: 1, loss: 'mse' as const, optimizer: new tg.optim.SGD(model.parameters(), { lr: 0.1 }), verbose: 0 as const };
  assert.throws(
    () => tg.fit(model, { ...base, train: [x, y], validationSplit: 0.0001 }),
    /fit: validationSplit 0.0001 of 500 samples leaves 0 validation samples/,
  );
  assert.throws(
    () => tg.fit(model, { ...base, train: [x, y], validationSplit: 0.9999 }),
    /fit: validationSplit 0.9999 of 500 samples leaves 0 training samples/,
  );
  const empty: [tg.Tensor, tg.Tensor] = [tg.zeros([0, 3]), tg.zeros([0, 1])];
  assert.throws(() => tg.evaluate(model, empty, { loss: 'mse' }), /evaluate: the data holds 0 samples/);
  assert.throws(() => tg.fit(model, { ...base, train: [x, y], validation: empty }), /fit \(validation\): the data holds 0 samples/);
});

test('CsvLogger leaves a complete file after every epoch, and append keeps the earlier lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgrad-csv-'));
  const path = join(dir, 'log.csv');
  const x = tg.randn([16, 2]);
  const y = tg.randn([16, 1]);
  const run = (append: boolean): void => {
    const model = new tg.nn.Linear({ inFeatures: 2, outFeatures: 1 });
    tg.fit(model, {
      train: [x, y],
      epochs: 2,
      batchSize: 8,
      loss: 'mse',
      verbose: 0,
      optimizer: new tg.optim.SGD(model.parameters(), { lr: 0.1 }),
      callbacks: [new tg.CsvLogger({ path, append })],
    });
  };
  run(false);
  assert.equal(readFileSync(path, 'utf8').trim().split('\n').length, 3);
  run(true);
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  assert.equal(lines.length, 5);
  assert.match(lines[0], /^epoch,loss/);
  assert.deepEqual(
    readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
  );
  assert.ok(existsSync(path));
});
