/**
 * The Filters tab's activation maximisation, one step at a time so that the page can show the
 * image as it forms: from a grey image with a little noise, follow the gradient of one filter's
 * mean response (after its ReLU) with respect to the input,
 *
 *   x ← x + stepSize · g / rms(g),   g = ∂ mean(a_f(x)) / ∂x.
 *
 * 'regularized' keeps the picture readable, as the library's visualizeFilter does by default
 * (Yosinski et al. 2015, Olah et al. 2017): each step sees the image shifted by a random
 * circular jitter, the image decays a little towards grey, is blurred every fourth step and
 * stays in the data range [0, 1]. 'plain' is bare gradient ascent.
 *
 * The library's visualizeFilter runs all its steps in one call and lives in the Node entry
 * (its grids encode PNGs); a page wants each step, so the loop is written here with tensor ops.
 */
import * as tg from 'tsgrad/browser';

export type AscentMethod = 'regularized' | 'plain';

export interface AscentOptions {
  /** Index in the Sequential of the convolution whose filter is maximised. */
  layer: number;
  filter: number;
  method: AscentMethod;
  steps: number;
  seed: number;
}

const SIDE = 28;
const GREY = 0.5;

export class FilterAscent {
  readonly opts: AscentOptions;
  /** The filter's mean response to the image (unshifted) at the start and after each step. */
  readonly trace: number[] = [];
  step = 0;
  private x: Float32Array;
  private readonly layers: tg.nn.Module[];
  /** Whether a ReLU follows the convolution: the response is read after it. */
  private readonly activated: boolean;
  private readonly rng: tg.Rng;
  private readonly stepSize: number;

  constructor(model: tg.nn.Sequential, opts: AscentOptions) {
    this.opts = opts;
    const conv = model.layers[opts.layer];
    if (!(conv instanceof tg.nn.Conv2d)) throw new Error(`layer ${opts.layer} of the model is not a Conv2d`);
    const out = conv.options.outChannels;
    if (!(Number.isInteger(opts.filter) && opts.filter >= 0 && opts.filter < out)) {
      throw new Error(`filter ${opts.filter} is out of range: layer ${opts.layer} has filters 0 to ${out - 1}`);
    }
    this.activated = model.layers[opts.layer + 1] instanceof tg.nn.ReLU;
    this.layers = model.layers.slice(0, opts.layer + 1);
    this.rng = new tg.Rng(opts.seed);
    this.x = new Float32Array(SIDE * SIDE).map(() => GREY + 0.1 * (this.rng.random() - 0.5));
    this.stepSize = opts.method === 'regularized' ? 0.05 : 1;
    this.trace.push(this.response(this.x));
  }

  /** The current image, 28 × 28 row-major (in [0, 1] for 'regularized'). */
  get image(): Float32Array {
    return this.x;
  }

  get done(): boolean {
    return this.step >= this.opts.steps;
  }

  /** The convolution's output for a 28 × 28 image: [1, filters, h, w], before the ReLU. */
  private convolve(x: tg.Tensor): tg.Tensor {
    let y = x;
    for (const l of this.layers) y = l.forward(y);
    return y;
  }

  /** The mean over positions of the filter's channel (after the ReLU when there is one). */
  private mean(pre: tg.Tensor, activate = this.activated): tg.Tensor {
    const channel = pre.select(1, this.opts.filter);
    return (activate ? channel.relu() : channel).mean();
  }

  private response(x: Float32Array): number {
    return tg.noGrad(() => this.mean(this.convolve(tg.tensor(x, { shape: [1, 1, SIDE, SIDE] }))).item());
  }

  /** One ascent step, then the response of the new image. */
  advance(): void {
    const reg = this.opts.method === 'regularized';
    // Jitter: the network sees the image shifted and the gradient is shifted back, so that no
    // pixel can rely on its place (the border, which zero padding makes special, above all).
    const dy = reg ? this.rng.int(-14, 15) : 0;
    const dx = reg ? this.rng.int(-14, 15) : 0;
    const input = tg.tensor(roll(this.x, dy, dx), { shape: [1, 1, SIDE, SIDE], requiresGrad: true });
    const pre = this.convolve(input);
    const post = this.mean(pre);
    // A filter the ReLU silences everywhere has no gradient: it climbs on its response before the ReLU until it comes alive.
    (post.item() > 0 ? post : this.mean(pre, false)).backward();
    const g = roll(input.grad?.data() as Float32Array, -dy, -dx);
    let ms = 0;
    for (const v of g) ms += v * v;
    const scale = this.stepSize / (Math.sqrt(ms / g.length) + 1e-8);
    let next: Float32Array = this.x.map((v, i) => v + scale * g[i]);
    if (reg) {
      next = next.map((v) => GREY + (v - GREY) * 0.98);
      if ((this.step + 1) % 4 === 0) next = blur(next, 0.5);
      next = next.map((v) => Math.min(1, Math.max(0, v)));
    }
    this.x = next;
    this.step++;
    this.trace.push(this.response(this.x));
  }
}

/** A 28 × 28 image shifted circularly by dy rows and dx columns. */
function roll(x: Float32Array, dy: number, dx: number): Float32Array {
  if (!dy && !dx) return x;
  const out = new Float32Array(x.length);
  const wrap = (i: number) => ((i % SIDE) + SIDE) % SIDE;
  for (let r = 0; r < SIDE; r++) for (let c = 0; c < SIDE; c++) out[r * SIDE + c] = x[wrap(r - dy) * SIDE + wrap(c - dx)];
  return out;
}

/** A circular, separable Gaussian blur of a 28 × 28 image. */
function blur(x: Float32Array, sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(2 * sigma));
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const total = k.reduce((a, b) => a + b, 0);
  const wrap = (i: number) => ((i % SIDE) + SIDE) % SIDE;
  const pass = (src: Float32Array, rows: boolean) => {
    const out = new Float32Array(src.length);
    for (let i = 0; i < SIDE; i++) {
      for (let j = 0; j < SIDE; j++) {
        let acc = 0;
        for (let t = -r; t <= r; t++) acc += k[t + r] * (rows ? src[i * SIDE + wrap(j + t)] : src[wrap(i + t) * SIDE + j]);
        out[i * SIDE + j] = acc / total;
      }
    }
    return out;
  };
  return pass(pass(x, true), false);
}
