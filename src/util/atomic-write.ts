import { nodeOnly } from './optional.js';

let counter = 0;

/**
 * Writes a file so that a reader (or a process killed mid-write) sees either the old file whole
 * or the new one whole, never a truncated one: the data goes to a temporary file in the same
 * directory (so that the rename stays on one file system), is flushed to disk, and is renamed
 * over the target. Every file tsgrad writes goes through here. Node only.
 * @example writeFileAtomic('runs/mnist/config.json', JSON.stringify(config));
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  // Through getBuiltinModule, not an import: the pictures that call this load in browsers too.
  const nodeOnlyWrite = () => `writing ${path}: files can be written in Node only`;
  const { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } = nodeOnly<typeof import('node:fs')>('node:fs', nodeOnlyWrite);
  const { basename, dirname, join } = nodeOnly<typeof import('node:path')>('node:path', nodeOnlyWrite);
  // pid and a counter, not the seeded generator: writing a file must not change a training run.
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${++counter}.tmp`);
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  try {
    const fd = openSync(tmp, 'w');
    try {
      for (let off = 0; off < bytes.length;) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
