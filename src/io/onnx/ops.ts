import type { ConvGeom, DType, PoolGeom } from '../../kernels/types.js';
import type { ConvOpts } from '../../ops/conv.js';
import type { Pool2dOptions } from '../../ops/pool.js';
import { promote } from '../../tensor/raw.js';
import { fmtShape } from '../../util/errors.js';
import { ONNX_DTYPE } from './proto.js';
import type { TraceValue } from './trace.js';

/**
 * How each op tsgrad records becomes ONNX nodes. The ops are the primitives of the autograd
 * graph (ops/*.ts); composites (softmax, layer norm, GELU, ...) arrive here as the primitives
 * they are written in, so that one table covers every layer and any custom Module.
 */

/** An ONNX attribute: INT, INTS, STRING, or FLOAT written as { float }. */
export type AttrValue = number | number[] | string | { float: number };

/** What a converter sees of one recorded op and how it adds nodes. */
export interface Emit {
  value: TraceValue;
  /** Names of the op's inputs in the ONNX graph. */
  inputs: string[];
  parents: TraceValue[];
  opset: number;
  /** Adds a node and returns its output's name. */
  node(type: string, inputs: string[], attrs?: Record<string, AttrValue>, out?: string): string;
  /** An int64 initializer (a 1-D list, or a 0-d scalar). */
  int64(values: readonly number[] | number): string;
  /** A 0-d initializer of a dtype. */
  scalar(value: number, dtype: DType): string;
  /** Which axes of a value change with the batch size (all false when the batch is fixed). */
  dynamic(v: TraceValue): boolean[];
  /** The boolean tensor a comparison's 0/1 output was cast from, by output name. */
  bools: Map<string, string>;
  fail(why: string): never;
}

type Converter = (e: Emit) => string;

function cast(e: Emit, name: string, from: DType, to: DType | 'bool'): string {
  return from === to ? name : e.node('Cast', [name], { to: ONNX_DTYPE[to] });
}

const unary =
  (type: string): Converter =>
  (e) =>
    e.node(type, [e.inputs[0]]);

/** add, sub, ...: operands cast to the output's dtype (tsgrad promotes, ONNX wants one type). */
const arith =
  (type: string): Converter =>
  (e) => {
    const dt = e.value.t.dtype;
    return e.node(
      type,
      e.inputs.map((n, i) => cast(e, n, e.parents[i].t.dtype, dt)),
    );
  };

/** A comparison: ONNX's boolean result cast to the 0/1 values tsgrad returns, remembered for where. */
const compare =
  (type: string, negate = false): Converter =>
  (e) => {
    const common = promote(e.parents[0].t.dtype, e.parents[1].t.dtype);
    let bool = e.node(
      type,
      e.inputs.map((n, i) => cast(e, n, e.parents[i].t.dtype, common)),
    );
    if (negate) bool = e.node('Not', [bool]);
    const out = e.node('Cast', [bool], { to: ONNX_DTYPE[e.value.t.dtype] });
    e.bools.set(out, bool);
    return out;
  };

function clip(e: Emit, min: number, max: number): string {
  const dt = e.value.t.dtype;
  const lo = min > -Infinity ? e.scalar(min, dt) : '';
  const hi = max < Infinity ? e.scalar(max, dt) : '';
  return e.node('Clip', hi ? [e.inputs[0], lo, hi] : lo ? [e.inputs[0], lo] : [e.inputs[0]]);
}

/** A reduction whose axes are an input from opset 18 on (13 for ReduceSum) and an attribute before. */
function reduce(e: Emit, type: string, x: string, axes: number[], keepDim: boolean, since: number): string {
  if (e.opset >= since) return e.node(type, [x, e.int64(axes)], { keepdims: keepDim ? 1 : 0 });
  return e.node(type, [x], { axes, keepdims: keepDim ? 1 : 0 });
}

interface ReduceOpts {
  axes: number[];
  keepDim: boolean;
  p?: number;
}

function reduction(type: string, since: number): Converter {
  return (e) => {
    const { axes, keepDim } = e.value.opts as ReduceOpts;
    if (axes.length === 0) return e.node('Identity', [e.inputs[0]]);
    return reduce(e, type, e.inputs[0], axes, keepDim, since);
  };
}

function pair(v: number | readonly number[] | undefined, fallback: [number, number]): [number, number] {
  if (v === undefined) return fallback;
  return typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

function conv(e: Emit, o: ConvOpts): string {
  const w = e.parents[1].t;
  return e.node('Conv', e.inputs, {
    kernel_shape: [w.shape[2], w.shape[3]],
    strides: [...o.stride],
    dilations: [...o.dilation],
    pads: [o.padBefore[0], o.padBefore[1], o.padAfter[0], o.padAfter[1]],
    group: o.groups,
  });
}

function pool(type: string): Converter {
  return (e) => {
    const g = e.value.opts as PoolGeom;
    return e.node(type, [e.inputs[0]], {
      kernel_shape: [g.kh, g.kw],
      strides: [g.strideH, g.strideW],
      pads: [g.padTop, g.padLeft, g.padTop, g.padLeft],
      ...(type === 'AveragePool' ? { count_include_pad: 1 } : {}),
    });
  };
}

export const CONVERTERS: Record<string, Converter> = {
  // Unary primitives (kernels/elementwise-table.ts).
  neg: unary('Neg'),
  abs: unary('Abs'),
  sqrt: unary('Sqrt'),
  square: (e) => e.node('Mul', [e.inputs[0], e.inputs[0]]),
  relu: unary('Relu'),
  reciprocal: unary('Reciprocal'),
  softsign: unary('Softsign'),
  hardtanh: (e) => {
    const [min, max] = e.value.opts as number[];
    return clip(e, min, max);
  },
  exp: unary('Exp'),
  log: unary('Log'),
  sigmoid: unary('Sigmoid'),
  tanh: unary('Tanh'),
  log1p: (e) => e.node('Log', [e.node('Add', [e.inputs[0], e.scalar(1, e.value.t.dtype)])]),
  sign: unary('Sign'),
  erf: unary('Erf'),
  sin: unary('Sin'),
  cos: unary('Cos'),
  isnan: (e) => cast(e, e.node('IsNaN', [e.inputs[0]]), 'bool' as DType, e.value.t.dtype),

  // Binary primitives.
  add: arith('Add'),
  sub: arith('Sub'),
  mul: arith('Mul'),
  div: arith('Div'),
  pow: arith('Pow'),
  maximum: arith('Max'),
  minimum: arith('Min'),
  eq: compare('Equal'),
  ne: compare('Equal', true),
  lt: compare('Less'),
  le: compare('LessOrEqual'),
  gt: compare('Greater'),
  ge: compare('GreaterOrEqual'),
  where: (e) => {
    const dt = e.value.t.dtype;
    const cond = e.bools.get(e.inputs[0]) ?? cast(e, e.inputs[0], e.parents[0].t.dtype, 'bool');
    return e.node('Where', [cond, cast(e, e.inputs[1], e.parents[1].t.dtype, dt), cast(e, e.inputs[2], e.parents[2].t.dtype, dt)]);
  },
  clamp: (e) => {
    const { min = -Infinity, max = Infinity } = e.value.opts as { min?: number; max?: number };
    return clip(e, min, max);
  },
  to: (e) => cast(e, e.inputs[0], e.parents[0].t.dtype, e.value.opts as DType),

  // Linear algebra, convolution, pooling.
  matmul: (e) => e.node('MatMul', e.inputs),
  conv2d: (e) => {
    const o = e.value.opts as ConvOpts;
    const y = conv(e, o);
    return o.relu ? e.node('Relu', [y]) : y;
  },
  conv2dReluMaxPool: (e) => {
    const o = e.value.opts as { conv: ConvOpts; pool: Pool2dOptions };
    const k = pair(o.pool.kernelSize, [1, 1]);
    const s = pair(o.pool.stride, k);
    const p = pair(o.pool.padding, [0, 0]);
    const y = e.node('Relu', [conv(e, o.conv)]);
    return e.node('MaxPool', [y], { kernel_shape: k, strides: s, pads: [p[0], p[1], p[0], p[1]] });
  },
  // g is the convolution whose input gradient the transposed convolution is (ops/upsample.ts).
  convTranspose2d: (e) => {
    const g = e.value.opts as ConvGeom;
    const extra = (out: number, inp: number, s: number, p: number, d: number, k: number): number =>
      out - ((inp - 1) * s - 2 * p + d * (k - 1) + 1);
    return e.node('ConvTranspose', e.inputs, {
      kernel_shape: [g.kh, g.kw],
      strides: [g.strideH, g.strideW],
      dilations: [g.dilationH, g.dilationW],
      pads: [g.padTop, g.padLeft, g.padTop, g.padLeft],
      output_padding: [
        extra(g.h, g.outH, g.strideH, g.padTop, g.dilationH, g.kh),
        extra(g.w, g.outW, g.strideW, g.padLeft, g.dilationW, g.kw),
      ],
      group: g.groups,
    });
  },
  // Inputs x, weight, bias, mean, variance: ONNX's BatchNormalization in its inference form.
  batchNorm: (e) => {
    const { eps, batchStats } = e.value.opts as { eps: number; batchStats: boolean };
    if (batchStats) e.fail('batch norm normalises with the batch statistics: call model.eval() first (and keep running statistics)');
    return e.node('BatchNormalization', e.inputs, { epsilon: { float: eps } });
  },
  maxPool2d: pool('MaxPool'),
  avgPool2d: pool('AveragePool'),

  // Reductions.
  sum: reduction('ReduceSum', 13),
  max: reduction('ReduceMax', 18),
  min: reduction('ReduceMin', 18),
  norm: (e) => {
    const { axes, keepDim, p = 2 } = e.value.opts as ReduceOpts;
    const x = e.inputs[0];
    if (p === 2) return reduce(e, 'ReduceL2', x, axes, keepDim, 18);
    if (p === 1) return reduce(e, 'ReduceL1', x, axes, keepDim, 18);
    const abs = e.node('Abs', [x]);
    if (p === Infinity) return reduce(e, 'ReduceMax', abs, axes, keepDim, 18);
    if (p === -Infinity) return reduce(e, 'ReduceMin', abs, axes, keepDim, 18);
    const dt = e.value.t.dtype;
    const powered = e.node('Pow', [abs, e.scalar(p, dt)]);
    return e.node('Pow', [reduce(e, 'ReduceSum', powered, axes, keepDim, 13), e.scalar(1 / p, dt)]);
  },
  cumsum: (e) => {
    const { dim, reverse } = e.value.opts as { dim: number; reverse: boolean };
    return e.node('CumSum', [e.inputs[0], e.int64(dim)], { reverse: reverse ? 1 : 0 });
  },

  // Indexing.
  indexSelect: (e) => {
    const { dim } = e.value.opts as { dim: number };
    const index = e.parents[1].t.ndim === 0 ? e.node('Reshape', [e.inputs[1], e.int64([1])]) : e.inputs[1];
    return e.node('Gather', [e.inputs[0], index], { axis: dim });
  },
  gather: (e) => e.node('GatherElements', e.inputs, { axis: (e.value.opts as { dim: number }).dim }),

  // Movement. Shapes come from the traced outputs; an axis that changes with the batch becomes
  // -1 (reshape) or 1 (expand, which broadcasts it back) so that any batch size runs.
  reshape: (e) => {
    const shape = e.value.t.shape;
    const dyn = e.dynamic(e.value);
    const k = dyn.filter(Boolean).length;
    if (k > 1) e.fail(`its target shape ${fmtShape(shape)} has ${k} axes that change with the batch size`);
    return e.node('Reshape', [e.inputs[0], e.int64(shape.map((d, i) => (dyn[i] ? -1 : d)))]);
  },
  permute: (e) => e.node('Transpose', [e.inputs[0]], { perm: [...(e.value.opts as number[])] }),
  expand: (e) => {
    const shape = e.value.t.shape;
    const dyn = e.dynamic(e.value);
    const src = e.dynamic(e.parents[0]);
    const lead = shape.length - src.length;
    const target = shape.map((d, i) => {
      if (!dyn[i]) return d;
      if (i < lead || !src[i - lead]) e.fail(`it expands a fixed axis to the batch size (shape ${fmtShape(shape)})`);
      return 1;
    });
    return e.node('Expand', [e.inputs[0], e.int64(target)]);
  },
  slice: (e) => {
    const w = e.value.opts as { starts: number[]; shape: number[]; steps: number[] };
    const x = e.parents[0].t;
    const dyn = e.dynamic(e.parents[0]);
    const axes: number[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    const steps: number[] = [];
    w.starts.forEach((s, i) => {
      if (s === 0 && w.steps[i] === 1 && w.shape[i] === x.shape[i]) return;
      if (dyn[i]) e.fail(`it slices axis ${i}, whose size changes with the batch`);
      axes.push(i);
      starts.push(s);
      ends.push(w.shape[i] === 0 ? s : s + (w.shape[i] - 1) * w.steps[i] + 1);
      steps.push(w.steps[i]);
    });
    if (axes.length === 0) return e.node('Identity', [e.inputs[0]]);
    return e.node('Slice', [e.inputs[0], e.int64(starts), e.int64(ends), e.int64(axes), e.int64(steps)]);
  },
  concat: (e) => e.node('Concat', e.inputs, { axis: e.value.opts as number }),
  pad: (e) => {
    const p = e.value.opts as { before: number[]; after: number[]; value: number };
    return e.node('Pad', [e.inputs[0], e.int64([...p.before, ...p.after]), e.scalar(p.value, e.value.t.dtype)]);
  },
  contiguous: unary('Identity'),
  // detach while tracing, and dropout, which is the identity at inference.
  identity: unary('Identity'),
  dropout: unary('Identity'),
};
