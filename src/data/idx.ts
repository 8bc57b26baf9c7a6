import { arg, is, options } from '../util/args.js';
import { readBytes } from '../util/read-file.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { DType } from '../kernels/types.js';
import { Tensor, newArray } from '../tensor/tensor.js';
import { TsgradError, fmtShape } from '../util/errors.js';

/**
 * The IDX format of the MNIST files (LeCun et al.): two zero bytes, a type code,
 * the number of dimensions, each dimension as a big-endian uint32, then the
 * elements in row-major order, big-endian.
 */
export type IdxType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  type: IdxType;
  shape: number[];
  data: IdxData;
}

/**
 * Each element type by its IDX code: its width in bytes, its typed array, and how an element is
 * read and written big-endian at a byte offset.
 */
interface IdxKind {
  type: IdxType;
  width: number;
  array: new (n: number) => IdxData;
  get: (v: DataView, o: number) => number;
  set: (v: DataView, o: number, x: number) => void;
}

const KINDS: Record<number, IdxKind> = {
  0x08: { type: 'uint8', width: 1, array: Uint8Array, get: (v, o) => v.getUint8(o), set: (v, o, x) => v.setUint8(o, x) },
  0x09: { type: 'int8', width: 1, array: Int8Array, get: (v, o) => v.getInt8(o), set: (v, o, x) => v.setInt8(o, x) },
  0x0b: { type: 'int16', width: 2, array: Int16Array, get: (v, o) => v.getInt16(o), set: (v, o, x) => v.setInt16(o, x) },
  0x0c: { type: 'int32', width: 4, array: Int32Array, get: (v, o) => v.getInt32(o), set: (v, o, x) => v.setInt32(o, x) },
  0x0d: { type: 'float32', width: 4, array: Float32Array, get: (v, o) => v.getFloat32(o), set: (v, o, x) => v.setFloat32(o, x) },
  0x0e: { type: 'float64', width: 8, array: Float64Array, get: (v, o) => v.getFloat64(o), set: (v, o, x) => v.setFloat64(o, x) },
};

/**
 * Parses IDX bytes (gzipped or raw). `source` names the file in errors.
 * @example const { shape, data } = parseIdx(readFileSync('t10k-labels-idx1-ubyte'));
 */
export function parseIdx(bytes: Uint8Array, source = '<bytes>'): IdxArray {
  arg('parseIdx', 'bytes', bytes, is.instance(Uint8Array));
  const buf = isGzip(bytes) ? gunzip(bytes, source) : bytes;
  const fail = (msg: string): never => {
    throw new TsgradError(`readIdx: ${source}: ${msg}`);
  };
  if (buf.length < 4) fail(`truncated: ${buf.length} bytes, expected at least the 4-byte magic number`);
  if (buf[0] !== 0 || buf[1] !== 0 || !(buf[2] in KINDS)) {
    const magic = Array.from(buf.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    fail(`wrong magic number ${magic}: expected 00 00 <type 08|09|0b|0c|0d|0e> <ndim>; not an IDX file`);
  }
  const kind = KINDS[buf[2]];
  const { type, width } = kind;
  const ndim = buf[3];
  const headerLen = 4 + 4 * ndim;
  if (buf.length < headerLen) fail(`truncated header: ${buf.length} bytes, expected ${headerLen} for ${ndim} dimensions`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  // Size in bytes, checked before allocating: a corrupt header must not ask for terabytes.
  const count = shape.reduce((a, b) => a * b, 1);
  const want = count * width;
  const have = buf.length - headerLen;
  if (have < want) {
    fail(`truncated data: header promises shape ${fmtShape(shape)} of ${type} (${want} bytes), but only ${have} bytes follow`);
  }
  if (have > want) fail(`${have - want} unexpected bytes after the ${want} bytes of data for shape ${fmtShape(shape)}`);
  const data = new kind.array(count);
  if (width === 1) {
    (data as Uint8Array).set(buf.subarray(headerLen, headerLen + count));
  } else {
    for (let i = 0; i < count; i++) {
      const o = headerLen + i * width;
      data[i] = kind.get(view, o);
    }
  }
  return { type, shape, data };
}

/**
 * Reads an IDX file, raw or gzipped (detected from the gzip magic bytes, whatever the name): the
 * format of MNIST and its relatives (Fashion-MNIST, EMNIST, KMNIST).
 * @example const { type, shape, data } = readIdx('t10k-images-idx3-ubyte'); // 'uint8', [10000, 28, 28]
 */
export function readIdx(path: string): IdxArray {
  return parseIdx(readBytes('readIdx', path), path);
}

/**
 * Encodes an array as IDX bytes (big-endian, as the MNIST files are); writeIdx writes them to a file.
 * @example encodeIdx({ type: 'uint8', shape: [2, 3], data: Uint8Array.of(0, 1, 2, 3, 4, 255) }); // 18 bytes: 00 00 08 02 …
 */
export function encodeIdx(arr: IdxArray): Uint8Array {
  arg('encodeIdx', 'arr', arr, is.object);
  const code = Number(Object.keys(KINDS).find((k) => KINDS[Number(k)].type === arr.type));
  if (!(code in KINDS))
    throw new TsgradError(
      `writeIdx: unknown IDX type ${JSON.stringify(arr.type)}; expected one of ${Object.values(KINDS)
        .map((k) => k.type)
        .join(', ')}`,
    );
  const { width, set } = KINDS[code];
  const count = arr.shape.reduce((a, b) => a * b, 1);
  if (count !== arr.data.length) {
    throw new TsgradError(`writeIdx: shape ${fmtShape(arr.shape)} holds ${count} elements but data has ${arr.data.length}`);
  }
  if (arr.shape.length > 255) throw new TsgradError(`writeIdx: IDX allows at most 255 dimensions, got ${arr.shape.length}`);
  const headerLen = 4 + 4 * arr.shape.length;
  const out = new Uint8Array(headerLen + count * width);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = arr.shape.length;
  arr.shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < count; i++) {
    const o = headerLen + i * width;
    set(view, o, arr.data[i]);
  }
  return out;
}

/**
 * Writes an IDX file, gzipped when `gzip` is set or the path ends in `.gz`: e.g. a subset of MNIST
 * or a data set of one's own in the layout the MNIST readers expect.
 * @example writeIdx('tiny-labels-idx1-ubyte.gz', { type: 'uint8', shape: [3], data: Uint8Array.of(7, 2, 1) });
 */
export function writeIdx(path: string, arr: IdxArray, opts: { gzip?: boolean } = {}): void {
  arg('writeIdx', 'path', path, is.string);
  const raw = encodeIdx(arr);
  writeFileAtomic(path, (opts.gzip ?? path.endsWith('.gz')) ? gzipSync(raw) : raw);
}

/**
 * An IDX array as a tensor (float32 by default; int32 suits labels), each value multiplied by
 * `scale` (1/255 maps bytes to [0, 1]).
 * @example
 * const x = idxToTensor(readIdx('t10k-images-idx3-ubyte'), { scale: 1 / 255 }); // [10000, 28, 28] float32
 * const y = idxToTensor(readIdx('t10k-labels-idx1-ubyte'), { dtype: 'int32' }); // [10000]
 */
export function idxToTensor(arr: IdxArray, opts: { dtype?: DType; scale?: number } = {}): Tensor {
  options<{ dtype?: DType; scale?: number }>('idxToTensor', opts, { dtype: is.oneOf(['float32', 'float64', 'int32']), scale: is.number });
  const dtype = opts.dtype ?? 'float32';
  const out = newArray(dtype, arr.data.length);
  const s = opts.scale ?? 1;
  if (s === 1) out.set(arr.data);
  else for (let i = 0; i < out.length; i++) out[i] = arr.data[i] * s;
  return new Tensor(out, arr.shape);
}

function isGzip(b: Uint8Array): boolean {
  return b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
}

function gunzip(bytes: Uint8Array, source: string): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new TsgradError(`readIdx: ${source}: gzip data is corrupt or truncated (${(e as Error).message})`);
  }
}
