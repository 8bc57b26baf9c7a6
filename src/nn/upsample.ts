import type { Tensor } from '../tensor/tensor.js';
import { convTranspose2d, interpolate, pixelShuffle, type InterpolateOptions } from '../ops/upsample.js';
import { check } from '../util/errors.js';
import { is, options } from '../util/args.js';
import { kaimingUniform, parameter, uniform } from './init.js';
import type { Conv2d, Conv2dOptions } from './conv.js';
import { Module } from './module.js';
import { register } from './registry.js';

type Pair = number | readonly [number, number];
const asPair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/** Conv2d's options, with padding as numbers only, and the output padding of PyTorch's ConvTranspose2d. */
export interface ConvTranspose2dOptions extends Omit<Conv2dOptions, 'padding'> {
  padding?: Pair;
  outputPadding?: Pair;
}

/**
 * Transposed 2-D convolution layer (see F.convTranspose2d): weight [inChannels, outChannels/groups,
 * kh, kw], initialised as PyTorch's; with kernelSize = stride = 2 it doubles H and W.
 * @example new nn.ConvTranspose2d({ inChannels: 32, outChannels: 16, kernelSize: 2, stride: 2 }) // [N, 32, 7, 7] -> [N, 16, 14, 14]
 */
export class ConvTranspose2d extends Module {
  readonly options: Omit<Conv2d['options'], 'padding'> & { padding: [number, number]; outputPadding: [number, number] };
  weight: Tensor;
  bias: Tensor | null;

  constructor(given: ConvTranspose2dOptions) {
    super();
    const pairs = is.intOrTuple(2, 0);
    const o = options<ConvTranspose2dOptions>(
      'ConvTranspose2d',
      given,
      {
        inChannels: is.positiveInt,
        outChannels: is.positiveInt,
        kernelSize: is.intOrTuple(2),
        stride: is.intOrTuple(2),
        padding: pairs,
        outputPadding: pairs,
        dilation: is.intOrTuple(2),
        groups: is.positiveInt,
        bias: is.bool,
      },
      ['inChannels', 'outChannels', 'kernelSize'],
    );
    const groups = o.groups ?? 1;
    check(
      o.inChannels % groups === 0 && o.outChannels % groups === 0,
      'ConvTranspose2d',
      () => `groups (${groups}) must divide both inChannels (${o.inChannels}) and outChannels (${o.outChannels})`,
    );
    this.options = {
      inChannels: o.inChannels,
      outChannels: o.outChannels,
      kernelSize: asPair(o.kernelSize),
      stride: asPair(o.stride ?? 1),
      padding: asPair(o.padding ?? 0),
      outputPadding: asPair(o.outputPadding ?? 0),
      dilation: asPair(o.dilation ?? 1),
      groups,
      bias: o.bias ?? true,
    };
    const [kh, kw] = this.options.kernelSize;
    this.weight = kaimingUniform(parameter([o.inChannels, o.outChannels / groups, kh, kw]), { a: Math.sqrt(5) });
    // PyTorch's fan-in of a transposed convolution's weight: its second axis times the kernel.
    const bound = 1 / Math.sqrt((o.outChannels / groups) * kh * kw);
    this.bias = this.options.bias ? uniform(parameter([o.outChannels]), { low: -bound, high: bound }) : null;
  }

  forward(x: Tensor): Tensor {
    const { stride, padding, outputPadding, dilation, groups } = this.options;
    return convTranspose2d(x, this.weight, this.bias, { stride, padding, outputPadding, dilation, groups });
  }
}

/**
 * Resizes images by a scale factor or to a size (see F.interpolate): nearest or bilinear.
 * @example new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' })
 */
export class Upsample extends Module {
  readonly options: InterpolateOptions;

  constructor(opts: InterpolateOptions) {
    super();
    const o = options<InterpolateOptions>('Upsample', opts, {
      size: is.anyOf(is.positiveInt, is.arrayOf(is.positiveInt, 2)),
      scaleFactor: is.anyOf(is.positive, is.arrayOf(is.positive, 2)),
      mode: is.oneOf(['nearest', 'bilinear', 'bicubic']),
      alignCorners: is.bool,
    });
    check((o.size === undefined) !== (o.scaleFactor === undefined), 'Upsample', () => 'give exactly one of size and scaleFactor');
    this.options = { ...o };
  }

  forward(x: Tensor): Tensor {
    return interpolate(x, this.options);
  }
}

/**
 * [N, C·r², H, W] -> [N, C, H·r, W·r] (see F.pixelShuffle): the last layer of a sub-pixel
 * super-resolution network.
 * @example new nn.PixelShuffle({ upscaleFactor: 2 })
 */
export class PixelShuffle extends Module {
  readonly options: { upscaleFactor: number };

  constructor(opts: { upscaleFactor: number }) {
    super();
    this.options = { ...options<{ upscaleFactor: number }>('PixelShuffle', opts, { upscaleFactor: is.positiveInt }, ['upscaleFactor']) };
  }

  forward(x: Tensor): Tensor {
    return pixelShuffle(x, this.options.upscaleFactor);
  }
}

// Explicit names, so that saved models and the printed model survive a minifier.
register(ConvTranspose2d, 'ConvTranspose2d');
register(Upsample, 'Upsample');
register(PixelShuffle, 'PixelShuffle');
