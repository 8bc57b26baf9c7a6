/**
 * The work every framework runs, defined once. The orchestrator (run.ts) passes a
 * ChildConfig to each child as JSON, so tsgrad, TF.js and PyTorch read the same
 * sizes, batches and time budgets (torch_bench.py mirrors the case names).
 */

export const SGEMM_SIZES = [128, 256, 512, 1024, 2048] as const;

export const CASES = [
  ...SGEMM_SIZES.map((n) => `sgemm-${n}`),
  'mlp-train',
  'cnn-train',
  'cnn-infer',
  'dna-train',
  'ncf-train',
  'upsample-train',
  'unet-train',
] as const;
export type CaseName = (typeof CASES)[number];

/** Batch sizes of the model cases: training at 128, inference at 256, as the issue asks. */
export const BATCH = { train: 128, infer: 256, ncf: 256, upsample: 64, unet: 32 } as const;

/** The NCF case's table sizes: MovieLens 1M's users and items, as in the paper. */
export const NCF_SIZES = { users: 6040, items: 3706 } as const;

/** Adam's learning rate; any value does for throughput, this one keeps losses finite. */
export const LR = 1e-3;

/** What a case measures and in which unit. */
export function unitOf(name: string): string {
  return name.startsWith('sgemm-') ? 'GFLOP/s' : name === 'ncf-train' ? 'interactions/s' : 'images/s';
}

/** Human description of each case, for the report. */
export const CASE_TITLES: Record<CaseName, string> = {
  'sgemm-128': 'sgemm n=128',
  'sgemm-256': 'sgemm n=256',
  'sgemm-512': 'sgemm n=512',
  'sgemm-1024': 'sgemm n=1024',
  'sgemm-2048': 'sgemm n=2048',
  'mlp-train': 'MLP 784-512-256-10 train, b=128',
  'cnn-train': 'Keras MNIST CNN train, b=128',
  'cnn-infer': 'Keras MNIST CNN inference, b=256',
  'dna-train': 'DNA 1-D CNN train, b=128',
  'ncf-train': 'NeuMF train (ML-1M sizes), b=256',
  'upsample-train': 'decoder 7×7 -> 56×56 (ConvTranspose2d, bilinear Upsample, PixelShuffle) train, b=64',
  'unet-train': 'U-Net 48×48, 11 classes, per-pixel cross-entropy train, b=32',
};

/** Sent to every child as its only argument (JSON). */
export interface ChildConfig {
  /** Cases to run, in order. */
  cases: string[];
  /** Warm-up: steps run until this many seconds have passed (at least one, at most warmupMax). */
  warmupSeconds: number;
  warmupMax: number;
  /** Timed phase: steps run until this many seconds have passed (at least one). */
  seconds: number;
  /** Backend or variant the child should run (tsgrad: 'wasm' | 'ref'; tfjs: 'cpu' | 'wasm'). */
  variant: string;
  quick: boolean;
  /** tsgrad only: extra measurements (copy share, RSS leak check). */
  extras?: boolean;
  /** Seconds the extras may take at most (the leak check picks its batch from this). */
  extrasBudget?: number;
}

/** One figure, as a child reports it. */
export interface CaseResult {
  case: string;
  /** The figure, from the median step; `mean` from the whole timed phase. */
  value: number;
  mean?: number;
  unit: string;
  /** Timed steps and their total seconds (warm-up excluded). */
  iters: number;
  seconds: number;
  note?: string;
}
