import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Run, sequentialNet, setup, stateOf, trainEpoch } from '../../test/resume-common.js';
import { Linear } from '../nn/linear.js';
import { Sequential } from '../nn/sequential.js';
import { rng } from '../util/rng.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { encodeSafetensors } from './safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'tsgrad-ckpt-'));
const EPOCHS = 5;
const SPLIT = 2;

/** Runs test/resume-child in a new node process: resume from dir and train to EPOCHS. */
function resumeInChild(d: string, mode: 'into' | 'rebuild'): Buffer {
  const child = fileURLToPath(new URL(`../../test/resume-child.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url));
  const r = spawnSync(process.execPath, [...process.execArgv, child, d, String(EPOCHS), mode], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(join(d, 'final.safetensors'));
}

const weights = (run: Run): Buffer => Buffer.from(encodeSafetensors(run.model.stateDict()));

test('saveCheckpoint -> loadCheckpoint in a fresh process continues bit for bit (dropout, shuffling, Adam, StepLR)', () => {
  const whole = setup(sequentialNet);
  for (let e = 0; e < EPOCHS; e++) trainEpoch(whole);
  const half = setup(sequentialNet);
  for (let e = 0; e < SPLIT; e++) trainEpoch(half);
  const d = join(dir, 'seq');
  saveCheckpoint(d, { ...stateOf(half), epoch: SPLIT, extra: { note: 'half way' } });
  assert.deepEqual(resumeInChild(d, 'into'), weights(whole));
  // The same in this process, after the generator has moved on: the checkpoint restores it.
  for (let i = 0; i < 7; i++) rng.random();
  const again = setup(sequentialNet);
  assert.deepEqual(loadCheckpoint(d, stateOf(again)), { epoch: SPLIT, extra: { note: 'half way' } });
  assert.equal(again.scheduler.lastEpoch, SPLIT);
  assert.equal(again.optimizer.lr, 0.01);
  for (let e = SPLIT; e < EPOCHS; e++) trainEpoch(again);
  assert.deepEqual(weights(again), weights(whole));
  // Without the generator's state the resumed run differs: the check above has teeth.
  const noRng = setup(sequentialNet);
  loadCheckpoint(d, stateOf(noRng));
  rng.random();
  for (let e = SPLIT; e < EPOCHS; e++) trainEpoch(noRng);
  assert.notDeepEqual(weights(noRng), weights(whole));
});

test('loadCheckpoint: clear errors for a missing checkpoint, a model that does not fit and bad arguments', () => {
  const run = setup(sequentialNet);
  assert.throws(() => loadCheckpoint(join(dir, 'nothing'), stateOf(run)), /loadCheckpoint: .*checkpoint\.json not found .*saveCheckpoint/);
  const d = join(dir, 'errors');
  saveCheckpoint(d, { model: run.model, optimizer: run.optimizer, epoch: 1 });
  assert.throws(() => loadCheckpoint(d, stateOf(run)), /a scheduler was given but .* was saved without one/);
  const other = new Sequential(new Linear({ inFeatures: 4, outFeatures: 3 }));
  assert.throws(
    () => loadCheckpoint(d, { model: other }),
    /tensor '0\.weight' in .* is float32 \[16,4\] but the model expects float32 \[3,4\]/,
  );
  assert.throws(
    () => saveCheckpoint(d, { model: run.model, optimizer: run.optimizer } as never),
    /saveCheckpoint: option 'epoch' is required/,
  );
  assert.throws(
    () => loadCheckpoint(d, { model: run.model, optimiser: run.optimizer } as never),
    /unknown option 'optimiser' \(did you mean 'optimizer'\?\)/,
  );
  writeFileSync(join(d, 'checkpoint.json'), '{"format":"tsgrad"}');
  assert.throws(() => loadCheckpoint(d, { model: run.model }), /is not a tsgrad checkpoint/);
});
