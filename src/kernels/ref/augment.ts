import type { AffineWarpArgs, FloatArray } from '../types.js';

/**
 * randomAffine's bilinear warp (see AffineWarpArgs in types.ts), image by image: the
 * specification of assembly/augment.ts, and what runs for float64 images or without wasm.
 */
export function affineWarp({ x, out, n, c, h, w, params, warp, fill }: AffineWarpArgs): void {
  const size = c * h * w;
  for (let i = 0; i < n; i++) {
    const base = i * size;
    if (warp[i]) warpImage(x, out, base, c, h, w, params[4 * i], params[4 * i + 1], params[4 * i + 2], params[4 * i + 3], fill);
    else out.set(x.subarray(base, base + size), base);
  }
}

/** One image at `base`: output pixel (x, y) reads (a·dx + b·dy + cx, -b·dx + a·dy + cy). */
function warpImage(
  d: FloatArray,
  out: FloatArray,
  base: number,
  c: number,
  h: number,
  w: number,
  a: number,
  b: number,
  tx: number,
  ty: number,
  fill: number,
): void {
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const plane = h * w;
  for (let y = 0; y < h; y++) {
    const dy = y - cy - ty;
    // The source point moves by (a, -b) per output column: only the row's start is
    // worked out in full.
    const sx0 = b * dy + cx;
    const sy0 = a * dy + cy;
    for (let x = 0; x < w; x++) {
      const dx = x - cx - tx;
      const sx = a * dx + sx0;
      const sy = -b * dx + sy0;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const o = base + y * w + x;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h) {
        // Wholly inside: no edge tests.
        const fx = sx - x0;
        const fy = sy - y0;
        for (let ch = 0, r0 = base + y0 * w + x0; ch < c; ch++, r0 += plane) {
          const r1 = r0 + w;
          out[o + ch * plane] = (1 - fy) * ((1 - fx) * d[r0] + fx * d[r0 + 1]) + fy * ((1 - fx) * d[r1] + fx * d[r1 + 1]);
        }
        continue;
      }
      for (let ch = 0; ch < c; ch++) out[o + ch * plane] = bilinear(d, base + ch * plane, h, w, sx, sy, fill);
    }
  }
}

/** Bilinear sample of one plane at (x, y); outside the image reads `fill`. Hot loop: no closures. */
function bilinear(d: FloatArray, off: number, h: number, w: number, x: number, y: number, fill: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  if (x0 < -1 || y0 < -1 || x0 >= w || y0 >= h) return fill;
  const inX0 = x0 >= 0;
  const inX1 = x0 + 1 < w;
  const inY0 = y0 >= 0;
  const inY1 = y0 + 1 < h;
  const r0 = off + y0 * w + x0;
  const r1 = r0 + w;
  const v00 = inY0 && inX0 ? d[r0] : fill;
  const v01 = inY0 && inX1 ? d[r0 + 1] : fill;
  const v10 = inY1 && inX0 ? d[r1] : fill;
  const v11 = inY1 && inX1 ? d[r1 + 1] : fill;
  return (1 - fy) * ((1 - fx) * v00 + fx * v01) + fy * ((1 - fx) * v10 + fx * v11);
}
