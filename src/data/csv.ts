/**
 * CSV files, parsed by csv-parse: the numeric reader (parseCsv / readCsv, every cell a number)
 * and the table reader (parseTable / readTable / readTableStream), which keeps text columns as
 * text, recognises missing cells and reads large files as a stream. Node only: csv-parse's sync
 * API works on Buffers and its stream API on Node streams, so the browser entry leaves this file
 * out (the Table and the preprocessing in tabular.ts run in browsers too).
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parse as parseStream } from 'csv-parse';
import { CsvError, parse as parseSync, type InfoRecord, type Options as CsvParseOptions } from 'csv-parse/sync';
import { arg, is, options } from '../util/args.js';
import { readText } from '../util/read-file.js';
import { Tensor } from '../tensor/tensor.js';
import { TsgradError } from '../util/errors.js';
import { TensorDataset } from './dataset.js';
import { Table, type TableColumn } from './tabular.js';

export interface CsvOptions {
  /** The first record names the columns (default true). */
  header?: boolean;
  /** Field separator (default ','). */
  delimiter?: string;
  /** Names the source in error messages (readCsv passes the path). */
  file?: string;
}

/** A numeric table: the column names and one array of numbers per row, with the line each row came from. */
export interface CsvTable {
  header: string[];
  rows: number[][];
  /** 1-based line number of each row in the file, for error messages. */
  lines: number[];
}

/**
 * The line where each record starts. csv-parse reports the line where a record ends, and counts
 * every CR and every LF inside a quoted field as a line (a CRLF there counts twice), so the start
 * is computed here instead: the previous record's end, plus the blank lines csv-parse skipped in
 * between, plus one; the record then ends after the line breaks inside its fields.
 */
class LineCounter {
  private end = 0;
  private empty = 0;

  /** The start line of the record with these fields; `emptyLines` is csv-parse's count of blank lines so far. */
  record(fields: readonly string[], emptyLines: number): number {
    const start = this.next(emptyLines);
    this.empty = emptyLines;
    let breaks = 0;
    for (const f of fields) breaks += f.match(/\r\n|\r|\n/g)?.length ?? 0;
    this.end = start + breaks;
    return start;
  }

  /** The line where the next record starts: where a parse error that csv-parse raises in it is reported. */
  next(emptyLines: number): number {
    return this.end + 1 + (emptyLines - this.empty);
  }
}

/** csv-parse's options for tsgrad's readers: every record goes to `onRecord` with its start line, none is kept. */
function csvParseOptions(
  delimiter: string,
  trim: boolean,
  lines: LineCounter,
  onRecord: (fields: string[], line: number) => void,
): CsvParseOptions {
  return {
    delimiter,
    bom: true,
    // A file may mix line endings (rows appended on another system): accept all three, CRLF first.
    record_delimiter: ['\r\n', '\n', '\r'],
    // Ragged rows are reported by the readers, which know the expected width and the row's start line.
    relax_column_count: true,
    skip_empty_lines: true,
    trim,
    on_record: (record: unknown, info: InfoRecord) => {
      const fields = record as string[];
      onRecord(fields, lines.record(fields, info.empty_lines));
      return null;
    },
  };
}

/** A csv-parse error as a TsgradError naming the operation, the source and the line; other errors pass through. */
function csvFailure(op: string, source: string, e: unknown, lines: LineCounter): unknown {
  if (!(e instanceof CsvError)) return e;
  const at = `${op}: ${source}: line ${lines.next(typeof e.empty_lines === 'number' ? e.empty_lines : 0)}`;
  const column = typeof e.column === 'number' ? `, column ${e.column + 1}` : '';
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new TsgradError(`${at}: quoted field is never closed`);
    case 'CSV_INVALID_CLOSING_QUOTE': {
      const got = /got (".*?") at line/.exec(e.message)?.[1] ?? 'a character';
      return new TsgradError(
        `${at}${column}: unexpected ${got} after a closing quote (a quoted field must end at a delimiter or the end of the line)`,
      );
    }
    case 'INVALID_OPENING_QUOTE':
      return new TsgradError(
        `${at}${column}: a quote inside an unquoted field; quote the whole field and double the quotes inside it ("5'11""")`,
      );
    default:
      return new TsgradError(`${at}: ${e.message}`);
  }
}

function checkDelimiter(op: string, delim: string): void {
  if (delim.length !== 1 || delim === '"' || delim === '\n' || delim === '\r') {
    throw new TsgradError(`${op}: delimiter must be one character other than a quote or newline, got ${JSON.stringify(delim)}`);
  }
}

/**
 * Splits CSV text into records of fields with csv-parse (RFC 4180: quoted fields may hold the
 * delimiter, newlines and doubled quotes; blank lines are skipped). Returns each record with the
 * line it starts on. An unclosed quote, text after a closing quote, or a quote inside an
 * unquoted field is an error naming the source and the line.
 * @example parseCsvRecords('a,b\n"x,y",2\n'); // [{ line: 1, fields: ['a', 'b'] }, { line: 2, fields: ['x,y', '2'] }]
 */
export function parseCsvRecords(text: string, opts: CsvOptions = {}): Array<{ line: number; fields: string[] }> {
  arg('parseCsvRecords', 'text', text, is.string);
  return records('parseCsvRecords', text, opts);
}

function records(op: string, text: string, opts: CsvOptions): Array<{ line: number; fields: string[] }> {
  const delim = opts.delimiter ?? ',';
  checkDelimiter(op, delim);
  const out: Array<{ line: number; fields: string[] }> = [];
  const lines = new LineCounter();
  try {
    // Fields are not trimmed: parseCsv's numbers allow spaces, and the records keep them for other callers.
    parseSync(
      text,
      csvParseOptions(delim, false, lines, (fields, line) => out.push({ line, fields })),
    );
  } catch (e) {
    throw csvFailure(op, opts.file ?? '<text>', e, lines);
  }
  return out;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A number written in decimal or exponent notation, or an infinity; undefined otherwise (NaN included). */
function parseNumber(s: string): number | undefined {
  const t = s.trim();
  if (NUMBER.test(t)) return Number(t);
  if (/^[+-]?(inf|Infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  return undefined;
}

/** Parses one numeric cell strictly: an empty or non-numeric cell is an error, never a silent 0 or NaN. */
function parseCell(s: string): number | undefined {
  const t = s.trim();
  if (t === 'NaN' || t === 'nan') return NaN;
  return parseNumber(t);
}

/**
 * Parses numeric CSV text. Every row must have as many fields as the first; a
 * cell that is not a number throws, naming the source, line and column.
 * @example const t = parseCsv('x,y\n1,2\n3,4\n'); // { header: ['x','y'], rows: [[1,2],[3,4]], lines: [2,3] }
 */
export function parseCsv(text: string, opts: CsvOptions = {}): CsvTable {
  arg('parseCsv', 'text', text, is.string);
  const source = opts.file ?? '<text>';
  const recs = records('readCsv', text, opts);
  const header = opts.header ?? true;
  if (recs.length === 0) throw new TsgradError(`readCsv: ${source}: no records`);
  const width = recs[0].fields.length;
  const columns = header ? recs[0].fields.map((f) => f.trim()) : Array.from({ length: width }, (_, j) => `column${j + 1}`);
  const body = header ? recs.slice(1) : recs;
  const rows: number[][] = [];
  const lines: number[] = [];
  body.forEach((rec) => {
    if (rec.fields.length !== width) {
      throw new TsgradError(`readCsv: ${source}: line ${rec.line}: ${rec.fields.length} fields, expected ${width} like the first line`);
    }
    rows.push(
      rec.fields.map((f, j) => {
        const v = parseCell(f);
        if (v === undefined) {
          throw new TsgradError(
            `readCsv: ${source}: line ${rec.line}, column ${j + 1} (${JSON.stringify(columns[j])}): cannot parse ${JSON.stringify(f)} as a number`,
          );
        }
        return v;
      }),
    );
    lines.push(rec.line);
  });
  return { header: columns, rows, lines };
}

/**
 * Reads a numeric CSV file (see parseCsv); errors name the file.
 * @example const { header, rows } = readCsv('measurements.csv');
 */
export function readCsv(path: string, opts: Omit<CsvOptions, 'file'> = {}): CsvTable {
  return parseCsv(readText('readCsv', path), { ...opts, file: path });
}

/** The cells read as missing by default: empty, NA, NaN, null and ?. */
export const DEFAULT_MISSING: readonly string[] = ['', 'NA', 'NaN', 'null', '?'];

export interface ReadTableOptions {
  /** The first record names the columns (default true). */
  header?: boolean;
  /** Column names: for a file without a header, or to replace the header's. */
  names?: string[];
  /** Field separator (default ','). */
  delimiter?: string;
  /** Keep only these columns, in this order; an unknown name is an error listing the columns. */
  columns?: string[];
  /** Cells (after trimming) that mean "missing" (default DEFAULT_MISSING). */
  missing?: readonly string[];
  /** Force a column's kind: 'string' keeps codes like "007" as text, 'number' makes a non-numeric cell an error. */
  types?: Record<string, 'number' | 'string'>;
  /** Names the source in errors (parseTable; the readers pass the path). */
  file?: string;
}

const TABLE_OPTIONS = {
  header: is.bool,
  names: is.arrayOf(is.string),
  delimiter: is.string,
  columns: is.arrayOf(is.string),
  missing: is.arrayOf(is.string),
  types: is.object,
  file: is.string,
};

/**
 * Parses CSV text into a Table: a column whose present cells are all numbers is numeric
 * (Float64Array, NaN where missing), any other is text (null where missing). Whitespace around
 * unquoted fields is dropped. A row with the wrong number of fields, an unclosed quote or text
 * after a closing quote is an error naming the source and the line.
 * @example
 * const t = parseTable('name,age,city\nAda,36,London\nAlan,NA,\n');
 * t.column('age').values;  // Float64Array [36, NaN]
 * t.column('city').values; // ['London', null]
 */
export function parseTable(text: string, opts: ReadTableOptions = {}): Table {
  arg('parseTable', 'text', text, is.string);
  return tableFromText('parseTable', text, opts.file ?? '<text>', opts);
}

/**
 * Reads a CSV file into a Table (see parseTable), the whole file at once; errors name the file
 * and the line. For files too large to hold as one string, use readTableStream.
 * @example const t = readTable('adult.csv', { columns: ['age', 'workclass', 'income'], missing: ['?', ''] });
 */
export function readTable(path: string, opts: Omit<ReadTableOptions, 'file'> = {}): Table {
  arg('readTable', 'path', path, is.string);
  return tableFromText('readTable', readText('readTable', path), path, opts);
}

/** What both table readers set up: the checked options, the builder, the line counter and csv-parse's options feeding them. */
function tableReader(op: string, source: string, opts: ReadTableOptions) {
  const o = options<ReadTableOptions>(op, opts, TABLE_OPTIONS);
  const delim = o.delimiter ?? ',';
  checkDelimiter(op, delim);
  const builder = new TableBuilder(op, source, o);
  const lines = new LineCounter();
  return { builder, lines, csvOptions: csvParseOptions(delim, true, lines, (fields, line) => builder.add(fields, line)) };
}

function tableFromText(op: string, text: string, source: string, opts: ReadTableOptions): Table {
  const { builder, lines, csvOptions } = tableReader(op, source, opts);
  try {
    parseSync(text, csvOptions);
  } catch (e) {
    throw csvFailure(op, source, e, lines);
  }
  return builder.finish();
}

/**
 * Reads a CSV file into a Table as a stream: the file goes through csv-parse's stream parser
 * chunk by chunk and each record straight into its columns, so a large file is never held as
 * one string (numeric columns take 8 bytes a cell). Same options and errors as readTable.
 * @example const t = await readTableStream('taxi-trips.csv', { columns: ['distance', 'fare', 'payment'] });
 */
export async function readTableStream(path: string, opts: Omit<ReadTableOptions, 'file'> = {}): Promise<Table> {
  const op = 'readTableStream';
  arg(op, 'path', path, is.string);
  const { builder, lines, csvOptions } = tableReader(op, path, opts);
  const parser = parseStream(csvOptions);
  try {
    await pipeline(createReadStream(path), parser, async (records: AsyncIterable<unknown>) => {
      // on_record keeps no record: the loop only drains the parser so that the pipeline completes.
      for await (const record of records) void record;
    });
  } catch (e) {
    if (typeof (e as NodeJS.ErrnoException).syscall === 'string')
      throw new TsgradError(`${op}: cannot read ${path}: ${(e as Error).message}`);
    throw csvFailure(op, path, e, lines);
  }
  return builder.finish();
}

/** Builds a Table record by record: the header, the selected columns, each row checked for width. */
class TableBuilder {
  private width = -1;
  private firstLine = 0;
  private picks: number[] = [];
  private columns: ColumnBuilder[] = [];
  private lines = new Int32Array(1024);
  private n = 0;
  private readonly missing: Set<string>;

  constructor(
    private readonly op: string,
    private readonly source: string,
    private readonly opts: ReadTableOptions,
  ) {
    this.missing = new Set(opts.missing ?? DEFAULT_MISSING);
    for (const [name, type] of Object.entries(opts.types ?? {})) {
      if (type !== 'number' && type !== 'string')
        throw new TsgradError(`${op}: types.${name} must be 'number' or 'string', got ${JSON.stringify(type)}`);
    }
  }

  add(fields: string[], line: number): void {
    if (this.width < 0) {
      this.start(fields, line);
      if (this.opts.header ?? true) return;
    }
    if (fields.length !== this.width) {
      const like = (this.opts.header ?? true) ? 'the header' : 'the first line';
      throw new TsgradError(
        `${this.op}: ${this.source}: line ${line}: ${fields.length} fields, expected ${this.width} like ${like} (line ${this.firstLine})`,
      );
    }
    if (this.n === this.lines.length) this.lines = grow(this.lines);
    this.lines[this.n++] = line;
    this.columns.forEach((c, k) => {
      const cell = fields[this.picks[k]];
      if (!c.push(cell, this.missing.has(cell.trim()))) {
        throw new TsgradError(
          `${this.op}: ${this.source}: line ${line}, column ${this.picks[k] + 1} (${JSON.stringify(c.name)}): cannot parse ${JSON.stringify(cell)} as a number (types says 'number')`,
        );
      }
    });
  }

  /** The first record: the column names (from it, from `names`, or column1…), and which columns to keep. */
  private start(fields: string[], line: number): void {
    const { op, source, opts } = this;
    this.width = fields.length;
    this.firstLine = line;
    let names: string[];
    if (opts.names) {
      if (opts.names.length !== fields.length) {
        throw new TsgradError(`${op}: ${source}: line ${line} has ${fields.length} fields but ${opts.names.length} names were given`);
      }
      names = opts.names;
    } else if (opts.header ?? true) {
      // An empty header cell still needs a name to be selectable.
      names = fields.map((f, j) => f.trim() || `column${j + 1}`);
    } else {
      names = fields.map((_, j) => `column${j + 1}`);
    }
    const index = new Map<string, number>();
    names.forEach((name, j) => {
      if (index.has(name))
        throw new TsgradError(`${op}: ${source}: columns ${index.get(name)! + 1} and ${j + 1} are both named ${JSON.stringify(name)}`);
      index.set(name, j);
    });
    const unknown = (option: string, name: string): never => {
      throw new TsgradError(
        `${op}: ${source}: no column ${JSON.stringify(name)} (named in the '${option}' option); the columns are ${names.join(', ')}`,
      );
    };
    this.picks = (opts.columns ?? names).map((name) => index.get(name) ?? unknown('columns', name));
    for (const name of Object.keys(opts.types ?? {})) if (!index.has(name)) unknown('types', name);
    this.columns = this.picks.map((j) => new ColumnBuilder(names[j], opts.types?.[names[j]]));
  }

  finish(): Table {
    if (this.width < 0) throw new TsgradError(`${this.op}: ${this.source}: no records`);
    return new Table(
      this.columns.map((c) => c.finish()),
      { lines: this.lines.subarray(0, this.n), source: this.source },
    );
  }
}

function grow<T extends Int32Array | Float64Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a);
  return b;
}

/**
 * One column while it is read: numbers while every present cell is one, text from the first
 * cell that is not. The text of a number that does not print back the same ("007", "1.50") is
 * kept aside, so that a column turning into text gets its earlier cells exactly as written.
 */
class ColumnBuilder {
  private n = 0;
  private numbers: Float64Array | null;
  private written: Map<number, string> | null = new Map();
  private strings: Array<string | null> | null;

  constructor(
    readonly name: string,
    private readonly type?: 'number' | 'string',
  ) {
    this.strings = type === 'string' ? [] : null;
    this.numbers = type === 'string' ? null : new Float64Array(1024);
  }

  /** Adds a cell; false when a column forced to numbers gets one that is not. */
  push(cell: string, missing: boolean): boolean {
    if (!this.strings) {
      const v = missing ? NaN : parseNumber(cell);
      if (v === undefined && this.type === 'number') return false;
      if (v !== undefined) {
        if (this.n === this.numbers!.length) this.numbers = grow(this.numbers!);
        if (!missing && String(v) !== cell) this.written!.set(this.n, cell);
        this.numbers![this.n++] = v;
        return true;
      }
      this.toStrings();
    }
    this.strings!.push(missing ? null : cell);
    this.n++;
    return true;
  }

  private toStrings(): void {
    const written = this.written!;
    this.strings = Array.from(this.numbers!.subarray(0, this.n), (v, i) => (Number.isNaN(v) ? null : (written.get(i) ?? String(v))));
    this.numbers = null;
    this.written = null;
  }

  finish(): TableColumn {
    if (this.strings) return { name: this.name, kind: 'string', values: this.strings };
    return { name: this.name, kind: 'number', values: this.numbers!.slice(0, this.n) };
  }
}

export interface CsvDatasetOptions {
  /** The label column's name (or 0-based index); the other columns are features. */
  label: string | number;
  /** With numClasses the labels become int32 class indices and must lie in [0, numClasses). */
  numClasses?: number;
  /** Names the source in errors. */
  file?: string;
}

/**
 * Splits a numeric table into features [rows, columns-1] (float32) and labels: int32
 * class indices when numClasses is given, float32 values otherwise.
 * @example const ds = csvDataset(readCsv('iris.csv'), { label: 'species', numClasses: 3 });
 */
export function csvDataset(table: CsvTable, opts: CsvDatasetOptions): TensorDataset {
  arg('csvDataset', 'opts', opts, is.object);
  const source = opts.file ?? '<csv>';
  const li = typeof opts.label === 'number' ? opts.label : table.header.indexOf(opts.label);
  if (li < 0 || li >= table.header.length) {
    throw new TsgradError(`csvDataset: ${source}: no label column ${JSON.stringify(opts.label)}; columns are ${table.header.join(', ')}`);
  }
  const w = table.header.length;
  const n = table.rows.length;
  const labels = table.rows.map((row) => row[li]);
  if (opts.numClasses !== undefined) {
    checkLabels(labels, opts.numClasses, (r) => `${source}: row ${r + 1} (line ${table.lines[r]})`);
  }
  const x = new Float32Array(n * (w - 1));
  table.rows.forEach((row, r) => {
    let k = r * (w - 1);
    row.forEach((v, j) => {
      if (j !== li) x[k++] = v;
    });
  });
  const y = opts.numClasses === undefined ? Float32Array.from(labels) : Int32Array.from(labels);
  return new TensorDataset(new Tensor(x, [n, w - 1]), new Tensor(y, [n]));
}

/**
 * Throws unless every label is an integer in [0, numClasses), naming the first bad row via `where`.
 * @example checkLabels(Int32Array.of(0, 2, 1), 3, (r) => `labels.csv: row ${r + 1}`);
 */
export function checkLabels(labels: ArrayLike<number>, numClasses: number, where: (row: number) => string): void {
  for (let r = 0; r < labels.length; r++) {
    const v = labels[r];
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new TsgradError(`labels: ${where(r)}: label ${v} is out of range, expected an integer in [0, ${numClasses})`);
    }
  }
}
