/**
 * The command's contract with a user: --help on every command and subcommand exits 0 with that
 * command's usage; a bad flag is refused before any work starts, naming the flag; evaluate,
 * predict and viz work for every classifier of the zoo, read the class count from the model,
 * and say what a command needs when a model lacks it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tg from '../src/index.js';
import { trainMnist } from '../src/apps/mnist.js';
import { writeIdx } from '../src/data/idx.js';
import { repoPath } from './util.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
const tmp = mkdtempSync(join(tmpdir(), 'tsgrad-cli-args-'));

test("--help on every command and subcommand prints that command's usage and exits 0", () => {
  const cases: Array<[string[], RegExp]> = [
    [['--help'], /tsgrad train <task>/],
    [['train', '--help'], /Usage: tsgrad train <task>[\s\S]*mnist/],
    [['train', 'mnist', '--help'], /Usage: tsgrad train mnist \[--recipe fast\|keras\] \[--model fast\|logreg\|mlp\|cnn\|lenet5\]/],
    [['train', 'mnist', '--epochs', '0', '-h'], /Usage: tsgrad train mnist/],
    [['train', 'genes', '--help'], /Usage: tsgrad train genes/],
    [['train', 'dna', '--help'], /Usage: tsgrad train dna \[--simulate \[--hard\]\]/],
    [['evaluate', '--help'], /Usage: tsgrad evaluate <model dir>/],
    [['predict', '--help'], /Usage: tsgrad predict <model dir>/],
    [['viz', '--help'], /Usage: tsgrad viz filters\|maximize/],
    [['viz', 'filters', '--help'], /Usage: tsgrad viz filters\|maximize/],
  ];
  for (const [args, usage] of cases) {
    const r = run(...args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, usage, args.join(' '));
  }
});

test('bad flags are refused at once, naming the flag, before any data is read', () => {
  const file = join(tmp, 'a-file');
  writeFileSync(file, 'x');
  const cases: Array<[string[], RegExp]> = [
    [['train', 'mnist', '--epochs', '0'], /--epochs expects a positive whole number, got '0'/],
    [['train', 'mnist', '--epochs', '1.5'], /--epochs expects a positive whole number, got '1.5'/],
    [['train', 'mnist', '--train-size', '1.5'], /--train-size expects a whole number >= 2, got '1.5'/],
    [['train', 'mnist', '--train-size', '70000'], /--train-size is at most 60000/],
    [['train', 'mnist', '--batch-size=-8'], /--batch-size expects a positive whole number, got '-8'/],
    [['train', 'mnist', '--lr', '0'], /--lr expects a number > 0, got '0'/],
    [['train', 'mnist', '--dropout', '1'], /--dropout expects a number >= 0 and < 1, got '1'/],
    [['train', 'mnist', '--model', 'resnet'], /--model must be one of fast, logreg, mlp, cnn, lenet5, got 'resnet'/],
    [['train', 'mnist', '--recipe', 'dawn'], /--recipe must be one of fast, keras, got 'dawn'/],
    [['train', 'mnist', '--augment', '--no-augment'], /--augment and --no-augment contradict each other/],
    [['train', 'mnist', '--label-smoothing', '1'], /--label-smoothing expects a number >= 0 and < 1, got '1'/],
    [['train', 'mnist', '--out', file], /--out .*a-file is a file; it must name a directory/],
    [['train', 'mnist', '--out', join(file, 'sub')], /--out .*a-file\/sub is not a writable directory \(ENOTDIR/],
    [['train', 'mnist', '--epocs', '3'], /tsgrad train mnist: Unknown option '--epocs' \(flags: --recipe, --model, --epochs/],
    [['train', 'genes', '--samples', '1'], /--samples expects a whole number >= 2, got '1'/],
    [['train', 'genes', '--target', 'y'], /--target names a column of --csv, which is missing/],
    [['evaluate'], /tsgrad evaluate takes one model directory, got 0/],
    [['evaluate', tmp], /holds no config.json: it is not a model saved by tsgrad/],
    [['predict', join(tmp, 'none'), 'x.png'], /model directory .*none not found/],
    [
      ['viz', 'pictures', tmp, '--out', tmp],
      /tsgrad viz: unknown picture 'pictures' \(filters, maximize, saliency, gradcam, ig, graph, report\)/,
    ],
  ];
  for (const [args, message] of cases) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: status ${r.status}, ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.doesNotMatch(r.stdout + r.stderr, /Epoch \d/, `${args.join(' ')} started training`);
  }
});

test('evaluate, predict and viz work for an MLP, LeNet-5 and the CNN, and say what a picture needs', () => {
  const digits = tg.datasets.mnist({ trainSize: 0 }).test;
  const idx = join(tmp, 'three.idx');
  const [x0] = digits.get(0);
  writeIdx(idx, {
    type: 'uint8',
    shape: [3, 28, 28],
    data: Uint8Array.from({ length: 3 * 784 }, (_, i) => Math.round(255 * (x0.data()[i % 784] as number))),
  });
  for (const model of ['mlp', 'lenet5', 'cnn'] as const) {
    const dir = join(tmp, model);
    trainMnist({ model, epochs: 1, trainSize: 256, validationSize: 64, batchSize: 64, out: dir, verbose: 0 });
    const e = run('evaluate', dir, '--json');
    assert.equal(e.status, 0, `${model}: ${e.stderr}`);
    assert.equal(JSON.parse(e.stdout.trim().split('\n').pop()!).confusionMatrix.length, 10);
    const p = run('predict', dir, idx, '--json');
    assert.equal(p.status, 0, `${model}: ${p.stderr}`);
    const preds = JSON.parse(p.stdout.trim().split('\n').pop()!).predictions;
    assert.equal(preds.length, 3);
    assert.equal(preds[0].probabilities.length, 10);
    const v = run('viz', model === 'mlp' ? 'saliency' : 'filters', dir, '--out', join(tmp, `viz-${model}`));
    assert.equal(v.status, 0, `${model}: ${v.stderr}`);
    assert.ok(existsSync(v.stdout.trim().split('\n')[0]), `${model}: ${v.stdout}`);
  }
  const f = run('viz', 'filters', join(tmp, 'mlp'), '--out', join(tmp, 'viz-mlp'));
  assert.equal(f.status, 1);
  assert.match(
    f.stderr,
    /viz filters: the model has no convolution layer \(its layers: Flatten, Linear, ReLU, Dropout\); this picture needs one/,
  );
});

test('predict reads the class count from the model, and refuses an input holding NaN', () => {
  tg.manualSeed(1);
  const three = join(tmp, 'three-classes');
  tg.save(new tg.nn.Sequential(new tg.nn.Flatten(), new tg.nn.Linear({ inFeatures: 784, outFeatures: 3 })), three);
  const idx = join(tmp, 'two.idx');
  writeIdx(idx, { type: 'float32', shape: [2, 28, 28], data: new Float32Array(2 * 784).fill(0.5) });
  const p = run('predict', three, idx, '--json');
  assert.equal(p.status, 0, p.stderr);
  const preds = JSON.parse(p.stdout.trim().split('\n').pop()!).predictions;
  assert.equal(preds.length, 2);
  assert.equal(preds[0].probabilities.length, 3);
  const e = run('evaluate', three);
  assert.match(e.stderr, /evaluate: the model in .*three-classes has 3 output classes; the MNIST test set has 10 digits/);
  const bad = new Float32Array(2 * 784).fill(0.5);
  bad[784 + 30] = NaN;
  const nanIdx = join(tmp, 'nan.idx');
  writeIdx(nanIdx, { type: 'float32', shape: [2, 28, 28], data: bad });
  const n = run('predict', three, nanIdx);
  assert.equal(n.status, 1);
  assert.match(n.stderr, /predict: .*nan\.idx holds NaN at image 1, pixel \(1, 2\); inputs must be finite numbers/);
});
