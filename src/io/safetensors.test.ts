import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import * as nn from '../nn/index.js';
import { randn, tensor } from '../tensor/create.js';
import { predict } from '../train/fit.js';
import { TsgradError } from '../util/errors.js';
import { manualSeed } from '../util/rng.js';
import { decodeSafetensors, encodeSafetensors, loadSafetensors, saveSafetensors } from './safetensors.js';
import { load, modelConfig, save } from './save.js';

const dir = mkdtempSync(join(tmpdir(), 'tsgrad-io-'));
const bytesOf = (s: string): number[] => Array.from(new TextEncoder().encode(s));
const le64 = (n: number): number[] => [n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24, 0, 0, 0, 0];

test('safetensors: the bytes are exactly the reference layout (hand-built from the specification)', () => {
  // By the spec and the reference writer: tensors sorted by dtype alignment (F32 before I32),
  // then by name; compact JSON with __metadata__ first; header padded with spaces to 8 bytes;
  // data little-endian, back to back.
  const json =
    '{"__metadata__":{"format":"pt"},' +
    '"bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
    '"weight":{"dtype":"F32","shape":[2,2],"data_offsets":[8,24]},' +
    '"step":{"dtype":"I32","shape":[1],"data_offsets":[24,28]}}';
  const padded = json + ' '.repeat((8 - (json.length % 8)) % 8);
  const data = [
    0x00,
    0x00,
    0x00,
    0x3f,
    0x00,
    0x00,
    0x80,
    0xbf, // bias 0.5, -1
    0x00,
    0x00,
    0x80,
    0x3f,
    0x00,
    0x00,
    0x00,
    0x40,
    0x00,
    0x00,
    0x40,
    0x40,
    0x00,
    0x00,
    0x80,
    0x40, // weight 1..4
    0x07,
    0x00,
    0x00,
    0x00, // step 7
  ];
  const expected = [...le64(padded.length), ...bytesOf(padded), ...data];
  const got = encodeSafetensors(
    {
      weight: tensor([
        [1, 2],
        [3, 4],
      ]),
      step: tensor([7], { dtype: 'int32' }),
      bias: tensor([0.5, -1]),
    },
    { format: 'pt' },
  );
  assert.equal(padded.length % 8, 0);
  assert.deepEqual(Array.from(got), expected);
  const back = decodeSafetensors(got, 'fixture');
  assert.deepEqual(back.metadata, { format: 'pt' });
  assert.deepEqual(back.tensors.get('weight')?.toArray(), [
    [1, 2],
    [3, 4],
  ]);
  assert.equal(back.tensors.get('step')?.dtype, 'int32');
  // Integer-like names keep their sorted place (a JS object would move "10" before "b").
  const named = new TextDecoder().decode(encodeSafetensors({ b: tensor([1]), '10': tensor([2]) }).subarray(8));
  assert.ok(named.indexOf('"10"') < named.indexOf('"b"'));
});

test("safetensors: reads the reference implementation's own example and its other dtypes", () => {
  // From the Rust crate's documentation: an unpadded 60-byte header and a 2x2 I32 tensor.
  const json = '{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}';
  assert.equal(json.length, 60);
  const file = Uint8Array.from([...le64(60), ...bytesOf(json), ...new Array(16).fill(0)]);
  const { tensors, metadata } = decodeSafetensors(file);
  assert.equal(metadata, undefined);
  assert.deepEqual(tensors.get('test')?.toArray(), [
    [0, 0],
    [0, 0],
  ]);
  // F16 1.0 = 0x3c00, BF16 -2.0 = 0xc000, I64 5, U8 200.
  const h =
    '{"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[2,4]},' +
    '"c":{"dtype":"I64","shape":[1],"data_offsets":[4,12]},"d":{"dtype":"U8","shape":[1],"data_offsets":[12,13]}}';
  const f2 = Uint8Array.from([...le64(h.length), ...bytesOf(h), 0x00, 0x3c, 0x00, 0xc0, 5, 0, 0, 0, 0, 0, 0, 0, 200]);
  const t2 = decodeSafetensors(f2).tensors;
  assert.deepEqual([t2.get('a')?.item(), t2.get('b')?.item(), t2.get('c')?.item(), t2.get('d')?.item()], [1, -2, 5, 200]);
});

test('safetensors: a hole, an overlap or a size mismatch is refused naming the tensor', () => {
  const h = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
  assert.throws(
    () => decodeSafetensors(Uint8Array.from([...le64(h.length), ...bytesOf(h), ...new Array(8).fill(0)]), 'f.st'),
    /f\.st: tensor a: data_offsets start at 4, expected 0/,
  );
  const h2 = '{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}';
  assert.throws(
    () => decodeSafetensors(Uint8Array.from([...le64(h2.length), ...bytesOf(h2), ...new Array(8).fill(0)]), 'g.st'),
    /g\.st: tensor a: shape \[3\] of F32 needs 12 bytes/,
  );
});

function smallModel(): nn.Sequential {
  return new nn.Sequential(
    new nn.Flatten(),
    new nn.Linear({ inFeatures: 12, outFeatures: 16 }),
    new nn.ReLU(),
    new nn.Dropout({ p: 0.3 }),
    new nn.Linear({ inFeatures: 16, outFeatures: 3 }),
  );
}

test('save -> load in a fresh process predicts bit-identically', () => {
  manualSeed(7);
  const model = smallModel();
  const x = randn([20, 3, 2, 2]);
  const modelDir = join(dir, 'model');
  save(model, modelDir);
  const cfg = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8'));
  assert.deepEqual(cfg.model, modelConfig(model));
  assert.equal(cfg.model.layers[1].class, 'Linear');
  assert.deepEqual(cfg.model.layers[1].options, { inFeatures: 12, outFeatures: 16, bias: true });
  // The weights file is plain safetensors with the dotted parameter names.
  assert.deepEqual([...loadSafetensors(join(modelDir, 'model.safetensors')).tensors.keys()].sort(), [
    '1.bias',
    '1.weight',
    '4.bias',
    '4.weight',
  ]);
  saveSafetensors(join(dir, 'input.safetensors'), { x });
  const expected = encodeSafetensors({ y: predict(model, x) });
  const child = fileURLToPath(new URL(`../../test/io-child.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url));
  const r = spawnSync(process.execPath, [...process.execArgv, child, dir], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readFileSync(join(dir, 'child-output.safetensors')), Buffer.from(expected));
  // And in this process, through load().
  const again = load(modelDir);
  assert.deepEqual(predict(again, x).data(), predict(model, x).data());
});

test('load: missing, mismatched and unexpected weights name the tensor and the file', () => {
  manualSeed(8);
  const d = join(dir, 'broken');
  save(smallModel(), d);
  const path = join(d, 'model.safetensors');
  const good = loadSafetensors(path).tensors;
  const variant = (edit: (m: Map<string, ReturnType<typeof tensor>>) => void): void => {
    const m = new Map(good);
    edit(m);
    saveSafetensors(path, m);
  };
  const fails = (re: RegExp): void => {
    assert.throws(
      () => load(d),
      (e: unknown) => e instanceof TsgradError && re.test(e.message) && e.message.includes(path),
    );
  };
  variant((m) => m.delete('4.weight'));
  fails(/has no tensor '4\.weight'.*\[3,16\]/);
  variant((m) => m.set('1.bias', tensor([1, 2, 3])));
  fails(/tensor '1\.bias'.*float32 \[3\] but the model expects float32 \[16\]/);
  variant((m) => m.set('9.weight', tensor([1])));
  fails(/does not have: 9\.weight/);
  unlinkSync(path);
  fails(/weights file .* not found/);
  writeFileSync(join(d, 'config.json'), '{"format":"tsgrad","version":1,"model":{"class":"MyNet"}}');
  assert.throws(() => load(d), /class 'MyNet' is not registered.*nn\.register\(MyNet\).*load\(dir, \{ into: model \}\)/);
});

test('zoo models round-trip through config.json', () => {
  manualSeed(9);
  const m = nn.models.lenet5();
  const d = join(dir, 'lenet');
  save(m, d);
  const x = randn([2, 1, 28, 28]);
  assert.deepEqual(predict(load(d), x).data(), predict(m, x).data());
});
