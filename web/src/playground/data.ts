/**
 * The Playground tab's two-dimensional data sets, after TensorFlow Playground (Smilkov and
 * Carter, 2016): points in [-6, 6]² with a label 0 (orange) or 1 (blue), drawn from the
 * library's seedable generator so that a seed gives the same points every time.
 */
export type DatasetName = 'circle' | 'xor' | 'gauss' | 'spiral';

export const DATASETS: readonly DatasetName[] = ['circle', 'xor', 'gauss', 'spiral'];

/** Half the side of the square the points and the decision map cover. */
export const EXTENT = 6;

/** A source of random numbers: the library's Rng in the worker, anything alike elsewhere. */
export interface RandomSource {
  /** Uniform in [0, 1). */
  random(): number;
  /** Standard normal. */
  normal(): number;
}

export interface Points {
  /** Coordinates, x then y for each point. */
  xy: Float32Array;
  /** 0 or 1 for each point. */
  label: Float32Array;
}

/**
 * n points of a data set; noise in [0, 0.5] blurs the classes' boundary, as the Playground's
 * noise slider does (0 to 50%).
 */
export function makePoints(name: DatasetName, n: number, noise: number, rng: RandomSource): Points {
  const xy = new Float32Array(2 * n);
  const label = new Float32Array(n);
  const uniform = (a: number, b: number) => a + (b - a) * rng.random();
  const put = (i: number, x: number, y: number, l: number) => {
    xy[2 * i] = x;
    xy[2 * i + 1] = y;
    label[i] = l;
  };
  for (let i = 0; i < n; i++) {
    if (name === 'circle') {
      // Blue inside half the radius, orange in a ring beyond 0.7 of it: a gap separates them.
      const radius = 5;
      const inner = i < n / 2;
      const r = inner ? uniform(0, radius * 0.5) : uniform(radius * 0.7, radius);
      const angle = uniform(0, 2 * Math.PI);
      const x = r * Math.sin(angle) + uniform(-radius, radius) * noise;
      const y = r * Math.cos(angle) + uniform(-radius, radius) * noise;
      // The label follows where the noisy point fell, as in the Playground.
      put(i, x, y, Math.hypot(x, y) < radius * 0.5 ? 1 : 0);
    } else if (name === 'xor') {
      // Uniform in the square, kept a little away from the axes; blue where x and y agree in sign.
      const padding = 0.3;
      let x = uniform(-5, 5);
      let y = uniform(-5, 5);
      x += x > 0 ? padding : -padding;
      y += y > 0 ? padding : -padding;
      const nx = uniform(-5, 5) * noise;
      const ny = uniform(-5, 5) * noise;
      put(i, x + nx, y + ny, x * y >= 0 ? 1 : 0);
    } else if (name === 'gauss') {
      const blue = i < n / 2;
      const centre = blue ? 2 : -2;
      // The variance grows from 0.5 to 4 as noise goes from 0 to 50%, as in the Playground.
      const sd = Math.sqrt(0.5 + 7 * noise);
      put(i, centre + sd * rng.normal(), centre + sd * rng.normal(), blue ? 1 : 0);
    } else {
      // Two interleaved spirals, one turned half a turn from the other.
      const blue = i < n / 2;
      const k = blue ? i : i - n / 2;
      const r = (5 * k) / (n / 2);
      const t = ((1.75 * k) / (n / 2)) * 2 * Math.PI + (blue ? 0 : Math.PI);
      put(i, r * Math.sin(t) + uniform(-1, 1) * noise * 2, r * Math.cos(t) + uniform(-1, 1) * noise * 2, blue ? 1 : 0);
    }
  }
  return { xy, label };
}

export type FeatureName = 'x1' | 'x2' | 'x1^2' | 'x2^2' | 'x1x2' | 'sin(x1)' | 'sin(x2)';

/**
 * The network's possible input columns for a point (x, y). Coordinates are divided by EXTENT
 * (u, v) so that every feature lies in [-1, 1] and tanh and sigmoid units start unsaturated;
 * sines take the raw coordinate, two periods across the square.
 */
const FEATURE_FNS: Record<FeatureName, (u: number, v: number, x: number, y: number) => number> = {
  x1: (u) => u,
  x2: (_u, v) => v,
  'x1^2': (u) => u * u,
  'x2^2': (_u, v) => v * v,
  x1x2: (u, v) => u * v,
  'sin(x1)': (_u, _v, x) => Math.sin(x),
  'sin(x2)': (_u, _v, _x, y) => Math.sin(y),
};

export const FEATURES = Object.keys(FEATURE_FNS) as readonly FeatureName[];

/** The feature rows [n, features.length] of n points, row-major. */
export function featureRows(xy: Float32Array, features: readonly FeatureName[]): Float32Array {
  const n = xy.length / 2;
  const fns = features.map((name) => FEATURE_FNS[name]);
  const out = new Float32Array(n * fns.length);
  for (let i = 0; i < n; i++) {
    const x = xy[2 * i];
    const y = xy[2 * i + 1];
    fns.forEach((fn, j) => (out[i * fns.length + j] = fn(x / EXTENT, y / EXTENT, x, y)));
  }
  return out;
}

/** The centres of a size × size grid of cells over the square, row by row from the top. */
export function gridPoints(size: number): Float32Array {
  const xy = new Float32Array(2 * size * size);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      xy[2 * (r * size + c)] = -EXTENT + ((c + 0.5) * 2 * EXTENT) / size;
      xy[2 * (r * size + c) + 1] = EXTENT - ((r + 0.5) * 2 * EXTENT) / size;
    }
  }
  return xy;
}
