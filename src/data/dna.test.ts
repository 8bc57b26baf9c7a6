import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tg from '../index.js';
import {
  PRIMER_MOTIF,
  oneHotDna,
  parseFasta,
  parseLabels,
  parseSequenceLines,
  reverseComplement,
  reverseComplementOneHot,
  simulateDna,
  withLabels,
} from './dna.js';

test('oneHotDna: channels A, C, G, T; N is 0.25 everywhere; lower case accepted', () => {
  const x = oneHotDna(['ACGTN', 'acgtn']);
  assert.deepEqual(x.shape, [2, 4, 5]);
  const rows = (i: number): number[][] => [0, 1, 2, 3].map((c) => Array.from(x.select(0, i).select(0, c).data()));
  const want = [
    [1, 0, 0, 0, 0.25],
    [0, 1, 0, 0, 0.25],
    [0, 0, 1, 0, 0.25],
    [0, 0, 0, 1, 0.25],
  ];
  assert.deepEqual(rows(0), want);
  assert.deepEqual(rows(1), want);
});

test('oneHotDna: unequal lengths are refused unless a length is given, which crops and pads with N', () => {
  assert.throws(
    () => oneHotDna(['ACGT', 'ACG'], { names: ['a', 'b'] }),
    /oneHotDna: sequences differ in length \(a has 4 bases, b has 3\)/,
  );
  const x = oneHotDna(['ACGTA', 'AC'], { length: 3 });
  assert.deepEqual(x.shape, [2, 4, 3]);
  assert.deepEqual(Array.from(x.select(0, 1).select(1, 2).data()), [0.25, 0.25, 0.25, 0.25]);
  assert.throws(() => oneHotDna(['ACXT'], { names: ['chr1:100'] }), /oneHotDna: chr1:100 has 'X' at position 3; expected A, C, G, T or N/);
});

test('reverse complements of strings and of one-hot tensors agree, and the tensor form is differentiable', () => {
  assert.equal(reverseComplement('AACGTN'), 'NACGTT');
  assert.equal(reverseComplement('aacg'), 'cgtt');
  assert.throws(() => reverseComplement('ACU'), /reverseComplement: 'U' at position 3/);
  const seqs = ['ACGGTNCA', 'TTTACGCA'];
  assert.deepEqual(reverseComplementOneHot(oneHotDna(seqs)).data(), oneHotDna(seqs.map(reverseComplement)).data());
  const x = oneHotDna(seqs).requiresGrad_();
  const w = tg.randn([4, 8]);
  reverseComplementOneHot(x).mul(w).sum().backward();
  // d/dx of Σ rc(x)·w is w moved back: channel c, position j receives w[3 - c, L - 1 - j].
  assert.equal(x.grad!.select(0, 0).select(0, 0).select(0, 0).item(), w.select(0, 3).select(0, 7).item());
  assert.throws(() => reverseComplementOneHot(tg.zeros([2, 3, 5])), /expected one-hot sequences \[N, 4, L\], got \[2, ?3, ?5\]/);
});

test('parseFasta: several records, wrapped lines, blank lines, Windows line ends, labels from headers', () => {
  const text = '>seq1 label=1\r\nACGT\r\nacgt\r\n\r\n>seq2 some words|0\nNNAC\n\n>seq3\nGG\nTT\n';
  const r = parseFasta(text, 'x.fa');
  assert.deepEqual(
    r.map((x) => [x.id, x.sequence, x.label]),
    [
      ['seq1', 'ACGTacgt', 1],
      ['seq2', 'NNAC', 0],
      ['seq3', 'GGTT', undefined],
    ],
  );
  assert.throws(() => parseFasta('>a\nACGT\n>b\n\n>c\nAC', 'x.fa'), /x\.fa: record 'b' \(line 3\) has no sequence/);
  assert.throws(() => parseFasta('ACGT\n>a\nAC', 'x.fa'), /x\.fa: line 1 holds sequence before the first '>' header/);
  assert.throws(
    () => parseFasta('>a\nACGT\n>b\nACGTAC\nAAXA', 'x.fa'),
    /x\.fa: record 'b' has 'X' at position 9; expected A, C, G, T or N/,
  );
  assert.throws(() => parseFasta('\n\n', 'x.fa'), /x\.fa: no FASTA records/);
});

test('labels and one-sequence-per-line files: bad lines are named, lengths must agree', () => {
  assert.deepEqual(parseLabels('0\n1\n1\n\n'), [0, 1, 1]);
  assert.throws(() => parseLabels('0\n2\n', 'l.txt'), /l\.txt: line 2 is '2'; labels must be 0 or 1/);
  assert.deepEqual(parseSequenceLines('ACGT\nTTGA\r\n'), ['ACGT', 'TTGA']);
  assert.throws(() => parseSequenceLines('ACGT\n\nTTGA', 's.txt'), /s\.txt: line 2 is empty/);
  assert.throws(() => parseSequenceLines('ACGT\nTT-A', 's.txt'), /s\.txt: line 2 has '-' at position 3/);
  assert.throws(
    () => withLabels(['AC', 'GT'], ['a', 'b'], [1], 'l.txt'),
    /l\.txt: 1 labels for 2 sequences; expected one label per sequence/,
  );
});

test('simulateDna: the primer set (2,000 × 50 bp, about half carrying the motif where it says), seeded', () => {
  const a = simulateDna({ seed: 3 });
  assert.equal(a.sequences.length, 2000);
  assert.ok(a.sequences.every((s) => s.length === 50 && /^[ACGT]+$/.test(s)));
  const positives = a.labels.filter((l) => l === 1).length;
  assert.ok(positives > 900 && positives < 1100, `${positives} positives`);
  a.labels.forEach((l, i) => {
    const at = a.motifStarts![i];
    assert.equal(l, at >= 0 ? 1 : 0);
    if (at >= 0) assert.equal(a.sequences[i].slice(at, at + 12), PRIMER_MOTIF);
  });
  assert.deepEqual(simulateDna({ seed: 3 }).sequences, a.sequences);
  assert.notDeepEqual(simulateDna({ seed: 4 }).sequences, a.sequences);
  // Hard mode: longer, the motif sampled from a PWM (not always the consensus), decoys, label noise.
  const h = simulateDna({ hard: true, seed: 3, n: 400 });
  assert.equal(h.sequences[0].length, 200);
  const planted = h.sequences.map((s, i) => (h.motifStarts![i] >= 0 ? s.slice(h.motifStarts![i], h.motifStarts![i] + 12) : null));
  assert.ok(planted.some((m) => m !== null && m !== PRIMER_MOTIF));
  assert.throws(() => simulateDna({ length: 8 }), /simulateDna: the motif \(12 bp\) is longer than the sequences \(8 bp\)/);
});
