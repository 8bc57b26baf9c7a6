import { arg, check as argCheck, is } from '../util/args.js';
import { Tensor } from '../tensor/tensor.js';
import { check, fmtShape } from '../util/errors.js';
import { svgPicture, type RasterOptions, type SvgPicture } from './raster.js';

// A position weight matrix: a tensor [4, L] or nested arrays.
const IS_MATRIX = is.anyOf(
  is.instance(Tensor),
  argCheck('an array of rows', (v) => Array.isArray(v)),
);

/**
 * The letters as filled outlines in a 100×100 box (y down), so that each is
 * stretched exactly to its column and height whatever fonts are installed.
 */
const GLYPHS: Record<string, Array<{ d: string; rule?: 'evenodd' }>> = {
  A: [{ d: 'M0 100L38 0H62L100 100H78L69 74H31L22 100ZM37 56H63L50 20Z', rule: 'evenodd' }],
  C: [{ d: 'M85.36 14.64A50 50 0 1 0 85.36 85.36L71.21 72.63A30 32 0 1 1 71.21 27.37Z' }],
  G: [{ d: 'M85.36 14.64A50 50 0 1 0 85.36 85.36L71.21 72.63A30 32 0 1 1 71.21 27.37Z' }, { d: 'M52 48H100V92H82V64H52Z' }],
  T: [{ d: 'M0 0H100V18H60V100H40V18H0Z' }],
  U: [{ d: 'M0 0H20V62A30 22 0 0 0 80 62V0H100V62A50 38 0 0 1 0 62Z' }],
};

const COLOURS: Record<string, string> = { A: '#109648', C: '#255c99', G: '#f7b32b', T: '#d62839', U: '#d62839' };

export interface LogoOptions extends RasterOptions {
  /** Writes `<out>.svg` and `<out>.png`. */
  out?: string;
  /** Also rasterise to PNG (default true). */
  png?: boolean;
  /** Row order of the matrix; default 'ACGT' (the one-hot order of the DNA tasks). */
  alphabet?: string;
  /**
   * How to read the matrix: 'pwm' (probabilities per column, or counts, which
   * are normalised), 'filter' (convolution weights: a softmax over the letters
   * of each column turns them into probabilities), or 'auto' (default: 'pwm'
   * when no value is negative).
   */
  kind?: 'pwm' | 'filter' | 'auto';
  /** Width of one position and height of one bit, in SVG units; default 40 and 60. */
  columnWidth?: number;
  bitHeight?: number;
  title?: string;
}

/** Per position: each letter's probability and the column's information content in bits. */
export interface LogoColumn {
  probs: number[];
  bits: number;
}

/**
 * Information content per column: IC = log2(K) - H(p), H(p) = -Σ p log2 p,
 * with K letters; letter heights are p · IC (Schneider & Stephens 1990).
 * @example
 * logoColumns([[1, 0.25], [0, 0.25], [0, 0.25], [0, 0.25]]).map((c) => c.bits); // [2, 0]
 */
export function logoColumns(
  matrix: Tensor | readonly (readonly number[])[],
  opts: Pick<LogoOptions, 'kind' | 'alphabet'> = {},
): LogoColumn[] {
  arg('logoColumns', 'matrix', matrix, IS_MATRIX);
  const m = matrix instanceof Tensor ? (matrix.toArray() as number[][]) : matrix.map((r) => r.slice());
  const k = (opts.alphabet ?? 'ACGT').length;
  check(
    m.length === k && m.every((r) => Array.isArray(r) && r.length === m[0].length && r.length > 0),
    'sequenceLogo',
    () =>
      `expects a matrix [${k}, L] (one row per letter of ${opts.alphabet ?? 'ACGT'}), got ${matrix instanceof Tensor ? `shape ${fmtShape(matrix.shape)}` : `${m.length} rows`}`,
  );
  const negative = m.some((r) => r.some((v) => v < 0));
  const kind = opts.kind === 'auto' || opts.kind === undefined ? (negative ? 'filter' : 'pwm') : opts.kind;
  check(
    kind === 'filter' || !negative,
    'sequenceLogo',
    () => 'a position weight matrix cannot hold negative values; use kind: "filter" for convolution weights',
  );
  const cols: LogoColumn[] = [];
  for (let j = 0; j < m[0].length; j++) {
    let col = m.map((r) => r[j]);
    if (kind === 'filter') {
      const top = Math.max(...col);
      col = col.map((v) => Math.exp(v - top));
    }
    const total = col.reduce((a, b) => a + b, 0);
    const probs = total > 0 ? col.map((v) => v / total) : col.map(() => 1 / k);
    const entropy = -probs.reduce((h, p) => h + (p > 0 ? p * Math.log2(p) : 0), 0);
    cols.push({ probs, bits: Math.max(0, Math.log2(k) - entropy) });
  }
  return cols;
}

const fmt = (v: number): string => String(Math.round(v * 100) / 100);

/**
 * A sequence logo as SVG (and PNG): for each position a stack of the letters,
 * each as tall as its probability times the column's information content, the
 * most likely on top. Takes a position weight matrix [4, L] or a convolution
 * filter [4, width] of a DNA model.
 *
 * @example
 * sequenceLogo(model.layers[0].weight.select(0, 3), { kind: 'filter', out: 'filter3-logo' });
 */
export async function sequenceLogo(
  matrix: Tensor | readonly (readonly number[])[],
  opts: LogoOptions = {},
): Promise<SvgPicture & { columns: LogoColumn[] }> {
  arg('sequenceLogo', 'matrix', matrix, IS_MATRIX);
  const alphabet = opts.alphabet ?? 'ACGT';
  for (const ch of alphabet)
    check(ch in GLYPHS, 'sequenceLogo', () => `no glyph for letter ${ch}; letters available: ${Object.keys(GLYPHS).join('')}`);
  const columns = logoColumns(matrix, opts);
  const cw = opts.columnWidth ?? 40;
  const bh = opts.bitHeight ?? 60;
  const maxBits = Math.log2(alphabet.length);
  const left = 50;
  const top = opts.title ? 34 : 12;
  const plotH = bh * maxBits;
  const width = left + cw * columns.length + 12;
  const height = top + plotH + 34;
  const parts: string[] = [];
  columns.forEach((col, j) => {
    const x = left + j * cw;
    // Smallest at the bottom, so the most likely letter sits on top.
    const order = col.probs.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
    let y = top + plotH;
    for (const [p, i] of order) {
      const h = p * col.bits * bh;
      if (h < 0.05) continue;
      y -= h;
      const letter = alphabet[i];
      const tr = `translate(${fmt(x + 1)} ${fmt(y)}) scale(${fmt((cw - 2) / 100)} ${(h / 100).toFixed(4)})`;
      for (const g of GLYPHS[letter]) {
        parts.push(`<path d="${g.d}" transform="${tr}" fill="${COLOURS[letter]}"${g.rule ? ` fill-rule="${g.rule}"` : ''}/>`);
      }
    }
    parts.push(`<text x="${fmt(x + cw / 2)}" y="${fmt(top + plotH + 16)}" text-anchor="middle" font-size="11">${j + 1}</text>`);
  });
  const axis: string[] = [`<line x1="${left - 4}" y1="${top}" x2="${left - 4}" y2="${top + plotH}" stroke="black"/>`];
  for (let b = 0; b <= maxBits; b++) {
    const y = top + plotH - b * bh;
    axis.push(`<line x1="${left - 8}" y1="${y}" x2="${left - 4}" y2="${y}" stroke="black"/>`);
    axis.push(`<text x="${left - 11}" y="${y + 4}" text-anchor="end" font-size="11">${b}</text>`);
  }
  axis.push(`<text transform="translate(14 ${top + plotH / 2}) rotate(-90)" text-anchor="middle" font-size="12">bits</text>`);
  axis.push(`<text x="${left + (cw * columns.length) / 2}" y="${height - 4}" text-anchor="middle" font-size="12">position</text>`);
  if (opts.title)
    axis.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(opts.title)}</text>`);
  return { ...(await svgPicture(svgDocument(width, height, [...axis, ...parts]), opts.out, opts)), columns };
}

export interface SaliencyTrackOptions extends RasterOptions {
  /** Writes `<out>.svg` and `<out>.png`. */
  out?: string;
  /** Width of one base in SVG units (default 16) and the height of the largest |value| (default 60). */
  columnWidth?: number;
  height?: number;
  title?: string;
  /** Positions to underline (e.g. a planted motif): [start, end). */
  highlight?: readonly [number, number];
}

/**
 * A sequence drawn as letters whose heights follow per-base attributions (gradient × input):
 * upright above the axis where a base raises the score, upside down below it where it lowers it,
 * as in DeepLIFT's and Alipanahi et al.'s figures.
 * @example saliencyTrack('ACGT...', baseSaliency(model, x), { out: 'runs/dna/saliency-1' });
 */
export async function saliencyTrack(sequence: string, values: ArrayLike<number>, opts: SaliencyTrackOptions = {}): Promise<SvgPicture> {
  arg('saliencyTrack', 'sequence', sequence, is.string);
  check(values.length === sequence.length, 'saliencyTrack', () => `${values.length} values for a sequence of ${sequence.length} bases`);
  const cw = opts.columnWidth ?? 16;
  const h = opts.height ?? 60;
  const left = 10;
  const top = opts.title ? 30 : 10;
  const width = left * 2 + cw * sequence.length;
  const height = top + 2 * h + 14;
  const axisY = top + h;
  const scale = Math.max(1e-12, ...Array.from(values, Math.abs));
  const parts: string[] = [];
  for (let j = 0; j < sequence.length; j++) {
    const letter = sequence[j].toUpperCase();
    const v = values[j] / scale;
    const size = Math.abs(v) * h;
    if (!(letter in GLYPHS) || size < 0.3) continue;
    const x = left + j * cw;
    const tr =
      v >= 0
        ? `translate(${fmt(x + 1)} ${fmt(axisY - size)}) scale(${fmt((cw - 2) / 100)} ${(size / 100).toFixed(4)})`
        : `translate(${fmt(x + 1)} ${fmt(axisY + size)}) scale(${fmt((cw - 2) / 100)} ${(-size / 100).toFixed(4)})`;
    for (const g of GLYPHS[letter]) {
      parts.push(`<path d="${g.d}" transform="${tr}" fill="${COLOURS[letter]}"${g.rule ? ` fill-rule="${g.rule}"` : ''}/>`);
    }
  }
  const marks: string[] = [`<line x1="${left}" y1="${axisY}" x2="${width - left}" y2="${axisY}" stroke="#888"/>`];
  if (opts.highlight) {
    const [a, b] = opts.highlight;
    marks.push(`<rect x="${left + a * cw}" y="${height - 10}" width="${(b - a) * cw}" height="5" fill="#444"/>`);
  }
  if (opts.title) marks.push(`<text x="${width / 2}" y="18" text-anchor="middle" font-size="13">${escapeXml(opts.title)}</text>`);
  return svgPicture(svgDocument(width, height, [...marks, ...parts]), opts.out, opts);
}

/** An SVG document of the given size on a white background, holding the given elements. */
function svgDocument(width: number, height: number, elements: readonly string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...elements,
    '</svg>',
  ].join('\n');
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
