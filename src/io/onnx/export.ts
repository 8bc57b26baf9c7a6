import type { DType } from '../../kernels/types.js';
import { Module } from '../../nn/module.js';
import { Tensor, denseArray } from '../../tensor/tensor.js';
import { arg, is, options } from '../../util/args.js';
import { TsgradError, fmtShape } from '../../util/errors.js';
import {
  ATTR,
  ONNX_DTYPE,
  encodeModel,
  type AttributeMessage,
  type NodeMessage,
  type TensorMessage,
  type ValueInfoMessage,
} from './proto.js';
import { traceModel, type TraceValue } from './trace.js';
import { CONVERTERS, type AttrValue, type Emit } from './ops.js';

/**
 * ONNX export by tracing: the model runs on an example batch with every op recorded (the graph
 * autograd already keeps), and each recorded op becomes one or a few ONNX nodes (io/onnx/ops.ts).
 * Parameters and buffers become initializers under their state-dict names.
 */

export interface OnnxExportOptions {
  /** ONNX operator set, 13 to 21 (default 17, which ONNX Runtime 1.14 and later run). */
  opset?: number;
  /** Keep axis 0 of the inputs and output symbolic ('batch'), so that any batch size runs (default true). */
  dynamicBatch?: boolean;
  /** Names of the graph's inputs (default 'input', or 'input0', 'input1', ... for several). */
  inputNames?: string[];
  /** Name of the graph's output (default 'output'). */
  outputName?: string;
}

export const OPSET_RANGE: readonly [number, number] = [13, 21];

/** The IR version that goes with an opset (onnx/docs/Versioning.md). */
function irVersion(opset: number): number {
  return opset <= 14 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
}

/**
 * The bytes of an ONNX model computing model.forward(exampleInput) in inference mode (dropout
 * off, batch norm on its running statistics), for any batch size unless dynamicBatch is false.
 * The example's values do not matter, only its shape and dtype (int32 for embeddings). An op
 * with no ONNX form throws, naming the op and the layer that ran it.
 * @example
 * const bytes = tg.exportOnnx(model, tg.zeros([1, 1, 28, 28]));
 * // in Node: tg.saveOnnx(model, tg.zeros([1, 1, 28, 28]), 'mnist.onnx')
 */
export function exportOnnx(model: Module, exampleInput: Tensor | Tensor[], opts: OnnxExportOptions = {}): Uint8Array {
  const op = 'exportOnnx';
  arg(op, 'model', model, is.instance(Module));
  const inputs = Array.isArray(exampleInput) ? exampleInput : [exampleInput];
  inputs.forEach((t, i) => {
    arg(op, `exampleInput${inputs.length > 1 ? `[${i}]` : ''}`, t, is.instance(Tensor));
    if (t.ndim === 0 || t.shape[0] === 0) {
      throw new TsgradError(`${op}: an example input needs a batch axis first with at least one sample, got shape ${fmtShape(t.shape)}`);
    }
  });
  if (inputs.length === 0) throw new TsgradError(`${op}: give at least one example input`);
  const o = options<OnnxExportOptions>(op, opts, {
    opset: is.int,
    dynamicBatch: is.bool,
    inputNames: is.arrayOf(is.string),
    outputName: is.string,
  });
  const opset = o.opset ?? 17;
  if (opset < OPSET_RANGE[0] || opset > OPSET_RANGE[1]) {
    throw new TsgradError(`${op}: opset ${opset} is not supported; use ${OPSET_RANGE[0]} to ${OPSET_RANGE[1]}`);
  }
  const inputNames = o.inputNames ?? inputs.map((_, i) => (inputs.length === 1 ? 'input' : `input${i}`));
  if (inputNames.length !== inputs.length) {
    throw new TsgradError(`${op}: ${inputNames.length} input names for ${inputs.length} example inputs`);
  }
  const outputName = o.outputName ?? 'output';
  const dynamic = o.dynamicBatch ?? true;

  const trace = traceModel(op, model, inputs);
  const g = new GraphBuilder();
  const names: string[] = [];
  const bools = new Map<string, string>();
  const batchDims = (v: TraceValue): boolean[] => v.t.shape.map((d, i) => dynamic && d !== v.other.shape[i]);
  trace.values.forEach((v, i) => {
    if (v.kind === 'input') names[i] = inputNames[v.input as number];
    else if (v.kind === 'param') names[i] = g.initializer(v.name as string, v.t);
    else if (v.kind === 'const') names[i] = g.initializer(g.fresh('const'), v.t);
    else {
      const convert = CONVERTERS[v.op as string];
      if (!convert) {
        throw new TsgradError(
          `${op}: op '${v.op}' in ${v.scope ?? 'the model'} has no ONNX form ` +
            `(exportable ops: ${Object.keys(CONVERTERS).sort().join(', ')})`,
        );
      }
      const emit: Emit = {
        value: v,
        inputs: v.parents.map((p) => names[p]),
        parents: v.parents.map((p) => trace.values[p]),
        opset,
        node: (type, ins, attrs = {}, out) => g.node(type, ins, attrs, out ?? g.fresh(type), v.scope),
        int64: (values) => g.int64(values),
        scalar: (value, dtype) => g.initializer(g.fresh('const'), scalarTensor(value, dtype)),
        dynamic: batchDims,
        bools,
        fail: (why) => {
          throw new TsgradError(`${op}: cannot export '${v.op}' in ${v.scope ?? 'the model'}: ${why}`);
        },
      };
      names[i] = convert(emit);
    }
  });
  // The output gets its own name through an Identity: it may be an input or an initializer itself.
  g.node('Identity', [names[trace.output]], {}, outputName, undefined);
  const out = trace.values[trace.output];
  const graphInputs = trace.inputs.map((idx, k) => valueInfo(inputNames[k], inputs[k], dynamic ? [true] : []));
  const model_ = {
    ir_version: irVersion(opset),
    opset_import: [{ domain: '', version: opset }],
    producer_name: 'tsgrad',
    producer_version: '0.1.0',
    graph: {
      name: 'tsgrad',
      node: g.nodes,
      initializer: g.inits,
      input: graphInputs,
      output: [valueInfo(outputName, out.t, batchDims(out))],
    },
  };
  return encodeModel(model_);
}

/** An input's or output's declared type: its dtype and shape, batch-dependent axes named. */
function valueInfo(name: string, t: Tensor, symbolic: boolean[]): ValueInfoMessage {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: onnxType(t.dtype),
        shape: { dim: t.shape.map((d, i) => (symbolic[i] ? { dim_param: i === 0 ? 'batch' : `d${i}` } : { dim_value: d })) },
      },
    },
  };
}

function onnxType(dtype: DType | 'bool' | 'int64'): number {
  return ONNX_DTYPE[dtype];
}

function scalarTensor(value: number, dtype: DType): Tensor {
  const data = dtype === 'int32' ? Int32Array.of(value) : dtype === 'float64' ? Float64Array.of(value) : Float32Array.of(value);
  return new Tensor(data, []);
}

/** Collects nodes and initializers under unique names. */
class GraphBuilder {
  readonly nodes: NodeMessage[] = [];
  readonly inits: TensorMessage[] = [];
  private readonly used = new Set<string>();
  private count = 0;

  fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.count++}`;
    while (this.used.has(name));
    this.used.add(name);
    return name;
  }

  initializer(name: string, t: Tensor): string {
    this.used.add(name);
    const values = denseArray(t);
    const bytes = new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
    this.inits.push({ name, dims: t.shape.slice(), data_type: onnxType(t.dtype), raw_data: bytes });
    return name;
  }

  /** An int64 initializer: a 1-D list, or a 0-d scalar. */
  int64(values: readonly number[] | number): string {
    const name = this.fresh('shape');
    const list = typeof values === 'number' ? [values] : values;
    const data = BigInt64Array.from(list.map((v) => BigInt(v)));
    const dims = typeof values === 'number' ? [] : [list.length];
    this.inits.push({ name, dims, data_type: ONNX_DTYPE.int64, raw_data: new Uint8Array(data.buffer) });
    return name;
  }

  node(type: string, inputs: string[], attrs: Record<string, AttrValue>, out: string, scope: string | undefined): string {
    this.used.add(out);
    this.nodes.push({
      input: inputs,
      output: [out],
      name: `${out}_node`,
      op_type: type,
      attribute: Object.entries(attrs).map(([name, v]) => attribute(name, v)),
      ...(scope ? { doc_string: scope } : {}),
    });
    return out;
  }
}

function attribute(name: string, v: AttrValue): AttributeMessage {
  if (typeof v === 'string') return { name, type: ATTR.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: ATTR.INTS, ints: v };
  if (typeof v === 'object') return { name, type: ATTR.FLOAT, f: v.float };
  return { name, type: ATTR.INT, i: v };
}
