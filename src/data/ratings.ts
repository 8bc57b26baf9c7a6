/**
 * Implicit-feedback interactions for recommendation: the MovieLens and CSV readers (ids remapped
 * to dense indices), a seeded synthetic generator, the paper's leave-one-out split and its sampled
 * candidates (He et al., "Neural Collaborative Filtering", WWW 2017).
 */
import { arg, check, is, options, type Spec } from '../util/args.js';
import { TsgradError } from '../util/errors.js';
import { Rng } from '../util/rng.js';

/** Interactions as parallel arrays of dense user and item indices, with the original ids. */
export interface Interactions {
  users: Int32Array;
  items: Int32Array;
  /** Seconds (or any increasing clock); the latest interaction of a user is held out. */
  timestamps: Float64Array;
  /** Original id of each dense index. */
  userIds: string[];
  itemIds: string[];
}

export type RatingsFormat = 'ml-100k' | 'ml-1m' | 'csv';

/**
 * Parses a ratings file: MovieLens ml-100k's `u.data` (user, item, rating, timestamp separated by
 * tabs), ml-1m's `ratings.dat` (separated by `::`), or a CSV with user, item, rating and timestamp
 * columns (a header row is recognised by a non-numeric timestamp). Every rating counts as an
 * interaction; ids may be any strings and are mapped to dense indices in order of appearance. A
 * malformed line is an error naming the file and the line.
 * @example
 * const data = parseRatings('user,item,rating,timestamp\nalice,m1,5,1\nalice,m2,4,2\nbob,m1,3,1\n', 'csv');
 * data.users; // Int32Array [0, 0, 1]
 * data.itemIds; // ['m1', 'm2']
 */
export function parseRatings(text: string, format: RatingsFormat, file = 'ratings'): Interactions {
  arg('parseRatings', 'text', text, is.string);
  arg('parseRatings', 'format', format, is.oneOf(['ml-100k', 'ml-1m', 'csv']));
  const sep = format === 'ml-100k' ? '\t' : format === 'ml-1m' ? '::' : ',';
  const userIndex = new Map<string, number>();
  const itemIndex = new Map<string, number>();
  const users: number[] = [];
  const items: number[] = [];
  const times: number[] = [];
  const index = (m: Map<string, number>, id: string): number => {
    let i = m.get(id);
    if (i === undefined) m.set(id, (i = m.size));
    return i;
  };
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, n) => {
    const line = raw.trim();
    if (line === '') return;
    const f = line.split(sep).map((s) => s.trim());
    if (format === 'csv' && n === 0 && f.length >= 4 && !Number.isFinite(Number(f[3]))) return; // a header
    if (f.length < 4 || f[0] === '' || f[1] === '' || !Number.isFinite(Number(f[2])) || !Number.isFinite(Number(f[3]))) {
      const want = format === 'csv' ? 'user,item,rating,timestamp' : `user${sep}item${sep}rating${sep}timestamp`;
      throw new TsgradError(`${file}: line ${n + 1} is not ${want} (got '${line.length > 60 ? line.slice(0, 60) + '…' : line}')`);
    }
    users.push(index(userIndex, f[0]));
    items.push(index(itemIndex, f[1]));
    times.push(Number(f[3]));
  });
  if (users.length === 0) throw new TsgradError(`${file}: no ratings`);
  return {
    users: Int32Array.from(users),
    items: Int32Array.from(items),
    timestamps: Float64Array.from(times),
    userIds: [...userIndex.keys()],
    itemIds: [...itemIndex.keys()],
  };
}

export interface SyntheticInteractionsOptions {
  users?: number;
  items?: number;
  /** Latent factors of the generating model (default 8). */
  factors?: number;
  /** Mean interactions per user (default 40; each user has at least 5). */
  perUser?: number;
  /** Strength of the items' popularity (Zipf-like exponent of the item bias, default 1). */
  popularity?: number;
  /**
   * Strength of taste: the latent factors are drawn with standard deviation taste / √factors, so
   * that u·v has a spread of about taste² / √factors (default 2.2: taste and popularity both matter).
   */
  taste?: number;
  seed?: number;
}

// prettier-ignore
const INTERACTIONS_SPEC: Spec<SyntheticInteractionsOptions> = {
  users: is.positiveInt, items: is.positiveInt, factors: is.positiveInt, perUser: is.positiveInt,
  popularity: is.nonNegative, taste: is.nonNegative, seed: is.int,
};

/**
 * Seeded implicit feedback: users and items with latent factors, each item with a popularity
 * bias; a user's interactions are items drawn without replacement with probability proportional
 * to exp(u·v + bias), stamped in the order drawn. Taste (u·v) and popularity both matter, so a
 * learned model should beat ItemPop, which sees only popularity.
 * @example const data = syntheticInteractions({ users: 300, items: 400, seed: 1 });
 */
export function syntheticInteractions(opts: SyntheticInteractionsOptions = {}): Interactions {
  options<SyntheticInteractionsOptions>('syntheticInteractions', opts, INTERACTIONS_SPEC);
  const { users: nu = 300, items: ni = 400, factors = 8, perUser = 40, popularity = 1, taste = 2.2, seed = 1 } = opts;
  if (perUser + 100 > ni)
    throw new TsgradError(
      `syntheticInteractions: ${ni} items leave too few unseen items for ${perUser} interactions per user and 99 candidates`,
    );
  const rng = new Rng(seed);
  const scale = taste / Math.sqrt(factors);
  const P = Float64Array.from({ length: nu * factors }, () => rng.normal() * scale);
  const Q = Float64Array.from({ length: ni * factors }, () => rng.normal() * scale);
  // Popularity: a Zipf-like bias by a random rank.
  const rank = rng.permutation(ni);
  const bias = Float64Array.from({ length: ni }, (_, i) => -popularity * Math.log(1 + rank[i]));
  const users: number[] = [];
  const items: number[] = [];
  const times: number[] = [];
  const weights = new Float64Array(ni);
  for (let u = 0; u < nu; u++) {
    for (let i = 0; i < ni; i++) {
      let s = bias[i];
      for (let k = 0; k < factors; k++) s += P[u * factors + k] * Q[i * factors + k];
      weights[i] = Math.exp(s);
    }
    const count = Math.max(5, Math.min(ni - 100, Math.round(perUser * Math.exp(0.5 * rng.normal()))));
    for (let t = 0; t < count; t++) {
      let total = 0;
      for (let i = 0; i < ni; i++) total += weights[i];
      let r = rng.random() * total;
      let pick = ni - 1;
      for (let i = 0; i < ni; i++) {
        r -= weights[i];
        if (r <= 0 && weights[i] > 0) {
          pick = i;
          break;
        }
      }
      weights[pick] = 0;
      users.push(u);
      items.push(pick);
      times.push(t);
    }
  }
  return {
    users: Int32Array.from(users),
    items: Int32Array.from(items),
    timestamps: Float64Array.from(times),
    userIds: Array.from({ length: nu }, (_, u) => `u${u + 1}`),
    itemIds: Array.from({ length: ni }, (_, i) => `i${i + 1}`),
  };
}

/** The paper's evaluation split: each user's latest interaction held out, the rest for training. */
export interface LeaveOneOut {
  /** Training interactions (indices into the input arrays). */
  train: Int32Array;
  /** Per evaluated user: the user and the held-out item. */
  testUsers: Int32Array;
  testItems: Int32Array;
  /** Users with fewer than two interactions: all of theirs stay in training, and they are not evaluated. */
  skippedUsers: number;
}

/**
 * Holds out each user's latest interaction (by timestamp; of equal timestamps, the one that comes
 * last in the data) for testing. A user with a single interaction keeps it for training and is not
 * evaluated: there is nothing left to learn their taste from.
 * @example
 * const split = leaveOneOut(syntheticInteractions({ users: 50, items: 200 }));
 * split.testUsers.length; // 50: one held-out item each; split.train indexes the rest
 */
export function leaveOneOut(data: Interactions): LeaveOneOut {
  arg(
    'leaveOneOut',
    'data',
    data,
    check('interactions { users, items, timestamps, userIds, itemIds }', (v) => typeof v === 'object' && v !== null && 'users' in v),
  );
  const nu = data.userIds.length;
  const latest = new Int32Array(nu).fill(-1);
  const count = new Int32Array(nu);
  for (let r = 0; r < data.users.length; r++) {
    const u = data.users[r];
    count[u]++;
    if (latest[u] < 0 || data.timestamps[r] >= data.timestamps[latest[u]]) latest[u] = r;
  }
  const held = new Uint8Array(data.users.length);
  const testUsers: number[] = [];
  const testItems: number[] = [];
  let skipped = 0;
  for (let u = 0; u < nu; u++) {
    if (count[u] < 2) {
      skipped++;
      continue;
    }
    held[latest[u]] = 1;
    testUsers.push(u);
    testItems.push(data.items[latest[u]]);
  }
  const train: number[] = [];
  for (let r = 0; r < held.length; r++) if (!held[r]) train.push(r);
  return {
    train: Int32Array.from(train),
    testUsers: Int32Array.from(testUsers),
    testItems: Int32Array.from(testItems),
    skippedUsers: skipped,
  };
}

/**
 * Which items each user has interacted with (in all of the data), as one bit per (user, item)
 * pair: negatives and candidates are drawn from the items a user never touched.
 * @example
 * const seen = new SeenItems(data.userIds.length, data.itemIds.length, data);
 * const negative = seen.sampleUnseen(0, new Rng(1)); // an item user 0 never touched
 * seen.has(0, negative); // false
 */
export class SeenItems {
  private readonly bits: Uint8Array;
  constructor(
    readonly users: number,
    readonly items: number,
    data: Interactions,
  ) {
    if (users * items > 2 ** 31) throw new TsgradError(`SeenItems: ${users} users × ${items} items is too many pairs for a bitmap`);
    this.bits = new Uint8Array(Math.ceil((users * items) / 8));
    for (let r = 0; r < data.users.length; r++) this.add(data.users[r], data.items[r]);
  }
  private add(u: number, i: number): void {
    const k = u * this.items + i;
    this.bits[k >> 3] |= 1 << (k & 7);
  }
  has(u: number, i: number): boolean {
    const k = u * this.items + i;
    return (this.bits[k >> 3] & (1 << (k & 7))) !== 0;
  }
  /** An item the user never touched, by rejection sampling (the user must have one). */
  sampleUnseen(u: number, rng: Rng): number {
    for (;;) {
      const i = rng.int(0, this.items);
      if (!this.has(u, i)) return i;
    }
  }
}

/**
 * The paper's ranking candidates: for each test user, the held-out item first, then `negatives`
 * distinct items the user never touched (default 99), drawn with the seeded generator.
 * Returns [testUsers × (1 + negatives)] item indices, row-major.
 * @example
 * const split = leaveOneOut(data);
 * const candidates = sampleCandidates(data, split, { negatives: 99, seed: 1 }); // 100 per test user, the held-out item first
 */
export function sampleCandidates(data: Interactions, split: LeaveOneOut, opts: { negatives?: number; seed?: number } = {}): Int32Array {
  options<{ negatives?: number; seed?: number }>('sampleCandidates', opts, { negatives: is.positiveInt, seed: is.int });
  const negatives = opts.negatives ?? 99;
  const seen = new SeenItems(data.userIds.length, data.itemIds.length, data);
  const rng = new Rng(opts.seed ?? 1);
  const width = 1 + negatives;
  const out = new Int32Array(split.testUsers.length * width);
  split.testUsers.forEach((u, t) => {
    out[t * width] = split.testItems[t];
    const picked = new Set<number>();
    let unseen = 0;
    for (let i = 0; i < data.itemIds.length; i++) if (!seen.has(u, i)) unseen++;
    if (unseen < negatives) {
      throw new TsgradError(
        `sampleCandidates: user ${data.userIds[u]} has only ${unseen} items they never touched; ${negatives} are needed`,
      );
    }
    while (picked.size < negatives) picked.add(seen.sampleUnseen(u, rng));
    let j = 1;
    for (const i of picked) out[t * width + j++] = i;
  });
  return out;
}
