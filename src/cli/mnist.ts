import { MNIST_MODELS, MNIST_RECIPES, evaluateDir, predictFile, trainMnist } from '../apps/mnist.js';
import { mnist } from '../data/mnist.js';
import { load } from '../io/save.js';
import { stack } from '../ops/movement.js';
import type { Tensor } from '../tensor/tensor.js';
import { writeReport } from '../viz/commands.js';
import { UsageError, choiceFlag, flagSpec, inputFile, intFlag, modelDir, numberFlag, outDirFlag, parseFlags } from './flags.js';
import { emit, type CliTask } from './task.js';

export const mnistTask: CliTask = {
  name: 'mnist',
  summary: 'handwritten digits (the full 60,000/10,000 MNIST), with a report when --out is given',
  usage:
    'tsgrad train mnist [--recipe fast|keras] [--model fast|logreg|mlp|cnn|lenet5] [--epochs N] [--batch-size N] [--lr X]\n' +
    '             [--label-smoothing x] [--train-size N] [--augment | --no-augment] [--dropout p] [--l2 x] [--seed N]\n' +
    '             [--out dir] [--json]\n' +
    "  fast (default): tsgrad's small convnet, one-cycle Adam, label smoothing, augmentation, 4 epochs;\n" +
    '  keras: the Keras example convnet and its settings (Adam decayed per epoch, 12 epochs)',
  options: flagSpec(
    ['recipe', 'model', 'epochs', 'batch-size', 'lr', 'label-smoothing', 'train-size', 'dropout', 'l2', 'seed', 'out'],
    ['augment', 'no-augment', 'json'],
  ),
  async run(values) {
    // Every flag is checked before MNIST is read or a model is built.
    const recipe = choiceFlag(values, 'recipe', MNIST_RECIPES);
    const model = choiceFlag(values, 'model', MNIST_MODELS);
    if (values.augment === true && values['no-augment'] === true) throw new UsageError('--augment and --no-augment contradict each other');
    const json = values.json === true;
    const opts = {
      recipe,
      model,
      epochs: intFlag(values, 'epochs'),
      batchSize: intFlag(values, 'batch-size'),
      lr: numberFlag(values, 'lr', { above: 0 }),
      labelSmoothing: numberFlag(values, 'label-smoothing', { min: 0, below: 1 }),
      trainSize: intFlag(values, 'train-size', 2),
      augment: values.augment === true ? true : values['no-augment'] === true ? false : undefined,
      dropout: numberFlag(values, 'dropout', { min: 0, below: 1 }),
      l2: numberFlag(values, 'l2', { min: 0 }),
      seed: intFlag(values, 'seed', 0),
      out: outDirFlag(values),
      json,
    };
    if (opts.trainSize !== undefined && opts.trainSize > 60000) {
      throw new UsageError(`--train-size is at most 60000 (MNIST's training images), got ${opts.trainSize}`);
    }
    const result = trainMnist(opts);
    const out = opts.out;
    let report: string | undefined;
    if (out) {
      // The report beside the saved model: curves, confusion matrix, filters, maximisation, graph.
      const evaluation = evaluateDir(out);
      const { test } = mnist({ trainSize: 0 });
      const [sample] = test.get(0);
      // Two test images of each digit, in digit order, for the Grad-CAM grid.
      const byDigit: Tensor[][] = Array.from({ length: 10 }, () => []);
      for (let i = 0; i < test.length && byDigit.some((d) => d.length < 2); i++) {
        const [x, y] = test.get(i);
        if (byDigit[y.item()].length < 2) byDigit[y.item()].push(x);
      }
      const perClass = byDigit.flat();
      const written = await writeReport(out, {
        title: `MNIST ${result.model} (${result.recipe} recipe)`,
        history: result.history,
        model: load(out),
        confusion: evaluation.confusionMatrix,
        labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
        sample: sample.unsqueeze(0),
        attributionSamples: stack(perClass),
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

export const EVALUATE_USAGE =
  'Usage: tsgrad evaluate <model dir> [--json]\n\n' +
  'Test accuracy, loss and confusion matrix of a saved MNIST classifier (any model of the zoo) on the 10,000 test images.';

/** `tsgrad evaluate <dir>`: test accuracy and confusion matrix of a saved MNIST model. */
export function evaluateCommand(args: string[]): void {
  const { values, positionals } = parseFlags('tsgrad evaluate', args, { json: { type: 'boolean' } });
  if (positionals.length !== 1)
    throw new UsageError(`tsgrad evaluate takes one model directory, got ${positionals.length}\n\n${EVALUATE_USAGE}`);
  const dir = modelDir(positionals[0]);
  const json = values.json === true;
  const r = evaluateDir(dir);
  emit(r, json, () => {
    const log = json ? (s: string) => process.stderr.write(s + '\n') : console.log;
    log(`test accuracy ${(100 * r.testAccuracy).toFixed(2)}%  loss ${r.testLoss.toFixed(4)}`);
    log('confusion matrix (rows: true digit, columns: predicted):');
    r.confusionMatrix.forEach((row, i) => log(`  ${i}: ${row.map((v) => String(v).padStart(5)).join('')}`));
  });
}

export const PREDICT_USAGE =
  'Usage: tsgrad predict <model dir> <image.png | image.jpg | file.idx> [--json]\n\n' +
  'The class a saved classifier gives each image: a PNG or JPEG is made MNIST-like (grey, white on black, centred);\n' +
  'an IDX file holds images [N, 28, 28]. The number of classes is read from the model.';

/** `tsgrad predict <dir> <image.png | file.idx>`: the class(es) a saved model reads. */
export function predictCommand(args: string[]): void {
  const { values, positionals } = parseFlags('tsgrad predict', args, { json: { type: 'boolean' } });
  if (positionals.length !== 2)
    throw new UsageError(
      `tsgrad predict takes a model directory and an input file, got ${positionals.length} arguments\n\n${PREDICT_USAGE}`,
    );
  const dir = modelDir(positionals[0]);
  const file = inputFile(positionals[1], 'input file');
  const json = values.json === true;
  const r = predictFile(dir, file);
  emit(r, json, () => {
    const log = json ? (s: string) => process.stderr.write(s + '\n') : console.log;
    for (const p of r.predictions.slice(0, 20)) {
      log(`${file}[${p.index}]: ${p.label}  (p = ${p.probabilities[p.label].toFixed(3)})`);
    }
    if (r.predictions.length > 20) log(`... ${r.predictions.length - 20} more`);
  });
}
