/**
 * The messages between the page (main.ts and the tabs' views) and the worker that runs the
 * library (worker.ts). Images and maps travel as Float32Arrays whose buffers are transferred.
 */
import type { AscentMethod } from './filters/ascent.js';
import type { PlaygroundConfig } from './playground/config.js';

/** A convolution of the digit model, by its index in the Sequential. */
export interface ConvLayer {
  layer: number;
  filters: number;
}

export interface ModelSummary {
  url: string;
  parameters: number;
  /** The layers' class names, in order. */
  layers: string[];
  convs: ConvLayer[];
  /** The first convolution's kernels for a single input channel: count × side × side weights. */
  firstFilters: { count: number; side: number; weights: Float32Array } | null;
}

export type ToWorker =
  | { kind: 'pg-config'; config: PlaygroundConfig }
  | { kind: 'pg-play' }
  | { kind: 'pg-pause' }
  | { kind: 'pg-step' }
  | { kind: 'pg-graph' }
  | { kind: 'load-model'; url: string }
  /** A grey drawing, white ink on black, values in [0, 1], row-major. */
  | { kind: 'classify'; id: number; pixels: Float32Array; width: number; height: number }
  | { kind: 'ascend'; id: number; layer: number; filter: number; method: AscentMethod; steps: number; seed: number }
  | { kind: 'ascend-stop' };

export interface Points {
  xy: Float32Array;
  label: Float32Array;
}

export type FromWorker =
  | { kind: 'ready'; backend: string; threads: number; isolated: boolean; wasmError: string | null }
  /** grid: the side of the decision map; unitGrid: that of the hidden units' maps. */
  | { kind: 'pg-data'; train: Points; test: Points; grid: number; unitGrid: number }
  /** map: P(blue) on the grid; units: each hidden layer's outputs on the unit grid, [cells, units]. */
  | { kind: 'pg-frame'; epoch: number; trainLoss: number; testLoss: number; map: Float32Array; units: Float32Array[]; msPerEpoch: number }
  | { kind: 'pg-graph'; svg: string; nodes: number }
  | { kind: 'pg-error'; message: string }
  | { kind: 'model'; summary: ModelSummary }
  | { kind: 'model-error'; message: string }
  /** input: the 28 × 28 image the network saw; saliency: |∂ top score / ∂ pixel|, 28 × 28. */
  | { kind: 'classified'; id: number; input: Float32Array; probs: number[]; saliency: Float32Array; ms: number }
  | { kind: 'digits-error'; id: number; message: string }
  | { kind: 'ascend-step'; id: number; step: number; steps: number; image: Float32Array; trace: number[] }
  | { kind: 'ascend-error'; id: number; message: string }
  | { kind: 'error'; message: string };
