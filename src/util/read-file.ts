import { TsgradError } from './errors.js';
import { nodeOnly } from './optional.js';

// Node's fs through getBuiltinModule, not an import: modules that read files (safetensors) also
// decode bytes in browsers, where only the reading is unavailable.
function fs(op: string, path: string): typeof import('node:fs') {
  return nodeOnly('node:fs', () => `${op}: cannot read ${path}: reading files needs Node (in a browser, fetch the bytes and decode them)`);
}

/**
 * The bytes of a file; a file that cannot be read is a TsgradError naming the operation, the file
 * and the system's reason. Every reader of tsgrad's files goes through here. Node only.
 * @example const bytes = readBytes('readIdx', 'train-images-idx3-ubyte');
 */
export function readBytes(op: string, path: string): Buffer {
  const { readFileSync } = fs(op, path);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new TsgradError(`${op}: cannot read ${path}: ${(e as Error).message}`);
  }
}

/** The text of a UTF-8 file, with readBytes' errors. */
export function readText(op: string, path: string): string {
  return readBytes(op, path).toString('utf8');
}

/**
 * A JSON file that must exist: a missing one is an error that says what writes it (`writtenBy`,
 * e.g. 'save()'), and invalid JSON an error with the parser's reason.
 */
export function readJson<T>(op: string, path: string, dir: string, writtenBy: string): T {
  if (!fs(op, path).existsSync(path)) throw new TsgradError(`${op}: ${path} not found (is ${dir} a directory written by ${writtenBy}?)`);
  try {
    return JSON.parse(readText(op, path)) as T;
  } catch (e) {
    if (e instanceof TsgradError) throw e;
    throw new TsgradError(`${op}: ${path} is not valid JSON (${(e as Error).message})`);
  }
}
