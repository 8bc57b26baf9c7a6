// Every public function and constructor, called with a wrong type or an unknown option, must throw a
// TsgradError naming the function and the argument. The walk over the package's exports makes a
// new export without a table entry fail this test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../src/index.js';

const { nn, optim, F } = tg;
const p = (): tg.Tensor[] => [tg.zeros([2], { requiresGrad: true })];
const bad = 'not a tensor' as never;

/** One call per export with a wrong argument, and what the message must contain. */
const TABLE: Record<string, [() => unknown, RegExp]> = {
  'nn.Linear': [() => new nn.Linear(undefined as never), /^Linear: expected an options object with inFeatures, outFeatures/],
  'nn.Conv2d': [
    () => new nn.Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 2.5 }),
    /^Conv2d: option 'kernelSize' must be a positive integer or an array of 2 of them, got 2.5/,
  ],
  'nn.Conv1d': [
    () => new nn.Conv1d({ inChannels: 1, outChannels: 2, kernelSize: 3, stide: 2 } as never),
    /^Conv1d: unknown option 'stide' \(did you mean 'stride'\?\)/,
  ],
  'F.conv2d': [() => F.conv2d(tg.zeros([1, 1, 3, 3]), tg.zeros([1, 1, 2, 2]), null, { stride: -1 }), /^conv2d: option 'stride' must be/],
  'F.conv1d': [() => F.conv1d(bad, tg.zeros([1, 1, 2])), /^conv1d: argument 'input' must be a Tensor/],
  conv2d: [
    () => tg.conv2d(tg.zeros([1, 1, 3, 3]), tg.zeros([1, 1, 2, 2]), null, { padding: 'full' as never }),
    /^conv2d: option 'padding'/,
  ],
  conv1d: [() => tg.conv1d(tg.zeros([1, 1, 3]), tg.zeros([1, 1, 2]), null, { dilation: 0 }), /^conv1d: option 'dilation'/],
  'optim.Adam': [() => new optim.Adam(p(), { learningRate: 0.5 } as never), /^Adam: unknown option 'learningRate' \(did you mean 'lr'\?\)/],
  'optim.AdamW': [() => new optim.AdamW(p(), { betas: [0.9] as never }), /^AdamW: option 'betas' must be an array of 2/],
  'optim.SGD': [
    () => new optim.SGD(p(), { momentun: 0.9, lr: 0.1 } as never),
    /^SGD: unknown option 'momentun' \(did you mean 'momentum'\?\)/,
  ],
  'optim.RMSprop': [() => new optim.RMSprop(p(), { centered: 'yes' as never }), /^RMSprop: option 'centered' must be a boolean/],
  tensor: [() => tg.tensor('abc' as never), /^tensor: argument 'values' must be/],
  zeros: [() => tg.zeros('3' as never), /^zeros: argument 'shape' must be/],
  ones: [() => tg.ones([2], { dtyp: 'int32' } as never), /^ones: unknown option 'dtyp' \(did you mean 'dtype'\?\)/],
  full: [() => tg.full([2], 'x' as never), /^full: argument 'value' must be a number/],
  zerosLike: [() => tg.zerosLike(bad), /^zerosLike: argument 'input' must be a Tensor/],
  onesLike: [() => tg.onesLike(tg.zeros([1]), { requiresGrad: 1 } as never), /^onesLike: option 'requiresGrad' must be a boolean/],
  fullLike: [() => tg.fullLike(bad, 1), /^fullLike: argument 'input' must be a Tensor/],
  rand: [() => tg.rand([2], { hi: 2 } as never), /^rand: unknown option 'hi'/],
  randn: [() => tg.randn([2], { std: -1 }), /^randn: option 'std' must be a number >= 0/],
  randint: [() => tg.randint(0, 2.5, [2]), /^randint: argument 'high' must be an integer/],
  arange: [() => tg.arange('3' as never), /^arange: argument 'start' must be a finite number/],
  linspace: [() => tg.linspace(0, 1, 3, { shape: [3] } as never), /^linspace: unknown option 'shape'/],
  eye: [() => tg.eye(2.5), /^eye: argument 'n' must be a non-negative integer/],
  scalar: [() => tg.scalar(1, 'int64' as never), /^scalar: argument 'dtype' must be one of/],
  Tensor: [() => new tg.Tensor(new Float32Array(3), [2, 2]), /^Tensor: a storage of 3 elements cannot hold shape \[2,2\]/],
  'nn.Unflatten': [() => new nn.Unflatten({ dim: 1 } as never), /^Unflatten: option 'sizes' is required/],
  'nn.Dropout': [() => new nn.Dropout({ rate: 0.5 } as never), /^Dropout: unknown option 'rate' \(did you mean 'p'\?\)/],
  'nn.Embedding': [() => new nn.Embedding({ numEmbeddings: 3 } as never), /^Embedding: option 'embeddingDim' is required/],
  DataLoader: [
    () => new tg.DataLoader(new tg.TensorDataset(tg.zeros([2]), tg.zeros([2])), { batch_size: 4 } as never),
    /^DataLoader: unknown option 'batch_size' \(did you mean 'batchSize'\?\)/,
  ],
  'F.linear': [() => F.linear(tg.zeros([1, 2]), bad), /^linear: argument 'weight' must be a Tensor, got "not a tensor"/],
  matmul: [
    () =>
      tg.matmul(tg.zeros([2, 2]), [
        [1, 2],
        [3, 4],
      ] as never),
    /^matmul: argument 'other' must be a Tensor, got \[\[1, 2\], \[3, 4\]\]/,
  ],
  'F.mseLoss': [() => F.mseLoss(bad, tg.zeros([1])), /^mseLoss: argument 'pred' must be a Tensor/],
  'F.l1Loss': [
    () => F.l1Loss(tg.zeros([1]), tg.zeros([1]), { reducton: 'sum' } as never),
    /^l1Loss: unknown option 'reducton' \(did you mean 'reduction'\?\)/,
  ],
  'F.smoothL1Loss': [
    () => F.smoothL1Loss(tg.zeros([2]), tg.zeros([2]), { beta: -1 }),
    /^smoothL1Loss: option 'beta' must be a number >= 0, got -1/,
  ],
  'F.binaryCrossEntropy': [() => F.binaryCrossEntropy(tg.zeros([1]), bad), /^binaryCrossEntropy: argument 'target' must be a Tensor/],
  'F.bceWithLogits': [
    () => F.bceWithLogits(tg.zeros([1]), tg.zeros([1]), { pos_weight: tg.ones([1]) } as never),
    /^bceWithLogits: unknown option 'pos_weight' \(did you mean 'posWeight'\?\)/,
  ],
  'F.crossEntropy': [
    () => F.crossEntropy(tg.zeros([1, 2]), tg.zeros([1], { dtype: 'int32' }), { label_smoothing: 0.1 } as never),
    /^crossEntropy: unknown option 'label_smoothing' \(did you mean 'labelSmoothing'\?\)/,
  ],
  'F.nllLoss': [() => F.nllLoss(bad, tg.zeros([1])), /^nllLoss: argument 'logProbs' must be a Tensor/],
  'F.sum': [() => F.sum(bad), /^sum: argument 'input' must be a Tensor/],
  'F.softmax': [() => F.softmax(bad, 1), /^softmax: argument 'input' must be a Tensor/],
  readImage: [() => tg.readImage('x.png', { chanels: 1 } as never), /^readImage: unknown option 'chanels' \(did you mean 'channels'\?\)/],
  writeImage: [() => tg.writeImage(bad, 'x.png'), /^writeImage: argument 'x' must be a Tensor/],
  'optim.LinearLR': [
    () => new optim.LinearLR(new optim.SGD(p(), { lr: 0.1 }), { start_factor: 0.1 } as never),
    /^LinearLR: unknown option 'start_factor' \(did you mean 'startFactor'\?\)/,
  ],
  'optim.OneCycleLR': [
    () => new optim.OneCycleLR(new optim.SGD(p(), { lr: 0.1 }), { max_lr: 0.1 } as never),
    /^OneCycleLR: unknown option 'max_lr' \(did you mean 'maxLr'\?\)/,
  ],
  'optim.SequentialLR': [
    () => new optim.SequentialLR(new optim.SGD(p(), { lr: 0.1 }), { schedulers: 'x', milestones: [] } as never),
    /^SequentialLR: option 'schedulers' must be an array of LRSchedulers/,
  ],
  'optim.clipGradNorm': [() => optim.clipGradNorm(p(), 'one' as never), /^clipGradNorm: argument 'maxNorm' must be a number >= 0/],
  'optim.clipGradValue': [() => optim.clipGradValue('all' as never, 1), /^clipGradValue: argument 'params' must be an array of Tensors/],
  withBackend: [() => tg.withBackend('ref', 3 as never), /^withBackend: argument 'fn' must be a function, got 3/],
};

// Elementwise ops: a string where a tensor belongs names the op and the argument.
for (const op of [
  'neg',
  'exp',
  'log',
  'log1p',
  'sqrt',
  'abs',
  'reciprocal',
  'relu',
  'sigmoid',
  'tanh',
  'sign',
  'erf',
  'sin',
  'cos',
  'square',
  'isnan',
  'gelu',
  'silu',
]) {
  TABLE[op] = [
    () => (tg as unknown as Record<string, (x: unknown) => unknown>)[op]('a'),
    new RegExp(`^${op}: argument 'input' must be a Tensor, got "a"`),
  ];
}
for (const op of ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge']) {
  TABLE[op] = [
    () => (tg as unknown as Record<string, (a: unknown, b: unknown) => unknown>)[op](tg.zeros([2]), '1'),
    new RegExp(`^${op}: argument 'other' must be a Tensor or a number, got "1"`),
  ];
}
Object.assign(TABLE, {
  where: [() => tg.where([1, 0] as never, 1, 2), /^where: argument 'condition' must be a Tensor, got \[1, 0\]/],
  clamp: [() => tg.clamp(tg.zeros([2]), { lo: 0 } as never), /^clamp: unknown option 'lo'; known options: min, max/],
  leakyRelu: [() => tg.leakyRelu(tg.zeros([2]), 'x' as never), /^leakyRelu: argument 'negativeSlope' must be a finite number/],
  softplus: [() => tg.softplus(tg.zeros([2]), { betta: 2 } as never), /^softplus: unknown option 'betta' \(did you mean 'beta'\?\)/],
  elu: [() => tg.elu(bad), /^elu: argument 'input' must be a Tensor/],
  hardtanh: [() => tg.hardtanh(tg.zeros([2]), { min: 1, max: -1 }), /^hardtanh: min \(1\) is greater than max \(-1\)/],
  softsign: [() => tg.softsign(bad), /^softsign: argument 'input' must be a Tensor/],
  mish: [() => tg.mish(bad), /^mish: argument 'input' must be a Tensor/],
  relu6: [() => tg.relu6(bad), /^hardtanh: argument 'input' must be a Tensor/],
  asTensor: [() => tg.asTensor('x' as never), /^asTensor: argument 'value' must be a Tensor or a number, got "x"/],
} satisfies Record<string, [() => unknown, RegExp]>);
// DNA: sequences, readers, the simulator, the zoo's models and the application.
const seq = tg.oneHotDna(['ACGTACGTACGTAC']);
Object.assign(TABLE, {
  oneHotDna: [() => tg.oneHotDna(['ACGT'], { lenght: 4 } as never), /^oneHotDna: unknown option 'lenght' \(did you mean 'length'\?\)/],
  reverseComplement: [() => tg.reverseComplement(42 as never), /^reverseComplement: argument 'sequence' must be a string/],
  reverseComplementOneHot: [() => tg.reverseComplementOneHot(bad), /^reverseComplementOneHot: argument 'x' must be a Tensor/],
  'nn.models.reverseComplementOneHot': [
    () => nn.models.reverseComplementOneHot(tg.zeros([1, 3, 2])),
    /^reverseComplementOneHot: expected one-hot sequences/,
  ],
  parseFasta: [() => tg.parseFasta(null as never), /^parseFasta: argument 'text' must be a string/],
  parseLabels: [() => tg.parseLabels('0\n5'), /^labels: line 2 is '5'; labels must be 0 or 1/],
  parseSequenceLines: [() => tg.parseSequenceLines(''), /^sequences: no sequences/],
  withLabels: [() => tg.withLabels(['A'], ['a'], [], 'l.txt'), /^l\.txt: 0 labels for 1 sequences/],
  simulateDna: [
    () => tg.simulateDna({ positiveFraction: 2 }),
    /^simulateDna: option 'positiveFraction' must be a number in \[0, 1\], got 2/,
  ],
  readFasta: [() => tg.readFasta('/nonexistent/x.fa'), /^readFasta: cannot read \/nonexistent\/x\.fa/],
  readSequenceFile: [() => tg.readSequenceFile('/nonexistent/s.txt', 'l.txt'), /^readSequenceFile: cannot read \/nonexistent\/s\.txt/],
  recoverMotifs: [
    () => tg.recoverMotifs(new nn.Linear({ inFeatures: 2, outFeatures: 1 }), seq, { fraction: 3 }),
    /^recoverMotifs: option 'fraction' must be a number in \[0, 1\]/,
  ],
  alignedPearson: [() => tg.alignedPearson(null as never, 'ACGT'), /^alignedPearson: argument 'ppm' must be an array of 4 rows/],
  basesInOrder: [() => tg.basesInOrder(1 as never, 'A'), /^basesInOrder: argument 'consensus' must be a string/],
  baseSaliency: [() => tg.baseSaliency(nn.models.dnaPrimer({ length: 16 }), bad), /^baseSaliency: argument 'sequence' must be a Tensor/],
  topSaliencyWindow: [() => tg.topSaliencyWindow([1, 2], 3), /^topSaliencyWindow: the window \(3\) is longer than the values \(2\)/],
  saliencyHits: [
    () => tg.saliencyHits(nn.models.dnaPrimer({ length: 16 }), seq, { sequences: [], labels: [], names: [] }, [0]),
    /^saliencyHits: needs simulated data/,
  ],
  trainDna: [() => tg.trainDna({ modle: 'primer' } as never), /^trainDna: unknown option 'modle' \(did you mean 'model'\?\)/],
  writeDnaReport: [() => tg.writeDnaReport(3 as never, {} as never), /^writeDnaReport: argument 'dir' must be a string/],
  saliencyTrack: [() => tg.saliencyTrack('ACG', [1, 2]), /^saliencyTrack: 2 values for a sequence of 3 bases/],
  'nn.models.dnaPrimer': [() => nn.models.dnaPrimer({ length: 10 }), /^dnaPrimer: length 10 is too short for filters of width 12/],
  'nn.models.BothStrands': [() => new nn.models.BothStrands(bad), /^BothStrands: argument 'scanner' must be a Module/],
} satisfies Record<string, [() => unknown, RegExp]>);

// Recommendation: ratings, the protocol, ranking metrics, the NCF models and the application.
const ratings = (): tg.Interactions => tg.parseRatings('a,x,1,1\na,y,1,2\n', 'csv');
Object.assign(TABLE, {
  parseRatings: [
    () => tg.parseRatings('1 2 3 4', 'ml-10m' as never),
    /^parseRatings: argument 'format' must be one of "ml-100k", "ml-1m", "csv"/,
  ],
  readRatings: [() => tg.readRatings('/nonexistent/u.data', 'ml-100k'), /^readRatings: cannot read \/nonexistent\/u\.data/],
  syntheticInteractions: [
    () => tg.syntheticInteractions({ user: 3 } as never),
    /^syntheticInteractions: unknown option 'user' \(did you mean 'users'\?\)/,
  ],
  leaveOneOut: [
    () => tg.leaveOneOut(null as never),
    /^leaveOneOut: argument 'data' must be interactions \{ users, items, timestamps, userIds, itemIds \}, got null/,
  ],
  SeenItems: [() => new tg.SeenItems(1e5, 1e5, ratings()), /^SeenItems: 100000 users × 100000 items is too many pairs/],
  sampleCandidates: [
    () => tg.sampleCandidates(ratings(), tg.leaveOneOut(ratings()), { negative: 9 } as never),
    /^sampleCandidates: unknown option 'negative'/,
  ],
  trainingSet: [
    () => tg.trainingSet(ratings(), new Int32Array([0]), new tg.SeenItems(1, 2, ratings()), 0.5, new tg.Rng(1)),
    /^trainingSet: argument 'negatives' must be a positive integer/,
  ],
  hitRate: [() => tg.hitRate(0), /^hitRate: argument 'k' must be a positive integer, got 0/],
  ndcg: [() => tg.ndcg(2.5), /^ndcg: argument 'k' must be a positive integer, got 2\.5/],
  'nn.models.GMF': [() => new nn.models.GMF({ users: 3 } as never), /^GMF: option 'items' is required/],
  'nn.models.NcfMLP': [() => new nn.models.NcfMLP({ users: 3, items: 4, layers: [7, 4] }), /^NcfMLP: layers must start with an even width/],
  'nn.models.NeuMF': [() => new nn.models.NeuMF({ users: 3, items: 4, factors: 0 }), /^NeuMF: option 'factors' must be a positive integer/],
  trainNcf: [() => tg.trainNcf({ negative: 4 } as never), /^trainNcf: unknown option 'negative' \(did you mean 'negatives'\?\)/],
  recommend: [() => tg.recommend('/nonexistent', 'u1', 0), /^recommend: argument 'k' must be a positive integer/],
} satisfies Record<string, [() => unknown, RegExp]>);

// Double descent and the Lasso.
Object.assign(TABLE, {
  RandomFeatures: [
    () => new tg.RandomFeatures('gauss' as never, 4, 8),
    /^RandomFeatures: argument 'kind' must be one of "fourier", "relu"/,
  ],
  defaultSweep: [() => tg.defaultSweep(0), /^defaultSweep: argument 'n' must be a positive integer, got 0/],
  doubleDescent: [() => tg.doubleDescent({ n: 10, features: [5, 2000] }), /^doubleDescent: 2000 features is outside 1 … 100 n = 1000/],
  mnistRegression: [() => tg.mnistRegression(0, 5), /^mnistRegression: argument 'n' must be a positive integer/],
  minNormLeastSquares: [
    () => tg.minNormLeastSquares(new Float64Array(5), 2, 3, new Float64Array(2), 1),
    /^minNormLeastSquares: phi holds 5 values, expected 2 × 3 = 6/,
  ],
  syntheticExpression: [() => tg.syntheticExpression({ informative: 20, p: 10 }), /^syntheticExpression: 20 informative genes of only 10/],
  geneTableFromColumns: [() => tg.geneTableFromColumns(['a', 'b'], [[1, 2]], 'y', 'g.csv'), /^g\.csv: no column 'y' \(columns: a, b\)/],
  lassoPath: [
    () => tg.lassoPath(new Float64Array(4), new Float64Array(2), 2, 3),
    /^lassoPath: x holds 4 values and y 2, expected 2×3 and 2/,
  ],
  lassoCv: [
    () => tg.lassoCv(tg.syntheticExpression({ n: 20, p: 5, informative: 2 }), [0, 1, 2], { folds: 5 }),
    /^lassoCv: 5 folds of 3 rows/,
  ],
  lassoExperiment: [() => tg.lassoExperiment(null as never), /^lassoExperiment: argument 'table' must be/],
} satisfies Record<string, [() => unknown, RegExp]>);

Object.assign(TABLE, {
  gradCam: [() => tg.gradCam(new nn.Linear({ inFeatures: 2, outFeatures: 2 }), bad), /^gradCam: argument 'input' must be a Tensor/],
  integratedGradients: [
    () => tg.integratedGradients(new nn.Linear({ inFeatures: 2, outFeatures: 2 }), tg.zeros([1, 2]), { step: 3 } as never),
    /^integratedGradients: unknown option 'step' \(did you mean 'steps'\?\)/,
  ],
} satisfies Record<string, [() => unknown, RegExp]>);

// Activation modules, made by one factory: an unknown option is refused with the layer's name.
for (const layer of [
  'ReLU',
  'Sigmoid',
  'Tanh',
  'LeakyReLU',
  'GELU',
  'SiLU',
  'ELU',
  'Softplus',
  'Softmax',
  'LogSoftmax',
  'Identity',
  'Hardtanh',
  'ReLU6',
]) {
  TABLE[`nn.${layer}`] = [
    () => new (nn as unknown as Record<string, new (o: unknown) => unknown>)[layer]({ inplace: true }),
    new RegExp(`^${layer}: unknown option 'inplace'`),
  ];
}

// Training: fit and its callbacks, metrics, schedules and penalties.
const sgd = (): tg.optim.SGD => new optim.SGD(p(), { lr: 0.1 });
const lin = (): tg.nn.Module => new nn.Linear({ inFeatures: 2, outFeatures: 1 });
Object.assign(TABLE, {
  fit: [
    () => tg.fit(lin(), { train: [tg.zeros([2, 2]), tg.zeros([2, 1])], optimizer: sgd(), epoch: 3 } as never),
    /^fit: unknown option 'epoch' \(did you mean 'epochs'\?\)/,
  ],
  evaluate: [
    () => tg.evaluate(lin(), [tg.zeros([2, 2]), tg.zeros([2, 1])], { metric: ['accuracy'] } as never),
    /^evaluate: unknown option 'metric' \(did you mean 'metrics'\?\)/,
  ],
  predict: [() => tg.predict(lin(), [[1, 2]] as never), /^predict: argument 'x' must be a Tensor or a Dataset/],
  resolveLoss: [() => tg.resolveLoss('hinge' as never), /^fit: argument 'loss' must be one of "crossEntropy"/],
  resolveMetric: [() => tg.resolveMetric(3 as never), /^metrics: argument 'metric' must be a metric name or \{ name, fn \}, got 3/],
  EarlyStopping: [
    () => new tg.EarlyStopping({ patients: 2 } as never),
    /^EarlyStopping: unknown option 'patients' \(did you mean 'patience'\?\)/,
  ],
  LearningRateScheduler: [
    () => new tg.LearningRateScheduler(0.1 as never),
    /^LearningRateScheduler: argument 'schedule' must be a learning-rate schedule/,
  ],
  ModelCheckpoint: [() => new tg.ModelCheckpoint({ path: 'x' } as never), /^ModelCheckpoint: unknown option 'path'/],
  CsvLogger: [() => new tg.CsvLogger({ file: 'x' } as never), /^CsvLogger: unknown option 'file'/],
  Progress: [() => new tg.Progress({ verbose: 3 } as never), /^Progress: option 'verbose' must be one of 0, 1, 2, got 3/],
  accuracy: [() => tg.accuracy(bad, tg.zeros([1])), /^accuracy: argument 'pred' must be a Tensor/],
  topKAccuracy: [() => tg.topKAccuracy(tg.zeros([1, 2]), tg.zeros([1]), { top: 2 } as never), /^topKAccuracy: unknown option 'top'/],
  confusionMatrix: [() => tg.confusionMatrix(tg.zeros([1, 2]), bad), /^confusionMatrix: argument 'target' must be a Tensor/],
  precision: [
    () => tg.precision(tg.zeros([1, 2]), tg.zeros([1]), { averaging: 'macro' } as never),
    /^precision: unknown option 'averaging' \(did you mean 'average'\?\)/,
  ],
  recall: [() => tg.recall(bad, tg.zeros([1])), /^recall: argument 'pred' must be a Tensor/],
  f1Score: [
    () => tg.f1Score(tg.zeros([1, 2]), tg.zeros([1]), { average: 'micro' } as never),
    /^f1Score: option 'average' must be one of "macro", "binary"/,
  ],
  aucRoc: [() => tg.aucRoc(bad, tg.zeros([1])), /^aucRoc: argument 'scores' must be a Tensor/],
  mse: [() => tg.mse(bad, tg.zeros([1])), /^mse: argument 'pred' must be a Tensor/],
  mae: [() => tg.mae(tg.zeros([1]), bad), /^mae: argument 'target' must be a Tensor/],
  r2Score: [() => tg.r2Score(bad, tg.zeros([1])), /^r2Score: argument 'pred' must be a Tensor/],
  predictedClasses: [() => tg.predictedClasses(bad), /^predictedClasses: argument 'pred' must be a Tensor/],
  targetClasses: [() => tg.targetClasses(bad), /^targetClasses: argument 'target' must be a Tensor/],
  'optim.StepLR': [
    () => new optim.StepLR(sgd(), { step_size: 2 } as never),
    /^StepLR: unknown option 'step_size' \(did you mean 'stepSize'\?\)/,
  ],
  'optim.ExponentialLR': [() => new optim.ExponentialLR(sgd(), {} as never), /^ExponentialLR: option 'gamma' is required/],
  'optim.CosineAnnealingLR': [
    () => new optim.CosineAnnealingLR(sgd(), { T_max: 5 } as never),
    /^CosineAnnealingLR: unknown option 'T_max' \(did you mean 'tMax'\?\)/,
  ],
  'optim.LambdaLR': [() => new optim.LambdaLR(sgd(), { lrLambda: 0.5 } as never), /^LambdaLR: option 'lrLambda' must be a function/],
  'optim.ReduceLROnPlateau': [
    () => new optim.ReduceLROnPlateau({ lr: 0.1 } as never),
    /^ReduceLROnPlateau: argument 'optimizer' must be an Optimizer/,
  ],
  'optim.l1Penalty': [() => optim.l1Penalty(p(), -1), /^l1Penalty: argument 'lambda' must be a number >= 0, got -1/],
  'optim.l2Penalty': [() => optim.l2Penalty(p(), 'x' as never), /^l2Penalty: argument 'lambda' must be a number >= 0/],
} satisfies Record<string, [() => unknown, RegExp]>);

// Ops, viz and autograd functions whose first argument is a tensor: a string there names the function and the argument.
const TENSOR_FIRST: Array<[string, string]> = [
  ['reshape', 'x'],
  ['permute', 'x'],
  ['transpose', 'x'],
  ['expand', 'x'],
  ['squeeze', 'x'],
  ['unsqueeze', 'x'],
  ['flatten', 'x'],
  ['slice', 'x'],
  ['narrow', 'x'],
  ['select', 'x'],
  ['pad', 'x'],
  ['contiguous', 'x'],
  ['maxPool2d', 'x'],
  ['avgPool2d', 'x'],
  ['globalMaxPool1d', 'x'],
  ['globalAvgPool1d', 'x'],
  ['globalMaxPool2d', 'x'],
  ['globalAvgPool2d', 'x'],
  ['adaptiveAvgPool2d', 'x'],
  ['batchNorm', 'x'],
  ['layerNorm', 'x'],
  ['dropout', 'x'],
  ['embedding', 'indices'],
  ['indexSelect', 'x'],
  ['gather', 'x'],
  ['oneHot', 'index'],
  ['imageGrid', 'images'],
  ['colorize', 'x'],
  ['saliencyImage', 'input'],
  ['toDot', 'root'],
  ['detach', 't'],
  ['backward', 'root'],
];
for (const [name, param] of TENSOR_FIRST) {
  TABLE[name] = [
    () => (tg as unknown as Record<string, (x: unknown) => unknown>)[name]('a'),
    new RegExp(`^${name}: argument '${param}' must be a Tensor, got "a"`),
  ];
}
TABLE.logoColumns = [() => tg.logoColumns('a' as never), /^logoColumns: argument 'matrix' must be a Tensor or an array of rows, got "a"/];
TABLE.sequenceLogo = [() => tg.sequenceLogo(3 as never), /^sequenceLogo: argument 'matrix' must be a Tensor or an array of rows, got 3/];
// Reductions name their PyTorch op (variance is var).
for (const [name, op] of [
  ['argmax', 'argmax'],
  ['argmin', 'argmin'],
  ['max', 'max'],
  ['min', 'min'],
  ['mean', 'mean'],
  ['variance', 'var'],
  ['std', 'std'],
  ['logSumExp', 'logSumExp'],
  ['logSoftmax', 'logSoftmax'],
  ['cumsum', 'cumsum'],
  ['norm', 'norm'],
  ['topk', 'topk'],
]) {
  TABLE[name] = [
    () => (tg as unknown as Record<string, (x: unknown, d?: unknown) => unknown>)[name]('a', 0),
    new RegExp(`^${op}: argument 'input' must be a Tensor, got "a"`),
  ];
}

// Functions whose own checks already name them and the bad value.
Object.assign(TABLE, {
  to: [() => tg.to(tg.zeros([1]), 'float16' as never), /^to: argument 'dtype' must be one of "float32", "float64", "int32", got "float16"/],
  'nn.BatchNorm1d': [() => new nn.BatchNorm1d({} as never), /^BatchNorm1d: numFeatures must be a positive integer, got undefined/],
  'nn.BatchNorm2d': [() => new nn.BatchNorm2d({ numFeatures: 2.5 }), /^BatchNorm2d: numFeatures must be a positive integer, got 2.5/],
  'nn.Sequential': [() => new nn.Sequential('a' as never), /^Sequential: argument 0 is not a Module \(got string\)/],
  'nn.register': [() => nn.register('a' as never), /^nn.register: argument 'cls' must be a Module subclass, got "a"/],
  'nn.init.calculateGain': [() => nn.init.calculateGain('swish' as never), /^init.calculateGain: unknown nonlinearity 'swish'/],
  'nn.models.activationLayer': [() => nn.models.activationLayer('swish' as never), /^models: unknown activation 'swish'/],
  setBackend: [() => tg.setBackend('gpu' as never), /^setBackend: backend 'gpu' is not available \(known: ref, wasm\)/],
  load: [() => tg.load('/nonexistent-dir'), /^load: \/nonexistent-dir\/config.json not found/],
  convTranspose2d: [() => tg.convTranspose2d(bad, tg.zeros([1, 1, 2, 2])), /^convTranspose2d: argument 'input' must be a Tensor/],
  interpolate: [() => tg.interpolate(tg.zeros([1, 1, 2, 2]), { scale: 2 } as never), /^interpolate: unknown option 'scale'/],
  pixelShuffle: [() => tg.pixelShuffle(tg.zeros([1, 4, 2, 2]), 1.5), /^pixelShuffle: argument 'upscaleFactor' must be a positive integer/],
  smoothL1Loss: [() => tg.nn.smoothL1Loss(tg.zeros([2]), tg.zeros([2]), { beta: -1 }), /^smoothL1Loss: option 'beta' must be/],
  'nn.ConvTranspose2d': [
    () => new nn.ConvTranspose2d({ inChannels: 2, outChannels: 2, kernelSize: 2, stide: 2 } as never),
    /^ConvTranspose2d: unknown option 'stide' \(did you mean 'stride'\?\)/,
  ],
  'nn.Upsample': [() => new nn.Upsample({ scaleFactor: 2, mode: 'cubic' as never }), /^Upsample: option 'mode' must be/],
  'nn.PixelShuffle': [() => new nn.PixelShuffle({ upscaleFactor: 0 }), /^PixelShuffle: option 'upscaleFactor' must be a positive integer/],
  'nn.models.localizer': [() => nn.models.localizer({ classes: 0 }), /^localizer: option 'classes' must be a positive integer/],
  'nn.models.gridDetector': [() => nn.models.gridDetector({ widht: 8 } as never), /^gridDetector: unknown option 'widht'/],
  'nn.models.UNet': [() => new nn.models.UNet({ classes: 1.5 }), /^UNet: option 'classes' must be a positive integer/],
  'nn.models.SubPixelSR': [() => new nn.models.SubPixelSR({ width: 0 }), /^SubPixelSR: option 'width' must be a positive integer/],
  boxIoU: [() => tg.boxIoU(bad, tg.zeros([1, 4])), /^boxIoU: argument 'boxes' must be a Tensor/],
  checkBoxes: [() => tg.checkBoxes('op', tg.zeros([2, 3])), /^op: boxes must be \[N, 4\]/],
  meanAveragePrecision: [() => tg.meanAveragePrecision('x' as never, []), /^meanAveragePrecision: argument 'predicted' must be/],
  meanIoU: [() => tg.meanIoU(bad, tg.zeros([1])), /^meanIoU: argument 'pred' must be a Tensor/],
  pixelAccuracy: [() => tg.pixelAccuracy(tg.zeros([1]), bad), /^pixelAccuracy: argument 'target' must be a Tensor/],
  psnr: [() => tg.psnr(tg.zeros([1, 1, 2, 2]), tg.zeros([1, 1, 2, 2]), { maxValue: 0 }), /^psnr: option 'maxValue' must be/],
  ssim: [() => tg.ssim(tg.zeros([1, 1, 4, 4]), tg.zeros([1, 1, 4, 4])), /^ssim: images must be at least 11×11/],
  localizationSet: [
    () => tg.localizationSet({ images: tg.zeros([2, 28, 28]), labels: tg.zeros([2]) }, { count: 1 }),
    /^localizationSet: source.images must be \[N, 1, H, W\]/,
  ],
  detectionSet: [
    () => tg.detectionSet({ images: tg.zeros([2, 1, 28, 28]), labels: tg.zeros([2]) }, { count: 0 }),
    /^detectionSet: option 'count' must be a positive integer/,
  ],
  segmentationSet: [
    () => tg.segmentationSet({ images: tg.zeros([2, 1, 28, 28]), labels: tg.zeros([3]) }, { count: 1 }),
    /^segmentationSet: source.labels must be \[N\]/,
  ],
  superResolutionSet: [
    () => tg.superResolutionSet(tg.zeros([1, 1, 3, 4])),
    /^superResolutionSet: images must be \[N, C, H, W\] with even H and W/,
  ],
  drawBoxes: [() => tg.drawBoxes(tg.zeros([3, 4, 4]), []), /^drawBoxes: expected a grey image \[1, H, W\]/],
  colorMasks: [() => tg.colorMasks(tg.zeros([4, 4])), /^colorMasks: expected masks \[N, H, W\]/],
  detectionGridTargets: [() => tg.detectionGridTargets('x' as never, 64), /^detectionGridTargets: argument 'objects' must be/],
  decodeDetections: [() => tg.decodeDetections(tg.zeros([15, 4, 4]), 64), /^decodeDetections: expected one grid output/],
  trainLocalize: [() => tg.trainLocalize({ epoch: 1 } as never), /^trainLocalize: unknown option 'epoch' \(did you mean 'epochs'\?\)/],
  trainDetect: [() => tg.trainDetect({ trainSize: 0 }), /^trainDetect: option 'trainSize' must be a positive integer/],
  trainSegment: [() => tg.trainSegment({ lr: -1 }), /^trainSegment: option 'lr' must be/],
  trainSuperres: [() => tg.trainSuperres({ verbose: 3 as never }), /^trainSuperres: option 'verbose' must be/],
  visualizeClass: [
    () => tg.visualizeClass(new nn.Linear({ inFeatures: 2, outFeatures: 2 }), -1),
    /^visualizeClass: argument 'classIndex' must be/,
  ],
  attributionImage: [
    () => tg.attributionImage(tg.zeros([1, 4, 4]), tg.zeros([4])),
    /^attributionImage: needs an image map \[H, W\], got shape \[4\]/,
  ],
  exportOnnx: [
    () => tg.exportOnnx(new nn.ReLU(), tg.zeros([1, 2]), { opsett: 17 } as never),
    /^exportOnnx: unknown option 'opsett' \(did you mean 'opset'\?\)/,
  ],
  saveOnnx: [() => tg.saveOnnx(new nn.ReLU(), tg.zeros([1, 2]), 3 as never), /^saveOnnx: argument 'path' must be a string, got 3/],
  decodeOnnx: [() => tg.decodeOnnx([1, 2] as never), /^decodeOnnx: argument 'bytes' must be/],
  readConfig: [() => tg.readConfig('/nonexistent-dir'), /^load: \/nonexistent-dir\/config.json not found/],
  readIdx: [() => tg.readIdx('/nonexistent.idx'), /^readIdx: cannot read \/nonexistent.idx/],
  readCsv: [() => tg.readCsv('/nonexistent.csv'), /^readCsv: cannot read \/nonexistent.csv/],
  readTable: [() => tg.readTable('/nonexistent.csv'), /^readTable: cannot read \/nonexistent.csv/],
  readTableStream: [() => tg.readTableStream('/nonexistent.csv'), /^readTableStream: cannot read \/nonexistent.csv/],
  parseTable: [
    () => tg.parseTable('a\n1\n', { column: ['a'] } as never),
    /^parseTable: unknown option 'column' \(did you mean 'columns'\?\)/,
  ],
  Table: [
    () => new tg.Table([{ name: 'x', kind: 'number', values: [1] }] as never),
    /^Table: argument 'columns' must be an array of columns \{ name, kind: 'number', values: Float64Array \}/,
  ],
  splitTable: [() => tg.splitTable({ numRows: 3 } as never, [0.5, 0.5]), /^splitTable: argument 'table' must be a Table/],
  TabularPreprocessor: [
    () => new tg.TabularPreprocessor({ feature: ['age'] } as never),
    /^TabularPreprocessor: unknown option 'feature' \(did you mean 'features'\?\)/,
  ],
  loadPreprocessor: [() => tg.loadPreprocessor('/nonexistent-dir'), /^loadPreprocessor: \/nonexistent-dir\/config.json not found/],
  loadSafetensors: [() => tg.loadSafetensors('/nonexistent.safetensors'), /^safetensors: cannot read \/nonexistent.safetensors/],
  saveCheckpoint: [
    () => tg.saveCheckpoint('/tmp/x', undefined as never),
    /^saveCheckpoint: expected an options object with model, optimizer, epoch, got undefined/,
  ],
  sampleBeta: [() => tg.sampleBeta(-1, 1), /^sampleBeta: parameters must be positive, got -1, 1/],
} satisfies Record<string, [() => unknown, RegExp]>);

// Initialisers take the tensor to fill first.
for (const [name, param] of [
  ['uniform', 't'],
  ['normal', 't'],
  ['constant', 't'],
  ['xavierUniform', 't'],
  ['xavierNormal', 't'],
  ['kaimingUniform', 't'],
  ['kaimingNormal', 't'],
]) {
  TABLE[`nn.init.${name}`] = [
    () => (nn.init as unknown as Record<string, (x: unknown) => unknown>)[name]('a'),
    new RegExp(`^${name}: argument '${param}' must be a Tensor, got "a"`),
  ];
}
Object.assign(TABLE, {
  'nn.MaxPool2d': [
    () => new nn.MaxPool2d({ kernel_size: 2 } as never),
    /^MaxPool2d: unknown option 'kernel_size' \(did you mean 'kernelSize'\?\)/,
  ],
  'nn.AvgPool2d': [
    () => new nn.AvgPool2d({ kernelSize: 0 }),
    /^AvgPool2d: option 'kernelSize' must be a positive integer or an array of 2 of them, got 0/,
  ],
  'nn.MaxPool1d': [() => new nn.MaxPool1d({} as never), /^MaxPool1d: option 'kernelSize' is required/],
  'nn.AvgPool1d': [
    () => new nn.AvgPool1d({ kernelSize: 2, stride: 1.5 }),
    /^AvgPool1d: option 'stride' must be a positive integer, got 1.5/,
  ],
  'nn.AdaptiveAvgPool2d': [
    () => new nn.AdaptiveAvgPool2d({ outputSize: 'big' } as never),
    /^AdaptiveAvgPool2d: option 'outputSize' must be/,
  ],
  'nn.Flatten': [() => new nn.Flatten({ start_dim: 1 } as never), /^Flatten: unknown option 'start_dim' \(did you mean 'startDim'\?\)/],
  'nn.LayerNorm': [
    () => new nn.LayerNorm({ normalizedShape: [4], epsilon: 1e-5 } as never),
    /^LayerNorm: unknown option 'epsilon' \(did you mean 'eps'\?\)/,
  ],
  manualSeed: [() => tg.manualSeed('42' as never), /^manualSeed: argument 'seed' must be an integer, got "42"/],
  setNumThreads: [() => tg.setNumThreads(0), /^setNumThreads: argument 'n' must be a positive integer, got 0/],
  noGrad: [() => tg.noGrad('x' as never), /^noGrad: argument 'fn' must be a function, got "x"/],
} satisfies Record<string, [() => unknown, RegExp]>);

// Data, io, viz, apps and autograd entry points (async ones reject with the same error).
Object.assign(TABLE, {
  concat: [() => tg.concat('a' as never), /^concat: argument 'tensors' must be an array of Tensors/],
  stack: [() => tg.stack([tg.zeros([1]), 2] as never), /^stack: argument 'tensors' must be an array of Tensors/],
  convBlock: [
    () => tg.convBlock(tg.zeros([1, 1, 3, 3]), tg.zeros([1, 1, 2, 2]), null, {}, { activation: 'tanh' } as never),
    /^convBlock: option 'activation' must be one of "relu"/,
  ],
  requiresGrad: [() => tg.requiresGrad('a' as never), /^requiresGrad: argument 't' must be a Tensor/],
  buildModel: [() => tg.buildModel('a' as never), /^buildModel: argument 'config' must be an options object/],
  compose: [() => tg.compose(['flip'] as never), /^compose: argument 'transforms' must be an array of functions/],
  customOp: [() => tg.customOp({ name: 'cube', forward: (x: tg.Tensor[]) => x[0] } as never), /^customOp: option 'backward' is required/],
  defineOp: [
    () => tg.defineOp({ name: 'x', forwrd: () => null } as never),
    /^defineOp: unknown option 'forwrd' \(did you mean 'forward'\?\)/,
  ],
  dotToSvg: [() => tg.dotToSvg(3 as never), /^dotToSvg: argument 'dot' must be a string, got 3/],
  configurePictures: [() => tg.configurePictures(3 as never), /^configurePictures: argument 'cfg' must be an options object/],
  modelFromBytes: [() => tg.modelFromBytes(3 as never, new Uint8Array(0)), /^modelFromBytes: argument 'config' must be /],
  mnistDigit: [() => tg.mnistDigit('a' as never), /^mnistDigit: argument 'image' must be a Tensor/],
  drawGraph: [() => tg.drawGraph('a' as never), /^drawGraph: argument 'root' must be a Tensor/],
  evaluateDir: [() => tg.evaluateDir(3 as never), /^evaluateDir: argument 'dir' must be a string, got 3/],
  fetchBatch: [
    () => tg.fetchBatch(new tg.TensorDataset(tg.zeros([2])), [0] as never),
    /^fetchBatch: argument 'indices' must be an Int32Array/,
  ],
  materialize: [() => tg.materialize('a' as never), /^materialize: argument 'dataset' must be a Dataset/],
  gradcheck: [() => tg.gradcheck((x: tg.Tensor) => x, 'a' as never), /^gradcheck: argument 'inputs' must be an array of Tensors/],
  gradientTimesInput: [
    () => tg.gradientTimesInput(new nn.Linear({ inFeatures: 1, outFeatures: 1 }), 'a' as never),
    /^gradientTimesInput: argument 'input' must be a Tensor/,
  ],
  saliency: [
    () => tg.saliency(new nn.Linear({ inFeatures: 1, outFeatures: 1 }), 'a' as never),
    /^saliency: argument 'input' must be a Tensor/,
  ],
  graphOfModel: [
    () => tg.graphOfModel(new nn.Linear({ inFeatures: 1, outFeatures: 1 }), 'a' as never),
    /^graphOfModel: argument 'inputShape' must be an array of non-negative integers/,
  ],
  idxToTensor: [
    () => tg.idxToTensor({ type: 'uint8', shape: [1], data: new Uint8Array(1) }, { dtyp: 'int32' } as never),
    /^idxToTensor: unknown option 'dtyp' \(did you mean 'dtype'\?\)/,
  ],
  loadCheckpoint: [() => tg.loadCheckpoint(3 as never), /^loadCheckpoint: argument 'dir' must be a string, got 3/],
  loadWeights: [
    () => tg.loadWeights(new nn.Linear({ inFeatures: 1, outFeatures: 1 }), 3 as never),
    /^loadWeights: argument 'dir' must be a string, got 3/,
  ],
  save: [
    () => tg.save(new nn.Linear({ inFeatures: 1, outFeatures: 1 }), '/tmp/tsgrad-args-save', { epochs: 1 } as never),
    /^save: unknown option 'epochs' \(did you mean 'epoch'\?\)/,
  ],
  saveSafetensors: [() => tg.saveSafetensors(3 as never, {}), /^saveSafetensors: argument 'path' must be a string, got 3/],
  randomAffine: [() => tg.randomAffine({ rotate: 10 } as never), /^randomAffine: unknown option 'rotate'/],
  randomHorizontalFlip: [() => tg.randomHorizontalFlip({ p: 2 }), /^randomHorizontalFlip: option 'p' must be a number in \[0, 1\], got 2/],
  randomSplit: [
    () => tg.randomSplit(new tg.TensorDataset(tg.zeros([2])), 'half' as never),
    /^randomSplit: argument 'lengths' must be an array of numbers/,
  ],
  svgToPng: [() => tg.svgToPng(3 as never), /^svgToPng: argument 'svg' must be a string, got 3/],
  writeIdx: [
    () => tg.writeIdx(3 as never, { type: 'uint8', shape: [1], data: new Uint8Array(1) }),
    /^writeIdx: argument 'path' must be a string, got 3/,
  ],
  writeReport: [() => tg.writeReport(3 as never, {} as never), /^writeReport: argument 'dir' must be a string, got 3/],
  FilterAscent: [
    () => new tg.FilterAscent(new nn.Linear({ inFeatures: 1, outFeatures: 1 }), 0, -1),
    /^FilterAscent: argument 'filterIndex' must be a non-negative integer, got -1/,
  ],
  visualizeFilter: [
    () => tg.visualizeFilter(new nn.Linear({ inFeatures: 1, outFeatures: 1 }), 0, -1),
    /^visualizeFilter: argument 'filterIndex' must be a non-negative integer, got -1/,
  ],
  'nn.summary': [
    () => nn.summary(new nn.Linear({ inFeatures: 1, outFeatures: 1 }), 'a' as never),
    /^summary: argument 'inputShape' must be an array of non-negative integers/,
  ],
  'nn.init.fanInOut': [() => nn.init.fanInOut('a' as never), /^fanInOut: argument 'shape' must be an array of non-negative integers/],
  'nn.init.parameter': [() => nn.init.parameter('a' as never), /^parameter: argument 'shape' must be an array of non-negative integers/],
  'nn.assignInPlace': [() => nn.assignInPlace(tg.zeros([1]), 1 as never), /^assignInPlace: argument 'src' must be a Tensor, got 1/],
  parseCsv: [() => tg.parseCsv(3 as never), /^parseCsv: argument 'text' must be a string, got 3/],
  parseCsvRecords: [() => tg.parseCsvRecords(3 as never), /^parseCsvRecords: argument 'text' must be a string, got 3/],
  parseIdx: [() => tg.parseIdx('a' as never), /^parseIdx: argument 'bytes' must be a Uint8Array/],
  decodeSafetensors: [() => tg.decodeSafetensors('a' as never), /^decodeSafetensors: argument 'bytes' must be a Uint8Array/],
  predictFile: [() => tg.predictFile('/tmp', 3 as never), /^predictFile: argument 'path' must be a string, got 3/],
  readPng: [() => tg.readPng('a' as never), /^readPng: argument 'png' must be a Uint8Array/],
  trainMnist: [() => tg.trainMnist({ modle: 'cnn' } as never), /^trainMnist: unknown option 'modle' \(did you mean 'model'\?\)/],
} satisfies Record<string, [() => unknown, RegExp]>);

// More data, io, viz, apps and model-zoo entry points.
const linear1 = (): tg.nn.Module => new nn.Linear({ inFeatures: 1, outFeatures: 1 });
Object.assign(TABLE, {
  maxPool1d: [
    () => tg.maxPool1d(tg.zeros([1, 1, 4]), { kernel: 2 } as never),
    /^maxPool1d: unknown option 'kernel' \(did you mean 'kernelSize'\?\)/,
  ],
  avgPool1d: [() => tg.avgPool1d('a' as never, { kernelSize: 2 }), /^avgPool1d: argument 'x' must be a Tensor/],
  Rng: [() => new tg.Rng(1.5), /^Rng: argument 'seed' must be an integer, got 1.5/],
  Subset: [() => new tg.Subset(new tg.TensorDataset(tg.zeros([2])), [0, 1] as never), /^Subset: argument 'indices' must be an Int32Array/],
  TensorDataset: [
    () => new tg.TensorDataset(tg.zeros([2]), [1, 2] as never),
    /^TensorDataset: argument 'tensors' must be an array of Tensors/,
  ],
  csvDataset: [
    () => tg.csvDataset({ header: [], rows: [] } as never, 'y' as never),
    /^csvDataset: argument 'opts' must be an options object/,
  ],
  cutmix: [() => tg.cutmix(0.5 as never), /^cutmix: argument 'opts' must be an options object/],
  mixup: [() => tg.mixup('a' as never), /^mixup: argument 'opts' must be an options object/],
  randomCrop: [() => tg.randomCrop({ pad: 2 } as never), /^randomCrop: unknown option 'pad' \(did you mean 'padding'\?\)/],
  randomErasing: [() => tg.randomErasing(0.5 as never), /^randomErasing: argument 'opts' must be an options object/],
  'datasets.mnist': [() => tg.datasets.mnist(60000 as never), /^datasets.mnist: argument 'opts' must be an options object/],
  encodeIdx: [() => tg.encodeIdx('a' as never), /^encodeIdx: argument 'arr' must be an options object/],
  encodeSafetensors: [
    () => tg.encodeSafetensors('a' as never),
    /^encodeSafetensors: argument 'tensors' must be a Map or an options object/,
  ],
  featureMaps: [() => tg.featureMaps(linear1(), 'a' as never), /^featureMaps: argument 'input' must be a Tensor/],
  filterGrid: [() => tg.filterGrid(tg.zeros([1, 1, 2, 2]), 3 as never), /^filterGrid: argument 'opts' must be an options object/],
  fitGenes: [() => tg.fitGenes('a' as never), /^fitGenes: argument 'd' must be an options object/],
  genesFromColumns: [
    () => tg.genesFromColumns('a,b' as never, [], 'y'),
    /^genesFromColumns: argument 'header' must be an array of strings/,
  ],
  leastSquares: [() => tg.leastSquares(3 as never), /^leastSquares: argument 'd' must be an options object/],
  scores: [() => tg.scores({} as never, 'a' as never, 0), /^scores: argument 'coefficients' must be an array of numbers/],
  syntheticGenes: [() => tg.syntheticGenes(500 as never), /^syntheticGenes: argument 'opts' must be an options object/],
  guessInputShape: [() => tg.guessInputShape('a' as never), /^guessInputShape: argument 'model' must be a Module or a function/],
  historyQuantities: [() => tg.historyQuantities('a' as never), /^historyQuantities: argument 'history' must be/],
  plotConfusion: [() => tg.plotConfusion([[1]], 'a' as never), /^plotConfusion: argument 'opts' must be an options object/],
  plotHistory: [() => tg.plotHistory({ loss: [1] } as never, 'a' as never), /^plotHistory: argument 'opts' must be an options object/],
  plotSeries: [() => tg.plotSeries({} as never, 'a' as never), /^plotSeries: argument 'opts' must be an options object/],
  renderVegaLite: [() => tg.renderVegaLite('a' as never), /^renderVegaLite: argument 'spec' must be an options object/],
  maximizeGrid: [() => tg.maximizeGrid(linear1(), 0, 'a' as never), /^maximizeGrid: argument 'opts' must be an options object/],
  sequentialLayers: [() => tg.sequentialLayers(linear1(), 3 as never), /^sequentialLayers: argument 'prefix' must be a string, got 3/],
  mnistModel: [
    () => tg.mnistModel('resnet' as never),
    /^mnistModel: argument 'name' must be one of "fast", "logreg", "mlp", "cnn", "lenet5", got "resnet"/,
  ],
  modelConfig: [() => tg.modelConfig('a' as never), /^modelConfig: argument 'model' must be a Module/],
  'nn.layerName': [() => nn.layerName('a' as never), /^layerName: argument 'm' must be a Module/],
  trainValTestSplit: [
    () => tg.trainValTestSplit(new tg.TensorDataset(tg.zeros([2])), 0.1 as never),
    /^trainValTestSplit: argument 'opts' must be an options object/,
  ],
  'nn.models.alexnet': [() => nn.models.alexnet({ classes: 10 } as never), /^alexnet: unknown option 'classes'/],
  'nn.models.dnaCnn': [() => nn.models.dnaCnn({ length: 0 }), /^dnaCnn: option 'length' must be a positive integer, got 0/],
  mnistRecipe: [
    () => tg.mnistRecipe(nn.models.fastMnistCnn(), { recipe: 'fast', model: 'fast', epochs: 4, batchSize: 128 } as never),
    /^mnistRecipe: option 'trainSize' is required \(a positive integer\)/,
  ],
  'nn.models.fastMnistCnn': [() => nn.models.fastMnistCnn({ channels: [16, 32] as never }), /^fastMnistCnn: option 'channels' must be/],
  'nn.models.kerasMnistCnn': [() => nn.models.kerasMnistCnn({ dropout: 1.5 }), /^kerasMnistCnn: option 'dropout' must be/],
  'nn.models.lenet5': [
    () => nn.models.lenet5({ numClass: 3 } as never),
    /^lenet5: unknown option 'numClass' \(did you mean 'numClasses'\?\)/,
  ],
  'nn.models.mlp': [() => nn.models.mlp(3 as never), /^mlp: argument 'opts' must be an options object/],
  'nn.init.zeros': [() => nn.init.zeros('a' as never), /^zeros: argument 't' must be a Tensor/],
  'nn.init.ones': [() => nn.init.ones('a' as never), /^ones: argument 't' must be a Tensor/],
} satisfies Record<string, [() => unknown, RegExp]>);

/** Each export by its dotted name, with the function it names. */
function exportedFunctions(): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (o: object, prefix: string, depth: number): void => {
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'function') out.set(prefix + k, v);
      else if (v && typeof v === 'object' && depth < 2 && !ArrayBuffer.isView(v) && !Array.isArray(v)) walk(v, `${prefix}${k}.`, depth + 1);
    }
  };
  walk(tg, '', 0);
  return out;
}

// The same function under several names (tg.sum, F.sum, nn.crossEntropy, F.crossEntropy) shares one entry.
{
  const fns = exportedFunctions();
  const byFn = new Map<unknown, string>();
  for (const [name, fn] of fns) if (name in TABLE && !byFn.has(fn)) byFn.set(fn, name);
  for (const [name, fn] of fns) if (!(name in TABLE) && byFn.has(fn)) TABLE[name] = TABLE[byFn.get(fn)!];
}

/** Exports that take no arguments, or a class whose only check is elsewhere. */
const SKIP = new Set([
  'getBackend',
  'getNumThreads',
  'isGradEnabled',
  'ready',
  'resetWasmStats',
  'wasmStats',
  'wasmLoadError',
  'kernels',
  'TsgradError', // an Error subclass: any message is valid
  'nn.Module',
  'optim.Optimizer',
  'optim.LRScheduler', // abstract bases, checked through their subclasses
  'History',
  'TerminateOnNaN', // constructors without arguments
  'datasets.mnistDataDir',
  'nn.registeredNames', // no arguments
  // internal helpers exported for other parts of the library, each called with arguments it built itself:
  'checkConvInput',
  'F.checkConvInput',
  'poolGeom',
  'F.poolGeom', // the conv and pooling ops' shape checks
  'checkLabels',
  'decodeState',
  'encodeState',
  'findLayer', // the CSV reader, checkpoints, the viz commands
  'nn.GlobalMaxPool1d',
  'nn.GlobalAvgPool1d',
  'nn.GlobalMaxPool2d',
  'nn.GlobalAvgPool2d', // no options
  'monitored',
  'direction', // internal: the callbacks' reading of a monitored result, exported for ModelCheckpoint
  'reluGrad',
  'F.reluGrad', // internal: relu's gradient rule, exported for the fused convolution's backward
]);

function exportsOf(): string[] {
  return [...exportedFunctions().keys()].sort();
}

for (const [name, [call, want]] of Object.entries(TABLE)) {
  test(`${name} rejects a wrong argument with a message naming it`, async () => {
    // A synchronous throw, or the rejection of an async function's promise.
    await assert.rejects(
      async () => call(),
      (e: unknown) => {
        assert.ok(e instanceof tg.TsgradError, `${name}: threw ${String(e)} instead of a TsgradError`);
        assert.match(e.message, want);
        return true;
      },
    );
  });
}

test('every public export has a table entry or a commented skip', () => {
  const missing = exportsOf().filter((n) => !(n in TABLE) && !SKIP.has(n));
  assert.deepEqual(missing, [], `exports without an argument test: ${missing.join(', ')}`);
});
