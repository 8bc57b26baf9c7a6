import { add } from '../../ops/elementwise.js';
import { concat } from '../../ops/movement.js';
import { interpolate } from '../../ops/upsample.js';
import type { Tensor } from '../../tensor/tensor.js';
import { is, options } from '../../util/args.js';
import { ReLU } from '../activation.js';
import { Conv2d } from '../conv.js';
import { Flatten } from '../flatten.js';
import { Linear } from '../linear.js';
import { Module } from '../module.js';
import { BatchNorm2d } from '../normalization.js';
import { MaxPool2d } from '../pooling.js';
import { register } from '../registry.js';
import { Sequential } from '../sequential.js';
import { ConvTranspose2d, PixelShuffle } from '../upsample.js';

/**
 * Networks for the image tasks beyond classification (apps/vision.ts), on 64×64 canvases of MNIST
 * digits and on 14×14 -> 28×28 super-resolution.
 */

/**
 * Conv 3×3 (same size) -> ReLU, or with `norm` Conv (no bias) -> BatchNorm2d -> ReLU: the unit
 * every network here is built from. Batch norm is an option: it is what lets the U-Net learn
 * the digits' classes in the time a default run has, and the other networks train well without it.
 */
function unit(inChannels: number, outChannels: number, norm = false): Module[] {
  if (norm)
    return [
      new Conv2d({ inChannels, outChannels, kernelSize: 3, padding: 1, bias: false }),
      new BatchNorm2d({ numFeatures: outChannels }),
      new ReLU(),
    ];
  return [new Conv2d({ inChannels, outChannels, kernelSize: 3, padding: 1 }), new ReLU()];
}

/** Four units, each followed by a 2×2 max pool: [N, 1, 64, 64] -> [N, width·4, 4, 4] (three pools: 8×8). */
function backbone(width: number, pools: number, norm = false): Module[] {
  const widths = [1, width, 2 * width, 4 * width, 4 * width];
  const layers: Module[] = [];
  for (let i = 0; i < 4; i++) {
    layers.push(...unit(widths[i], widths[i + 1], norm));
    if (i < pools) layers.push(new MaxPool2d({ kernelSize: 2 }));
  }
  return layers;
}

/** The options of the canvas networks: classes (default 10) and the first unit's width (default 16). */
export interface HeadOptions {
  classes?: number;
  width?: number;
  /** Batch norm after each convolution (default false). */
  batchNorm?: boolean;
}

function headOptions(op: string, opts: HeadOptions): Required<HeadOptions> {
  const o = options<HeadOptions>(op, opts, { classes: is.positiveInt, width: is.positiveInt, batchNorm: is.bool });
  return { classes: o.classes ?? 10, width: o.width ?? 16, batchNorm: o.batchNorm ?? false };
}

/**
 * Localisation: a class and a box for the one digit of a 64×64 canvas. Output [N, classes + 4]:
 * the class logits, then the box (x1, y1, x2, y2) as logits of its coordinates over the canvas side.
 * @example nn.models.localizer().forward(x) // [N, 1, 64, 64] -> [N, 14]
 */
export function localizer(opts: HeadOptions = {}): Sequential {
  const { classes, width, batchNorm } = headOptions('localizer', opts);
  return new Sequential(
    ...backbone(width, 4, batchNorm),
    new Flatten(),
    new Linear({ inFeatures: 4 * width * 16, outFeatures: 128 }),
    new ReLU(),
    new Linear({ inFeatures: 128, outFeatures: classes + 4 }),
  );
}

/**
 * A single-stage detector on an 8×8 grid, as the first YOLO: each cell predicts whether a digit's
 * centre falls in it (a logit), the box (centre within the cell and size over the canvas, as
 * logits) and the class logits. Output [N, 5 + classes, 8, 8] for a 64×64 canvas.
 * @example nn.models.gridDetector().forward(x) // [N, 1, 64, 64] -> [N, 15, 8, 8]
 */
export function gridDetector(opts: HeadOptions = {}): Sequential {
  const { classes, width } = headOptions('gridDetector', opts);
  return new Sequential(
    ...backbone(width, 3),
    ...unit(4 * width, 4 * width),
    new Conv2d({ inChannels: 4 * width, outChannels: 5 + classes, kernelSize: 1 }),
  );
}

/**
 * A small U-Net (Ronneberger et al. 2015): `depth` levels down (two units, then a max pool, the
 * width doubling at each level), a bottleneck, as many levels up (a transposed convolution, joined
 * by the skip connection of its level, then a unit) and a 1×1 convolution to class logits per
 * pixel: [N, 1, H, W] -> [N, classes, H, W], H and W divisible by 2^depth.
 * @example new nn.models.UNet({ classes: 11 }).forward(x) // [N, 1, 48, 48] -> [N, 11, 48, 48]
 */
export class UNet extends Module {
  readonly options: { classes: number; width: number; depth: number; batchNorm: boolean };
  down: Sequential[];
  bottom: Sequential;
  up: ConvTranspose2d[];
  dec: Sequential[];
  head: Conv2d;
  pool = new MaxPool2d({ kernelSize: 2 });

  /** batchNorm: a BatchNorm2d after each 3×3 convolution (default false). */
  constructor(opts: { classes?: number; width?: number; depth?: number; batchNorm?: boolean } = {}) {
    super();
    const o = options<{ classes?: number; width?: number; depth?: number; batchNorm?: boolean }>('UNet', opts, {
      classes: is.positiveInt,
      width: is.positiveInt,
      depth: is.positiveInt,
      batchNorm: is.bool,
    });
    const w = o.width ?? 12;
    const depth = o.depth ?? 2;
    const bn = o.batchNorm ?? false;
    this.options = { classes: o.classes ?? 11, width: w, depth, batchNorm: bn };
    const widths = Array.from({ length: depth + 1 }, (_, i) => w * 2 ** i);
    this.down = widths.slice(0, depth).map((c, i) => new Sequential(...unit(i === 0 ? 1 : widths[i - 1], c, bn), ...unit(c, c, bn)));
    this.bottom = new Sequential(...unit(widths[depth - 1], widths[depth], bn), ...unit(widths[depth], widths[depth], bn));
    this.up = widths
      .slice(0, depth)
      .map((c, i) => new ConvTranspose2d({ inChannels: widths[i + 1], outChannels: c, kernelSize: 2, stride: 2 }));
    this.dec = widths.slice(0, depth).map((c) => new Sequential(...unit(2 * c, c, bn)));
    this.head = new Conv2d({ inChannels: w, outChannels: this.options.classes, kernelSize: 1 });
  }

  forward(x: Tensor): Tensor {
    const skips: Tensor[] = [];
    let h = x;
    for (const level of this.down) {
      h = level.forward(h);
      skips.push(h);
      h = this.pool.forward(h);
    }
    h = this.bottom.forward(h);
    for (let i = this.down.length - 1; i >= 0; i--) h = this.dec[i].forward(concat([this.up[i].forward(h), skips[i]], 1));
    return this.head.forward(h);
  }
}

/**
 * Super-resolution by sub-pixel convolution (Shi et al. 2016), learning the residual over
 * bilinear upsampling: x [N, 1, H, W] -> [N, 1, 2H, 2W].
 * @example new nn.models.SubPixelSR().forward(low) // [N, 1, 14, 14] -> [N, 1, 28, 28]
 */
export class SubPixelSR extends Module {
  readonly options: { width: number };
  body: Sequential;

  constructor(opts: { width?: number } = {}) {
    super();
    const w = options<{ width?: number }>('SubPixelSR', opts, { width: is.positiveInt }).width ?? 32;
    this.options = { width: w };
    this.body = new Sequential(
      new Conv2d({ inChannels: 1, outChannels: w, kernelSize: 5, padding: 2 }),
      new ReLU(),
      new Conv2d({ inChannels: w, outChannels: w, kernelSize: 3, padding: 1 }),
      new ReLU(),
      new Conv2d({ inChannels: w, outChannels: w, kernelSize: 3, padding: 1 }),
      new ReLU(),
      new Conv2d({ inChannels: w, outChannels: 4, kernelSize: 3, padding: 1 }),
      new PixelShuffle({ upscaleFactor: 2 }),
    );
  }

  forward(x: Tensor): Tensor {
    return add(this.body.forward(x), interpolate(x, { scaleFactor: 2, mode: 'bilinear' }));
  }
}

register(UNet, 'UNet');
register(SubPixelSR, 'SubPixelSR');
