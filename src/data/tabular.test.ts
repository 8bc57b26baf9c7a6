import assert from 'node:assert/strict';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { test } from 'node:test';
import { load, loadPreprocessor, save } from '../io/save.js';
import * as nn from '../nn/index.js';
import * as optim from '../optim/index.js';
import { evaluate, fit, predict } from '../train/fit.js';
import { TsgradError } from '../util/errors.js';
import { manualSeed, Rng } from '../util/rng.js';
import { parseCsvRecords, parseTable, readTable, readTableStream } from './csv.js';
import { splitTable, Table, TabularPreprocessor, type NumberColumn, type StringColumn } from './tabular.js';

const dir = mkdtempSync(join(tmpdir(), 'tsgrad-tabular-'));

/** Asserts fn throws a TsgradError whose message contains every fragment. */
function throwsNaming(fn: () => unknown, ...fragments: string[]): void {
  assert.throws(fn, (e: unknown) => messageNames(e, fragments));
}

async function rejectsNaming(p: Promise<unknown>, ...fragments: string[]): Promise<void> {
  await assert.rejects(p, (e: unknown) => messageNames(e, fragments));
}

function messageNames(e: unknown, fragments: string[]): true {
  assert.ok(e instanceof TsgradError, `expected TsgradError, got ${String(e)}`);
  for (const f of fragments) assert.ok(e.message.includes(f), `message "${e.message}" should mention "${f}"`);
  return true;
}

const numbers = (t: Table, name: string): Float64Array => (t.column(name) as NumberColumn).values;
const strings = (t: Table, name: string): ReadonlyArray<string | null> => (t.column(name) as StringColumn).values;

/**
 * People with an id (text, not a feature), a city (categorical, '?' when missing), an age ('NA'
 * when missing) and an income (empty when missing); the label is 'yes' when a score made of
 * all three is positive, so a model must use every column to predict it well.
 */
function peopleCsv(n: number, seed: number): string {
  const r = new Rng(seed);
  const cities = ['Paris', 'Berlin', 'Lagos', 'Lima'];
  const effect: Record<string, number> = { Paris: 1.5, Berlin: -1.5, Lagos: 0.5, Lima: -0.5 };
  const lines = ['id,city,age,income,label'];
  for (let i = 0; i < n; i++) {
    const city = cities[r.int(0, 4)];
    const age = 20 + r.random() * 50;
    const income = 50 + 20 * r.normal();
    const label = (age - 45) / 12 + effect[city] + (income - 50) / 20 > 0 ? 'yes' : 'no';
    const cell = (s: string): string => (r.random() < 0.08 ? '' : s);
    const ageCell = r.random() < 0.08 ? 'NA' : age.toFixed(1);
    lines.push(`p${i},${r.random() < 0.05 ? '?' : city},${ageCell},${cell(income.toFixed(2))},${label}`);
  }
  return lines.join('\n') + '\n';
}

test('tabular: CSV with text, a categorical column and missing cells trains end to end; the model saves and loads with its preprocessor', (t) => {
  const path = join(dir, 'people.csv');
  writeFileSync(path, peopleCsv(800, 7));
  const table = readTable(path);
  assert.deepEqual(
    table.columns.map((c) => [c.name, c.kind]),
    [
      ['id', 'string'],
      ['city', 'string'],
      ['age', 'number'],
      ['income', 'number'],
      ['label', 'string'],
    ],
  );
  assert.equal(table.numRows, 800);
  assert.ok(strings(table, 'city').includes(null), "'?' reads as missing");
  assert.ok(numbers(table, 'age').some(Number.isNaN), "'NA' reads as missing");

  manualSeed(3);
  const [train, testSet] = splitTable(table, [0.75, 0.25]);
  assert.equal(train.numRows + testSet.numRows, 800);
  const prep = new TabularPreprocessor({
    features: [
      { name: 'age', missing: 'indicator' },
      { name: 'income', missing: 'fill', fill: 'median' },
      { name: 'city', missing: 'fill' },
    ],
    target: 'label',
  }).fit(train);

  // The scaler's statistics come from the training rows only.
  const presentMean = (t: Table): number => {
    const v = Array.from(numbers(t, 'age')).filter((x) => !Number.isNaN(x));
    return v.reduce((a, b) => a + b, 0) / v.length;
  };
  const age = prep.features[0];
  assert.ok(Math.abs(age.mean! - presentMean(train)) < 1e-9, `mean ${age.mean} vs train ${presentMean(train)}`);
  assert.ok(Math.abs(age.mean! - presentMean(table)) > 1e-3, 'the full table (test rows included) has another mean');
  assert.deepEqual(prep.features[2].categories, ['Berlin', 'Lagos', 'Lima', 'Paris']);
  assert.deepEqual(prep.classes, ['no', 'yes']);
  assert.deepEqual(prep.featureNames, ['age', 'age_missing', 'income', 'city=Berlin', 'city=Lagos', 'city=Lima', 'city=Paris']);
  // Standard-scaled on train: the present ages of the training rows have mean 0 and std 1.
  const x = prep.transform(train);
  assert.deepEqual(x.shape, [train.numRows, 7]);
  assert.equal(x.dtype, 'float32');

  manualSeed(4);
  const model = new nn.Sequential(
    new nn.Linear({ inFeatures: prep.numFeatures, outFeatures: 16 }),
    new nn.ReLU(),
    new nn.Linear({ inFeatures: 16, outFeatures: 2 }),
  );
  const h = fit(model, {
    train: prep.dataset(train),
    epochs: 25,
    batchSize: 32,
    optimizer: new optim.Adam(model.parameters(), { lr: 0.01 }),
    metrics: ['accuracy'],
    verbose: 0,
  });
  const loss = h.history.loss;
  assert.ok(loss[loss.length - 1] < loss[0] * 0.6, `loss ${loss[0]} -> ${loss[loss.length - 1]}`);
  const acc = evaluate(model, prep.dataset(testSet), { loss: 'crossEntropy', metrics: ['accuracy'] }).accuracy;
  // Chance is the share of the commoner class in the test rows.
  const yes = strings(testSet, 'label').filter((v) => v === 'yes').length / testSet.numRows;
  const chance = Math.max(yes, 1 - yes);
  t.diagnostic(
    `loss ${loss[0].toFixed(3)} -> ${loss[loss.length - 1].toFixed(3)}; test accuracy ${acc.toFixed(3)}, majority class ${chance.toFixed(3)}`,
  );
  assert.ok(acc > 0.85 && acc > chance + 0.25, `test accuracy ${acc}, chance ${chance}`);

  const saved = join(dir, 'people-model');
  save(model, saved, { preprocessor: prep });
  const config = JSON.parse(readFileSync(join(saved, 'config.json'), 'utf8')) as { preprocessor?: string };
  assert.equal(config.preprocessor, 'preprocessor.json');
  const model2 = load(saved);
  const prep2 = loadPreprocessor(saved);
  assert.deepEqual(prep2.toJSON(), prep.toJSON());
  assert.deepEqual(prep2.featureNames, prep.featureNames);
  const before = predict(model, prep.transform(testSet)).data();
  const after = predict(model2, prep2.transform(testSet)).data();
  assert.deepEqual(Array.from(after), Array.from(before));
});

test('tabular: ragged and malformed CSV name the file and the line, read whole or streamed', async () => {
  const ragged = join(dir, 'ragged.csv');
  // A quoted field spanning two lines and a blank line come first: the line count includes them.
  writeFileSync(ragged, 'a,b\n"x\ny",2\n\n3\n4,5\n');
  throwsNaming(() => readTable(ragged), ragged, 'line 5', '1 fields, expected 2 like the header (line 1)');
  await rejectsNaming(readTableStream(ragged), ragged, 'line 5', '1 fields');
  const unclosed = join(dir, 'unclosed.csv');
  writeFileSync(unclosed, 'a,b\n1,2\n3,"4\n5,6\n7,8\n');
  throwsNaming(() => readTable(unclosed), unclosed, 'line 3', 'quoted field is never closed');
  await rejectsNaming(readTableStream(unclosed), unclosed, 'line 3', 'never closed');
  throwsNaming(() => parseTable('a,b\n1,"2"x\n', { file: 'c.csv' }), 'c.csv', 'line 2, column 2', 'after a closing quote');
  throwsNaming(() => parseTable('a,b\n1,2\nx"y,3\n', { file: 'q.csv' }), 'q.csv', 'line 3, column 1', 'quote inside an unquoted field');
  throwsNaming(() => readTable(join(dir, 'missing.csv')), 'readTable: cannot read', 'missing.csv');
  await rejectsNaming(readTableStream(join(dir, 'missing.csv')), 'readTableStream: cannot read', 'missing.csv');
  throwsNaming(() => parseTable('', { file: 'empty.csv' }), 'empty.csv', 'no records');
  // The record reader reports where each record starts, counting CRLF inside quotes as one line break.
  assert.deepEqual(
    parseCsvRecords('x,y\r\n"1\r\n2",3\r\n\r\n4,5\n"6\n\n7",8\n9,10').map((r) => r.line),
    [1, 2, 5, 6, 9],
  );
});

test('tabular: an unknown column lists the columns; an unseen category is a clear error unless it has a slot', () => {
  const text = 'id,city,age\na,Paris,30\nb,Berlin,40\nc,Paris,50\n';
  throwsNaming(
    () => parseTable(text, { columns: ['age', 'ciy'], file: 'p.csv' }),
    'p.csv',
    'no column "ciy"',
    'the columns are id, city, age',
  );
  throwsNaming(() => parseTable(text, { types: { agee: 'number' } }), 'no column "agee"', "'types'", 'id, city, age');
  const picked = parseTable(text, { columns: ['age', 'city'] });
  assert.deepEqual(picked.names, ['age', 'city']);
  const table = parseTable(text, { file: 'p.csv' });
  throwsNaming(() => table.column('town'), 'p.csv has no column "town"', 'its columns are id, city, age');
  throwsNaming(
    () => new TabularPreprocessor({ features: ['town'] }).fit(table),
    'TabularPreprocessor.fit',
    'no column "town"',
    'id, city, age',
  );
  throwsNaming(() => new TabularPreprocessor({ features: ['city'] }).transform(table), 'not fitted', 'fit(trainTable)');

  const prep = new TabularPreprocessor({ features: ['city', 'age'] }).fit(table);
  const later = parseTable('id,city,age\nd,Berlin,20\ne,Lyon,25\n', { file: 'new.csv' });
  throwsNaming(
    () => prep.transform(later),
    'TabularPreprocessor.transform',
    'new.csv: line 3',
    '"city"',
    '"Lyon"',
    'known: "Berlin", "Paris"',
    "unknown: 'slot'",
  );
  const slotted = new TabularPreprocessor({
    features: [
      { name: 'city', unknown: 'slot' },
      { name: 'age', encode: 'passthrough' },
    ],
  }).fit(table);
  assert.deepEqual(slotted.featureNames, ['city=Berlin', 'city=Paris', 'city=<unknown>', 'age']);
  assert.deepEqual(slotted.transform(later).toArray(), [
    [1, 0, 0, 20],
    [0, 0, 1, 25],
  ]);
  const indexed = new TabularPreprocessor({ features: [{ name: 'city', encode: 'index', unknown: 'slot' }] }).fit(table);
  assert.deepEqual(indexed.transform(later).toArray(), [[0], [2]]);
  // A text column cannot be scaled, and the target cannot be a feature.
  throwsNaming(
    () => new TabularPreprocessor({ features: [{ name: 'city', encode: 'standard' }] }).fit(table),
    'line 2',
    '"Paris"',
    "'onehot' or 'index'",
  );
  throwsNaming(() => new TabularPreprocessor({ features: ['age', 'city'], target: 'city' }), 'both the target and a feature');
  throwsNaming(
    () => new TabularPreprocessor({ features: [{ name: 'age', fil: 'mean' } as never] }),
    'feature "age": unknown option \'fil\'',
    "did you mean 'fill'",
  );
});

test('tabular: missing values: error by default, drop, fill (mean, median, most frequent, constant) and indicator', () => {
  const t = parseTable('x,c\n1,a\nNA,b\n2,\n6,a\n', { file: 'm.csv' });
  assert.deepEqual(Array.from(numbers(t, 'x')), [1, NaN, 2, 6]);
  assert.deepEqual(strings(t, 'c'), ['a', 'b', null, 'a']);
  throwsNaming(
    () => new TabularPreprocessor({ features: ['x'] }).fit(t),
    'm.csv: line 3',
    'column "x" is missing a value',
    "'drop', 'fill' or 'indicator'",
  );

  // drop: rows missing either column are left out of fit and of transform; the statistics come from the rest.
  const drop = new TabularPreprocessor({ features: ['x', 'c'], missing: 'drop' }).fit(t);
  assert.deepEqual(Array.from(drop.keptRows(t)), [0, 3]);
  assert.equal(drop.features[0].mean, 3.5);
  assert.equal(drop.features[0].std, 2.5);
  assert.deepEqual(drop.features[1].categories, ['a']);
  assert.deepEqual(drop.transform(t).toArray(), [
    [-1, 1],
    [1, 1],
  ]);

  const filled = (fill: 'mean' | 'median' | 'mostFrequent' | number): number[] =>
    (
      new TabularPreprocessor({ features: [{ name: 'x', encode: 'passthrough', missing: 'fill', fill }] })
        .fitTransform(t)
        .toArray() as number[][]
    ).map((r) => r[0]);
  assert.deepEqual(filled('mean'), [1, 3, 2, 6]);
  assert.deepEqual(filled('median'), [1, 2, 2, 6]);
  assert.deepEqual(filled('mostFrequent'), [1, 1, 2, 6]); // a tie: the smallest value
  assert.deepEqual(filled(10), [1, 10, 2, 6]);
  // Standard scaling of a filled column: the fill is the mean of the present values, so it scales to 0.
  const scaled = new TabularPreprocessor({ features: [{ name: 'x', missing: 'fill' }] }).fitTransform(t).data();
  assert.ok(Math.abs(scaled[1]) < 1e-7 && Math.abs(scaled[0] - (1 - 3) / Math.sqrt(14 / 3)) < 1e-6);

  const cats = (fill: 'mostFrequent' | string): { names: string[]; x: unknown } => {
    const p = new TabularPreprocessor({ features: [{ name: 'c', missing: 'fill', fill }] }).fit(t);
    return { names: p.featureNames, x: p.transform(t).toArray() };
  };
  assert.deepEqual(cats('mostFrequent'), {
    names: ['c=a', 'c=b'],
    x: [
      [1, 0],
      [0, 1],
      [1, 0],
      [1, 0],
    ],
  });
  assert.deepEqual(cats('none').x, [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
    [1, 0, 0],
  ]);
  throwsNaming(
    () => new TabularPreprocessor({ features: [{ name: 'c', missing: 'fill', fill: 'mean' }] }).fit(t),
    "'onehot'",
    "'mostFrequent' or a constant",
  );

  // indicator: filled, plus a 0/1 feature saying which cells were missing.
  const ind = new TabularPreprocessor({
    features: [
      { name: 'x', encode: 'passthrough', missing: 'indicator' },
      { name: 'c', missing: 'indicator' },
    ],
  }).fit(t);
  assert.deepEqual(ind.featureNames, ['x', 'x_missing', 'c=a', 'c=b', 'c_missing']);
  assert.deepEqual(ind.transform(t).toArray(), [
    [1, 0, 1, 0, 0],
    [3, 1, 0, 1, 0],
    [2, 0, 1, 0, 1],
    [6, 0, 1, 0, 0],
  ]);

  // Fitted without missing cells and the default strategy: a missing cell at transform time names its line.
  const complete = parseTable('x\n1\n2\n');
  const strict = new TabularPreprocessor({ features: ['x'] }).fit(complete);
  throwsNaming(
    () => strict.transform(parseTable('x\n3\nNA\n', { file: 'later.csv' })),
    'later.csv: line 3',
    'column "x" is missing a value',
  );
  // The missing markers are configurable: with only 'NA', '?' is text and the column is no longer numeric.
  assert.equal(parseTable('x\n1\n?\n', { missing: ['NA'] }).column('x').kind, 'string');
  assert.equal(parseTable('x\n1\n?\n').column('x').kind, 'number');
});

test('tabular: a 200k-row file streams into columns; the stream and the whole-file reader agree', async () => {
  const path = join(dir, 'big.csv');
  const n = 200_000;
  const out = createWriteStream(path);
  out.write('id,group,value,flag\n');
  let sum = 0;
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const absent = i % 1000 === 999;
    const value = i * 0.5;
    if (absent) missing++;
    else sum += value;
    if (!out.write(`r${i},g${i % 7},${absent ? 'NA' : value},${i % 2}\n`))
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await finished(out);

  const t = await readTableStream(path);
  assert.equal(t.numRows, n);
  assert.deepEqual(
    t.columns.map((c) => [c.name, c.kind]),
    [
      ['id', 'string'],
      ['group', 'string'],
      ['value', 'number'],
      ['flag', 'number'],
    ],
  );
  const values = numbers(t, 'value');
  assert.equal(values.filter(Number.isNaN).length, missing);
  assert.equal(
    values.reduce((a, v) => (Number.isNaN(v) ? a : a + v), 0),
    sum,
  );
  assert.equal(strings(t, 'id')[n - 1], `r${n - 1}`);
  assert.equal(strings(t, 'group')[12], 'g5');
  assert.equal(t.lines![n - 1], n + 1);
  const picked = await readTableStream(path, { columns: ['flag', 'group'] });
  assert.deepEqual(picked.names, ['flag', 'group']);
  assert.equal(numbers(picked, 'flag')[n - 1], 1);

  // Odd inputs read the same through both paths: CRLF, a multi-line quoted field, numbers written
  // oddly in a column that turns out to be text ("007" stays "007"), and forced types.
  const odd = join(dir, 'odd.csv');
  writeFileSync(odd, 'code,note,n\r\n007,"two\r\nlines",1\r\n1.50,plain, 2 \r\nA1,?,3\r\n');
  const whole = readTable(odd);
  const streamed = await readTableStream(odd);
  assert.deepEqual(streamed, whole);
  assert.deepEqual(strings(whole, 'code'), ['007', '1.50', 'A1']);
  assert.deepEqual(strings(whole, 'note'), ['two\r\nlines', 'plain', null]);
  assert.deepEqual(Array.from(numbers(whole, 'n')), [1, 2, 3]);
  assert.deepEqual(Array.from(whole.lines!), [2, 4, 5]);
  const typed = parseTable('zip,n\n02139,1\n10001,2\n', { types: { zip: 'string' } });
  assert.deepEqual(strings(typed, 'zip'), ['02139', '10001']);
  throwsNaming(() => parseTable('n\n1\nx\n', { types: { n: 'number' }, file: 't.csv' }), 't.csv: line 3, column 1', '"x" as a number');
  const headless = parseTable('1;a\n2;b\n', { header: false, delimiter: ';', names: ['n', 's'] });
  assert.deepEqual(headless.names, ['n', 's']);
  assert.deepEqual(Array.from(headless.lines!), [1, 2]);
});

test('tabular: the saved state is checked on load; an unfitted preprocessor is not saved', () => {
  const t = parseTable('x,c,y\n1,a,0\n2,b,1\n3,a,1\n');
  const prep = new TabularPreprocessor({ features: ['x', 'c'], target: 'y' }).fit(t);
  const state = prep.toJSON();
  assert.deepEqual(TabularPreprocessor.fromJSON(JSON.parse(JSON.stringify(state))).toJSON(), state);
  assert.deepEqual(prep.transformTarget(t).toArray(), [0, 1, 1]);
  assert.equal(prep.transformTarget(t).dtype, 'int32');
  throwsNaming(() => TabularPreprocessor.fromJSON({ format: 'other' }, 'p.json'), 'p.json', 'not a saved TabularPreprocessor');
  throwsNaming(() => TabularPreprocessor.fromJSON({ ...state, version: 2 }, 'p.json'), 'version 2');
  const broken = structuredClone(state);
  delete broken.features[0].std;
  throwsNaming(() => TabularPreprocessor.fromJSON(broken, 'p.json'), 'p.json', 'features[0] ("x")', 'positive std');
  throwsNaming(() => prep.transformTarget(parseTable('x,c,y\n1,a,2\n', { file: 'n.csv' })), 'n.csv: line 2', 'class "2"');

  const model = new nn.Linear({ inFeatures: prep.numFeatures, outFeatures: 2 });
  const unfitted = new TabularPreprocessor({ features: ['x'] });
  const where = join(dir, 'unfitted');
  throwsNaming(() => save(model, where, { preprocessor: unfitted }), 'TabularPreprocessor.toJSON', 'not fitted');
  assert.ok(!existsSync(where), 'nothing is written');
  throwsNaming(() => save(model, where, { preprocessor: state as never }), "save: option 'preprocessor' must be a TabularPreprocessor");
  save(model, where);
  throwsNaming(() => loadPreprocessor(where), 'loadPreprocessor', 'names no preprocessor');
  // A config naming a preprocessor outside the model's directory is refused, as the weights are.
  const config = JSON.parse(readFileSync(join(where, 'config.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(where, 'config.json'), JSON.stringify({ ...config, preprocessor: '../elsewhere.json' }));
  throwsNaming(() => loadPreprocessor(where), '"preprocessor" must name a file inside');
});
