/**
 * The DNA application (issue 11's "what it must show"): on the primer's simulation the primer's
 * network reaches ≥ 98% test accuracy and AUC ≥ 0.99, saliency finds the planted motif in ≥ 90%
 * of the positive test sequences, a first-layer filter recovers the motif (Pearson r ≥ 0.8, ≥ 8
 * of its 12 bases in order); the zoo's models; and the command's refusals of bad input.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tg from '../src/index.js';
import { assertClose, repoPath } from './util.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
const tmp = mkdtempSync(join(tmpdir(), 'tsgrad-dna-'));

test('the primer network on the primer simulation: ≥ 98% test accuracy, AUC ≥ 0.99; saliency and filters find the motif', async () => {
  const trained = tg.trainDna({ verbose: 0, seed: 0 });
  const r = trained.result;
  assert.equal(r.parameters, 6226);
  assert.ok(Math.abs(r.testSize - 500) <= 2, `test size ${r.testSize} (a stratified 25%)`);
  assert.ok(r.testAccuracy >= 0.98, `test accuracy ${r.testAccuracy}`);
  assert.ok(r.auc >= 0.99, `AUC ${r.auc}`);
  assert.ok(r.saliencyHits! >= 0.9, `saliency hits ${r.saliencyHits}`);
  const best = [...trained.recovered].sort((a, b) => b.pearson! - a.pearson!)[0];
  assert.ok(best.pearson! >= 0.8, `best Pearson r ${best.pearson}`);
  assert.ok(tg.basesInOrder(best.consensus, tg.PRIMER_MOTIF) >= 8, `consensus ${best.consensus}`);
  assert.equal(r.motifMatch, best.pearson);
  // The pictures: logos, saliency tracks and the report that links them.
  const files = await tg.writeDnaReport(join(tmp, 'run'), trained, { logos: 1, tracks: 1 });
  assert.ok(files.some((f) => /motif-filter\d+\.png$/.test(f)) && files.some((f) => /saliency-\d+\.svg$/.test(f)));
  const html = readFileSync(join(tmp, 'run', 'report.html'), 'utf8');
  assert.match(html, /Motifs learned by the first-layer filters[\s\S]*motif-filter\d+\.svg/);
});

test('saliency windows and motif alignment: the helpers on hand-made values', () => {
  assert.equal(tg.topSaliencyWindow([0, 1, 0, 5, 5, 0, 1], 2), 3);
  assert.equal(tg.basesInOrder('NNCGACCGAACT', 'CGACCGAACTCC'), 10);
  const ppm = [0, 1, 2, 3].map((c) => [...'TCGACCGAACTC'].map((b) => ('ACGT'[c] === b ? 1 : 0)));
  // Shifted by one base against the motif: the best alignment still matches 11 columns exactly.
  assert.ok(tg.alignedPearson(ppm, 'CGACCGAACTCC') > 0.99);
});

test('the zoo: dnaPrimer has the primer’s 6,226 parameters; dnaCnn scans both strands alike and saves and loads', () => {
  assert.equal(tg.nn.models.dnaPrimer().numParameters(), 6226);
  tg.manualSeed(5);
  const model = tg.nn.models.dnaCnn({ length: 30, filters: 8, reverseComplement: true });
  const x = tg.oneHotDna(tg.simulateDna({ n: 6, length: 30, seed: 2 }).sequences);
  const y = model.forward(x);
  // The same filters over both strands with the larger response kept: a sequence and its reverse complement score alike.
  assertClose(model.forward(tg.reverseComplementOneHot(x)).data(), y.data(), { atol: 1e-6 });
  tg.save(model, join(tmp, 'rc'));
  assertClose(tg.load(join(tmp, 'rc')).forward(x).data(), y.data(), { atol: 1e-6 });
  assert.match(model.toString(), /BothStrands/);
});

test('tsgrad train dna: bad input is refused with the file, record or line named', () => {
  const fa = join(tmp, 'bad.fa');
  writeFileSync(fa, '>s1 label=1\nACGTACGT\n>s2 label=0\nACGTXCGT\n');
  let r = run('train', 'dna', '--fasta', fa);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /bad\.fa: record 's2' has 'X' at position 5/);
  const seqs = join(tmp, 'seqs.txt');
  const labels = join(tmp, 'labels.txt');
  writeFileSync(seqs, 'ACGTACGT\nACGTACGA\nACGTAAGT\n');
  writeFileSync(labels, '0\n1\n');
  r = run('train', 'dna', '--sequences', seqs, '--labels', labels);
  assert.match(r.stderr, /labels\.txt: 2 labels for 3 sequences/);
  writeFileSync(labels, '0\n1\nyes\n');
  r = run('train', 'dna', '--sequences', seqs, '--labels', labels);
  assert.match(r.stderr, /labels\.txt: line 3 is 'yes'; labels must be 0 or 1/);
  writeFileSync(seqs, 'ACGTACGT\nACGTACG\nACGTAAGT\n');
  writeFileSync(labels, '0\n1\n1\n');
  r = run('train', 'dna', '--sequences', seqs, '--labels', labels);
  assert.match(r.stderr, /sequences differ in length .* give a length to crop and pad them to \(--length/);
  const empty = join(tmp, 'empty.fa');
  writeFileSync(empty, '>a label=1\nACGT\n>b label=0\n\n');
  r = run('train', 'dna', '--fasta', empty);
  assert.match(r.stderr, /empty\.fa: record 'b' \(line 3\) has no sequence/);
  r = run('train', 'dna', '--sequences', seqs);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--sequences needs --labels/);
  r = run('train', 'dna', '--simulate', '--reverse-complement');
  assert.match(r.stderr, /--reverse-complement needs --model deepbind/);
  assert.ok(!existsSync(join(tmp, 'never')));
});

test('tsgrad train dna --simulate --json prints the result as its last line', () => {
  const r = run('train', 'dna', '--simulate', '--epochs', '3', '--json');
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout.trim().split('\n').pop()!);
  for (const k of ['task', 'model', 'testAccuracy', 'auc', 'motifs', 'motifMatch']) assert.ok(k in json, k);
  assert.equal(json.task, 'dna');
  assert.ok(json.motifs[0].consensus.length === 12 && json.motifs[0].informationContent > 0);
});
