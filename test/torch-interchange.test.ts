/**
 * PyTorch interchange, against fixtures made by tools/make-tsgrad-weights.mjs and
 * tools/make_torch_interchange.py (Debian's PyTorch; the suite needs no Python):
 * - PyTorch -> tsgrad: state_dicts written by PyTorch load into the same tsgrad models by name and
 *   predict the same classes, logits within 1e-5;
 * - tsgrad -> PyTorch: tsgrad's files loaded into torch.nn models with load_state_dict(strict=True)
 *   (the script fails otherwise), and PyTorch's outputs on them equal tsgrad's;
 * - files with tsgrad's earlier names (`layers.0.weight`, `runningMean`) still load; errors.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tg from '../src/index.js';
import { bnCnn } from './torch-models.js';
import { assertClose, repoPath } from './util.js';

const { nn } = tg;
const fixture = (name: string): string => repoPath('test', 'fixtures', 'torch', name);
const io = tg.loadSafetensors(fixture('io.safetensors')).tensors;
const get = (name: string): tg.Tensor => {
  const t = io.get(name);
  assert.ok(t, `io.safetensors holds ${name}`);
  return t;
};
const predict = (model: tg.nn.Module, x: tg.Tensor): tg.Tensor => tg.noGrad(() => model.eval().forward(x));
const tmp = mkdtempSync(join(tmpdir(), 'tsgrad-torch-'));

test('PyTorch -> tsgrad: a PyTorch-made LeNet-5 predicts the same classes, logits within 1e-5', () => {
  const model = tg.load(fixture('from_torch_lenet5.safetensors'), { into: nn.models.lenet5() });
  const logits = predict(model, get('img28'));
  const want = get('torch_out_from_torch_lenet5');
  assertClose(logits.data(), want.data(), { atol: 1e-5, rtol: 0, what: 'LeNet-5 logits' });
  assert.deepEqual(logits.argmax(1).data(), want.argmax(1).data());
});

test('PyTorch -> tsgrad: batch norm running statistics and num_batches_tracked (int64 in the file) load', () => {
  const model = tg.load(fixture('from_torch_bn_cnn.safetensors'), { into: bnCnn() });
  assertClose(predict(model, get('img12')).data(), get('torch_out_from_torch_bn_cnn').data(), { atol: 1e-5, rtol: 0, what: 'bn_cnn' });
  assert.equal(model.stateDict().get('1.num_batches_tracked')!.item(), 3);
  assert.notDeepEqual([...model.stateDict().get('5.running_var')!.data()], new Array(8).fill(1));
});

test('tsgrad -> PyTorch: load_state_dict(strict=True) took tsgrad files, and PyTorch computes what tsgrad does', () => {
  const cases: Array<[string, tg.nn.Module, string]> = [
    ['lenet5', nn.models.lenet5(), 'img28'],
    ['bn_cnn', bnCnn(), 'img12'],
    ['dna_cnn', nn.models.dnaCnn({ length: 40, filters: 8 }), 'dna40'],
  ];
  for (const [name, model, input] of cases) {
    // The model's own state-dict names and shapes, exactly: load into a fresh model is strict.
    tg.load(fixture(`from_tsgrad_${name}.safetensors`), { into: model });
    const out = predict(model, get(input));
    assertClose(out.data(), get(`torch_out_from_tsgrad_${name}`).data(), { atol: 1e-5, rtol: 0, what: `${name} in PyTorch and tsgrad` });
  }
});

test("state-dict names are PyTorch's: Sequential children by index, batch norm buffers in snake case", () => {
  const names = [...bnCnn().stateDict().keys()];
  assert.deepEqual(names.slice(0, 4), ['0.weight', '0.bias', '1.weight', '1.bias']);
  assert.ok(names.includes('1.running_mean') && names.includes('1.running_var') && names.includes('1.num_batches_tracked'));
  const bn = new nn.BatchNorm1d({ numFeatures: 2 });
  bn.forward(tg.randn([4, 2]));
  bn.forward(tg.randn([4, 2]));
  bn.eval().forward(tg.randn([4, 2]));
  assert.equal(bn.numBatchesTracked!.item(), 2, 'counts training batches only');
});

test('a model directory saved with the earlier names (layers.0.weight, runningMean) still loads, frozen list included', () => {
  tg.manualSeed(7);
  const model = bnCnn();
  const dir = join(tmp, 'legacy');
  tg.save(model, dir);
  // Rewrite the files as tsgrad wrote them before its names followed PyTorch's.
  const legacy = new Map<string, tg.Tensor>();
  for (const [name, t] of model.stateDict()) {
    if (name.endsWith('num_batches_tracked')) continue;
    legacy.set(`layers.${name}`.replace('running_mean', 'runningMean').replace('running_var', 'runningVar'), t);
  }
  tg.saveSafetensors(join(dir, 'model.safetensors'), legacy);
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...tg.readConfig(dir), frozen: ['layers.0.weight'] }));
  const again = tg.load(dir);
  const x = tg.randn([2, 1, 12, 12]);
  assert.deepEqual(predict(again, x).data(), predict(model, x).data());
  assert.equal(again.stateDict().get('0.weight')!.requiresGrad, false, 'the frozen parameter, listed by its earlier name');
});

test('bad input: a bare file without a model, names or shapes that do not fit, named', () => {
  assert.throws(
    () => tg.load(fixture('from_torch_lenet5.safetensors')),
    /load: .*from_torch_lenet5.safetensors is a file; .* pass \{ into: model \}/,
  );
  assert.throws(
    () => tg.load(fixture('from_torch_lenet5.safetensors'), { into: bnCnn() }),
    /load: tensor '0.weight' in .*from_torch_lenet5.safetensors is float32 \[6,1,5,5\] but the model expects float32 \[4,1,3,3\]/,
  );
  assert.throws(
    () => tg.load(fixture('from_torch_lenet5.safetensors'), { into: nn.models.lenet5({ numClasses: 3 }) }),
    /load: tensor '11.weight' .* is float32 \[10,84\] but the model expects float32 \[3,84\]/,
  );
  assert.throws(
    () =>
      tg.load(fixture('from_tsgrad_dna_cnn.safetensors'), { into: nn.models.dnaCnn({ length: 40, filters: 8, reverseComplement: true }) }),
    /load: .*from_tsgrad_dna_cnn.safetensors has no tensor '0.scanner.0.weight'/,
  );
  const d = join(tmp, 'extra');
  mkdirSync(d, { recursive: true });
  const state = nn.models.lenet5().stateDict();
  state.set('12.weight', tg.zeros([1]));
  tg.saveSafetensors(join(d, 'w.safetensors'), state);
  assert.throws(() => tg.load(join(d, 'w.safetensors'), { into: nn.models.lenet5() }), /holds tensors the model does not have: 12.weight/);
});
