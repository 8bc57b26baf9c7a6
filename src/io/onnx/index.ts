// ONNX export, for Node and for bundled browser code (`tsgrad/onnx`): it needs protobufjs, which
// the dependency-free `tsgrad/browser` entry does not import.
export { exportOnnx, OPSET_RANGE, type OnnxExportOptions } from './export.js';
export { decodeModel as decodeOnnx, type ModelMessage as OnnxModel } from './proto.js';
