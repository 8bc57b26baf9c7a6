/** Canvas drawing shared by the tabs: small images scaled up, line charts. */

export function context2d(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('this browser gives no 2-D canvas');
  return ctx;
}

const scratch = new Map<number, { ctx: CanvasRenderingContext2D; img: ImageData }>();

/**
 * Paints a side × side picture, pixel i in the colour rgba(i) writes into pixels[4i..4i+3], then
 * scales it onto the whole canvas. The small canvas and its pixels are made once per size and
 * reused: frames arrive many times a second, and garbage on the page's thread means collections.
 */
export function paintPixels(canvas: HTMLCanvasElement, side: number, fill: (pixels: Uint8ClampedArray) => void, smooth: boolean): void {
  let s = scratch.get(side);
  if (!s) {
    const small = document.createElement('canvas');
    small.width = small.height = side;
    const ctx = context2d(small);
    s = { ctx, img: ctx.createImageData(side, side) };
    scratch.set(side, s);
  }
  fill(s.img.data);
  s.ctx.putImageData(s.img, 0, 0);
  const ctx = context2d(canvas);
  ctx.imageSmoothingEnabled = smooth;
  ctx.drawImage(s.ctx.canvas, 0, 0, canvas.width, canvas.height);
}

/** [r, g, b] for a value in [0, 1]. */
export type Colormap = (v: number) => [number, number, number];

export const greys: Colormap = (v) => {
  const g = Math.round(255 * v);
  return [g, g, g];
};

/** Black through red to yellow, for saliency. */
export const heat: Colormap = (v) => [Math.round(255 * Math.min(1, 2 * v)), Math.round(255 * Math.max(0, 2 * v - 1)), 0];

/**
 * Draws a side × side image of values onto the whole canvas, each value a square (no smoothing).
 * range: the values shown black and white; 'auto' stretches min..max.
 */
export function drawImage(
  canvas: HTMLCanvasElement,
  values: Float32Array,
  side: number,
  range: [number, number] | 'auto' = [0, 1],
  colormap: Colormap = greys,
): void {
  let [lo, hi] = range === 'auto' ? [Infinity, -Infinity] : range;
  if (range === 'auto') for (const v of values) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  const span = hi > lo ? hi - lo : 1;
  paintPixels(
    canvas,
    side,
    (pixels) => {
      for (let i = 0; i < side * side; i++) {
        const [r, g, b] = colormap(Math.min(1, Math.max(0, (values[i] - lo) / span)));
        pixels[4 * i] = r;
        pixels[4 * i + 1] = g;
        pixels[4 * i + 2] = b;
        pixels[4 * i + 3] = 255;
      }
    },
    false,
  );
}

export interface Series {
  values: readonly number[];
  color: string;
  label?: string;
}

/** Lines of the series against their index, sharing one y axis from 0 (or yMin) to the largest value. */
export function drawLines(canvas: HTMLCanvasElement, series: readonly Series[], opts: { yMin?: number; axes?: boolean } = {}): void {
  const ctx = context2d(canvas);
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  const finite = series.flatMap((s) => s.values.filter(Number.isFinite));
  if (finite.length === 0) return;
  const pad = opts.axes ? 28 : 2;
  const yMin = opts.yMin ?? 0;
  const yMax = Math.max(yMin + 1e-9, ...finite);
  const n = Math.max(2, ...series.map((s) => s.values.length));
  const px = (i: number) => pad + ((width - pad - 4) * i) / (n - 1);
  const py = (v: number) => height - pad / 2 - ((height - pad) * (v - yMin)) / (yMax - yMin) - 2;
  if (opts.axes) {
    ctx.strokeStyle = '#999';
    ctx.fillStyle = '#555';
    ctx.font = '11px sans-serif';
    ctx.beginPath();
    ctx.moveTo(pad, 2);
    ctx.lineTo(pad, py(yMin));
    ctx.lineTo(width - 2, py(yMin));
    ctx.stroke();
    ctx.fillText(yMax.toPrecision(2), 2, 12);
    ctx.fillText(String(yMin), 2, py(yMin));
  }
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    s.values.forEach((v, i) => (i === 0 ? ctx.moveTo(px(i), py(v)) : ctx.lineTo(px(i), py(v))));
    ctx.stroke();
  }
}
