import { defineOp } from '../autograd/engine.js';
import { kernels } from '../kernels/index.js';
import type { ConvGeom, FloatArray } from '../kernels/types.js';
import { tensor } from '../tensor/create.js';
import { Tensor, newArray } from '../tensor/tensor.js';
import { arg, is, options } from '../util/args.js';
import { TsgradError, check, fmtShape } from '../util/errors.js';
import { dense, pair, type Pair } from './conv.js';
import { add, mul } from './elementwise.js';
import { indexSelect } from './indexing.js';
import { permute, reshape } from './movement.js';

/**
 * Layers that make images larger, for segmentation, super-resolution and decoders: the transposed
 * convolution (a primitive: its forward is a convolution's input gradient, its backward a
 * convolution and a weight gradient, so it runs on the convolution kernels of both backends),
 * interpolation and pixel shuffle (composites of indexing and movement ops).
 */

const IS_TENSOR = is.instance(Tensor);

export interface ConvTranspose2dOptions {
  /** Step of the equivalent convolution (default 1): the output grows by about this factor. */
  stride?: Pair;
  /** Rows and columns removed from each side of the output (default 0), PyTorch's padding. */
  padding?: Pair;
  /** Extra rows and columns added at the bottom and right (default 0; less than stride or dilation). */
  outputPadding?: Pair;
  dilation?: Pair;
  groups?: number;
}

/** The geometry of the convolution whose input gradient a transposed convolution computes. */
interface TransposeGeom {
  g: ConvGeom;
  outShape: number[];
}

const convTransposeOp = defineOp<ConvGeom>({
  name: 'convTranspose2d',
  forward: ([x, w], g) => {
    const y = newArray(x.dtype, g.n * g.cIn * g.h * g.w) as FloatArray;
    kernels().conv2dBackwardInput(dense(x), dense(w), y, g);
    return new Tensor(y, [g.n, g.cIn, g.h, g.w]);
  },
  // The transposed convolution is the adjoint of the convolution g: its input's gradient is
  // that convolution applied to dy, its weight's gradient the convolution's weight gradient with
  // dy as the convolution's input and x as its output gradient.
  backward: (dy, { inputs: [x, w], opts: g }) => {
    let dx: Tensor | null = null;
    let dw: Tensor | null = null;
    if (x.requiresGrad) {
      const out = newArray(x.dtype, x.size) as FloatArray;
      kernels().conv2dForward(dense(dy), dense(w), null, out, g);
      dx = new Tensor(out, x.shape);
    }
    if (w.requiresGrad) {
      const out = newArray(w.dtype, w.size) as FloatArray;
      kernels().conv2dBackwardWeight(dense(dy), dense(x), out, g);
      dw = new Tensor(out, w.shape);
    }
    return [dx, dw];
  },
  attrs: (g) => ({
    stride: [g.strideH, g.strideW],
    padding: [g.padTop, g.padLeft],
    dilation: [g.dilationH, g.dilationW],
    groups: g.groups,
  }),
});

function transposeGeom(op: string, x: Tensor, w: Tensor, o: ConvTranspose2dOptions): TransposeGeom {
  check(x.ndim === 4, op, () => `expected an input [N, C, H, W], got shape ${fmtShape(x.shape)}`);
  check(w.ndim === 4, op, () => `weight must be [inChannels, outChannels/groups, kh, kw], got shape ${fmtShape(w.shape)}`);
  check(
    x.dtype !== 'int32' && x.dtype === w.dtype,
    op,
    () => `input and weight must share one floating-point dtype, got ${x.dtype} and ${w.dtype}`,
  );
  const groups = o.groups ?? 1;
  check(Number.isInteger(groups) && groups >= 1, op, () => `groups must be a positive integer, got ${groups}`);
  const [n, cIn, h, wd] = x.shape;
  check(
    w.shape[0] === cIn && cIn % groups === 0,
    op,
    () => `input has ${cIn} channels but the weight ${fmtShape(w.shape)} expects ${w.shape[0]} (divisible by groups ${groups})`,
  );
  const stride = pair(op, 'stride', o.stride ?? 1, 1);
  const padding = pair(op, 'padding', o.padding ?? 0, 0);
  const outputPadding = pair(op, 'outputPadding', o.outputPadding ?? 0, 0);
  const dilation = pair(op, 'dilation', o.dilation ?? 1, 1);
  outputPadding.forEach((p, i) =>
    check(
      p < stride[i] || p < dilation[i],
      op,
      () =>
        `outputPadding (${fmtShape(outputPadding)}) must be smaller than stride or dilation (${fmtShape(stride)}, ${fmtShape(dilation)})`,
    ),
  );
  const k = [w.shape[2], w.shape[3]];
  const out = [0, 1].map((i) => (x.shape[2 + i] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (k[i] - 1) + outputPadding[i] + 1);
  check(
    out[0] >= 1 && out[1] >= 1,
    op,
    () => `the output would be ${out[0]}×${out[1]} (input ${fmtShape(x.shape)}, padding ${fmtShape(padding)})`,
  );
  const cOut = w.shape[1] * groups;
  return {
    outShape: [n, cOut, out[0], out[1]],
    g: {
      n,
      cIn: cOut,
      h: out[0],
      w: out[1],
      cOut: cIn,
      kh: k[0],
      kw: k[1],
      outH: h,
      outW: wd,
      strideH: stride[0],
      strideW: stride[1],
      padTop: padding[0],
      padLeft: padding[1],
      dilationH: dilation[0],
      dilationW: dilation[1],
      groups,
    },
  };
}

const TRANSPOSE_SPEC = {
  stride: is.intOrTuple(2),
  padding: is.intOrTuple(2, 0),
  outputPadding: is.intOrTuple(2, 0),
  dilation: is.intOrTuple(2),
  groups: is.positiveInt,
};

/**
 * Transposed 2-D convolution (PyTorch's conv_transpose2d), the gradient of conv2d with respect to
 * its input: x [N, Cin, H, W], weight [Cin, Cout/groups, kh, kw], bias [Cout]; output side
 * (H - 1)·stride - 2·padding + dilation·(kh - 1) + outputPadding + 1.
 * @example F.convTranspose2d(tg.randn([1, 8, 7, 7]), tg.randn([8, 4, 2, 2]), null, { stride: 2 }).shape // [1, 4, 14, 14]
 */
export function convTranspose2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTranspose2dOptions = {}): Tensor {
  arg('convTranspose2d', 'input', x, IS_TENSOR);
  arg('convTranspose2d', 'weight', weight, IS_TENSOR);
  arg('convTranspose2d', 'bias', bias, is.nullable(IS_TENSOR));
  const o = options<ConvTranspose2dOptions>('convTranspose2d', opts, TRANSPOSE_SPEC);
  const { g, outShape } = transposeGeom('convTranspose2d', x, weight, o);
  const y = convTransposeOp([x, weight], g);
  if (!bias) return y;
  check(
    bias.ndim === 1 && bias.shape[0] === outShape[1],
    'convTranspose2d',
    () => `bias must have shape [${outShape[1]}] (one per output channel), got ${fmtShape(bias.shape)}`,
  );
  return add(y, reshape(bias, [1, outShape[1], 1, 1]));
}

export interface InterpolateOptions {
  /** Output [H, W] (or one number for both); give this or scaleFactor. */
  size?: number | readonly [number, number];
  /** Output = floor(input · scaleFactor) per axis. */
  scaleFactor?: number | readonly [number, number];
  /** 'nearest' (default), 'bilinear' or 'bicubic' (PyTorch's cubic convolution, a = -0.75, edges repeated). */
  mode?: 'nearest' | 'bilinear' | 'bicubic';
  /** Bilinear and bicubic: corner pixels' centres align (PyTorch's align_corners; default false). */
  alignCorners?: boolean;
}

/** Where output index i reads along an axis of n inputs (PyTorch's source index; cubic keeps it unclamped). */
function sourceIndex(i: number, n: number, out: number, alignCorners: boolean, scale: number | undefined, cubic: boolean): number {
  if (alignCorners) return out > 1 ? (i * (n - 1)) / (out - 1) : 0;
  // PyTorch uses 1/scaleFactor when one was given, n/out otherwise.
  const ratio = scale !== undefined ? 1 / scale : n / out;
  const src = (i + 0.5) * ratio - 0.5;
  return cubic ? src : Math.max(0, src);
}

/** Keys' cubic convolution weights (a = -0.75, PyTorch's) of the four taps around fraction t. */
function cubicWeights(t: number): number[] {
  const a = -0.75;
  const near = (d: number): number => ((a + 2) * d - (a + 3)) * d * d + 1;
  const far = (d: number): number => ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
  return [far(t + 1), near(t), near(1 - t), far(2 - t)];
}

/**
 * The taps of one axis: for each of `taps` offsets, the source index of every output position
 * and its weight. Bilinear has two taps, bicubic four (indices clamped to the edges).
 */
function axisTaps(
  n: number,
  out: number,
  mode: 'bilinear' | 'bicubic',
  alignCorners: boolean,
  scale: number | undefined,
): Array<[number[], number[]]> {
  const cubic = mode === 'bicubic';
  const taps: Array<[number[], number[]]> = Array.from({ length: cubic ? 4 : 2 }, () => [[], []]);
  const clampIdx = (k: number): number => Math.min(n - 1, Math.max(0, k));
  for (let i = 0; i < out; i++) {
    const src = sourceIndex(i, n, out, alignCorners, scale, cubic);
    const i0 = Math.floor(src);
    const t = src - i0;
    if (cubic) {
      cubicWeights(t).forEach((w, k) => {
        taps[k][0].push(clampIdx(i0 - 1 + k));
        taps[k][1].push(w);
      });
    } else {
      const lo = Math.min(i0, n - 1);
      taps[0][0].push(lo);
      taps[0][1].push(1 - (src - lo));
      taps[1][0].push(Math.min(lo + 1, n - 1));
      taps[1][1].push(src - lo);
    }
  }
  return taps;
}

/**
 * Resizes [N, C, H, W] images (PyTorch's F.interpolate): nearest (output pixel i reads input
 * floor(i · H / outH), or floor(i / scaleFactor) when a scale factor is given), bilinear or
 * bicubic, with alignCorners as PyTorch's. Differentiable in the input.
 * @example F.interpolate(x, { scaleFactor: 2, mode: 'bilinear' }) // [N, C, 2H, 2W]
 */
export function interpolate(x: Tensor, opts: InterpolateOptions): Tensor {
  arg('interpolate', 'input', x, IS_TENSOR);
  const o = options<InterpolateOptions>('interpolate', opts, {
    size: is.anyOf(is.positiveInt, is.arrayOf(is.positiveInt)),
    scaleFactor: is.anyOf(is.number, is.arrayOf(is.number)),
    mode: is.oneOf(['nearest', 'bilinear', 'bicubic']),
    alignCorners: is.bool,
  });
  check(x.ndim === 4, 'interpolate', () => `expected an input [N, C, H, W], got shape ${fmtShape(x.shape)}`);
  if ((o.size === undefined) === (o.scaleFactor === undefined)) {
    throw new TsgradError('interpolate: give exactly one of size and scaleFactor');
  }
  const mode = o.mode ?? 'nearest';
  if (o.alignCorners !== undefined && mode === 'nearest')
    throw new TsgradError("interpolate: alignCorners applies to mode 'bilinear' only");
  const scales =
    o.scaleFactor === undefined ? undefined : typeof o.scaleFactor === 'number' ? [o.scaleFactor, o.scaleFactor] : [...o.scaleFactor];
  if (scales) {
    check(
      scales.length === 2 && scales.every((s) => Number.isFinite(s) && s > 0),
      'interpolate',
      () => `scaleFactor must be positive (a number or a pair), got ${JSON.stringify(o.scaleFactor)}`,
    );
  }
  const size =
    o.size !== undefined
      ? typeof o.size === 'number'
        ? [o.size, o.size]
        : [...o.size]
      : [Math.floor(x.shape[2] * scales![0]), Math.floor(x.shape[3] * scales![1])];
  check(size.length === 2 && size.every((d) => d >= 1), 'interpolate', () => `the output size must be positive, got ${fmtShape(size)}`);
  let y = x;
  for (const axis of [2, 3]) {
    const n = x.shape[axis];
    const out = size[axis - 2];
    const scale = scales?.[axis - 2];
    if (mode === 'nearest') {
      const idx = Array.from({ length: out }, (_, i) => Math.min(n - 1, Math.floor(scale !== undefined ? i / scale : (i * n) / out)));
      y = indexSelect(y, axis, tensor(idx, { dtype: 'int32' }));
    } else {
      // A weighted sum of shifted copies of the image along this axis, one per tap.
      const shape = axis === 2 ? [1, 1, out, 1] : [1, 1, 1, out];
      const src = y;
      const terms = axisTaps(n, out, mode, o.alignCorners ?? false, scale).map(([idx, w]) =>
        mul(indexSelect(src, axis, tensor(idx, { dtype: 'int32' })), tensor(w, { shape, dtype: x.dtype })),
      );
      y = terms.reduce((acc, t) => add(acc, t));
    }
  }
  return y;
}

/**
 * Rearranges [N, C·r², H, W] into [N, C, H·r, W·r] (Shi et al. 2016's sub-pixel convolution, as
 * PyTorch's pixel_shuffle): output pixel (h·r + i, w·r + j) of channel c is input channel c·r² + i·r + j.
 * @example F.pixelShuffle(tg.randn([1, 4, 14, 14]), 2).shape // [1, 1, 28, 28]
 */
export function pixelShuffle(x: Tensor, upscaleFactor: number): Tensor {
  arg('pixelShuffle', 'input', x, IS_TENSOR);
  arg('pixelShuffle', 'upscaleFactor', upscaleFactor, is.positiveInt);
  const r = upscaleFactor;
  check(
    x.ndim === 4 && x.shape[1] % (r * r) === 0,
    'pixelShuffle',
    () => `expected an input [N, C·${r * r}, H, W] (channels divisible by upscaleFactor² = ${r * r}), got shape ${fmtShape(x.shape)}`,
  );
  const [n, c, h, w] = x.shape;
  const split = reshape(x, [n, c / (r * r), r, r, h, w]);
  return reshape(permute(split, [0, 1, 4, 2, 5, 3]), [n, c / (r * r), h * r, w * r]);
}
