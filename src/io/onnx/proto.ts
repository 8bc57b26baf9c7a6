import type protobuf from 'protobufjs';
import { requireOptional } from '../../util/optional.js';
import { arg, is } from '../../util/args.js';
import { TsgradError } from '../../util/errors.js';

/**
 * The part of ONNX's schema (onnx/onnx.proto, IR version 8 and later) that an inference model
 * uses, with ONNX's own field numbers; protobufjs parses it once and does all the encoding.
 * Kept as text rather than generated code so that a reader can check each field against the
 * specification.
 */
const SCHEMA = `
syntax = "proto2";
package onnx;

message ModelProto {
  optional int64 ir_version = 1;  repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2;  optional string producer_version = 3;  optional string domain = 4;
  optional int64 model_version = 5;  optional string doc_string = 6;  optional GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
}
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
message StringStringEntryProto { optional string key = 1; optional string value = 2; }

message GraphProto {
  repeated NodeProto node = 1;  optional string name = 2;  repeated TensorProto initializer = 5;
  optional string doc_string = 10;  repeated ValueInfoProto input = 11;  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}
message NodeProto {
  repeated string input = 1;  repeated string output = 2;  optional string name = 3;  optional string op_type = 4;
  optional string domain = 7;  repeated AttributeProto attribute = 5;  optional string doc_string = 6;
}
message AttributeProto {
  enum AttributeType { UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5;
                       FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10; }
  optional string name = 1;  optional AttributeType type = 20;
  optional float f = 2;  optional int64 i = 3;  optional bytes s = 4;  optional TensorProto t = 5;
  repeated float floats = 7;  repeated int64 ints = 8;
}

message TensorProto {
  enum DataType { UNDEFINED = 0; FLOAT = 1; UINT8 = 2; INT8 = 3; UINT16 = 4; INT16 = 5; INT32 = 6;
                  INT64 = 7; STRING = 8; BOOL = 9; FLOAT16 = 10; DOUBLE = 11; }
  repeated int64 dims = 1;  optional int32 data_type = 2;  optional string name = 8;  optional string doc_string = 12;
  repeated float float_data = 4 [packed = true];  repeated int32 int32_data = 5 [packed = true];
  repeated int64 int64_data = 7 [packed = true];  repeated double double_data = 10 [packed = true];
  optional bytes raw_data = 9;
}
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; optional string doc_string = 3; }
message TypeProto {
  message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  oneof value { Tensor tensor_type = 1; }
  optional string denotation = 6;
}
message TensorShapeProto {
  message Dimension {
    oneof value { int64 dim_value = 1; string dim_param = 2; }
    optional string denotation = 3;
  }
  repeated Dimension dim = 1;
}
`;

/** ONNX's TensorProto.DataType codes for the dtypes tsgrad exports. */
export const ONNX_DTYPE = { float32: 1, int32: 6, int64: 7, bool: 9, float64: 11 } as const;

/** AttributeProto.AttributeType codes. */
export const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

export interface TensorMessage {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

export interface AttributeMessage {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
}

export interface NodeMessage {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  attribute: AttributeMessage[];
  doc_string?: string;
}

export interface ValueInfoMessage {
  name: string;
  type: { tensor_type: { elem_type: number; shape: { dim: Array<{ dim_value?: number; dim_param?: string }> } } };
}

export interface ModelMessage {
  ir_version: number;
  opset_import: Array<{ domain: string; version: number }>;
  producer_name: string;
  producer_version: string;
  doc_string?: string;
  graph: {
    name: string;
    node: NodeMessage[];
    initializer: TensorMessage[];
    input: ValueInfoMessage[];
    output: ValueInfoMessage[];
  };
}

type Protobuf = typeof protobuf;
let lib: Protobuf | null = null;

/**
 * Hands the ONNX encoder its protobufjs. The `tsgrad/onnx` entry does so with a static import,
 * which bundlers follow; in Node the main entry loads it on first use instead, so that protobufjs
 * stays an optional package.
 */
export function useProtobuf(p: Protobuf): void {
  lib = p;
}

function protobufLib(): Protobuf {
  lib ??= requireOptional<Protobuf>('protobufjs', 'exportOnnx');
  if (!lib)
    throw new TsgradError(
      "exportOnnx: protobufjs is not loaded; outside Node import the ONNX functions from 'tsgrad/onnx', which loads it (npm install protobufjs)",
    );
  return lib;
}

let modelType: protobuf.Type | null = null;

function ModelProto(): protobuf.Type {
  modelType ??= protobufLib().parse(SCHEMA, { keepCase: true }).root.lookupType('onnx.ModelProto');
  return modelType;
}

/** The protobuf bytes of an ONNX model. */
export function encodeModel(model: ModelMessage): Uint8Array {
  const type = ModelProto();
  return type.encode(type.fromObject(model)).finish();
}

/**
 * An ONNX model's bytes as a plain object (int64 fields as numbers, bytes as Uint8Array), for
 * inspecting an exported file.
 * @example tg.decodeOnnx(tg.exportOnnx(model, x)).graph.input[0].type.tensor_type.shape
 */
export function decodeModel(bytes: Uint8Array): ModelMessage {
  arg('decodeOnnx', 'bytes', bytes, is.instance(Uint8Array));
  const type = ModelProto();
  let message: protobuf.Message;
  try {
    message = type.decode(bytes);
  } catch (e) {
    throw new TsgradError(`decodeOnnx: the ${bytes.length} bytes are not an ONNX model: ${(e as Error).message}`);
  }
  return type.toObject(message, { longs: Number, defaults: false, arrays: true }) as ModelMessage;
}
