import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

/**
 * Writes a file so that a reader (or a process killed mid-write) sees either the old file whole
 * or the new one whole, never a truncated one: the data goes to a temporary file in the same
 * directory (so that the rename stays on one file system), is flushed to disk, and is renamed
 * over the target. Every file tsgrad writes goes through here. Node only.
 * @example writeFileAtomic('runs/mnist/config.json', JSON.stringify(config));
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  // pid and a counter, not the seeded generator: writing a file must not change a training run.
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${++counter}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
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
