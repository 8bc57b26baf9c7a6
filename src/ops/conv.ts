import { defineOp, gradientArray } from '../autograd/engine.js';
import { kernels } from '../kernels/index.js';
import type { ConvGeom, FloatArray } from '../kernels/types.js';
import { contiguousRaw } from '../tensor/raw.js';
import { Tensor, denseArray, newArray } from '../tensor/tensor.js';
import { TsgradError, check, fmtShape } from '../util/errors.js';
import { arg, is, options, type Check } from '../util/args.js';
import { reluGrad } from './elementwise.js';
import { reshape } from './movement.js';

/**
 * Convolution: one primitive (NCHW, im2col + gemm in the kernels) serves conv2d
 * and conv1d, which views [N, C, L] as [N, C, 1, L].
 */

export type Pair = number | readonly [number, number];
export type Padding = number | readonly [number, number] | 'same' | 'valid';

export interface Conv2dOptions {
  /** Step between windows (default 1). */
  stride?: Pair;
  /** Zeros added on each side: a number, an [h, w] pair, 'valid' (0) or 'same' (output size = input size, stride 1 only). */
  padding?: Padding;
  /** Spacing between kernel taps (default 1). */
  dilation?: Pair;
  /** Channel groups: input and output channels split into `groups` independent convolutions (default 1). */
  groups?: number;
}

export interface Conv1dOptions {
  stride?: number;
  padding?: number | 'same' | 'valid';
  dilation?: number;
  groups?: number;
}

/** Normalised geometry options: the padding after may exceed the padding before ('same' with an even kernel). */
export interface ConvOpts {
  stride: [number, number];
  dilation: [number, number];
  padBefore: [number, number];
  padAfter: [number, number];
  groups: number;
  /** A fused conv + ReLU (Conv2d/Conv1d followed by ReLU in a Sequential): y = max(0, conv + b). */
  relu?: boolean;
}

/** A size or pair of sizes as a pair, checked to be integers >= min; errors name the op and the option. */
export function pair(op: string, what: string, v: Pair, min: number): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  check(
    p.length === 2 && p.every((d) => Number.isInteger(d) && d >= min),
    op,
    () => `${what} must be ${min === 0 ? 'a non-negative' : 'a positive'} integer or a pair of them, got ${JSON.stringify(v)}`,
  );
  return p;
}

/**
 * The checks of a convolution's geometry options, shared by F.conv* and the Conv layers: a
 * kernel size, stride or dilation of 0, -1 or 2.5 would otherwise give a NaN or empty output.
 */
export function convSpec(n: 1 | 2): { stride: Check; padding: Check; dilation: Check; groups: Check } {
  // conv1d takes plain numbers (its kernels see [1, k] pairs), conv2d a number or an [h, w] pair.
  const positive = n === 1 ? is.positiveInt : is.intOrTuple(2);
  return {
    stride: positive,
    padding: is.anyOf(n === 1 ? is.nonNegativeInt : is.intOrTuple(2, 0), is.oneOf(['same', 'valid'])),
    dilation: positive,
    groups: is.positiveInt,
  };
}

function checkConvArgs(op: string, x: unknown, weight: unknown, bias: unknown): void {
  arg(op, 'input', x, is.instance(Tensor));
  arg(op, 'weight', weight, is.instance(Tensor));
  arg(op, 'bias', bias, is.nullable(is.instance(Tensor)));
}

export function geom(x: Tensor, w: Tensor, o: ConvOpts): ConvGeom {
  const [n, cIn, h, wd] = x.shape;
  const [cOut, , kh, kw] = w.shape;
  const outH = Math.floor((h + o.padBefore[0] + o.padAfter[0] - o.dilation[0] * (kh - 1) - 1) / o.stride[0]) + 1;
  const outW = Math.floor((wd + o.padBefore[1] + o.padAfter[1] - o.dilation[1] * (kw - 1) - 1) / o.stride[1]) + 1;
  return {
    n,
    cIn,
    h,
    w: wd,
    cOut,
    kh,
    kw,
    outH,
    outW,
    strideH: o.stride[0],
    strideW: o.stride[1],
    padTop: o.padBefore[0],
    padLeft: o.padBefore[1],
    dilationH: o.dilation[0],
    dilationW: o.dilation[1],
    groups: o.groups,
    ...(o.relu ? { relu: true } : {}),
  };
}

/** A tensor's elements as one dense float array (a copy only when it is a strided view). */
export const dense = (t: Tensor): FloatArray => denseArray(contiguousRaw(t)) as FloatArray;

/**
 * Runs a convolution's backward kernel with fresh arrays for the gradients of the inputs that need
 * them (x, w, bias) and returns those gradients as tensors, null for the rest.
 */
export function convGrads(
  x: Tensor,
  w: Tensor,
  b: Tensor | null | undefined,
  run: (grads: { dx?: FloatArray; dw?: FloatArray; dbias?: FloatArray }) => void,
): Array<Tensor | null> {
  const fresh = (t: Tensor | null | undefined): FloatArray | undefined =>
    t?.requiresGrad ? (newArray(t.dtype, t.size) as FloatArray) : undefined;
  // dx goes on to the op below, which is done with it within this backward pass.
  const dx = x.requiresGrad ? (gradientArray(x.dtype, x.size) as FloatArray) : undefined;
  const [dw, dbias] = [fresh(w), fresh(b)];
  run({ ...(dx ? { dx } : {}), ...(dw ? { dw } : {}), ...(dbias ? { dbias } : {}) });
  return [dx ? new Tensor(dx, x.shape) : null, dw ? new Tensor(dw, w.shape) : null, dbias ? new Tensor(dbias, b!.shape) : null];
}

const convOp = defineOp<ConvOpts, ConvGeom>({
  name: 'conv2d',
  forward: ([x, w, b], o) => {
    const g = geom(x, w, o);
    const y = newArray(x.dtype, g.n * g.cOut * g.outH * g.outW) as FloatArray;
    kernels().conv2dForward(dense(x), dense(w), b ? dense(b) : null, y, g);
    return [new Tensor(y, [g.n, g.cOut, g.outH, g.outW]), g];
  },
  // One kernel call, which copies dy once for dx, dw and the bias gradient (dL/db_c = Σ over
  // samples and positions). A fused ReLU's mask dy·[y > 0] (y > 0 exactly where y ≠ 0) is
  // applied by the kernel on its own copy of dy for a first layer (no dx): one more copy of
  // y in, but one JS pass and one full-size array fewer, which is cheaper (BENCHMARKS.md has
  // the figures). Otherwise the where pass here masks dy.
  dropsGradient: true,
  backward: (dy0, { inputs: [x, w, b], out, saved: g }) => {
    const maskInKernel = g.relu === true && !x.requiresGrad;
    const dy = g.relu && !maskInKernel ? reluGrad(dy0, out) : dy0;
    return convGrads(x, w, b, (grads) =>
      kernels().conv2dBackward({ x: dense(x), w: dense(w), dy: dense(dy), g, ...(maskInKernel ? { reluOut: dense(out) } : {}), ...grads }),
    );
  },
  attrs: (o) => ({
    stride: o.stride,
    padding: o.padBefore,
    dilation: o.dilation,
    groups: o.groups,
    ...(o.relu ? { activation: 'relu' } : {}),
  }),
});

/**
 * Checks an input against a convolution weight, naming `op` (a function or a layer):
 * rank, channel count (input channels = weight.shape[1] * groups) and groups.
 * Shared by F.conv1d/F.conv2d and the Conv layers so that both report errors alike.
 * @example
 * F.checkConvInput('MyConv', randn([8, 3, 28, 28]), [32, 1, 3, 3], 1);
 * // throws: MyConv: input has 3 channels but the layer expects 1 (input shape [8,3,28,28], weight shape [32,1,3,3])
 */
export function checkConvInput(op: string, x: Tensor, weightShape: readonly number[], groups: number): void {
  const spatial = weightShape.length - 2;
  const names = spatial === 1 ? 'N,C,L' : 'N,C,H,W';
  const cIn = weightShape[1] * groups;
  const expected = `[${names.replace(',C,', `,${cIn},`)}]`;
  check(Number.isInteger(groups) && groups >= 1, op, () => `groups must be a positive integer, got ${groups}`);
  check(
    weightShape[0] % groups === 0,
    op,
    () => `groups (${groups}) must divide the output channels (${weightShape[0]}) (weight shape ${fmtShape(weightShape)})`,
  );
  check(x.ndim === spatial + 2, op, () => `expected a ${spatial + 2}-D input ${expected}, got shape ${fmtShape(x.shape)}`);
  check(
    x.shape[1] === cIn,
    op,
    () =>
      `input has ${x.shape[1]} channels but the layer expects ${cIn} (input shape ${fmtShape(x.shape)}, weight shape ${fmtShape(weightShape)}${groups > 1 ? `, groups ${groups}` : ''})`,
  );
}

export function resolve(op: string, x: Tensor, w: Tensor, b: Tensor | null | undefined, opts: Conv2dOptions, oneD = false): ConvOpts {
  const groups = opts.groups ?? 1;
  check(Number.isInteger(groups) && groups >= 1, op, () => `groups must be a positive integer, got ${groups}`);
  check(
    x.ndim !== 4 || x.shape[1] % groups === 0,
    op,
    () => `groups (${groups}) must divide the input channels (${x.shape[1]}) (input shape ${fmtShape(x.shape)})`,
  );
  check(w.ndim === 4, op, () => `weight must be [outChannels, inChannels/groups, kh, kw], got shape ${fmtShape(w.shape)}`);
  if (!oneD) checkConvInput(op, x, w.shape, groups);
  check(
    !b || (b.ndim === 1 && b.shape[0] === w.shape[0]),
    op,
    () => `bias must have shape [${w.shape[0]}] (one per output channel), got ${fmtShape(b?.shape ?? [])}`,
  );
  check(
    x.dtype !== 'int32' && x.dtype === w.dtype && (!b || b.dtype === x.dtype),
    op,
    () => `input, weight and bias must share one floating-point dtype, got ${x.dtype}, ${w.dtype}${b ? `, ${b.dtype}` : ''}`,
  );
  const stride = pair(op, 'stride', opts.stride ?? 1, 1);
  const dilation = pair(op, 'dilation', opts.dilation ?? 1, 1);
  const k = [w.shape[2], w.shape[3]];
  const extent = k.map((kk, i) => dilation[i] * (kk - 1) + 1);
  const padding = opts.padding ?? 0;
  let padBefore: [number, number];
  let padAfter: [number, number];
  if (padding === 'same') {
    check(stride[0] === 1 && stride[1] === 1, op, () => `padding 'same' requires stride 1, got stride ${fmtShape(stride)}`);
    // PyTorch puts the odd extra zero after: total = dilation * (k - 1), before = floor(total / 2).
    padBefore = [Math.floor((extent[0] - 1) / 2), Math.floor((extent[1] - 1) / 2)];
    padAfter = [extent[0] - 1 - padBefore[0], extent[1] - 1 - padBefore[1]];
  } else if (padding === 'valid') {
    padBefore = [0, 0];
    padAfter = [0, 0];
  } else {
    padBefore = pair(op, 'padding', padding, 0);
    padAfter = padBefore;
  }
  const padded = [x.shape[2] + padBefore[0] + padAfter[0], x.shape[3] + padBefore[1] + padAfter[1]];
  if (extent[0] > padded[0] || extent[1] > padded[1]) {
    const dims = (v: readonly number[]): string => (oneD ? `${v[1]}` : `${v[0]}×${v[1]}`);
    const dil = dilation[0] > 1 || dilation[1] > 1 ? ` (dilated extent ${dims(extent)})` : '';
    const shape = oneD ? [x.shape[0], x.shape[1], x.shape[3]] : x.shape;
    throw new TsgradError(
      `${op}: kernel ${dims(k)}${dil} is larger than the padded input ${dims(padded)} ` +
        `(input shape ${fmtShape(shape)}, padding ${oneD ? padBefore[1] : fmtShape(padBefore)})`,
    );
  }
  return { stride, dilation, padBefore, padAfter, groups };
}

/**
 * 2-D convolution (cross-correlation, as in PyTorch) over x [N, Cin, H, W] with
 * weight [Cout, Cin/groups, kh, kw] and optional bias [Cout]:
 * y[n, o, i, j] = b[o] + Σ_{c, p, q} w[o, c, p, q] · x[n, g·Cin/groups + c, i·sH - padH + p·dH, j·sW - padW + q·dW].
 * Output size: floor((H + 2·padH - dH·(kh - 1) - 1) / sH) + 1.
 * @example F.conv2d(randn([8, 1, 28, 28]), randn([32, 1, 3, 3]), null, { padding: 1 }).shape // [8, 32, 28, 28]
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  checkConvArgs('conv2d', x, weight, bias);
  return convAct(x, weight, bias, options<Conv2dOptions>('conv2d', opts, convSpec(2)), false);
}

/**
 * 1-D convolution over x [N, Cin, L] with weight [Cout, Cin/groups, k]: conv2d on [N, Cin, 1, L].
 * @example F.conv1d(oneHotDna, randn([32, 4, 12]), null, { padding: 'same' }) // [N, 32, L]
 */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv1dOptions = {}): Tensor {
  checkConvArgs('conv1d', x, weight, bias);
  return convAct(x, weight, bias, options<Conv1dOptions>('conv1d', opts, convSpec(1)), false);
}

/**
 * conv1d or conv2d (by the weight's rank), then relu when `relu` is set, in one op: the kernel
 * applies max(0, ·) as it writes the output, which saves the activation's pass and its
 * full-size array. Reached through convBlock (ops/conv-pool.ts), which the fusion pass uses.
 */
export function convAct(
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  opts: Conv1dOptions | Conv2dOptions,
  relu: boolean,
): Tensor {
  if (weight.ndim === 3) {
    const { x4, w4, o } = conv1dAs2d('conv1d', x, weight, bias, opts as Conv1dOptions);
    if (relu) o.relu = true;
    const y = convOp(bias ? [x4, w4, bias] : [x4, w4], o);
    return reshape(y, [y.shape[0], y.shape[1], y.shape[3]]);
  }
  const o = resolve('conv2d', x, weight, bias, opts as Conv2dOptions);
  if (relu) o.relu = true;
  return convOp(bias ? [x, weight, bias] : [x, weight], o);
}

/** A 1-D convolution's input and weight viewed as 2-D ([N, C, 1, L]) with its options resolved, for op `op`. */
export function conv1dAs2d(
  op: string,
  x: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  opts: Conv1dOptions,
): { x4: Tensor; w4: Tensor; o: ConvOpts } {
  const groups = opts.groups ?? 1;
  check(weight.ndim === 3, op, () => `weight must be [outChannels, inChannels/groups, k], got shape ${fmtShape(weight.shape)}`);
  checkConvInput(op, x, weight.shape, groups);
  const x4 = reshape(x, [x.shape[0], x.shape[1], 1, x.shape[2]]);
  const w4 = reshape(weight, [weight.shape[0], weight.shape[1], 1, weight.shape[2]]);
  const padding = opts.padding ?? 0;
  const o = resolve(
    op,
    x4,
    w4,
    bias,
    {
      stride: [1, opts.stride ?? 1],
      dilation: [1, opts.dilation ?? 1],
      padding: typeof padding === 'number' ? [0, padding] : padding,
      groups,
    },
    true,
  );
  return { x4, w4, o };
}
