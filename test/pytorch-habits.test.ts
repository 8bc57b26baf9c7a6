/**
 * tsgrad written the way a PyTorch user writes: positional dims, .to(dtype), requiresGrad_,
 * a model printed like PyTorch's, a custom nn.Module registered, checkpointed, loaded in a
 * fresh process and resumed. Runs under the test runner and as plain JavaScript:
 *   node dist/test/pytorch-habits.test.js
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as tg from '../src/index.js';
import { TinyNet, setup, stateOf, tinyNet, trainEpoch } from './resume-common.js';

const dir = mkdtempSync(join(tmpdir(), 'tsgrad-habits-'));

test('positional dims: x.sum(1), logits.argmax(1).eq(y)', () => {
  const x = tg.tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assert.deepEqual(x.sum(1).toArray(), [6, 15]);
  const logits = tg.tensor([
    [0.1, 2],
    [3, 0.5],
    [0.2, 0.1],
  ]);
  const y = tg.tensor([1, 0, 1], { dtype: 'int32' });
  const correct = logits.argmax(1).eq(y);
  assert.deepEqual(correct.toArray(), [1, 1, 0]);
  assert.ok(Math.abs(correct.float().mean().item() - 2 / 3) < 1e-7);
});

test('dtypes: .to(), .double(), .int(), and an unknown dtype names the supported ones', () => {
  const x = tg.tensor([[1.5, -2.5]]);
  assert.equal(x.to('float64').dtype, 'float64');
  assert.deepEqual(x.double().int().toArray(), [[1, -2]]);
  assert.throws(() => x.to('float16' as tg.DType), /"float32", "float64", "int32"/);
});

test('requiresGrad_ on a tensor and on a module; frozen parameters stay in parameters()', () => {
  const w = tg.randn([3, 2]).requiresGrad_();
  tg.randn([4, 3]).matmul(w).sum().backward();
  assert.deepEqual(w.grad?.shape, [3, 2]);
  const model = tinyNet();
  model.fc1.requiresGrad_(false);
  assert.equal(model.parameters().length, 4);
  assert.deepEqual(
    model.parameters().map((p) => p.requiresGrad),
    [false, false, true, true],
  );
  assert.equal(
    String(model),
    [
      'TinyNet(',
      '  inFeatures=4, hidden=16, p=0.3',
      '  (fc1): Linear(inFeatures=4, outFeatures=16, bias=true)',
      '  (drop): Dropout(p=0.3)',
      '  (fc2): Linear(inFeatures=16, outFeatures=2, bias=true)',
      ')',
    ].join('\n'),
  );
});

test('a custom module checkpointed with its optimizer and schedule, resumed in a fresh process: bit for bit the same', () => {
  const epochs = 4;
  const whole = setup(tinyNet);
  for (let e = 0; e < epochs; e++) trainEpoch(whole);
  const half = setup(tinyNet);
  for (let e = 0; e < 2; e++) trainEpoch(half);
  const ckpt = join(dir, 'ckpt');
  tg.saveCheckpoint(ckpt, { ...stateOf(half), epoch: 2, extra: { note: 'half way' } });
  // The fresh process rebuilds the TinyNet by its registered name with tg.load(dir).
  const child = fileURLToPath(new URL(`resume-child.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url));
  const args = [...process.execArgv, child, ckpt, String(epochs), 'rebuild'];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readFileSync(join(ckpt, 'final.safetensors')), Buffer.from(tg.encodeSafetensors(whole.model.stateDict())));
  // And the saved model itself comes back as a TinyNet with the same predictions.
  const again = tg.load(ckpt);
  assert.ok(again instanceof TinyNet);
  const x = tg.randn([5, 4]);
  assert.deepEqual(again.eval().forward(x).data(), half.model.eval().forward(x).data());
});
