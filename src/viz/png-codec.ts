// The PNG codec: pngjs on Node's zlib, required on first use rather than imported, so that this
// module (and tsgrad/browser, which reaches it) loads in a browser page without a bundler. Bundled
// browser code gets png-codec-browser.ts instead, by the "browser" field of package.json.
import type * as Pngjs from 'pngjs';
import { TsgradError } from '../util/errors.js';
import { nodeBuiltin } from '../util/optional.js';

let lib: typeof Pngjs | null = null;

/** pngjs's PNG class (encode with PNG.sync.write, decode with PNG.sync.read). */
export function pngClass(): typeof Pngjs.PNG {
  if (!lib) {
    const mod = nodeBuiltin<typeof import('node:module')>('node:module');
    if (!mod)
      throw new TsgradError(
        'PNG grids: in a browser, bundle tsgrad/browser (esbuild, Vite, webpack follow its package.json "browser" field to pngjs\'s browser build)',
      );
    lib = mod.createRequire(import.meta.url)('pngjs') as typeof Pngjs;
  }
  return lib.PNG;
}

export type PNG = Pngjs.PNG;
