import { TsgradError } from './errors.js';

/**
 * Run-time checks of public arguments and options objects, shared by every public function and
 * constructor: JavaScript callers have no type checker, so a wrong type, an unknown option key
 * (with a "did you mean" for near misses) or a missing required option is a TsgradError that
 * names the function, the argument and what was expected.
 * @example
 * const o = options('Adam', opts, { lr: is.nonNegative, eps: is.nonNegative });
 * arg('Tensor.sum', 'dim', dim, is.optional(is.dims));
 */
export interface Check {
  (v: unknown): boolean;
  /** What the check accepts, as the error message says it: "a positive integer". */
  readonly expected: string;
}

/** A check from a predicate and the words that describe what it accepts. */
export function check(expected: string, test: (v: unknown) => boolean): Check {
  return Object.assign((v: unknown) => test(v), { expected });
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);

/** The common checks; combine them with is.optional, is.oneOf, is.arrayOf, is.anyOf. */
export const is = {
  any: check('any value', () => true),
  number: check('a number', isNum),
  finite: check('a finite number', (v) => isNum(v) && Number.isFinite(v)),
  nonNegative: check('a number >= 0', (v) => isNum(v) && v >= 0),
  positive: check('a number > 0', (v) => isNum(v) && v > 0),
  probability: check('a number in [0, 1]', (v) => isNum(v) && v >= 0 && v <= 1),
  /** Open at 1: dropout's p, a validation fraction. */
  fraction: check('a number in [0, 1)', (v) => isNum(v) && v >= 0 && v < 1),
  int: check('an integer', isInt),
  nonNegativeInt: check('a non-negative integer', (v) => isInt(v) && v >= 0),
  positiveInt: check('a positive integer', (v) => isInt(v) && v > 0),
  bool: check('a boolean', (v) => typeof v === 'boolean'),
  string: check('a string', (v) => typeof v === 'string'),
  function: check('a function', (v) => typeof v === 'function'),
  object: check('an options object', (v) => isPlainObject(v)),
  /** A dimension or a list of dimensions (negative ones count from the end). */
  dims: check('an integer or an array of integers', (v) => isInt(v) || (Array.isArray(v) && v.every(isInt))),
  shape: check('an array of non-negative integers', (v) => Array.isArray(v) && v.every((d) => isInt(d) && d >= 0)),
  optional(c: Check): Check {
    return check(`${c.expected} (or undefined)`, (v) => v === undefined || c(v));
  },
  nullable(c: Check): Check {
    return check(`${c.expected} or null`, (v) => v === undefined || v === null || c(v));
  },
  oneOf(values: readonly unknown[]): Check {
    return check(`one of ${values.map(show).join(', ')}`, (v) => values.includes(v));
  },
  anyOf(...cs: Check[]): Check {
    return check(cs.map((c) => c.expected).join(' or '), (v) => cs.some((c) => c(v)));
  },
  arrayOf(c: Check, length?: number): Check {
    const n = length === undefined ? '' : `${length} `;
    return check(
      `an array of ${n}${plural(c.expected)}`,
      (v) => Array.isArray(v) && (length === undefined || v.length === length) && v.every((e) => c(e)),
    );
  },
  /** An instance of a class, described by its name ("a Tensor"). */
  instance(ctor: abstract new (...a: never[]) => unknown, name = ctor.name): Check {
    // 'an Int32Array' but 'a Uint8Array' (a 'you' sound).
    return check(`${/^[aeio]/i.test(name) ? 'an' : 'a'} ${name}`, (v) => v instanceof ctor);
  },
  /** A positive integer, or one per spatial dimension (kernel sizes, strides). */
  intOrTuple(n: number, min = 1): Check {
    const ok = (v: unknown): boolean => isInt(v) && v >= min;
    const what = min === 1 ? 'positive integer' : min === 0 ? 'non-negative integer' : `integer >= ${min}`;
    return check(`a ${what} or an array of ${n} of them`, (v) => ok(v) || (Array.isArray(v) && v.length === n && v.every(ok)));
  },
};

function plural(expected: string): string {
  const bare = expected.replace(/^an? /, '');
  const nouns = /(number|integer|boolean|string|function|object|array)\b/;
  if (nouns.test(bare)) return bare.replace(nouns, '$1s');
  // A class name ("a Tensor"): its plural.
  return /^[A-Z]\w*$/.test(bare) ? `${bare}s` : bare;
}

/** Shows a received value in an error message: numbers and strings as written, objects by kind. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === null || v === undefined) return String(v);
  if (typeof v === 'function') return `function ${v.name || '(anonymous)'}`;
  if (Array.isArray(v)) return v.length <= 8 ? `[${v.map(show).join(', ')}]` : `an array of ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of ${(v as unknown as { length: number }).length}`;
  const o = v as { constructor?: { name?: string }; shape?: unknown };
  const name = o.constructor?.name;
  if (name === 'Tensor' && Array.isArray(o.shape)) return `a Tensor of shape [${o.shape.join(',')}]`;
  if (name && name !== 'Object') return `a ${name}`;
  const keys = Object.keys(v as object);
  return `an object {${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', …' : ''}}`;
}

/** The options without the keys whose value is undefined, so that spreading them keeps defaults. */
export function stripUndefined<O extends object>(o: O): O {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as O;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Throws unless value passes the check: `op: argument 'name' must be …, got …`. */
export function arg<T = unknown>(op: string, name: string, value: unknown, c: Check): T {
  if (!c(value)) throw new TsgradError(`${op}: argument '${name}' must be ${c.expected}, got ${show(value)}`);
  return value as T;
}

export type Spec<T> = { [K in keyof T]-?: Check };

/**
 * Checks an options object against a spec: every key must be known (a near miss gets a
 * "did you mean"), every value must pass its check, and the keys in `required` must be given.
 * Undefined values count as absent. Returns the options, typed; `undefined` reads as {}.
 */
export function options<T extends object>(op: string, opts: unknown, spec: Spec<T>, required: ReadonlyArray<keyof T> = []): T {
  if (opts === undefined && required.length === 0) return {} as T;
  if (!isPlainObject(opts)) {
    const need = required.length ? ` with ${required.map(String).join(', ')}` : '';
    throw new TsgradError(`${op}: expected an options object${need}, got ${show(opts)}`);
  }
  const known = Object.keys(spec);
  for (const key of Object.keys(opts)) {
    if (!(key in spec)) {
      const near = closest(key, known);
      const hint = near ? ` (did you mean '${near}'?)` : '';
      throw new TsgradError(`${op}: unknown option '${key}'${hint}; known options: ${known.join(', ')}`);
    }
  }
  for (const key of required) {
    if (opts[key as string] === undefined) {
      const c = (spec as Record<string, Check>)[key as string];
      throw new TsgradError(`${op}: option '${String(key)}' is required (${c.expected})`);
    }
  }
  for (const [key, c] of Object.entries(spec as Record<string, Check>)) {
    const v = opts[key];
    if (v !== undefined && !c(v)) throw new TsgradError(`${op}: option '${key}' must be ${c.expected}, got ${show(v)}`);
  }
  return opts as T;
}

/**
 * The known name nearest to `name` when it is a plausible misspelling or synonym: equal
 * ignoring case and underscores, one contains the other, or within a third of its length
 * in edit distance. Synonyms PyTorch and Keras users carry over are listed explicitly.
 */
export function closest(name: string, known: readonly string[]): string | null {
  const norm = (s: string): string => s.toLowerCase().replace(/[_-]/g, '');
  const n = norm(name);
  const synonym = SYNONYMS[n];
  if (synonym) for (const k of known) if (synonym.includes(norm(k))) return k;
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const m = norm(k);
    if (m === n) return k;
    const d = (m.length >= 3 && n.includes(m)) || (n.length >= 3 && m.includes(n)) ? 1 : editDistance(n, m);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== null && bestD <= Math.max(1, Math.floor(name.length / 3)) ? best : null;
}

const SYNONYMS: Record<string, string[]> = {
  learningrate: ['lr'],
  lr: ['learningrate'],
  axis: ['dim'],
  dim: ['axis'],
  keepdims: ['keepdim'],
  decay: ['weightdecay'],
  beta1: ['betas'],
  beta2: ['betas'],
  epsilon: ['eps'],
  units: ['outfeatures'],
  filters: ['outchannels'],
  kernel: ['kernelsize'],
  size: ['kernelsize'],
  rate: ['p'],
  dropout: ['p'],
};

/** Edit distance counting a swap of two neighbouring letters as one edit (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
