/** The Playground tab's settings, shared by the page (controls) and the worker (training). */
import type { DatasetName, FeatureName } from './data.js';

export type ActivationName = 'tanh' | 'relu' | 'sigmoid' | 'linear';

export interface PlaygroundConfig {
  dataset: DatasetName;
  /** 0 to 0.5. */
  noise: number;
  /** Points in all, split into training and test points. */
  points: number;
  /** Fraction of the points used for training, 0.1 to 0.9. */
  trainFraction: number;
  features: FeatureName[];
  /** Units of each hidden layer (none: logistic regression). */
  hidden: number[];
  activation: ActivationName;
  optimizer: 'sgd' | 'adam';
  learningRate: number;
  regularization: 'none' | 'l1' | 'l2';
  regularizationRate: number;
  /** Dropout probability after each hidden layer's activation during training (0: none). */
  dropout: number;
  batchSize: number;
  /** Seeds the points, the initial weights and the batches. */
  seed: number;
}

/** TensorFlow Playground's defaults: a circle, two features, hidden layers of 4 and 2 tanh units, SGD at 0.03. */
export const DEFAULT_CONFIG: PlaygroundConfig = {
  dataset: 'circle',
  noise: 0,
  points: 500,
  trainFraction: 0.5,
  features: ['x1', 'x2'],
  hidden: [4, 2],
  activation: 'tanh',
  optimizer: 'sgd',
  learningRate: 0.03,
  regularization: 'none',
  regularizationRate: 0.001,
  dropout: 0,
  batchSize: 10,
  seed: 1,
};
