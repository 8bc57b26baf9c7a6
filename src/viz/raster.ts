/**
 * SVG to PNG with resvg compiled to WebAssembly (@resvg/resvg-wasm, an optional package), the
 * same engine as the native resvg add-on and with pixel-identical output, so that pictures come
 * out alike in Node and in a browser tab without native code. Nothing here imports Node
 * modules: in Node the .wasm file and the fonts are read through process.getBuiltinModule.
 */
import { arg, is } from '../util/args.js';
import { writePictureFiles } from './files.js';
import { TsgradError } from '../util/errors.js';
import { importOptional, missingPackage, nodeBuiltin } from '../util/optional.js';

type ResvgModule = typeof import('@resvg/resvg-wasm');
type InitInput = Parameters<ResvgModule['initWasm']>[0];

export interface RasterOptions {
  /** Pixels per SVG unit (2 gives a sharp picture on high-density screens). */
  scale?: number;
  /** Background behind transparent parts. */
  background?: string;
}

/** Where the renderer and its fonts come from; see configurePictures. */
export interface PictureConfig {
  /** The resvg .wasm: bytes, a compiled module, a URL or a fetch Response (default in Node: the installed package's file). */
  wasm?: InitInput;
  /** TrueType/OpenType font files for text (default in Node: DejaVu Sans, Liberation Sans or Arial, found in the system's font folders). */
  fonts?: Uint8Array[];
  /** The family the fonts hold, used for `sans-serif` and for text whose family is not among them (default: the one found). */
  fontFamily?: string;
}

// Font files tried in Node, by family: Debian/Ubuntu, Fedora, Arch, macOS and Windows locations.
const FONT_CANDIDATES: ReadonlyArray<{ family: string; files: string[][] }> = [
  {
    family: 'DejaVu Sans',
    files: [
      ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'],
      ['/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf', '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf'],
      ['/usr/share/fonts/dejavu/DejaVuSans.ttf', '/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf'],
      ['/usr/share/fonts/TTF/DejaVuSans.ttf', '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf'],
    ],
  },
  {
    family: 'Liberation Sans',
    files: [
      ['/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf', '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf'],
      ['/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf', '/usr/share/fonts/liberation-sans/LiberationSans-Bold.ttf'],
    ],
  },
  {
    family: 'Arial',
    files: [
      ['/System/Library/Fonts/Supplemental/Arial.ttf', '/System/Library/Fonts/Supplemental/Arial Bold.ttf'],
      ['/Library/Fonts/Arial.ttf', '/Library/Fonts/Arial Bold.ttf'],
      ['C:\\Windows\\Fonts\\arial.ttf', 'C:\\Windows\\Fonts\\arialbd.ttf'],
    ],
  },
];

let config: PictureConfig = {};
let renderer: Promise<ResvgModule> | null = null;
let fonts: { buffers: Uint8Array[]; family: string } | null = null;
let warnedNoFont = false;

/**
 * Sets where the PNG renderer and its fonts come from. Needed in a browser, where the library
 * cannot find the .wasm file or read system fonts by itself; optional in Node. Call it before
 * the first picture (the renderer loads once).
 * @example
 * // In a page bundled with esbuild or Vite, serving the two files as assets:
 * configurePictures({
 *   wasm: fetch('/assets/resvg.wasm'),
 *   fonts: [new Uint8Array(await (await fetch('/assets/DejaVuSans.ttf')).arrayBuffer())],
 *   fontFamily: 'DejaVu Sans',
 * });
 */
export function configurePictures(cfg: PictureConfig): void {
  arg('configurePictures', 'cfg', cfg, is.object);
  if (renderer && cfg.wasm !== undefined)
    throw new TsgradError('configurePictures: the renderer is already loaded; set wasm before the first picture');
  config = { ...config, ...cfg };
  // New fonts or a new family: the next picture resolves them again.
  if (cfg.fonts || cfg.fontFamily) fonts = null;
}

/** The .wasm to load: the configured one, else the installed package's file (Node) or its resolved URL (browsers with import maps). */
function wasmSource(): InitInput {
  if (config.wasm !== undefined) return config.wasm;
  const mod = nodeBuiltin<typeof import('node:module')>('node:module');
  const fs = nodeBuiltin<typeof import('node:fs')>('node:fs');
  if (mod && fs) {
    let path: string;
    try {
      path = mod.createRequire(import.meta.url).resolve('@resvg/resvg-wasm/index_bg.wasm');
    } catch (err) {
      throw missingPackage('@resvg/resvg-wasm', 'svgToPng', err);
    }
    return fs.readFileSync(path);
  }
  const resolve = (import.meta as { resolve?: (s: string) => string }).resolve;
  if (resolve) {
    try {
      return new URL(resolve('@resvg/resvg-wasm/index_bg.wasm'));
    } catch {
      // Not mapped: fall through to the error below.
    }
  }
  throw new TsgradError(
    "svgToPng: cannot locate resvg's .wasm file in this environment; call configurePictures({ wasm: url or bytes }) first " +
      '(the file is @resvg/resvg-wasm/index_bg.wasm)',
  );
}

function loadRenderer(): Promise<ResvgModule> {
  renderer ??= (async () => {
    const mod = await importOptional('@resvg/resvg-wasm', 'svgToPng', () => import('@resvg/resvg-wasm'));
    await mod.initWasm(wasmSource());
    return mod;
  })();
  // A failed load is not cached, so that configurePictures can fix it and the next picture retries.
  renderer.catch(() => (renderer = null));
  return renderer;
}

/** The fonts for text: the configured ones, else the first family found in the system's font folders (Node). */
function loadFonts(): { buffers: Uint8Array[]; family: string } {
  if (fonts) return fonts;
  if (config.fonts) return (fonts = { buffers: config.fonts, family: config.fontFamily ?? 'DejaVu Sans' });
  const fs = nodeBuiltin<typeof import('node:fs')>('node:fs');
  if (fs) {
    for (const { family, files } of FONT_CANDIDATES) {
      for (const set of files) {
        const found = set.filter((f) => fs.existsSync(f));
        if (found.length > 0) return (fonts = { buffers: found.map((f) => fs.readFileSync(f)), family: config.fontFamily ?? family });
      }
    }
  }
  return (fonts = { buffers: [], family: 'sans-serif' });
}

/**
 * Rasterises SVG markup to PNG bytes with resvg (WebAssembly). Text uses the fonts of
 * configurePictures, or in Node DejaVu Sans (Liberation Sans, Arial) from the system's font
 * folders; with none, the PNG has no text and a warning says so once (the SVG is unaffected).
 * @example
 * const png = await svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle cx="5" cy="5" r="4"/></svg>');
 * // png: Uint8Array holding a 20×20 PNG (scale 2)
 */
export async function svgToPng(svg: string, opts: RasterOptions = {}): Promise<Uint8Array> {
  arg('svgToPng', 'svg', svg, is.string);
  const resvg = await loadRenderer();
  const font = loadFonts();
  if (font.buffers.length === 0 && !warnedNoFont && /<text[\s>]/.test(svg)) {
    warnedNoFont = true;
    console.warn(
      'svgToPng: no font found for text (looked for DejaVu Sans, Liberation Sans and Arial); PNGs are drawn without text. ' +
        'Install fonts-dejavu-core, or pass font files to configurePictures({ fonts })',
    );
  }
  const r = new resvg.Resvg(svg, {
    fitTo: { mode: 'zoom', value: opts.scale ?? 2 },
    background: opts.background ?? 'white',
    font: { fontBuffers: font.buffers, defaultFontFamily: font.family, sansSerifFamily: font.family },
  });
  try {
    const image = r.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    r.free();
  }
}

/** A picture made as SVG: the markup, its PNG when rasterised, and the files written (Node). */
export interface SvgPicture {
  svg: string;
  png?: Uint8Array;
  paths: string[];
}

/**
 * Rasterises (unless png is false) and, given `out`, writes `<stem>.svg` and `<stem>.png`.
 * Writing needs Node; in a browser leave `out` unset and use the returned markup and bytes.
 */
export async function svgPicture(svg: string, out: string | undefined, opts: RasterOptions & { png?: boolean } = {}): Promise<SvgPicture> {
  const png = (opts.png ?? true) ? await svgToPng(svg, opts) : undefined;
  return { svg, png, paths: out ? writePictureFiles(svg, png, out) : [] };
}
