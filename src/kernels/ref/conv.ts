import type { ConvBackwardArgs, ConvGeom, ConvPoolBackwardArgs, ConvPoolForwardArgs, FloatArray, PoolGeom } from '../types.js';
import { gemm } from './gemm.js';

/**
 * Reference convolution and pooling kernels. A convolution is im2col + gemm:
 * each sample's receptive fields are copied into a column matrix
 * col[(c, i, j), (oh, ow)] = x[c, oh*sH - padTop + i*dH, ow*sW - padLeft + j*dW]
 * (zero outside the input), so that y_g = W_g · col_g for every group g.
 * The backward passes are the two transposed products and col2im.
 */

function alloc(like: FloatArray, n: number): FloatArray {
  return like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n);
}

/** Rows of one group's column matrix (cIn/groups * kh * kw) and its columns (outH * outW). */
function colSize(g: ConvGeom): { k: number; p: number } {
  return { k: (g.cIn / g.groups) * g.kh * g.kw, p: g.outH * g.outW };
}

/** A 1×1 convolution with stride 1 and no padding reads x itself as its column matrix. */
function isPointwise(g: ConvGeom): boolean {
  return (
    g.kh === 1 && g.kw === 1 && g.strideH === 1 && g.strideW === 1 && g.padTop === 0 && g.padLeft === 0 && g.outH === g.h && g.outW === g.w
  );
}

/**
 * Visits every row of the column matrix col [cIn, kh, kw, outH*outW] of one sample: row(o, r, iw0)
 * gets the row's start o in col, the start r of the input row it reads (-1 where that row is
 * padding), and the input column iw0 read by output column 0 (then every strideW).
 */
function forEachColRow(g: ConvGeom, planeOff: number, row: (o: number, r: number, iw0: number) => void): void {
  const { h, w, kh, kw, outH, outW } = g;
  const p = outH * outW;
  let k = 0;
  for (let c = 0; c < g.cIn; c++) {
    const plane = planeOff + c * h * w;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++, k++) {
        for (let oh = 0; oh < outH; oh++) {
          const ih = oh * g.strideH - g.padTop + i * g.dilationH;
          row(k * p + oh * outW, ih < 0 || ih >= h ? -1 : plane + ih * w, j * g.dilationW - g.padLeft);
        }
      }
    }
  }
}

/** Fills col [cIn, kh, kw, outH*outW] from sample x (offset xOff), all groups at once. */
function im2col(x: FloatArray, xOff: number, col: FloatArray, g: ConvGeom): void {
  const { w, outW, strideW } = g;
  forEachColRow(g, xOff, (o, r, iw) => {
    if (r < 0) col.fill(0, o, o + outW);
    else for (let ow = 0; ow < outW; ow++, iw += strideW) col[o + ow] = iw >= 0 && iw < w ? x[r + iw] : 0;
  });
}

/** The adjoint of im2col: dx (offset dxOff) += every column entry at the input position it was read from. */
function col2im(col: FloatArray, dx: FloatArray, dxOff: number, g: ConvGeom): void {
  const { w, outW, strideW } = g;
  forEachColRow(g, dxOff, (o, r, iw) => {
    if (r >= 0) for (let ow = 0; ow < outW; ow++, iw += strideW) if (iw >= 0 && iw < w) dx[r + iw] += col[o + ow];
  });
}

/** y = conv(x, w) + bias, one gemm per sample batched over the groups. */
export function conv2dForward(x: FloatArray, w: FloatArray, bias: FloatArray | null, y: FloatArray, g: ConvGeom): void {
  const { k, p } = colSize(g);
  const coutG = g.cOut / g.groups;
  const direct = isPointwise(g);
  const col = direct ? null : alloc(x, g.groups * k * p);
  for (let s = 0; s < g.n; s++) {
    const xOff = s * g.cIn * g.h * g.w;
    if (col) im2col(x, xOff, col, g);
    const b = col ?? x.subarray(xOff, xOff + g.cIn * p);
    const out = y.subarray(s * g.cOut * p, (s + 1) * g.cOut * p);
    gemm({ a: w, b, out, batch: g.groups, m: coutG, n: p, k, transA: false, transB: false, strideA: coutG * k, strideB: k * p });
    if (bias) {
      for (let c = 0; c < g.cOut; c++) {
        const bc = bias[c];
        for (let q = c * p; q < (c + 1) * p; q++) out[q] += bc;
      }
    }
    // relu as the unary kernel has it: a NaN sum stays NaN.
    if (g.relu) for (let q = 0; q < out.length; q++) out[q] = out[q] <= 0 ? 0 : out[q];
  }
}

/** dx = col2im(W_g^T · dy_g) for every sample and group. */
export function conv2dBackwardInput(dy: FloatArray, w: FloatArray, dx: FloatArray, g: ConvGeom): void {
  const { k, p } = colSize(g);
  const coutG = g.cOut / g.groups;
  const direct = isPointwise(g);
  const col = direct ? null : alloc(dy, g.groups * k * p);
  const xs = g.cIn * g.h * g.w;
  if (!direct) dx.fill(0, 0, g.n * xs);
  for (let s = 0; s < g.n; s++) {
    const dys = dy.subarray(s * g.cOut * p, (s + 1) * g.cOut * p);
    // W_g is stored coutG×k: read transposed it is the k×coutG left factor.
    const out = col ?? dx.subarray(s * xs, (s + 1) * xs);
    gemm({ a: w, b: dys, out, batch: g.groups, m: k, n: p, k: coutG, transA: true, transB: false, strideA: coutG * k, strideB: coutG * p });
    if (col) col2im(col, dx, s * xs, g);
  }
}

/**
 * The whole backward pass (see ConvBackwardArgs): dy·[y ≠ 0] in a fresh array (y ≠ 0 as
 * the where kernel tests it: NaN passes, ±0 does not), the bias gradient as per-channel
 * sums in float64 rounded once, then the two products.
 */
export function conv2dBackward({ x, w, dy, g, reluOut, dx, dw, dbias }: ConvBackwardArgs): void {
  const d = reluOut ? reluMask(dy, reluOut) : dy;
  if (dbias) channelSums(d, g, dbias);
  if (dx) conv2dBackwardInput(d, w, dx, g);
  if (dw) conv2dBackwardWeight(x, d, dw, g);
}

function reluMask(dy: FloatArray, y: FloatArray): FloatArray {
  const d = alloc(dy, dy.length);
  for (let i = 0; i < d.length; i++) d[i] = y[i] !== 0 ? dy[i] : 0;
  return d;
}

function channelSums(d: FloatArray, g: ConvGeom, db: FloatArray): void {
  const p = g.outH * g.outW;
  for (let c = 0; c < g.cOut; c++) {
    let s = 0;
    for (let n = 0; n < g.n; n++) {
      const o = (n * g.cOut + c) * p;
      for (let i = 0; i < p; i++) s += d[o + i];
    }
    db[c] = s;
  }
}

/** dW_g = Σ_samples dy_g · col_g^T. */
export function conv2dBackwardWeight(x: FloatArray, dy: FloatArray, dw: FloatArray, g: ConvGeom): void {
  const { k, p } = colSize(g);
  const coutG = g.cOut / g.groups;
  const direct = isPointwise(g);
  const col = direct ? null : alloc(x, g.groups * k * p);
  dw.fill(0, 0, g.cOut * k);
  for (let s = 0; s < g.n; s++) {
    const xOff = s * g.cIn * g.h * g.w;
    if (col) im2col(x, xOff, col, g);
    const b = col ?? x.subarray(xOff, xOff + g.cIn * p);
    const dys = dy.subarray(s * g.cOut * p, (s + 1) * g.cOut * p);
    // col_g is stored k×p, i.e. as the transposed (n×k) right factor of a coutG×k product.
    gemm({
      a: dys,
      b,
      out: dw,
      batch: g.groups,
      m: coutG,
      n: k,
      k: p,
      transA: false,
      transB: true,
      strideA: coutG * p,
      strideB: k * p,
      accumulate: true,
    });
  }
}

/**
 * Visits every pooling window: win(xOff, o, h0, h1, w0, w1) gets the input plane's offset, the
 * output index, and the window's rows [h0, h1) and columns [w0, w1) clipped to the input.
 */
function forEachWindow(g: PoolGeom, win: (xOff: number, o: number, h0: number, h1: number, w0: number, w1: number) => void): void {
  const { h, w, outH, outW } = g;
  for (let plane = 0; plane < g.n * g.c; plane++) {
    const xOff = plane * h * w;
    const yOff = plane * outH * outW;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = oh * g.strideH - g.padTop;
      for (let ow = 0; ow < outW; ow++) {
        const w0 = ow * g.strideW - g.padLeft;
        win(xOff, yOff + oh * outW + ow, Math.max(h0, 0), Math.min(h0 + g.kh, h), Math.max(w0, 0), Math.min(w0 + g.kw, w));
      }
    }
  }
}

/** Max over each window; padding never wins (it counts as -inf). NaN propagates, as in PyTorch. */
export function maxPool2dForward(x: FloatArray, y: FloatArray, argmax: Int32Array, g: PoolGeom): void {
  const w = g.w;
  forEachWindow(g, (xOff, o, h0, h1, w0, w1) => {
    let best = -Infinity;
    let at = -1;
    for (let ih = h0; ih < h1; ih++) {
      for (let iw = w0; iw < w1; iw++) {
        const v = x[xOff + ih * w + iw];
        // Ties keep the first maximum; every NaN wins, so the last NaN of the window
        // takes the gradient (PyTorch's rule: val > max || isnan(val)).
        if (at < 0 || v > best || v !== v) {
          best = v;
          at = ih * w + iw;
        }
      }
    }
    y[o] = best;
    argmax[o] = at;
  });
}

export function maxPool2dBackward(dy: FloatArray, argmax: Int32Array, dx: FloatArray, g: PoolGeom): void {
  const hw = g.h * g.w;
  const ohw = g.outH * g.outW;
  dx.fill(0, 0, g.n * g.c * hw);
  for (let plane = 0; plane < g.n * g.c; plane++) {
    for (let q = 0; q < ohw; q++) {
      const at = argmax[plane * ohw + q];
      if (at >= 0) dx[plane * hw + at] += dy[plane * ohw + q];
    }
  }
}

/**
 * maxPool(relu(conv(x, w) + bias)) by the three kernels in turn; a window whose maximum is 0
 * (all of it cut by the ReLU) gets argmax -1, so that its gradient reaches no input.
 */
export function conv2dReluMaxPoolForward({ x, w, bias, y, argmax, g, pool }: ConvPoolForwardArgs): void {
  const c = alloc(x, g.n * g.cOut * g.outH * g.outW);
  conv2dForward(x, w, bias, c, { ...g, relu: true });
  maxPool2dForward(c, y, argmax, pool);
  for (let i = 0; i < argmax.length; i++) if (y[i] === 0) argmax[i] = -1;
}

/** The pooled gradient routed to the convolution's output through argmax, then conv2dBackward. */
export function conv2dReluMaxPoolBackward({ x, w, dy, argmax, g, pool, dx, dw, dbias }: ConvPoolBackwardArgs): void {
  const d = alloc(x, g.n * g.cOut * g.outH * g.outW);
  maxPool2dBackward(dy, argmax, d, pool);
  conv2dBackward({ x, w, dy: d, g, ...(dx ? { dx } : {}), ...(dw ? { dw } : {}), ...(dbias ? { dbias } : {}) });
}

/** Mean over each window; padded cells count in the divisor kh*kw (PyTorch's countIncludePad). */
export function avgPool2dForward(x: FloatArray, y: FloatArray, g: PoolGeom): void {
  const inv = 1 / (g.kh * g.kw);
  const w = g.w;
  forEachWindow(g, (xOff, o, h0, h1, w0, w1) => {
    let s = 0;
    for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) s += x[xOff + ih * w + iw];
    y[o] = s * inv;
  });
}

export function avgPool2dBackward(dy: FloatArray, dx: FloatArray, g: PoolGeom): void {
  const inv = 1 / (g.kh * g.kw);
  const w = g.w;
  dx.fill(0, 0, g.n * g.c * g.h * w);
  forEachWindow(g, (xOff, o, h0, h1, w0, w1) => {
    const d = dy[o] * inv;
    for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) dx[xOff + ih * w + iw] += d;
  });
}
