import { arg, is } from './args.js';
/**
 * The one seedable random generator (xoshiro128**, seeded through splitmix32).
 * Initialisation, dropout, shuffling and augmentation all draw from it, so that
 * `manualSeed(n)` makes a whole run repeatable. A `new Rng(seed)` of one's own gives a stream
 * that the global one does not disturb (the data simulators and samplers use one).
 * @example
 * const g = new Rng(42);
 * g.random(); // uniform in [0, 1)
 * g.int(0, 10); // an integer in [0, 10)
 * g.permutation(5); // Int32Array, e.g. [1, 3, 2, 4, 0]
 */
export class Rng {
  private s = new Uint32Array(4);
  private spare: number | null = null;

  constructor(seed = 0) {
    arg('Rng', 'seed', seed, is.int);
    this.seed(seed);
  }

  seed(seed: number): void {
    // splitmix32 spreads one number over the four words of state, never all zero.
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    this.spare = null;
  }

  /** The generator's full state (four words and the cached normal), for checkpoints that resume exactly. */
  getState(): number[] {
    return [...this.s, this.spare === null ? NaN : this.spare];
  }

  /** Restores a state taken by getState(). */
  setState(state: readonly number[]): void {
    for (let i = 0; i < 4; i++) this.s[i] = state[i] >>> 0;
    // JSON turns the NaN marker into null: both mean "no cached normal".
    const spare = state[4];
    this.spare = typeof spare === 'number' && !Number.isNaN(spare) ? spare : null;
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /**
   * Fills out[0..n) with the next n values of nextU32(), the same sequence, with the state
   * held in locals: about 3× faster per value than calling nextU32() (dropout draws a
   * million values a step on the Keras CNN).
   */
  fillU32(out: Uint32Array, n = out.length): void {
    const s = this.s;
    let s0 = s[0],
      s1 = s[1],
      s2 = s[2],
      s3 = s[3];
    for (let i = 0; i < n; i++) {
      const m = Math.imul(s1, 5);
      out[i] = Math.imul((m << 7) | (m >>> 25), 9);
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
    }
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
  }

  /** Uniform in [0, 1), 53 bits. */
  random(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [low, high). */
  int(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low));
  }

  /** Standard normal by the Box-Muller transform, caching the second value. */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The global generator used by every random function in tsgrad. */
export const rng = new Rng(0);

/**
 * Seeds the global generator: the same seed repeats a run exactly (initialisation, dropout,
 * shuffling, augmentation), like PyTorch's `torch.manual_seed`.
 * @example
 * manualSeed(0);
 * const a = randn([3]).toArray();
 * manualSeed(0);
 * randn([3]).toArray(); // the same three numbers as a
 */
export function manualSeed(seed: number): void {
  arg('manualSeed', 'seed', seed, is.int);
  rng.seed(seed);
}
