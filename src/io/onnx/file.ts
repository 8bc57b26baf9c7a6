import type { Module } from '../../nn/module.js';
import type { Tensor } from '../../tensor/tensor.js';
import { arg, is } from '../../util/args.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { exportOnnx, type OnnxExportOptions } from './export.js';

/**
 * Node: exports model as exportOnnx does and writes the bytes to path (atomically: a reader
 * never sees half a file); returns the number of bytes written.
 * @example tg.saveOnnx(model, tg.zeros([1, 1, 28, 28]), 'mnist.onnx')
 */
export function saveOnnx(model: Module, exampleInput: Tensor | Tensor[], path: string, opts: OnnxExportOptions = {}): number {
  arg('saveOnnx', 'path', path, is.string);
  const bytes = exportOnnx(model, exampleInput, opts);
  writeFileAtomic(path, bytes);
  return bytes.length;
}
