import { arg, is } from '../util/args.js';
import { mkdirSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { writeFileAtomic } from '../util/atomic-write.js';

/** Writes a file, creating its folder; returns the path. */
export function writeOut(path: string, data: string | Uint8Array): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, data);
  return path;
}

/** `out` without a trailing .svg/.png/.html, so that one name gives both files. */
export function stem(out: string): string {
  const ext = extname(out).toLowerCase();
  return ext === '.svg' || ext === '.png' || ext === '.html' ? out.slice(0, -ext.length) : out;
}

export interface RasterOptions {
  /** Pixels per SVG unit (2 gives a sharp picture on high-density screens). */
  scale?: number;
  /** Background behind transparent parts. */
  background?: string;
}

/**
 * Rasterises SVG markup to PNG with resvg (Rust, shipped as a prebuilt npm binary).
 * Text falls back to DejaVu Sans, which Debian installs with most desktops and TeX.
 */
export function svgToPng(svg: string, opts: RasterOptions = {}): Buffer {
  arg('svgToPng', 'svg', svg, is.string);
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: opts.scale ?? 2 },
    background: opts.background ?? 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

/** A picture made as SVG: the markup, its PNG when rasterised, and the files written. */
export interface SvgPicture {
  svg: string;
  png?: Buffer;
  paths: string[];
}

/** Writes `<stem>.svg` and, unless png is false, `<stem>.png`. */
export function writeSvgPicture(svg: string, out: string | undefined, opts: RasterOptions & { png?: boolean } = {}): SvgPicture {
  const wantPng = opts.png ?? true;
  const png = wantPng ? svgToPng(svg, opts) : undefined;
  if (!out) return { svg, png, paths: [] };
  const base = stem(out);
  const paths = [writeOut(`${base}.svg`, svg)];
  if (png) paths.push(writeOut(`${base}.png`, png));
  return { svg, png, paths };
}
