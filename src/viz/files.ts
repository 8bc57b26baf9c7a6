import { writeFileAtomic } from '../util/atomic-write.js';
import { nodeOnly } from '../util/optional.js';

/** Writes a file, creating its folder; returns the path. */
export function writeOut(path: string, data: string | Uint8Array): string {
  // Node's fs and path through getBuiltinModule, not imports: the pictures that write through here
  // load in browsers too, where only writing is unavailable.
  const nodeOnlyWrite = () => 'writing files: available in Node only (leave out unset in a browser)';
  const { dirname } = nodeOnly<typeof import('node:path')>('node:path', nodeOnlyWrite);
  nodeOnly<typeof import('node:fs')>('node:fs', nodeOnlyWrite).mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, data);
  return path;
}

/** `out` without a trailing .svg/.png/.html, so that one name gives both files. */
export function stem(out: string): string {
  const m = /\.(svg|png|html)$/i.exec(out);
  return m ? out.slice(0, -m[0].length) : out;
}

/** Writes `<stem>.svg` and, given the bytes, `<stem>.png`; returns the paths. */
export function writePictureFiles(svg: string, png: Uint8Array | undefined, out: string): string[] {
  const base = stem(out);
  const paths = [writeOut(`${base}.svg`, svg)];
  if (png) paths.push(writeOut(`${base}.png`, png));
  return paths;
}
