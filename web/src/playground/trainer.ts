/**
 * The Playground tab's model and its training: a small fully connected network on the chosen
 * features of the 2-D points, a logistic output, binary cross-entropy (log loss), mini-batch
 * SGD or Adam, an optional L1 or L2 penalty on the weights and optional dropout after each
 * hidden layer (active while training only: losses and maps are computed in eval mode). Runs wherever the library runs;
 * the page runs it in its Web Worker.
 */
import * as tg from 'tsgrad/browser';
import type { ActivationName, PlaygroundConfig } from './config.js';
import { featureRows, gridPoints, makePoints } from './data.js';

const ACTIVATIONS: Record<ActivationName, (() => tg.nn.Module) | null> = {
  tanh: () => new tg.nn.Tanh(),
  relu: () => new tg.nn.ReLU(),
  sigmoid: () => new tg.nn.Sigmoid(),
  linear: null,
};

/** Side of the grid of cells on which the decision map is evaluated. */
export const GRID = 50;
/** Side of the coarser grid of each hidden unit's small map. */
export const UNIT_GRID = 20;

export interface Split {
  /** Coordinates and labels, for drawing. */
  xy: Float32Array;
  label: Float32Array;
  x: tg.Tensor;
  y: tg.Tensor;
}

export class PlaygroundTrainer {
  readonly config: PlaygroundConfig;
  readonly model: tg.nn.Sequential;
  readonly train: Split;
  readonly test: Split;
  epoch = 0;
  private readonly optimizer: tg.optim.SGD | tg.optim.Adam;
  private readonly weights: tg.Tensor[];
  private readonly grid: tg.Tensor;
  private readonly unitGrid: tg.Tensor;
  /** The index in model.layers after which each hidden layer's output is complete (after its activation). */
  private readonly hiddenEnds: number[] = [];
  private readonly shuffle: tg.Rng;

  constructor(config: PlaygroundConfig) {
    this.config = config;
    if (config.features.length === 0) throw new Error('Choose at least one input feature.');
    // One seed makes the same points, the same initial weights and the same batches.
    const rng = new tg.Rng(config.seed);
    const points = makePoints(config.dataset, config.points, config.noise, rng);
    const order = rng.permutation(config.points);
    const nTrain = Math.max(1, Math.min(config.points - 1, Math.round(config.points * config.trainFraction)));
    this.train = this.split(points.xy, points.label, order.subarray(0, nTrain));
    this.test = this.split(points.xy, points.label, order.subarray(nTrain));
    this.grid = tg.tensor(featureRows(gridPoints(GRID), config.features), { shape: [GRID * GRID, config.features.length] });
    this.unitGrid = tg.tensor(featureRows(gridPoints(UNIT_GRID), config.features), {
      shape: [UNIT_GRID * UNIT_GRID, config.features.length],
    });
    this.shuffle = new tg.Rng(config.seed + 1);

    tg.manualSeed(config.seed);
    const layers: tg.nn.Module[] = [];
    let inFeatures = config.features.length;
    for (const units of config.hidden) {
      layers.push(new tg.nn.Linear({ inFeatures, outFeatures: units }));
      const act = ACTIVATIONS[config.activation];
      if (act) layers.push(act());
      this.hiddenEnds.push(layers.length - 1);
      if (config.dropout > 0) layers.push(new tg.nn.Dropout({ p: config.dropout }));
      inFeatures = units;
    }
    layers.push(new tg.nn.Linear({ inFeatures, outFeatures: 1 }));
    this.model = new tg.nn.Sequential(...layers);
    // The penalty covers weights, not biases, as in TensorFlow Playground.
    this.weights = this.model.namedParameters().flatMap(([name, p]) => (name.endsWith('weight') ? [p] : []));
    const params = this.model.parameters();
    this.optimizer =
      config.optimizer === 'adam'
        ? new tg.optim.Adam(params, { lr: config.learningRate })
        : new tg.optim.SGD(params, { lr: config.learningRate });
    this.model.eval();
  }

  private split(xy: Float32Array, label: Float32Array, rows: Int32Array): Split {
    const sxy = new Float32Array(2 * rows.length);
    const sl = new Float32Array(rows.length);
    rows.forEach((r, i) => {
      sxy[2 * i] = xy[2 * r];
      sxy[2 * i + 1] = xy[2 * r + 1];
      sl[i] = label[r];
    });
    const f = this.config.features.length;
    return {
      xy: sxy,
      label: sl,
      x: tg.tensor(featureRows(sxy, this.config.features), { shape: [rows.length, f] }),
      y: tg.tensor(sl, { shape: [rows.length, 1] }),
    };
  }

  /** One pass over the training points in shuffled mini-batches. */
  step(): void {
    const n = this.train.label.length;
    const order = this.shuffle.permutation(n);
    const { batchSize } = this.config;
    this.model.train();
    for (let b = 0; b < n; b += batchSize) {
      const idx = tg.tensor(order.subarray(b, Math.min(n, b + batchSize)), { dtype: 'int32' });
      const loss = this.loss(this.train.x.indexSelect(0, idx), this.train.y.indexSelect(0, idx));
      this.optimizer.zeroGrad();
      loss.backward();
      this.optimizer.step();
    }
    this.epoch++;
    // Losses, maps and the graph are read with dropout off.
    this.model.eval();
  }

  /** Log loss on the training and the test points (without the penalty). */
  losses(): { train: number; test: number } {
    return tg.noGrad(() => ({
      train: tg.nn.bceWithLogits(this.model.forward(this.train.x), this.train.y).item(),
      test: tg.nn.bceWithLogits(this.model.forward(this.test.x), this.test.y).item(),
    }));
  }

  /** P(blue) on each cell of the GRID × GRID map, row by row from the top. */
  decisionMap(): Float32Array {
    return tg.noGrad(() => this.model.forward(this.grid).sigmoid().data() as Float32Array);
  }

  /** Each hidden layer's outputs on the UNIT_GRID × UNIT_GRID map: [cells, units] row-major, one array per layer. */
  unitMaps(): Float32Array[] {
    return tg.noGrad(() => {
      const maps: Float32Array[] = [];
      let y = this.unitGrid;
      this.model.layers.forEach((layer, i) => {
        y = layer.forward(y);
        if (this.hiddenEnds.includes(i)) maps.push(y.data() as Float32Array);
      });
      return maps;
    });
  }

  /** The computational graph of one training batch's loss, as Graphviz DOT source. */
  graphDot(): string {
    const x = this.train.x.narrow(0, 0, Math.min(this.config.batchSize, this.train.label.length));
    const y = this.train.y.narrow(0, 0, x.shape[0]);
    const names = new Map<tg.Tensor, string>(this.model.namedParameters().map(([name, p]) => [p, name]));
    names.set(x, 'features');
    names.set(y, 'labels');
    return tg.toDot(this.loss(x, y), { names });
  }

  /** The training objective on a batch: log loss plus the chosen penalty on the weights. */
  private loss(x: tg.Tensor, y: tg.Tensor): tg.Tensor {
    const { regularization, regularizationRate } = this.config;
    const loss = tg.nn.bceWithLogits(this.model.forward(x), y);
    if (regularization === 'l1') return loss.add(tg.optim.l1Penalty(this.weights, regularizationRate));
    if (regularization === 'l2') return loss.add(tg.optim.l2Penalty(this.weights, regularizationRate));
    return loss;
  }
}
