/**
 * Tables of mixed columns and their preprocessing for training. A Table holds numeric columns
 * (NaN where a cell is missing) and string columns (null where missing); readTable (csv.ts) reads
 * one from a CSV file. A TabularPreprocessor learns per-column statistics on the training rows
 * only and turns any table with those columns into a float32 feature matrix; its state is plain
 * JSON, saved beside the model by save(model, dir, { preprocessor }). Everything here runs in
 * browsers too: the CSV parsing, which needs Node, lives in csv.ts.
 */
import { arg, check, is, isPlainObject, options, show, stripUndefined } from '../util/args.js';
import { Tensor } from '../tensor/tensor.js';
import { TsgradError } from '../util/errors.js';
import { TensorDataset, type Dataset } from './dataset.js';
import { randomSplit } from './split.js';

/** A numeric column: NaN marks a missing cell. */
export interface NumberColumn {
  readonly name: string;
  readonly kind: 'number';
  readonly values: Float64Array;
}

/** A text column: null marks a missing cell. */
export interface StringColumn {
  readonly name: string;
  readonly kind: 'string';
  readonly values: ReadonlyArray<string | null>;
}

export type TableColumn = NumberColumn | StringColumn;

export interface TableOptions {
  /** 1-based source line of each row, for error messages (readTable fills it in). */
  lines?: ArrayLike<number>;
  /** Names the table's origin in errors: a file's path, or '<text>'. */
  source?: string;
}

/** The values fromColumns accepts for one column: numbers (null or NaN missing) or strings (null missing). */
export type ColumnValues = ArrayLike<number> | ReadonlyArray<number | string | null | undefined>;

/**
 * Columns of equal length, each numeric or text, with the source line of each row: what
 * readTable returns, pandas' DataFrame reduced to what training needs. Missing cells are NaN
 * in numeric columns and null in text columns.
 * @example
 * const t = Table.fromColumns({ age: [31, null, 45], city: ['Paris', 'Lyon', null] });
 * t.numRows;                 // 3
 * t.column('city').values;   // ['Paris', 'Lyon', null]
 * const firstTwo = t.take([0, 1]);
 */
export class Table {
  readonly columns: readonly TableColumn[];
  /** 1-based source line of each row, or null for a table built in code (errors then say "row"). */
  readonly lines: Int32Array | null;
  readonly source: string;
  private readonly byName = new Map<string, TableColumn>();

  constructor(columns: readonly TableColumn[], opts: TableOptions = {}) {
    arg('Table', 'columns', columns, COLUMNS);
    const o = options<TableOptions>('Table', opts, { lines: LINES, source: is.string });
    this.columns = columns;
    this.source = o.source ?? '<table>';
    const n = columns.length ? columns[0].values.length : (o.lines?.length ?? 0);
    for (const c of columns) {
      if (c.values.length !== n) {
        throw new TsgradError(
          `Table: column "${c.name}" has ${c.values.length} rows but "${columns[0].name}" has ${n}; columns must be equally long`,
        );
      }
      if (this.byName.has(c.name)) throw new TsgradError(`Table: two columns are named "${c.name}"; names must be unique`);
      this.byName.set(c.name, c);
    }
    if (o.lines !== undefined && o.lines.length !== n) throw new TsgradError(`Table: ${o.lines.length} line numbers for ${n} rows`);
    this.lines = o.lines === undefined ? null : Int32Array.from(o.lines);
  }

  /**
   * A table from plain arrays, one per column: a column of numbers (null, undefined or NaN
   * where missing) becomes numeric, a column holding any string becomes text (its numbers
   * written as strings).
   */
  static fromColumns(data: Record<string, ColumnValues>, opts: TableOptions = {}): Table {
    arg('Table.fromColumns', 'data', data, is.object);
    const columns = Object.entries(data).map(([name, values]): TableColumn => {
      if (values instanceof Float64Array) return { name, kind: 'number', values };
      const vs = Array.from(values as ArrayLike<unknown>);
      if (vs.some((v) => typeof v === 'string')) {
        return { name, kind: 'string', values: vs.map((v) => (v === null || v === undefined ? null : String(v))) };
      }
      const bad = vs.findIndex((v) => v !== null && v !== undefined && typeof v !== 'number');
      if (bad >= 0)
        throw new TsgradError(
          `Table.fromColumns: column "${name}" row ${bad + 1} is ${show(vs[bad])}, expected a number, a string or null`,
        );
      return { name, kind: 'number', values: Float64Array.from(vs, (v) => (v === null || v === undefined ? NaN : (v as number))) };
    });
    return new Table(columns, opts);
  }

  get numRows(): number {
    return this.columns.length ? this.columns[0].values.length : (this.lines?.length ?? 0);
  }

  /** The column names, in order. */
  get names(): string[] {
    return this.columns.map((c) => c.name);
  }

  /** The column called `name`; an unknown name is an error listing the columns that exist. */
  column(name: string, op = 'Table.column'): TableColumn {
    const c = this.byName.get(name);
    if (!c) throw new TsgradError(`${op}: ${this.source} has no column ${JSON.stringify(name)}; its columns are ${this.names.join(', ')}`);
    return c;
  }

  /** The rows at the given indices, in that order (a train or test split). */
  take(indices: ArrayLike<number>): Table {
    const n = this.numRows;
    const idx = Array.from(indices);
    const bad = idx.find((i) => !Number.isInteger(i) || i < 0 || i >= n);
    if (bad !== undefined) throw new TsgradError(`Table.take: index ${bad} is out of range for ${n} rows of ${this.source}`);
    const columns = this.columns.map((c): TableColumn =>
      c.kind === 'number'
        ? { name: c.name, kind: 'number', values: Float64Array.from(idx, (i) => c.values[i]) }
        : { name: c.name, kind: 'string', values: idx.map((i) => c.values[i]) },
    );
    const lines = this.lines ? Int32Array.from(idx, (i) => this.lines![i]) : undefined;
    return new Table(columns, { source: this.source, lines });
  }

  /** Where row r came from, for error messages: `data.csv: line 12`, or `<table>: row 3`. */
  where(r: number): string {
    return this.lines ? `${this.source}: line ${this.lines[r]}` : `${this.source}: row ${r + 1}`;
  }
}

const isColumn = (v: unknown): boolean =>
  isPlainObject(v) &&
  typeof v.name === 'string' &&
  ((v.kind === 'number' && v.values instanceof Float64Array) || (v.kind === 'string' && Array.isArray(v.values)));
const COLUMNS = check(
  "an array of columns { name, kind: 'number', values: Float64Array } or { name, kind: 'string', values: array }",
  (v) => Array.isArray(v) && v.every(isColumn),
);
const LINES = check('an array of line numbers', (v) => Array.isArray(v) || v instanceof Int32Array);

/**
 * Splits a table's rows at random into parts, as randomSplit does a dataset: `lengths` are
 * counts summing to the number of rows or fractions summing to 1. Seeded by manualSeed.
 * @example const [train, test] = splitTable(table, [0.8, 0.2]);
 */
export function splitTable(table: Table, lengths: readonly number[]): Table[] {
  arg('splitTable', 'table', table, is.instance(Table));
  // randomSplit only needs the length: the rows are taken from the table by the indices it draws.
  const rows: Dataset = { length: table.numRows, get: () => [] };
  return randomSplit(rows, lengths).map((part) => table.take(part.indices));
}

/** How a column becomes features. */
export type Encoding = 'standard' | 'passthrough' | 'onehot' | 'index';
/** What happens to a missing cell. */
export type MissingStrategy = 'error' | 'drop' | 'fill' | 'indicator';
/** What fills a missing cell: a statistic of the training rows, or a constant. */
export type FillValue = 'mean' | 'median' | 'mostFrequent' | number | string;
/** What a category not seen in fit becomes. */
export type UnknownCategory = 'error' | 'slot';

export interface FeatureSpec {
  /** The column. */
  name: string;
  /**
   * 'standard' (the default for numeric columns): (x - mean) / std with the training rows'
   * mean and std; 'passthrough': the number unchanged; 'onehot' (the default for text columns):
   * one 0/1 feature per category; 'index': the category's index (sorted order) as one feature.
   */
  encode?: Encoding;
  /**
   * 'error' (default): a missing cell is an error naming its line; 'drop': rows missing this
   * column are left out (in fit and in transform); 'fill': the cell takes the `fill` value;
   * 'indicator': as 'fill', plus a 0/1 feature `<name>_missing`.
   */
  missing?: MissingStrategy;
  /** For 'fill' and 'indicator': 'mean' (default for numbers), 'median', 'mostFrequent' (default for categories) or a constant. */
  fill?: FillValue;
  /** For 'onehot' and 'index': 'error' (default) or 'slot', an extra feature (or index) for categories unseen in fit. */
  unknown?: UnknownCategory;
}

export interface TabularPreprocessorOptions {
  /** The feature columns in order: a name takes the defaults, a spec says how. */
  features: ReadonlyArray<string | FeatureSpec>;
  /** The label column, encoded by transformTarget and dataset (not a feature). */
  target?: string;
  /** 'classification' (default): the target's values are classes, int32 indices in sorted order; 'regression': float32 numbers. */
  task?: 'classification' | 'regression';
  /** The missing-value strategy of features that do not set one (default 'error'). */
  missing?: MissingStrategy;
  /** The fill of features that do not set one. */
  fill?: FillValue;
  /** The unseen-category rule of features that do not set one (default 'error'). */
  unknown?: UnknownCategory;
}

/** One feature column after fit: its spec with every default resolved, and the statistics it learned. */
export interface FittedFeature {
  name: string;
  encode: Encoding;
  missing: MissingStrategy;
  unknown: UnknownCategory;
  /** What a missing cell becomes, for 'fill' and 'indicator': a number, or a category. */
  fillValue?: number | string;
  /** 'standard': mean and standard deviation (population, as scikit-learn's StandardScaler) of the training rows' present values. */
  mean?: number;
  std?: number;
  /** 'onehot' and 'index': the training rows' categories, sorted. */
  categories?: string[];
}

export interface FittedTarget {
  name: string;
  task: 'classification' | 'regression';
  /** Classification: the class names; class i is classes[i]. */
  classes?: string[];
}

/** What toJSON writes and fromJSON reads: plain JSON. */
export interface PreprocessorState {
  format: 'tsgrad-tabular-preprocessor';
  version: 1;
  features: FittedFeature[];
  target?: FittedTarget;
}

const FORMAT = 'tsgrad-tabular-preprocessor';
const ENCODINGS: readonly Encoding[] = ['standard', 'passthrough', 'onehot', 'index'];
const STRATEGIES: readonly MissingStrategy[] = ['error', 'drop', 'fill', 'indicator'];
const UNKNOWN: readonly UnknownCategory[] = ['error', 'slot'];
const TASKS = ['classification', 'regression'] as const;
const FILL = check(
  "'mean', 'median', 'mostFrequent', a finite number or a string",
  (v) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)),
);
const FEATURE = check(
  'a column name or a feature spec { name, encode?, missing?, fill?, unknown? }',
  (v) => typeof v === 'string' || isPlainObject(v),
);
const FEATURE_SPEC = {
  name: is.string,
  encode: is.oneOf(ENCODINGS),
  missing: is.oneOf(STRATEGIES),
  fill: FILL,
  unknown: is.oneOf(UNKNOWN),
};

/**
 * Per-column preprocessing of a table into a float32 feature matrix, as scikit-learn's
 * ColumnTransformer: numeric columns standard-scaled, text columns one-hot or index encoded,
 * missing cells dropped, filled or filled with an indicator feature. `fit` learns the
 * statistics (means, standard deviations, categories, fill values) from the rows it is given,
 * which must be the training split only, so that nothing of the test rows leaks into training;
 * `transform` applies them unchanged to any table. `toJSON` / `fromJSON` keep the statistics,
 * and save(model, dir, { preprocessor }) stores them beside the model (loadPreprocessor reads
 * them back).
 * @example
 * const [train, test] = splitTable(readTable('adult.csv'), [0.8, 0.2]);
 * const prep = new TabularPreprocessor({
 *   features: ['age', { name: 'workclass', missing: 'fill' }, { name: 'hours', missing: 'indicator', fill: 'median' }],
 *   target: 'income',
 * }).fit(train);
 * fit(model, { train: prep.dataset(train), epochs: 10, optimizer, verbose: 0 });
 * const accuracy = evaluate(model, prep.dataset(test), { metrics: ['accuracy'] }).accuracy;
 * save(model, 'runs/adult', { preprocessor: prep });
 */
export class TabularPreprocessor {
  private readonly specs: FeatureSpec[];
  private readonly targetName?: string;
  private readonly task: 'classification' | 'regression';
  private state: PreprocessorState | null = null;

  constructor(opts: TabularPreprocessorOptions) {
    const o = options<TabularPreprocessorOptions>(
      'TabularPreprocessor',
      opts,
      {
        features: is.arrayOf(FEATURE),
        target: is.string,
        task: is.oneOf(TASKS),
        missing: is.oneOf(STRATEGIES),
        fill: FILL,
        unknown: is.oneOf(UNKNOWN),
      },
      ['features'],
    );
    this.specs = o.features.map((f) => {
      const spec =
        typeof f === 'string'
          ? { name: f }
          : options<FeatureSpec>(`TabularPreprocessor: feature ${show(f.name)}`, f, FEATURE_SPEC, ['name']);
      return { missing: o.missing, fill: o.fill, unknown: o.unknown, ...stripUndefined(spec) };
    });
    if (this.specs.length === 0) throw new TsgradError('TabularPreprocessor: features is empty; name at least one column');
    const seen = new Set<string>();
    for (const s of this.specs) {
      if (seen.has(s.name)) throw new TsgradError(`TabularPreprocessor: feature "${s.name}" is listed twice`);
      seen.add(s.name);
    }
    if (o.target !== undefined && seen.has(o.target)) {
      throw new TsgradError(`TabularPreprocessor: "${o.target}" is both the target and a feature; a model must not see its label`);
    }
    this.targetName = o.target;
    this.task = o.task ?? 'classification';
  }

  /** Whether fit (or fromJSON) has given it statistics. */
  get fitted(): boolean {
    return this.state !== null;
  }

  /**
   * Learns every feature's statistics from `table`, which should hold the training rows only.
   * Rows missing a 'drop' column are left out first; means, standard deviations, medians and
   * categories come from the present values of the remaining rows.
   */
  fit(table: Table): this {
    const op = 'TabularPreprocessor.fit';
    arg(op, 'table', table, is.instance(Table));
    const columns = this.specs.map((s) => table.column(s.name, op));
    const kept = keptRowsOf(table, this.specs, columns);
    if (kept.length === 0) throw new TsgradError(`${op}: no rows of ${table.source} are left to fit on (every row misses a 'drop' column)`);
    const features = this.specs.map((s, j) => fitFeature(op, table, s, columns[j], kept));
    const state: PreprocessorState = { format: FORMAT, version: 1, features };
    if (this.targetName !== undefined) state.target = fitTarget(op, table, this.targetName, this.task, kept);
    this.state = state;
    return this;
  }

  /** fit(table) then transform(table). */
  fitTransform(table: Table): Tensor {
    return this.fit(table).transform(table);
  }

  /**
   * The features of a table as a float32 tensor [rows, numFeatures], with the statistics
   * learned in fit; rows missing a 'drop' column are left out (keptRows says which remain).
   */
  transform(table: Table): Tensor {
    const op = 'TabularPreprocessor.transform';
    const state = this.need(op);
    arg(op, 'table', table, is.instance(Table));
    const columns = state.features.map((f) => table.column(f.name, op));
    const kept = keptRowsOf(table, state.features, columns);
    const width = totalWidth(state.features);
    const x = new Float32Array(kept.length * width);
    let offset = 0;
    state.features.forEach((f, j) => {
      offset += writeFeature(op, table, f, columns[j], kept, x, width, offset);
    });
    return new Tensor(x, [kept.length, width]);
  }

  /**
   * The target column of the kept rows: int32 class indices [rows] for classification (an
   * unseen class is an error), float32 values for regression. A missing label is an error.
   */
  transformTarget(table: Table): Tensor {
    const op = 'TabularPreprocessor.transformTarget';
    const state = this.need(op);
    arg(op, 'table', table, is.instance(Table));
    const target = state.target;
    if (!target) throw new TsgradError(`${op}: the preprocessor has no target; pass { target: 'column' } to its constructor`);
    const kept = keptRowsFitted(op, table, state);
    const col = table.column(target.name, op);
    if (target.task === 'regression') {
      return new Tensor(
        Float32Array.from(kept, (r) => numberAt(op, table, col, r) ?? missingLabel(op, table, target.name, r)),
        [kept.length],
      );
    }
    const index = new Map(target.classes!.map((c, i) => [c, i]));
    const y = Int32Array.from(kept, (r) => {
      const key = categoryAt(col, r) ?? missingLabel(op, table, target.name, r);
      const i = index.get(key);
      if (i === undefined) {
        throw new TsgradError(
          `${op}: ${table.where(r)}: class ${JSON.stringify(key)} of "${target.name}" was not seen in fit (classes: ${listSome(target.classes!)})`,
        );
      }
      return i;
    });
    return new Tensor(y, [kept.length]);
  }

  /** A TensorDataset [features, target] of a table, for fit and evaluate. */
  dataset(table: Table): TensorDataset {
    return new TensorDataset(this.transform(table), this.transformTarget(table));
  }

  /** The indices of the rows transform keeps: all of them unless a feature's missing strategy is 'drop'. */
  keptRows(table: Table): Int32Array {
    const op = 'TabularPreprocessor.keptRows';
    const state = this.need(op);
    arg(op, 'table', table, is.instance(Table));
    return keptRowsFitted(op, table, state);
  }

  /** The name of each output feature: `age`, `city=Paris`, `city=<unknown>`, `income_missing`. */
  get featureNames(): string[] {
    const names: string[] = [];
    for (const f of this.need('TabularPreprocessor.featureNames').features) {
      if (f.encode === 'onehot') {
        names.push(...f.categories!.map((c) => `${f.name}=${c}`));
        if (f.unknown === 'slot') names.push(`${f.name}=<unknown>`);
      } else {
        names.push(f.name);
      }
      if (f.missing === 'indicator') names.push(`${f.name}_missing`);
    }
    return names;
  }

  /** The width of transform's output. */
  get numFeatures(): number {
    return totalWidth(this.need('TabularPreprocessor.numFeatures').features);
  }

  /** Each feature's resolved spec and learned statistics (the mean and std of a scaled column, say). */
  get features(): readonly FittedFeature[] {
    return this.need('TabularPreprocessor.features').features;
  }

  /** The class names of a classification target, in index order. */
  get classes(): string[] {
    const target = this.need('TabularPreprocessor.classes').target;
    if (target?.task !== 'classification')
      throw new TsgradError('TabularPreprocessor.classes: the preprocessor has no classification target');
    return target.classes!.slice();
  }

  /** The fitted state as plain JSON (JSON.stringify calls this). */
  toJSON(): PreprocessorState {
    return structuredClone(this.need('TabularPreprocessor.toJSON'));
  }

  /**
   * A fitted preprocessor from toJSON's output, checked field by field: a damaged or foreign
   * file is an error naming `source` and the field, never a preprocessor that transforms wrongly.
   */
  static fromJSON(json: unknown, source = 'the JSON'): TabularPreprocessor {
    const state = checkState(json, source);
    const prep = new TabularPreprocessor({
      features: state.features.map((f) => ({ name: f.name, encode: f.encode, missing: f.missing, unknown: f.unknown })),
      target: state.target?.name,
      task: state.target?.task,
    });
    prep.state = structuredClone(state);
    return prep;
  }

  private need(op: string): PreprocessorState {
    if (!this.state)
      throw new TsgradError(
        `${op}: the preprocessor is not fitted; call fit(trainTable) first, or load a fitted one with loadPreprocessor`,
      );
    return this.state;
  }
}

const isCategorical = (e: Encoding | undefined): boolean => e === 'onehot' || e === 'index';

/** Rows whose 'drop' features are all present. */
function keptRowsOf(table: Table, specs: ReadonlyArray<{ missing?: MissingStrategy }>, columns: TableColumn[]): Int32Array {
  const drop = columns.filter((_, j) => specs[j].missing === 'drop');
  const kept: number[] = [];
  for (let r = 0; r < table.numRows; r++) if (drop.every((c) => !isMissing(c, r))) kept.push(r);
  return Int32Array.from(kept);
}

/** keptRowsOf for a table given to a fitted preprocessor: its feature columns looked up by name (an unknown one listed). */
function keptRowsFitted(op: string, table: Table, state: PreprocessorState): Int32Array {
  return keptRowsOf(
    table,
    state.features,
    state.features.map((f) => table.column(f.name, op)),
  );
}

function isMissing(c: TableColumn, r: number): boolean {
  return c.kind === 'number' ? Number.isNaN(c.values[r]) : c.values[r] === null;
}

/** A cell as a number, undefined when missing; text that is not a number is an error naming the line. */
function numberAt(op: string, table: Table, c: TableColumn, r: number): number | undefined {
  if (c.kind === 'number') return Number.isNaN(c.values[r]) ? undefined : c.values[r];
  const s = c.values[r];
  if (s === null) return undefined;
  const v = s.trim() === '' ? NaN : Number(s);
  if (Number.isNaN(v)) {
    throw new TsgradError(
      `${op}: ${table.where(r)}: column "${c.name}" holds ${JSON.stringify(s)}, expected a number (the column is scaled as numbers)`,
    );
  }
  return v;
}

/** A cell as a category: text as it is, a number as JavaScript prints it; undefined when missing. */
function categoryAt(c: TableColumn, r: number): string | undefined {
  if (c.kind === 'string') return c.values[r] ?? undefined;
  return Number.isNaN(c.values[r]) ? undefined : String(c.values[r]);
}

function missingLabel(op: string, table: Table, name: string, r: number): never {
  throw new TsgradError(`${op}: ${table.where(r)}: the target "${name}" is missing; remove unlabelled rows before training`);
}

/** Sorted categories: numerically when every one is a number (so "10" follows "9"), else by code unit. */
function sortCategories(cats: string[]): string[] {
  const numeric = cats.every((c) => c.trim() !== '' && !Number.isNaN(Number(c)));
  return cats.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function listSome(xs: readonly string[], n = 10): string {
  const shown = xs.slice(0, n).map((x) => JSON.stringify(x));
  return xs.length > n ? `${shown.join(', ')}, … (${xs.length} in all)` : shown.join(', ');
}

function fitFeature(op: string, table: Table, spec: FeatureSpec, col: TableColumn, kept: Int32Array): FittedFeature {
  const encode = spec.encode ?? (col.kind === 'number' ? 'standard' : 'onehot');
  const missing = spec.missing ?? 'error';
  const unknown = spec.unknown ?? 'error';
  const fill = spec.fill ?? (isCategorical(encode) ? 'mostFrequent' : 'mean');
  const where = `column "${spec.name}"`;
  if (!isCategorical(encode) && col.kind === 'string') {
    const r = col.values.findIndex((v) => v !== null && Number.isNaN(Number(v)));
    if (r >= 0) {
      throw new TsgradError(
        `${op}: ${table.where(r)}: ${where} holds text (${JSON.stringify(col.values[r])}), so it cannot be encoded '${encode}'; encode it as 'onehot' or 'index'`,
      );
    }
  }
  if (isCategorical(encode) && (fill === 'mean' || fill === 'median')) {
    throw new TsgradError(
      `${op}: ${where} is encoded '${encode}', whose missing cells cannot be filled with the ${fill}; use 'mostFrequent' or a constant`,
    );
  }
  if (!isCategorical(encode) && typeof fill === 'string' && fill !== 'mean' && fill !== 'median' && fill !== 'mostFrequent') {
    throw new TsgradError(
      `${op}: ${where} is numeric ('${encode}'), so its fill must be 'mean', 'median', 'mostFrequent' or a number, got ${JSON.stringify(fill)}`,
    );
  }
  // The missing cells of the rows fitted on: an error unless the spec says what to do with them.
  const missingRow = Array.from(kept).find((r) => isMissing(col, r));
  if (missingRow !== undefined && missing === 'error') {
    throw new TsgradError(
      `${op}: ${table.where(missingRow)}: ${where} is missing a value; give the feature missing: 'drop', 'fill' or 'indicator' to train on incomplete rows`,
    );
  }
  const out: FittedFeature = { name: spec.name, encode, missing, unknown };
  const needsFill = missing === 'fill' || missing === 'indicator';
  if (isCategorical(encode)) {
    const counts = new Map<string, number>();
    for (const r of kept) {
      const k = categoryAt(col, r);
      if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    if (counts.size === 0) throw new TsgradError(`${op}: ${where} has no values in the ${kept.length} rows fitted on`);
    const seen = sortCategories([...counts.keys()]);
    out.categories = seen;
    if (needsFill && fill === 'mostFrequent') {
      // Ties go to the first category in sorted order, so that fit does not depend on row order.
      out.fillValue = seen.reduce((best, c) => (counts.get(c)! > counts.get(best)! ? c : best));
    } else if (needsFill) {
      out.fillValue = String(fill);
      // A constant fill is a category of its own, even when no training row was missing.
      if (!counts.has(out.fillValue)) out.categories = sortCategories([...seen, out.fillValue]);
    }
    return out;
  }
  const values: number[] = [];
  for (const r of kept) {
    const v = numberAt(op, table, col, r);
    if (v === undefined) continue;
    if (!Number.isFinite(v)) throw new TsgradError(`${op}: ${table.where(r)}: ${where} holds ${v}; a feature must be finite`);
    values.push(v);
  }
  if (values.length === 0) throw new TsgradError(`${op}: ${where} has no values in the ${kept.length} rows fitted on`);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (encode === 'standard') {
    const variance = values.reduce((a, v) => a + (v - mean) * (v - mean), 0) / values.length;
    // A constant column has std 0: it scales by 1 (as scikit-learn does) rather than dividing by zero.
    out.mean = mean;
    out.std = variance > 0 ? Math.sqrt(variance) : 1;
  }
  if (needsFill)
    out.fillValue = fill === 'mean' ? mean : fill === 'median' ? median(values) : fill === 'mostFrequent' ? mode(values) : (fill as number);
  return out;
}

function median(values: number[]): number {
  const s = Float64Array.from(values).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The most frequent value; ties go to the smallest. */
function mode(values: number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = NaN;
  let n = 0;
  for (const [v, c] of counts) {
    if (c > n || (c === n && v < best)) [best, n] = [v, c];
  }
  return best;
}

function fitTarget(op: string, table: Table, name: string, task: 'classification' | 'regression', kept: Int32Array): FittedTarget {
  const col = table.column(name, op);
  if (task === 'regression') {
    for (const r of kept) if (numberAt(op, table, col, r) === undefined) missingLabel(op, table, name, r);
    return { name, task };
  }
  const classes = new Set<string>();
  for (const r of kept) classes.add(categoryAt(col, r) ?? missingLabel(op, table, name, r));
  return { name, task, classes: sortCategories([...classes]) };
}

/** How many columns of transform's output the features take in all. */
function totalWidth(features: readonly FittedFeature[]): number {
  let width = 0;
  for (const f of features) {
    width += f.encode === 'onehot' ? f.categories!.length + (f.unknown === 'slot' ? 1 : 0) : 1;
    if (f.missing === 'indicator') width++;
  }
  return width;
}

/** Writes one feature's columns of x (row stride `width`, starting at column `offset`); returns how many. */
function writeFeature(
  op: string,
  table: Table,
  f: FittedFeature,
  col: TableColumn,
  kept: Int32Array,
  x: Float32Array,
  width: number,
  offset: number,
): number {
  const fillIn = f.missing === 'fill' || f.missing === 'indicator';
  const missingCell = (r: number): never => {
    throw new TsgradError(
      `${op}: ${table.where(r)}: column "${f.name}" is missing a value and the feature was fitted with missing: '${f.missing}'`,
    );
  };
  if (!isCategorical(f.encode)) {
    kept.forEach((r, i) => {
      let v = numberAt(op, table, col, r);
      const absent = v === undefined;
      if (absent) v = fillIn ? (f.fillValue as number) : missingCell(r);
      if (!Number.isFinite(v)) throw new TsgradError(`${op}: ${table.where(r)}: column "${f.name}" holds ${v}; a feature must be finite`);
      x[i * width + offset] = f.encode === 'standard' ? (v! - f.mean!) / f.std! : v!;
      if (f.missing === 'indicator') x[i * width + offset + 1] = absent ? 1 : 0;
    });
    return f.missing === 'indicator' ? 2 : 1;
  }
  const cats = f.categories!;
  const index = new Map(cats.map((c, i) => [c, i]));
  const slots = f.encode === 'onehot' ? cats.length + (f.unknown === 'slot' ? 1 : 0) : 1;
  kept.forEach((r, i) => {
    let key = categoryAt(col, r);
    const absent = key === undefined;
    if (absent) key = fillIn ? (f.fillValue as string) : missingCell(r);
    let k = index.get(key!);
    if (k === undefined) {
      if (f.unknown !== 'slot') {
        throw new TsgradError(
          `${op}: ${table.where(r)}: column "${f.name}" has the category ${JSON.stringify(key)}, which fit never saw (known: ${listSome(cats)}); ` +
            "give the feature unknown: 'slot' to map unseen categories to a feature of their own",
        );
      }
      k = cats.length;
    }
    if (f.encode === 'onehot') x[i * width + offset + k] = 1;
    else x[i * width + offset] = k;
    if (f.missing === 'indicator') x[i * width + offset + slots] = absent ? 1 : 0;
  });
  return slots + (f.missing === 'indicator' ? 1 : 0);
}

/** Checks a saved state field by field (see fromJSON). */
function checkState(json: unknown, source: string): PreprocessorState {
  const bad = (what: string): never => {
    throw new TsgradError(`TabularPreprocessor.fromJSON: ${source}: ${what}`);
  };
  if (!isPlainObject(json) || json.format !== FORMAT)
    return bad(`not a saved TabularPreprocessor (expected format "${FORMAT}", got ${show(isPlainObject(json) ? json.format : json)})`);
  if (json.version !== 1) bad(`format version ${show(json.version)} cannot be read (supported: 1)`);
  if (!Array.isArray(json.features) || json.features.length === 0) bad('"features" must be a non-empty array');
  (json.features as unknown[]).forEach((f, j) => {
    const at = `features[${j}]`;
    if (!isPlainObject(f) || typeof f.name !== 'string') return bad(`${at} must be an object with a name`);
    if (!ENCODINGS.includes(f.encode as Encoding)) bad(`${at}.encode must be one of ${ENCODINGS.join(', ')}, got ${show(f.encode)}`);
    if (!STRATEGIES.includes(f.missing as MissingStrategy))
      bad(`${at}.missing must be one of ${STRATEGIES.join(', ')}, got ${show(f.missing)}`);
    if (!UNKNOWN.includes(f.unknown as UnknownCategory)) bad(`${at}.unknown must be one of ${UNKNOWN.join(', ')}, got ${show(f.unknown)}`);
    const finite = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
    if (f.encode === 'standard' && !(finite(f.mean) && finite(f.std) && (f.std as number) > 0))
      bad(`${at} ("${f.name}") needs a finite mean and a positive std`);
    const categorical = isCategorical(f.encode as Encoding);
    const cats = f.categories;
    if (categorical && !(Array.isArray(cats) && cats.length > 0 && cats.every((c) => typeof c === 'string')))
      bad(`${at} ("${f.name}") needs its categories, a non-empty array of strings`);
    if (f.missing === 'fill' || f.missing === 'indicator') {
      const ok = categorical ? typeof f.fillValue === 'string' && (cats as string[]).includes(f.fillValue) : finite(f.fillValue);
      if (!ok)
        bad(
          `${at} ("${f.name}") needs a fillValue (${categorical ? 'one of its categories' : 'a finite number'}), got ${show(f.fillValue)}`,
        );
    }
  });
  const t = json.target;
  if (t !== undefined) {
    if (!isPlainObject(t) || typeof t.name !== 'string' || !TASKS.includes(t.task as never))
      bad('"target" must be { name, task: "classification" | "regression" }');
    const target = t as Record<string, unknown>;
    if (target.task === 'classification' && !(Array.isArray(target.classes) && target.classes.every((c) => typeof c === 'string'))) {
      bad('a classification target needs its classes, an array of strings');
    }
  }
  return json as unknown as PreprocessorState;
}
