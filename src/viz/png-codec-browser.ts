// The PNG codec for bundled browser code, swapped in for png-codec.ts by the "browser" field of
// package.json: pngjs's own browser build, which carries its zlib and Buffer with it.
import pngjs from 'pngjs/browser.js';
import type * as Pngjs from 'pngjs';

/** pngjs's PNG class (encode with PNG.sync.write, decode with PNG.sync.read). */
export function pngClass(): typeof Pngjs.PNG {
  return (pngjs as typeof Pngjs).PNG;
}

export type PNG = Pngjs.PNG;
