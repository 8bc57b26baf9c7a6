/**
 * The `tsgrad/onnx` entry: ONNX export for bundled browser code (and Node). It imports protobufjs
 * statically, so that a bundler includes it, and hands it to the encoder; the main entry exports
 * the same functions but loads protobufjs on first use in Node, so that it stays optional there.
 * @example
 * import { exportOnnx } from 'tsgrad/onnx';
 * const bytes = exportOnnx(model, tg.zeros([1, 1, 28, 28]));
 */
import protobuf from 'protobufjs';
import { useProtobuf } from './proto.js';

useProtobuf(protobuf);

export * from './index.js';
