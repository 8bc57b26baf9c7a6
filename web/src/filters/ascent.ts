/**
 * The Filters tab's activation maximisation: the library's FilterAscent (visualizeFilter one step
 * at a time), so that the page can show the image as it forms. From a grey image with a little
 * noise it follows the gradient of one filter's mean response (after its ReLU) with respect to
 * the input, x ← x + stepSize · g / rms(g). 'regularized' (the library's default) keeps the
 * picture readable (Yosinski et al. 2015, Olah et al. 2017): random circular jitter, decay
 * towards grey, a blur every fourth step, pixels in [0, 1]; 'plain' is bare gradient ascent.
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

export class FilterAscent {
  readonly opts: AscentOptions;
  /** The filter's mean response to the image (unshifted) at the start and after each step. */
  readonly trace: number[] = [];
  private readonly ascent: tg.FilterAscent;

  constructor(model: tg.nn.Sequential, opts: AscentOptions) {
    this.opts = opts;
    if (!(model.layers[opts.layer] instanceof tg.nn.Conv2d)) throw new Error(`layer ${opts.layer} of the model is not a Conv2d`);
    // The library checks the filter index against the layer and says which filters there are.
    this.ascent = new tg.FilterAscent(model, opts.layer, opts.filter, { method: opts.method, steps: opts.steps, seed: opts.seed });
    this.trace.push(this.ascent.activation());
  }

  get step(): number {
    return this.ascent.stepsDone;
  }

  /** The current image, 28 × 28 row-major (in [0, 1] for 'regularized'). */
  get image(): Float32Array {
    return this.ascent.image.data() as Float32Array;
  }

  get done(): boolean {
    return this.ascent.done;
  }

  /** One ascent step, then the response of the new image. */
  advance(): void {
    this.ascent.step();
    this.trace.push(this.ascent.activation());
  }
}
