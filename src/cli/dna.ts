import { readFasta, readSequenceFile, trainDna, writeDnaReport, type DnaModelName } from '../apps/dna.js';
import { UsageError, choiceFlag, flagSpec, inputFile, intFlag, numberFlag, outDirFlag } from './flags.js';
import { emit, type CliTask } from './task.js';

const MODELS: DnaModelName[] = ['primer', 'deepbind'];

export const dnaTask: CliTask = {
  name: 'dna',
  summary: 'transcription-factor binding sites in DNA with a 1-D CNN: accuracy, AUC, learned motifs, saliency',
  usage:
    'tsgrad train dna [--simulate [--hard]] [--fasta file [--labels file]] [--sequences file --labels file]\n' +
    '             [--model primer|deepbind] [--reverse-complement] [--length N] [--epochs N] [--lr X] [--l2 X]\n' +
    '             [--seed N] [--out dir] [--json]',
  options: flagSpec(
    ['fasta', 'sequences', 'labels', 'model', 'length', 'epochs', 'lr', 'l2', 'seed', 'out'],
    ['simulate', 'hard', 'reverse-complement', 'json'],
  ),
  async run(values) {
    // Every flag is checked before a file is read or a model is built.
    const model = choiceFlag(values, 'model', MODELS) ?? 'primer';
    const sources = ['fasta', 'sequences'].filter((f) => values[f] !== undefined);
    if (sources.length > 1) throw new UsageError('give either --fasta or --sequences, not both');
    if (values.simulate === true && sources.length) throw new UsageError(`--simulate makes its own data; drop --${sources[0]}`);
    if (values.hard === true && sources.length)
      throw new UsageError('--hard tunes the simulation; it does not apply to --fasta or --sequences');
    if (values.sequences !== undefined && values.labels === undefined)
      throw new UsageError('--sequences needs --labels (one 0/1 per line)');
    if (values.labels !== undefined && !sources.length) throw new UsageError('--labels goes with --fasta or --sequences');
    const rc = values['reverse-complement'] === true;
    if (rc && model !== 'deepbind') throw new UsageError('--reverse-complement needs --model deepbind');
    const labels = values.labels !== undefined ? inputFile(String(values.labels), '--labels') : undefined;
    const fasta = values.fasta !== undefined ? inputFile(String(values.fasta), '--fasta') : undefined;
    const seqFile = values.sequences !== undefined ? inputFile(String(values.sequences), '--sequences') : undefined;
    const json = values.json === true;
    const opts = {
      model,
      reverseComplement: rc,
      length: intFlag(values, 'length'),
      epochs: intFlag(values, 'epochs'),
      lr: numberFlag(values, 'lr', { above: 0 }),
      l2: numberFlag(values, 'l2', { min: 0 }),
      seed: intFlag(values, 'seed', 0),
      out: outDirFlag(values),
      ...(values.hard === true ? { simulate: { hard: true } } : {}),
      stream: json ? process.stderr : process.stdout,
    };
    const data = fasta ? readFasta(fasta, labels) : seqFile ? readSequenceFile(seqFile, labels!) : undefined;
    const run = trainDna({ ...opts, ...(data ? { data } : {}) });
    const { result } = run;
    const report = opts.out ? (await writeDnaReport(opts.out, run)).find((f) => f.endsWith('report.html')) : undefined;
    emit({ ...result, history: undefined, report }, json, () => {
      const w = (s: string): boolean => (json ? process.stderr : process.stdout).write(s + '\n');
      w(`test accuracy ${(100 * result.testAccuracy).toFixed(2)}%, AUC ${result.auc.toFixed(4)} (${result.testSize} held-out sequences)`);
      for (const m of result.motifs.slice(0, 3)) {
        w(
          `filter ${m.filter}: ${m.consensus} ${m.informationContent.toFixed(1)} bits${m.pearson !== undefined ? `, r = ${m.pearson.toFixed(3)} with the planted motif` : ''}`,
        );
      }
      if (result.saliencyHits !== undefined)
        w(`saliency: the top window overlaps the motif in ${(100 * result.saliencyHits).toFixed(1)}% of positive test sequences`);
      if (report) w(`report: ${report}`);
    });
    return result;
  },
};
