/**
 * The Kernels interface: raw compute on typed arrays. Kernels know nothing of
 * Tensor or autograd. The op-name lists below drive `Record<>` tables in each
 * backend, so tsc flags a kernel that one backend forgot.
 */
export type DType = 'float32' | 'float64' | 'int32';
export type FloatArray = Float32Array | Float64Array;
export type TypedArray = Float32Array | Float64Array | Int32Array;

/** A strided window on a typed array; stride 0 expresses broadcasting. */
export interface View {
  data: TypedArray;
  offset: number;
  shape: readonly number[];
  strides: readonly number[];
}

export { BINARY_OPS, UNARY_OPS, type BinaryOp, type UnaryOp } from './elementwise-table.js';
import type { BinaryOp, UnaryOp } from './elementwise-table.js';

export type ReduceOp = 'sum' | 'max' | 'min';

/** Arguments of a (batched) matrix product out = op(A) · op(B). */
export interface GemmArgs {
  a: FloatArray;
  b: FloatArray;
  out: FloatArray;
  batch: number;
  m: number;
  n: number;
  k: number;
  /** A is stored k×m (read as its transpose) instead of m×k. */
  transA: boolean;
  /** B is stored n×k instead of k×n. */
  transB: boolean;
  /** Elements between consecutive matrices of A and B; 0 shares one matrix across the batch. */
  strideA: number;
  strideB: number;
  /** Add into out instead of overwriting it. */
  accumulate?: boolean;
}

/**
 * The sliding window of a 2-D convolution or pooling over planes h × w: a kh × kw window moved by
 * strideH/strideW, padTop/padLeft of padding before; the padding after is whatever outH/outW
 * imply (PyTorch's 'same' pads more after).
 */
export interface Window2d {
  h: number;
  w: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
}

/**
 * Geometry of a 2-D convolution (1-D convolutions use h = kh = 1). x is [n, cIn, h, w],
 * w is [cOut, cIn / groups, kh, kw], y is [n, cOut, outH, outW].
 */
export interface ConvGeom extends Window2d {
  n: number;
  cIn: number;
  cOut: number;
  dilationH: number;
  dilationW: number;
  groups: number;
  /** Forward only: apply max(0, ·) after the bias (a conv + ReLU pair fused into one pass). */
  relu?: boolean;
}

/**
 * The backward pass of a convolution (optionally fused with a ReLU) in one kernel call, so
 * that a backend copies dy once for all of it: with reluOut (the fused conv + ReLU's output
 * y) the gradient reaching the convolution is dy·[y ≠ 0] (NaN ≠ 0; dy itself is left as it
 * is); then dx (conv2dBackwardInput), dw (conv2dBackwardWeight) and dbias (Σ of that
 * gradient over images and positions, per output channel), each only when given.
 */
export interface ConvBackwardArgs {
  x: FloatArray;
  w: FloatArray;
  dy: FloatArray;
  g: ConvGeom;
  reluOut?: FloatArray;
  dx?: FloatArray;
  dw?: FloatArray;
  dbias?: FloatArray;
}

/** A fused convolution + ReLU + max-pool block's forward pass: y = maxPool(relu(conv(x, w) + bias)), argmax per window. */
export interface ConvPoolForwardArgs {
  x: FloatArray;
  w: FloatArray;
  bias: FloatArray | null;
  y: FloatArray;
  argmax: Int32Array;
  g: ConvGeom;
  pool: PoolGeom;
}

/**
 * The backward pass of a fused convolution + ReLU + max-pool block (see
 * Kernels.conv2dReluMaxPoolForward): dy is the gradient of the pooled output, routed through
 * argmax (entries < 0 route nothing) to the convolution's output, then as ConvBackwardArgs.
 */
export interface ConvPoolBackwardArgs {
  x: FloatArray;
  w: FloatArray;
  dy: FloatArray;
  argmax: Int32Array;
  g: ConvGeom;
  pool: PoolGeom;
  dx?: FloatArray;
  dw?: FloatArray;
  dbias?: FloatArray;
}

/**
 * One Adam step in place on a parameter p with gradient g and moments m, v (all one length):
 * m = b1·m + (1 - b1)·g, v = b2·v + (1 - b2)·g², p -= stepSize·m / (√v·invBc2 + eps), where
 * stepSize = lr / (1 - b1ᵗ) and invBc2 = 1 / √(1 - b2ᵗ).
 */
export interface AdamArgs {
  p: FloatArray;
  g: FloatArray;
  m: FloatArray;
  v: FloatArray;
  b1: number;
  b2: number;
  stepSize: number;
  invBc2: number;
  eps: number;
}

/** Geometry of 2-D pooling over x [n, c, h, w] into [n, c, outH, outW]; padding counts as -inf (max) or 0 (avg). */
export interface PoolGeom extends Window2d {
  n: number;
  c: number;
}

export interface Kernels {
  readonly name: string;
  /** out (dense, x's shape) = op(x); params are the op's parameters (see elementwise-table.ts). */
  unary(op: UnaryOp, x: View, out: TypedArray, params?: readonly number[]): void;
  /** out (dense) = op(a, b); a and b are views of the output's shape (broadcast by stride 0). */
  binary(op: BinaryOp, a: View, b: View, out: TypedArray): void;
  /** out = cond != 0 ? a : b, all three views of the output's shape. */
  where(cond: View, a: View, b: View, out: TypedArray): void;
  /** Copies a view into another view of the same shape. */
  copy(src: View, dst: View): void;
  /** Reduces the middle axis of a dense [outer, red, inner] array into out [outer, inner]. */
  reduce(op: ReduceOp, x: TypedArray, outer: number, red: number, inner: number, out: TypedArray): void;
  /** Index of the max/min along the middle axis of [outer, red, inner] (first one on ties). */
  argReduce(op: 'max' | 'min', x: TypedArray, outer: number, red: number, inner: number, out: Int32Array): void;
  /** Batched matrix product, see GemmArgs. */
  gemm(args: GemmArgs): void;
  /** out[o, j, i] = x[o, idx[j], i] for x [outer, n, inner]. */
  indexSelect(x: TypedArray, outer: number, n: number, inner: number, idx: Int32Array, out: TypedArray): void;
  /** out[o, idx[j], i] += src[o, j, i]. */
  indexAdd(src: TypedArray, outer: number, n: number, inner: number, idx: Int32Array, out: TypedArray): void;
  /** out[o, j, i] = x[o, idx[o, j, i], i] for idx [outer, m, inner]. */
  gather(x: TypedArray, outer: number, n: number, inner: number, idx: Int32Array, m: number, out: TypedArray): void;
  /** out[o, idx[o, j, i], i] += src[o, j, i]. */
  scatterAdd(src: TypedArray, outer: number, n: number, inner: number, idx: Int32Array, m: number, out: TypedArray): void;
  /** y = conv(x, w) + bias (bias may be null); all dense, float32 or float64 alike. */
  conv2dForward(x: FloatArray, w: FloatArray, bias: FloatArray | null, y: FloatArray, g: ConvGeom): void;
  /** dx = dL/dx given dy (overwrites dx). */
  conv2dBackwardInput(dy: FloatArray, w: FloatArray, dx: FloatArray, g: ConvGeom): void;
  /** dw = dL/dw given x and dy (overwrites dw). */
  conv2dBackwardWeight(x: FloatArray, dy: FloatArray, dw: FloatArray, g: ConvGeom): void;
  /** A convolution's whole backward pass in one call, see ConvBackwardArgs. */
  conv2dBackward(args: ConvBackwardArgs): void;
  /**
   * Max pooling; argmax receives, for each output, the flat index h*w-plane offset of its winner:
   * the first maximum on ties, the last NaN of a window that holds NaN (PyTorch's choices).
   */
  maxPool2dForward(x: FloatArray, y: FloatArray, argmax: Int32Array, g: PoolGeom): void;
  /** dx (zeroed by the kernel) += dy routed through argmax. */
  maxPool2dBackward(dy: FloatArray, argmax: Int32Array, dx: FloatArray, g: PoolGeom): void;
  /**
   * y = maxPool(relu(conv(x, w) + bias)) without the convolution's output ever leaving the
   * kernel: argmax as maxPool2dForward's, but -1 where the window's maximum is 0 (ReLU's
   * gradient is 0 there). g is the convolution, pool the pooling over its output.
   */
  conv2dReluMaxPoolForward(args: ConvPoolForwardArgs): void;
  /** Its backward pass, see ConvPoolBackwardArgs. */
  conv2dReluMaxPoolBackward(args: ConvPoolBackwardArgs): void;
  /** Adam's update, see AdamArgs. */
  adam(args: AdamArgs): void;
  /**
   * A zeroed float32 array of n elements for long-lived data that kernels read or update
   * every step (parameters, optimiser state), which a backend may keep where its kernels use
   * it without copies (the wasm heap); it is an ordinary Float32Array to everything else.
   */
  persistentBuffer(n: number): Float32Array;
  /**
   * An int32 array of n elements, not zeroed, for indices an op keeps from its forward pass
   * for its backward pass (a max pool's argmax), which a backend may keep where its kernels
   * read it without copies (the wasm heap). releaseSaved hands it back once backward has run;
   * it must not be used after that.
   */
  savedIndices(n: number): Int32Array;
  /**
   * The same for float32 values an op keeps (a snapshot of its input): null when the backend
   * has nowhere better than the input's own array, which the op then keeps instead.
   */
  savedFloats(n: number): Float32Array | null;
  /**
   * A float32 array of n elements, not zeroed, for a gradient that one backward kernel writes in
   * full and the next one reads (a convolution's dx), where both use it without copies (the wasm heap); null
   * where the backend has nowhere better than a fresh array. The autograd engine hands it back
   * with releaseSaved once the op that reads it has run (see gradientArray in autograd/engine.ts).
   */
  gradientArray(n: number): Float32Array | null;
  releaseSaved(a: Int32Array | Float32Array): void;
  /** Average pooling, padding counted in the divisor (PyTorch's countIncludePad default). */
  avgPool2dForward(x: FloatArray, y: FloatArray, g: PoolGeom): void;
  avgPool2dBackward(dy: FloatArray, dx: FloatArray, g: PoolGeom): void;
  /**
   * Per-channel mean and biased variance of a dense x [n, c, inner] over n and inner, written to
   * mean [c] and variance [c] (two passes: the variance of the centred values, as PyTorch).
   */
  channelStats(x: FloatArray, n: number, c: number, inner: number, mean: FloatArray, variance: FloatArray): void;
  /** y = x·scale[ch] + shift[ch] for a dense x [n, c, inner] (batch norm's forward once its statistics are known). */
  channelAffine(x: FloatArray, n: number, c: number, inner: number, scale: FloatArray, shift: FloatArray, y: FloatArray): void;
  /** Batch norm's backward pass, see BatchNormBackwardArgs. */
  batchNormBackward(args: BatchNormBackwardArgs): void;
  /** randomAffine's bilinear warp of a batch of images, see AffineWarpArgs. */
  affineWarp(args: AffineWarpArgs): void;
}

/**
 * randomAffine's warp (src/data/augment.ts) of dense images x [n, c, h, w] into out, same
 * shape. Image i with warp[i] = 1 is sampled bilinearly at
 * sx = a·dx + b·dy + cx, sy = -b·dx + a·dy + cy for output pixel (x, y), where
 * dx = x - cx - tx, dy = y - cy - ty, (cx, cy) = ((w - 1) / 2, (h - 1) / 2) is the centre and
 * [a, b, tx, ty] = params[4i .. 4i + 4] (a = cos θ / s, b = sin θ / s, shifts in pixels); the
 * pixels a sample reads from outside the image count as fill. Image i with warp[i] = 0 is
 * copied unchanged (bitwise, NaN and -0 included).
 */
export interface AffineWarpArgs {
  x: FloatArray;
  out: FloatArray;
  n: number;
  c: number;
  h: number;
  w: number;
  params: Float64Array;
  warp: Uint8Array;
  fill: number;
}

/**
 * The backward pass of y = (x - mean)·invStd·weight + bias over a dense x [n, c, inner], per
 * channel. sumDy and sumDyXhat (each [c]) receive Σdy and Σdy·x̂ with x̂ = (x - mean)·invStd:
 * the bias's and the weight's gradients. dx, when given, receives the input's gradient: with
 * batch statistics (training) weight·invStd·(dy - Σdy/m - x̂·Σdy·x̂/m), m = n·inner, since the
 * mean and variance depend on x; with fixed statistics weight·invStd·dy.
 */
export interface BatchNormBackwardArgs {
  x: FloatArray;
  dy: FloatArray;
  n: number;
  c: number;
  inner: number;
  mean: FloatArray;
  invStd: FloatArray;
  weight: FloatArray;
  batchStats: boolean;
  dx: FloatArray | null;
  sumDy: FloatArray;
  sumDyXhat: FloatArray;
}
