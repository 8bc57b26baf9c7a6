import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { TsgradError } from '../util/errors.js';
import { csvDataset, parseCsv, readCsv } from './csv.js';
import { encodeIdx, parseIdx, readIdx, writeIdx, type IdxArray } from './idx.js';
import { mnist } from './mnist.js';

const dir = mkdtempSync(join(tmpdir(), 'tsgrad-readers-'));

/** Asserts fn throws a TsgradError whose message contains every fragment. */
function throwsNaming(fn: () => unknown, ...fragments: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TsgradError, `expected TsgradError, got ${String(e)}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `message "${e.message}" should mention "${f}"`);
    return true;
  });
}

test('IDX: round trip of every element type, raw and gzipped', () => {
  const arrays: IdxArray[] = [
    { type: 'uint8', shape: [2, 3, 2], data: Uint8Array.from({ length: 12 }, (_, i) => i * 20) },
    { type: 'int8', shape: [4], data: Int8Array.of(-128, -1, 0, 127) },
    { type: 'int16', shape: [2, 2], data: Int16Array.of(-32768, 300, -2, 32767) },
    { type: 'int32', shape: [3], data: Int32Array.of(-2147483648, 7, 2147483647) },
    { type: 'float32', shape: [1, 3], data: Float32Array.of(1.5, -0.1, 3e38) },
    { type: 'float64', shape: [2], data: Float64Array.of(Math.PI, -1e-300) },
  ];
  for (const a of arrays) {
    for (const gz of [false, true]) {
      const path = join(dir, `${a.type}${gz ? '.gz' : ''}`);
      writeIdx(path, a);
      const b = readIdx(path);
      assert.equal(b.type, a.type);
      assert.deepEqual(b.shape, a.shape);
      assert.deepEqual(Array.from(b.data), Array.from(a.data), `${a.type} gz=${gz}`);
    }
  }
  // Big-endian on disk, as the format says: the int16 300 is 0x01 0x2c.
  const bytes = encodeIdx({ type: 'int16', shape: [1], data: Int16Array.of(300) });
  assert.deepEqual(Array.from(bytes), [0, 0, 0x0b, 1, 0, 0, 0, 1, 0x01, 0x2c]);
});

test('IDX: truncated, wrong magic, short data and trailing bytes each name the file and the expectation', () => {
  const good = encodeIdx({ type: 'uint8', shape: [10, 4], data: new Uint8Array(40) });
  const write = (name: string, b: Uint8Array): string => {
    const p = join(dir, name);
    writeFileSync(p, b);
    return p;
  };
  let p = write('truncated-header', good.subarray(0, 6));
  throwsNaming(() => readIdx(p), p, 'truncated header', 'expected 12');
  p = write('tiny', good.subarray(0, 2));
  throwsNaming(() => readIdx(p), p, 'at least the 4-byte magic');
  p = write('wrong-magic', Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0, 0, 0));
  throwsNaming(() => readIdx(p), p, 'wrong magic number 50 4b 03 04');
  // The header promises 10 items of 4 bytes but only 3 rows follow.
  p = write('short', good.subarray(0, 12 + 12));
  throwsNaming(() => readIdx(p), p, 'shape [10,4]', '40 bytes', 'only 12 bytes follow');
  p = write('short.gz', gzipSync(good.subarray(0, 20)));
  throwsNaming(() => readIdx(p), p, 'truncated data');
  p = write('trailing', Uint8Array.from([...good, 1, 2]));
  throwsNaming(() => readIdx(p), p, '2 unexpected bytes');
  p = write('bad.gz', Uint8Array.of(0x1f, 0x8b, 8, 0, 1, 2, 3));
  throwsNaming(() => readIdx(p), p, 'gzip');
  throwsNaming(() => readIdx(join(dir, 'missing')), 'missing', 'cannot read');
});

test('CSV: header, quoted fields, CRLF, and exact numbers', () => {
  const t = parseCsv('"a","b,c",d\r\n1,"2.5",-3e2\r\n\r\n" 4 ",5,.5\n', { file: 'x.csv' });
  assert.deepEqual(t.header, ['a', 'b,c', 'd']);
  assert.deepEqual(t.rows, [
    [1, 2.5, -300],
    [4, 5, 0.5],
  ]);
  assert.deepEqual(t.lines, [2, 4]);
  // A quoted field may hold a newline: the next record's line number accounts for it.
  const u = parseCsv('x,y\n"1\n",2\n3,4', { header: true, file: 'q.csv' });
  assert.deepEqual(u.rows, [
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(u.lines, [2, 4]);
});

test('CSV: a non-numeric cell names file, line and column; ragged and unclosed rows fail too', () => {
  const path = join(dir, 'bad.csv');
  writeFileSync(path, 'x,y,label\n1,2,0\n3,abc,1\n');
  throwsNaming(() => readCsv(path), path, 'line 3', 'column 2', '"y"', '"abc"');
  throwsNaming(() => parseCsv('x,y\n1,\n', { file: 'e.csv' }), 'e.csv', 'line 2', 'column 2', '""');
  throwsNaming(() => parseCsv('x,y\n1,2\n3\n', { file: 'r.csv' }), 'r.csv', 'line 3', '1 fields, expected 2');
  throwsNaming(() => parseCsv('x,y\n1,"2\n', { file: 'u.csv' }), 'u.csv', 'line 2', 'never closed');
  throwsNaming(() => parseCsv('x,y\n"1"x,2\n', { file: 'c.csv' }), 'c.csv', 'line 2', 'after a closing quote');
});

test('CSV: labels out of range name the row; good labels become int32 classes', () => {
  const table = parseCsv('f1,f2,label\n0.5,1,0\n0.1,2,2\n0.3,3,5\n', { file: 'l.csv' });
  throwsNaming(() => csvDataset(table, { label: 'label', numClasses: 3, file: 'l.csv' }), 'l.csv', 'row 3', 'line 4', 'label 5', '[0, 3)');
  const ok = csvDataset(parseCsv('f1,f2,label\n0.5,1,0\n0.1,2,2\n'), { label: 'label', numClasses: 3 });
  const [x, y] = ok.tensors;
  assert.deepEqual(x.shape, [2, 2]);
  assert.equal(y.dtype, 'int32');
  assert.deepEqual(y.toArray(), [0, 2]);
  throwsNaming(() => csvDataset(table, { label: 'nope' }), 'no label column');
});

test('MNIST: the package files load with normalised pixels and labels in range', () => {
  const { train, test: testSet } = mnist({ trainSize: 500, testSize: 100 });
  const [x, y] = train.tensors;
  assert.deepEqual(x.shape, [500, 1, 28, 28]);
  assert.equal(y.dtype, 'int32');
  const xs = x.data();
  assert.ok(xs.every((v) => v >= 0 && v <= 1));
  assert.equal(
    Array.from(xs).reduce((a, b) => Math.max(a, b), 0),
    1,
  );
  assert.deepEqual(testSet.tensors[0].shape, [100, 1, 28, 28]);
  // The first training label of MNIST is a 5, the first test label a 7.
  assert.equal(y.data()[0], 5);
  assert.equal(testSet.tensors[1].data()[0], 7);
  const flat = mnist({ trainSize: 10, testSize: 10, flatten: true, normalize: { mean: 0.1307, std: 0.3081 } });
  assert.deepEqual(flat.train.tensors[0].shape, [10, 784]);
  assert.ok(Math.abs(flat.train.tensors[0].data()[0] - -0.1307 / 0.3081) < 1e-6);
});

test('MNIST: user IDX files by path, gzipped; a label out of range names the file and item', () => {
  const images: IdxArray = { type: 'uint8', shape: [3, 28, 28], data: new Uint8Array(3 * 784).fill(255) };
  writeIdx(join(dir, 'im.gz'), images);
  writeIdx(join(dir, 'lab.gz'), { type: 'uint8', shape: [3], data: Uint8Array.of(1, 2, 3) });
  writeIdx(join(dir, 'badlab'), { type: 'uint8', shape: [3], data: Uint8Array.of(1, 12, 3) });
  const files = {
    trainImages: join(dir, 'im.gz'),
    trainLabels: join(dir, 'lab.gz'),
    testImages: join(dir, 'im.gz'),
    testLabels: join(dir, 'lab.gz'),
  };
  const m = mnist({ files });
  assert.deepEqual(m.train.tensors[1].toArray(), [1, 2, 3]);
  assert.equal(m.test.tensors[0].data()[0], 1);
  throwsNaming(() => mnist({ files: { ...files, testLabels: join(dir, 'badlab') } }), 'badlab', 'item 1', 'label 12');
  throwsNaming(() => mnist({ dir }), 'train-images-idx3-ubyte', 'not found');
  assert.ok(readFileSync(join(dir, 'im.gz'))[0] === 0x1f);
});

test('parseIdx names its source', () => {
  throwsNaming(() => parseIdx(new Uint8Array(1), 'buffer.idx'), 'buffer.idx');
});

test('encodeIdx refuses an unknown element type, listing the IDX types', () => {
  assert.throws(
    () => encodeIdx({ type: 'uint16', shape: [1], data: Uint8Array.of(1) } as unknown as IdxArray),
    (e: unknown) =>
      e instanceof TsgradError &&
      /writeIdx: unknown IDX type "uint16"; expected one of uint8, int8, int16, int32, float32, float64/.test(e.message),
  );
});
