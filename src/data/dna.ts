/**
 * DNA sequences for convolutional networks: one-hot encoding, reverse complements, the FASTA and
 * plain-text readers, and the planted-motif simulator of the genomics primer (Zou et al. 2019,
 * "A primer on deep learning in genomics"). Browser-safe except the file readers at the end.
 */
import { Tensor } from '../tensor/tensor.js';
import { arg, is, options } from '../util/args.js';
import { TsgradError } from '../util/errors.js';
import { Rng } from '../util/rng.js';

/** The one-hot channel order: A, C, G, T. */
export const DNA_ALPHABET = 'ACGT';

const CHANNEL: Record<string, number> = { A: 0, C: 1, G: 2, T: 3, a: 0, c: 1, g: 2, t: 3 };
const COMPLEMENT: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A', N: 'N', a: 't', c: 'g', g: 'c', t: 'a', n: 'n' };

export interface OneHotOptions {
  /** Crop longer sequences to this length and pad shorter ones with N; without it, all must be of one length. */
  length?: number;
  /** Names of the sequences (FASTA ids or line numbers) for error messages. */
  names?: readonly string[];
}

/**
 * Sequences as a one-hot tensor [N, 4, length] (channels A, C, G, T). Lower case is accepted; N
 * (unknown) is 0.25 in every channel. Any other letter is an error naming the sequence and the
 * position (1-based).
 * @example oneHotDna(['ACGTN']).select(0, 2) // [0, 0, 1, 0, 0.25]: the G channel
 */
export function oneHotDna(sequences: readonly string[], opts: OneHotOptions = {}): Tensor {
  arg('oneHotDna', 'sequences', sequences, is.arrayOf(is.string));
  options<OneHotOptions>('oneHotDna', opts, { length: is.positiveInt, names: is.arrayOf(is.string) });
  if (sequences.length === 0) throw new TsgradError('oneHotDna: no sequences');
  const name = (i: number): string => opts.names?.[i] ?? `sequence ${i + 1}`;
  const length = opts.length ?? sequences[0].length;
  if (opts.length === undefined) {
    const other = sequences.findIndex((s) => s.length !== length);
    if (other >= 0) {
      throw new TsgradError(
        `oneHotDna: sequences differ in length (${name(0)} has ${length} bases, ${name(other)} has ${sequences[other].length}); ` +
          'give a length to crop and pad them to (--length on the command line)',
      );
    }
  }
  if (length === 0) throw new TsgradError(`oneHotDna: ${name(0)} is empty`);
  const n = sequences.length;
  const data = new Float32Array(n * 4 * length);
  sequences.forEach((s, i) => {
    const base = i * 4 * length;
    for (let j = 0; j < length; j++) {
      const ch = j < s.length ? s[j] : 'N';
      const c = CHANNEL[ch];
      if (c !== undefined) data[base + c * length + j] = 1;
      else if (ch === 'N' || ch === 'n') for (let k = 0; k < 4; k++) data[base + k * length + j] = 0.25;
      else throw new TsgradError(`oneHotDna: ${name(i)} has '${ch}' at position ${j + 1}; expected A, C, G, T or N`);
    }
  });
  return new Tensor(data, [n, 4, length]);
}

/**
 * The reverse complement of a sequence (A↔T, C↔G, N stays; case kept): the other strand, read in
 * its own 5'→3' direction, e.g. to augment training data with both strands.
 * @example reverseComplement('AACGTn'); // 'nACGTT'
 */
export function reverseComplement(sequence: string): string {
  arg('reverseComplement', 'sequence', sequence, is.string);
  let out = '';
  for (let j = sequence.length - 1; j >= 0; j--) {
    const c = COMPLEMENT[sequence[j]];
    if (c === undefined) throw new TsgradError(`reverseComplement: '${sequence[j]}' at position ${j + 1} is not A, C, G, T or N`);
    out += c;
  }
  return out;
}

export { reverseComplementOneHot } from '../nn/models/dna-cnn.js';

/** One FASTA record. */
export interface FastaRecord {
  id: string;
  /** The header line after '>' (id and description). */
  header: string;
  sequence: string;
  /** 0 or 1 when the header carries one (`label=1`, or `|1` at its end). */
  label?: number;
}

/**
 * Parses FASTA text: several records, sequences wrapped over lines, blank lines and Windows line
 * ends allowed. A record without sequence, text before the first header, or a letter other than
 * A, C, G, T, N (any case) is an error naming the file, the record and the position. `file`
 * names the text in those errors. The id is the header's first word.
 * @example
 * parseFasta('>s1 label=1\nACGT\nAC\n>s2\nTTGA\n');
 * // [{ id: 's1', header: 's1 label=1', sequence: 'ACGTAC', label: 1 }, { id: 's2', header: 's2', sequence: 'TTGA' }]
 */
export function parseFasta(text: string, file = 'FASTA text'): FastaRecord[] {
  arg('parseFasta', 'text', text, is.string);
  const records: FastaRecord[] = [];
  let current: { header: string; line: number; parts: string[] } | null = null;
  const finish = (): void => {
    if (!current) return;
    const sequence = current.parts.join('');
    const id = current.header.split(/\s+/)[0] || `record ${records.length + 1}`;
    if (sequence.length === 0) throw new TsgradError(`${file}: record '${id}' (line ${current.line}) has no sequence`);
    const bad = sequence.search(/[^ACGTNacgtn]/);
    if (bad >= 0) {
      throw new TsgradError(`${file}: record '${id}' has '${sequence[bad]}' at position ${bad + 1}; expected A, C, G, T or N`);
    }
    const m = /(?:^|[\s;|,])label[=:]([01])\b/.exec(current.header) ?? /\|([01])\s*$/.exec(current.header);
    records.push({ id, header: current.header, sequence, ...(m ? { label: Number(m[1]) } : {}) });
  };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('>')) {
      finish();
      current = { header: line.slice(1).trim(), line: i + 1, parts: [] };
    } else if (line.startsWith(';')) {
      return; // an old-style comment line
    } else {
      if (!current) throw new TsgradError(`${file}: line ${i + 1} holds sequence before the first '>' header; not FASTA`);
      current.parts.push(line.replace(/\s+/g, ''));
    }
  });
  finish();
  if (records.length === 0) throw new TsgradError(`${file}: no FASTA records (expected lines starting with '>')`);
  return records;
}

/**
 * Parses a labels file: one label per line, 0 or 1 (blank lines at the end ignored); anything
 * else is an error naming the file and the line.
 * @example parseLabels('0\n1\n1\n', 'labels.txt'); // [0, 1, 1]
 */
export function parseLabels(text: string, file = 'labels'): number[] {
  arg('parseLabels', 'text', text, is.string);
  const lines = text.split(/\r?\n/);
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  return lines.map((l, i) => {
    const v = l.trim();
    if (v !== '0' && v !== '1') throw new TsgradError(`${file}: line ${i + 1} is '${v}'; labels must be 0 or 1, one per line`);
    return Number(v);
  });
}

/**
 * Parses plain sequences, one per line (the genomics primer's published format); blank lines at
 * the end are ignored, a blank line inside or a letter other than A, C, G, T, N is an error naming
 * the line and position.
 * @example parseSequenceLines('ACGT\nttga\n', 'sequences.txt'); // ['ACGT', 'ttga']
 */
export function parseSequenceLines(text: string, file = 'sequences'): string[] {
  arg('parseSequenceLines', 'text', text, is.string);
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new TsgradError(`${file}: no sequences`);
  lines.forEach((s, i) => {
    if (s === '') throw new TsgradError(`${file}: line ${i + 1} is empty; expected one sequence per line`);
    const bad = s.search(/[^ACGTNacgtn]/);
    if (bad >= 0) throw new TsgradError(`${file}: line ${i + 1} has '${s[bad]}' at position ${bad + 1}; expected A, C, G, T or N`);
  });
  return lines;
}

/** Sequences with a 0/1 label each. */
export interface LabelledSequences {
  sequences: string[];
  labels: number[];
  /** FASTA ids or `line N`, for messages and outputs. */
  names: string[];
  /** For simulated data: where the motif was planted in each sequence (-1: nowhere). */
  motifStarts?: number[];
  /** For simulated data: the planted motif's consensus. */
  motif?: string;
}

/**
 * Pairs sequences with labels, checking that there is one label per sequence (the error names
 * `labelsFile`). The file readers of apps/dna use it to join a sequence file and a labels file.
 * @example withLabels(['ACGT', 'TTGA'], ['s1', 's2'], [1, 0], 'labels.txt'); // { sequences, labels: [1, 0], names: ['s1', 's2'] }
 */
export function withLabels(
  sequences: readonly string[],
  names: readonly string[],
  labels: readonly number[],
  labelsFile: string,
): LabelledSequences {
  if (labels.length !== sequences.length) {
    throw new TsgradError(`${labelsFile}: ${labels.length} labels for ${sequences.length} sequences; expected one label per sequence`);
  }
  return { sequences: [...sequences], labels: [...labels], names: [...names] };
}

export interface SimulateDnaOptions {
  /** Number of sequences (default 2000). */
  n?: number;
  /** Sequence length (default 50; 200 in hard mode). */
  length?: number;
  /** The planted motif's consensus (default the primer's CGACCGAACTCC). */
  motif?: string;
  /** Fraction of sequences that carry the motif (default 0.5). */
  positiveFraction?: number;
  /**
   * Hard mode: each planted copy is sampled from a position weight matrix around the consensus
   * (probability `motifStrength` for the consensus base, the rest spread evenly), longer sequences,
   * decoy motifs in every class, and label noise.
   */
  hard?: boolean;
  /** In hard mode: probability of the consensus base at each motif position (default 0.75). */
  motifStrength?: number;
  /** In hard mode: decoys per sequence (default 1), copies of another motif placed in both classes. */
  decoys?: number;
  /** In hard mode: fraction of labels flipped (default 0.02). */
  labelNoise?: number;
  seed?: number;
}

const SIMULATE_SPEC = { n: is.positiveInt, length: is.positiveInt, motif: is.string, positiveFraction: is.probability, seed: is.int };
const HARD_SPEC = { hard: is.bool, motifStrength: is.probability, decoys: is.nonNegativeInt, labelNoise: is.probability };

/** The genomics primer's motif. */
export const PRIMER_MOTIF = 'CGACCGAACTCC';

/**
 * The planted-motif data set of the genomics primer: uniform random background, about half of the
 * sequences (the positives) carrying one copy of the motif at a random position. Seeded. The hard
 * mode tunes the difficulty: motifs sampled from a PWM, longer sequences, decoys and label noise.
 * @example const data = simulateDna({ seed: 1 }); // 2000 sequences of 50 bp, labels 0/1
 */
export function simulateDna(opts: SimulateDnaOptions = {}): LabelledSequences {
  options<SimulateDnaOptions>('simulateDna', opts, { ...SIMULATE_SPEC, ...HARD_SPEC });
  const hard = opts.hard ?? false;
  const { n = 2000, motif = PRIMER_MOTIF, positiveFraction = 0.5, seed = 1 } = opts;
  const length = opts.length ?? (hard ? 200 : 50);
  const strength = opts.motifStrength ?? 0.75;
  const decoys = hard ? (opts.decoys ?? 1) : 0;
  const labelNoise = hard ? (opts.labelNoise ?? 0.02) : 0;
  if (/[^ACGT]/.test(motif)) throw new TsgradError(`simulateDna: the motif '${motif}' must be made of A, C, G, T`);
  if (motif.length > length)
    throw new TsgradError(`simulateDna: the motif (${motif.length} bp) is longer than the sequences (${length} bp)`);
  const rng = new Rng(seed);
  const base = (): string => DNA_ALPHABET[rng.int(0, 4)];
  // A decoy: the motif's reverse read shuffled, a pattern of the same composition that is not it.
  const decoy = [...motif].reverse().join('');
  const sampleMotif = (): string =>
    hard ? [...motif].map((c) => (rng.random() < strength ? c : DNA_ALPHABET.replace(c, '')[rng.int(0, 3)])).join('') : motif;
  const sequences: string[] = [];
  const labels: number[] = [];
  const motifStarts: number[] = [];
  for (let i = 0; i < n; i++) {
    const chars = Array.from({ length }, base);
    for (let d = 0; d < decoys; d++) {
      const at = rng.int(0, length - decoy.length + 1);
      for (let j = 0; j < decoy.length; j++) chars[at + j] = decoy[j];
    }
    const positive = rng.random() < positiveFraction;
    let start = -1;
    if (positive) {
      start = rng.int(0, length - motif.length + 1);
      const m = sampleMotif();
      for (let j = 0; j < m.length; j++) chars[start + j] = m[j];
    }
    sequences.push(chars.join(''));
    labels.push((positive ? 1 : 0) ^ (rng.random() < labelNoise ? 1 : 0));
    motifStarts.push(start);
  }
  return { sequences, labels, names: sequences.map((_, i) => `sim${i + 1}`), motifStarts, motif };
}
