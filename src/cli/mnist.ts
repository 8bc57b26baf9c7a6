import { evaluateDir, predictFile, trainMnist, type MnistModelName } from '../apps/mnist.js';
import { mnist } from '../data/mnist.js';
import { load } from '../io/save.js';
import { writeReport } from '../viz/commands.js';
import { emit, numberFlag, type CliTask } from './task.js';

const MODELS: MnistModelName[] = ['logreg', 'mlp', 'cnn', 'lenet5'];

export const mnistTask: CliTask = {
  name: 'mnist',
  summary: 'handwritten digits (the full 60,000/10,000 MNIST), with a report when --out is given',
  usage: 'tsgrad train mnist [--model logreg|mlp|cnn|lenet5] [--epochs N] [--batch-size N] [--lr X] [--train-size N]\n' +
    '             [--augment] [--dropout p] [--l2 x] [--seed N] [--out dir] [--json]',
  options: {
    model: { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    lr: { type: 'string' },
    'train-size': { type: 'string' },
    augment: { type: 'boolean' },
    dropout: { type: 'string' },
    l2: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values) {
    const model = (values.model ?? 'cnn') as MnistModelName;
    if (!MODELS.includes(model)) throw new Error(`--model must be one of ${MODELS.join(', ')}, got '${String(values.model)}'`);
    const json = values.json === true;
    const optional = (name: string): number | undefined => (values[name] === undefined ? undefined : numberFlag(values, name, 0));
    const out = typeof values.out === 'string' ? values.out : undefined;
    const result = trainMnist({
      model,
      epochs: optional('epochs'),
      batchSize: optional('batch-size'),
      lr: optional('lr'),
      trainSize: optional('train-size'),
      augment: values.augment === true,
      dropout: optional('dropout'),
      l2: optional('l2'),
      seed: optional('seed'),
      out,
      json,
    });
    let report: string | undefined;
    if (out) {
      // The report beside the saved model: curves, confusion matrix, filters, maximisation, graph.
      const evaluation = evaluateDir(out);
      const { test } = mnist({ trainSize: 0 });
      const [sample] = test.get(0);
      const written = await writeReport(out, {
        title: `MNIST ${model}`,
        history: result.history,
        model: load(out),
        confusion: evaluation.confusionMatrix,
        labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
        sample: sample.unsqueeze(0),
        summary: {
          'test accuracy': `${(100 * result.testAccuracy).toFixed(2)}%`,
          epochs: result.epochs,
          'seconds per epoch': result.secondsPerEpoch.toFixed(1),
          parameters: result.parameters,
        },
      });
      report = written.html;
    }
    emit({ ...result, report }, json, () => {
      if (report) (json ? process.stderr : process.stdout).write(`report: ${report}\n`);
    });
    return result;
  },
};

/** `tsgrad evaluate <dir>`: test accuracy and confusion matrix of a saved MNIST model. */
export function evaluateCommand(args: string[]): void {
  const json = args.includes('--json');
  const [dir] = args.filter((a) => !a.startsWith('--'));
  if (!dir) throw new Error('usage: tsgrad evaluate <model dir> [--json]');
  const r = evaluateDir(dir);
  emit(r, json, () => {
    const log = json ? (s: string) => process.stderr.write(s + '\n') : console.log;
    log(`test accuracy ${(100 * r.testAccuracy).toFixed(2)}%  loss ${r.testLoss.toFixed(4)}`);
    log('confusion matrix (rows: true digit, columns: predicted):');
    r.confusionMatrix.forEach((row, i) => log(`  ${i}: ${row.map((v) => String(v).padStart(5)).join('')}`));
  });
}

/** `tsgrad predict <dir> <image.png | file.idx>`: the digit(s) a saved model reads. */
export function predictCommand(args: string[]): void {
  const json = args.includes('--json');
  const [dir, file] = args.filter((a) => !a.startsWith('--'));
  if (!dir || !file) throw new Error('usage: tsgrad predict <model dir> <image.png | file.idx> [--json]');
  const r = predictFile(dir, file);
  emit(r, json, () => {
    const log = json ? (s: string) => process.stderr.write(s + '\n') : console.log;
    for (const p of r.predictions.slice(0, 20)) {
      log(`${file}[${p.index}]: ${p.label}  (p = ${p.probabilities[p.label].toFixed(3)})`);
    }
    if (r.predictions.length > 20) log(`... ${r.predictions.length - 20} more`);
  });
}
