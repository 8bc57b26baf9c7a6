import { join } from 'node:path';
import { load, WEIGHTS_FILE } from '../io/save.js';
import { saveOnnx } from '../io/onnx/file.js';
import { loadSafetensors } from '../io/safetensors.js';
import type { DType } from '../kernels/types.js';
import { Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { zeros } from '../tensor/create.js';
import { UsageError, flagSpec, intFlag, modelDir, parseFlags } from './flags.js';
import { emit } from './task.js';

export const EXPORT_USAGE =
  'Usage: tsgrad export <model dir> --onnx file.onnx [--input-shape C,H,W] [--dtype float32|int32] [--opset N] [--fixed-batch] [--json]\n\n' +
  'Writes a saved model as an ONNX file for ONNX Runtime and other engines, with a symbolic batch axis unless\n' +
  '--fixed-batch. The input shape (without the batch axis) is read from the model when tsgrad train saved it\n' +
  '(mnist: 1,28,28; dna: 4,length; ncf: 2 int32) or from a first Linear layer; give --input-shape otherwise.';

/** The shape of one input sample and its dtype: from the flags, the task that saved the model, or its first layer. */
function sampleInput(dir: string, model: Module, values: Record<string, unknown>): { shape: number[]; dtype: DType } {
  const dtype = (values.dtype ?? undefined) as string | undefined;
  if (dtype !== undefined && dtype !== 'float32' && dtype !== 'int32') {
    throw new UsageError(`tsgrad export: --dtype must be float32 or int32, got ${dtype}`);
  }
  if (typeof values['input-shape'] === 'string') {
    const shape = values['input-shape'].split(',').map((s) => Number(s.trim()));
    if (shape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new UsageError(
        `tsgrad export: --input-shape must be positive integers separated by commas (e.g. 1,28,28), got ${values['input-shape']}`,
      );
    }
    return { shape, dtype: (dtype as DType | undefined) ?? 'float32' };
  }
  const meta = loadSafetensors(join(dir, WEIGHTS_FILE)).metadata ?? {};
  if (meta.task === 'mnist') return { shape: [1, 28, 28], dtype: 'float32' };
  if (meta.task === 'dna' && meta.length) return { shape: [4, Number(meta.length)], dtype: 'float32' };
  if (meta.task === 'ncf') return { shape: [2], dtype: 'int32' };
  // The first layer that runs (the first module without children): a Linear says its input width.
  const first = model.namedModules().find(([, m]) => m.children().length === 0)?.[1];
  if (first instanceof Linear) return { shape: [first.options.inFeatures], dtype: 'float32' };
  throw new UsageError(
    `tsgrad export: the input shape of the model in ${dir} is not known; give it with --input-shape (without the batch axis, e.g. 1,28,28)`,
  );
}

/** `tsgrad export <dir> --onnx file.onnx`: a saved model as an ONNX file. */
export function exportCommand(args: string[]): void {
  const { values, positionals } = parseFlags(
    'tsgrad export',
    args,
    flagSpec(['onnx', 'input-shape', 'dtype', 'opset'], ['fixed-batch', 'json']),
  );
  if (positionals.length !== 1)
    throw new UsageError(`tsgrad export takes one model directory, got ${positionals.length}\n\n${EXPORT_USAGE}`);
  const dir = modelDir(positionals[0]);
  const out = values.onnx;
  if (typeof out !== 'string' || out === '') throw new UsageError(`tsgrad export: --onnx file.onnx is required\n\n${EXPORT_USAGE}`);
  const opset = intFlag(values, 'opset');
  const model = load(dir);
  const { shape, dtype } = sampleInput(dir, model, values);
  const bytes = saveOnnx(model, zeros([1, ...shape], { dtype }), out, {
    ...(opset !== undefined ? { opset } : {}),
    dynamicBatch: values['fixed-batch'] !== true,
  });
  const json = values.json === true;
  const result = { task: 'export', dir, onnx: out, bytes, inputShape: ['batch', ...shape], dtype, opset: opset ?? 17 };
  emit(result, json, () => {
    const log = json ? (s: string) => process.stderr.write(s + '\n') : console.log;
    log(
      `wrote ${out} (${bytes.toLocaleString('en-US')} bytes): input ${dtype} [${values['fixed-batch'] === true ? 1 : 'batch'},${shape.join(',')}], opset ${opset ?? 17}`,
    );
  });
}
