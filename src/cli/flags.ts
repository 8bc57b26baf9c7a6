import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/**
 * The command's flag checks, run before any work starts: a flag that cannot be right is
 * refused at once with a message naming it, instead of failing after minutes of training.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Values = Record<string, unknown>;

function raw(values: Values, name: string): string | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`--${name} expects a value`);
  return v;
}

/** A number flag with bounds: `min` inclusive, `below` exclusive. */
export function numberFlag(
  values: Values,
  name: string,
  o: { min?: number; above?: number; below?: number; max?: number } = {},
): number | undefined {
  const v = raw(values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  const range = [
    o.min !== undefined ? `>= ${o.min}` : '',
    o.above !== undefined ? `> ${o.above}` : '',
    o.max !== undefined ? `<= ${o.max}` : '',
    o.below !== undefined ? `< ${o.below}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const ok =
    Number.isFinite(n) &&
    (o.min === undefined || n >= o.min) &&
    (o.above === undefined || n > o.above) &&
    (o.max === undefined || n <= o.max) &&
    (o.below === undefined || n < o.below);
  if (!ok) throw new UsageError(`--${name} expects a number${range ? ` ${range}` : ''}, got '${v}'`);
  return n;
}

/** A flag whose value is one of `choices`. */
export function choiceFlag<T extends string>(values: Values, name: string, choices: readonly T[]): T | undefined {
  const v = raw(values, name);
  if (v === undefined) return undefined;
  if (!choices.includes(v as T)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${v}'`);
  return v as T;
}

/** A whole-number flag, at least `min` (default 1). */
export function intFlag(values: Values, name: string, min = 1): number | undefined {
  const v = raw(values, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(`--${name} expects ${min === 1 ? 'a positive whole number' : `a whole number >= ${min}`}, got '${v}'`);
  }
  return n;
}

/** An output directory: created when missing; a path that is a file, or not writable, is refused. */
export function outDirFlag(values: Values, name = 'out'): string | undefined {
  const dir = raw(values, name);
  if (dir === undefined) return undefined;
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--${name} ${dir} is a file; it must name a directory`);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new UsageError(`--${name} ${dir} is not a writable directory (${(e as Error).message})`);
  }
  return dir;
}

/** A file that must exist. */
export function inputFile(path: string | undefined, what: string): string {
  if (path === undefined) throw new UsageError(`${what} is missing`);
  if (!existsSync(path)) throw new UsageError(`${what} ${path} not found`);
  if (!statSync(path).isFile()) throw new UsageError(`${what} ${path} is not a file`);
  return path;
}

/** A saved model's directory: it must hold config.json. */
export function modelDir(path: string | undefined): string {
  if (path === undefined) throw new UsageError('the model directory is missing');
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new UsageError(`model directory ${path} not found`);
  if (!existsSync(`${path}/config.json`))
    throw new UsageError(`${path} holds no config.json: it is not a model saved by tsgrad (train with --out)`);
  return path;
}

/**
 * A command's flags in parseArgs' form from two lists: the flags that take a value (checked and
 * converted later by intFlag, numberFlag, ...) and the switches.
 * @example flagSpec(['epochs', 'lr', 'out'], ['json'])
 */
export function flagSpec(withValue: readonly string[], switches: readonly string[] = []): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries([
    ...withValue.map((f) => [f, { type: 'string' as const }]),
    ...switches.map((f) => [f, { type: 'boolean' as const }]),
  ]);
}

/** Parses a command's flags strictly: an unknown flag is a usage error naming the command. */
export function parseFlags(
  command: string,
  args: string[],
  options: NonNullable<ParseArgsConfig['options']>,
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
  } catch (e) {
    const flags = Object.keys(options)
      .map((k) => `--${k}`)
      .join(', ');
    throw new UsageError(`${command}: ${(e as Error).message.split('. ')[0]} (flags: ${flags})`);
  }
}
