import { arg, is } from '../util/args.js';
import { readText } from '../util/read-file.js';
import { Tensor } from '../tensor/tensor.js';
import { TsgradError } from '../util/errors.js';
import { TensorDataset } from './dataset.js';

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
 * Splits CSV text into records of fields (RFC 4180: quoted fields may hold the
 * delimiter, newlines and doubled quotes). Returns each record with its line.
 */
export function parseCsvRecords(text: string, opts: CsvOptions = {}): Array<{ line: number; fields: string[] }> {
  arg('parseCsvRecords', 'text', text, is.string);
  const delim = opts.delimiter ?? ',';
  const source = opts.file ?? '<text>';
  if (delim.length !== 1 || delim === '"' || delim === '\n' || delim === '\r') {
    throw new TsgradError(`readCsv: delimiter must be one character other than a quote or newline, got ${JSON.stringify(delim)}`);
  }
  const out: Array<{ line: number; fields: string[] }> = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  let quoted = false;
  const endRecord = (): void => {
    fields.push(field);
    // A line with nothing on it is a blank line, not a record of one empty field.
    if (!(fields.length === 1 && fields[0] === '')) out.push({ line: recordLine, fields });
    fields = [];
    field = '';
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const next = text[i];
        if (i < text.length && next !== delim && next !== '\n' && next !== '\r') {
          throw new TsgradError(`readCsv: ${source}: line ${line}: unexpected ${JSON.stringify(next)} after a closing quote`);
        }
        continue;
      }
      if (c === '\n') line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === delim) {
      fields.push(field);
      field = '';
      i++;
    } else if (c === '\n' || c === '\r') {
      endRecord();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      field += c;
      i++;
    }
  }
  if (quoted) throw new TsgradError(`readCsv: ${source}: line ${recordLine}: quoted field is never closed`);
  if (field !== '' || fields.length > 0) endRecord();
  return out;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses one numeric cell strictly: an empty or non-numeric cell is an error, never a silent 0 or NaN. */
function parseCell(s: string): number | undefined {
  const t = s.trim();
  if (NUMBER.test(t)) return Number(t);
  if (t === 'NaN' || t === 'nan') return NaN;
  if (/^[+-]?(inf|Infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  return undefined;
}

/**
 * Parses numeric CSV text. Every row must have as many fields as the first; a
 * cell that is not a number throws, naming the source, line and column.
 * @example const t = parseCsv('x,y\n1,2\n3,4\n'); // { header: ['x','y'], rows: [[1,2],[3,4]], lines: [2,3] }
 */
export function parseCsv(text: string, opts: CsvOptions = {}): CsvTable {
  arg('parseCsv', 'text', text, is.string);
  const source = opts.file ?? '<text>';
  const records = parseCsvRecords(text.startsWith('\ufeff') ? text.slice(1) : text, opts);
  const header = opts.header ?? true;
  if (records.length === 0) throw new TsgradError(`readCsv: ${source}: no records`);
  const width = records[0].fields.length;
  const columns = header ? records[0].fields.map((f) => f.trim()) : Array.from({ length: width }, (_, j) => `column${j + 1}`);
  const body = header ? records.slice(1) : records;
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

/** Reads a numeric CSV file (see parseCsv). */
export function readCsv(path: string, opts: Omit<CsvOptions, 'file'> = {}): CsvTable {
  return parseCsv(readText('readCsv', path), { ...opts, file: path });
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
 * Splits a table into features [rows, columns-1] (float32) and labels: int32
 * class indices when numClasses is given, float32 values otherwise.
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

/** Throws unless every label is an integer in [0, numClasses), naming the first bad row via `where`. */
export function checkLabels(labels: ArrayLike<number>, numClasses: number, where: (row: number) => string): void {
  for (let r = 0; r < labels.length; r++) {
    const v = labels[r];
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new TsgradError(`labels: ${where(r)}: label ${v} is out of range, expected an integer in [0, ${numClasses})`);
    }
  }
}
