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

const CODES: Record<number, [IdxType, number]> = {
  0x08: ['uint8', 1],
  0x09: ['int8', 1],
  0x0b: ['int16', 2],
  0x0c: ['int32', 4],
  0x0d: ['float32', 4],
  0x0e: ['float64', 8],
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
  if (buf[0] !== 0 || buf[1] !== 0 || !(buf[2] in CODES)) {
    const magic = Array.from(buf.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    fail(`wrong magic number ${magic}: expected 00 00 <type 08|09|0b|0c|0d|0e> <ndim>; not an IDX file`);
  }
  const [type, width] = CODES[buf[2]];
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
  const data = allocate(type, count);
  if (width === 1) {
    (data as Uint8Array).set(buf.subarray(headerLen, headerLen + count));
  } else {
    for (let i = 0; i < count; i++) {
      const o = headerLen + i * width;
      data[i] =
        type === 'int16'
          ? view.getInt16(o, false)
          : type === 'int32'
            ? view.getInt32(o, false)
            : type === 'float32'
              ? view.getFloat32(o, false)
              : view.getFloat64(o, false);
    }
  }
  return { type, shape, data };
}

/** Reads an IDX file, raw or gzipped (detected from the gzip magic bytes, whatever the name). */
export function readIdx(path: string): IdxArray {
  return parseIdx(readBytes('readIdx', path), path);
}

/** Encodes an array as IDX bytes. */
export function encodeIdx(arr: IdxArray): Uint8Array {
  arg('encodeIdx', 'arr', arr, is.object);
  const code = Number(Object.keys(CODES).find((k) => CODES[Number(k)][0] === arr.type));
  const width = CODES[code][1];
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
    const v = arr.data[i];
    switch (arr.type) {
      case 'uint8':
        view.setUint8(o, v);
        break;
      case 'int8':
        view.setInt8(o, v);
        break;
      case 'int16':
        view.setInt16(o, v, false);
        break;
      case 'int32':
        view.setInt32(o, v, false);
        break;
      case 'float32':
        view.setFloat32(o, v, false);
        break;
      case 'float64':
        view.setFloat64(o, v, false);
        break;
    }
  }
  return out;
}

/** Writes an IDX file, gzipped when `gzip` is set or the path ends in `.gz`. */
export function writeIdx(path: string, arr: IdxArray, opts: { gzip?: boolean } = {}): void {
  arg('writeIdx', 'path', path, is.string);
  const raw = encodeIdx(arr);
  writeFileAtomic(path, (opts.gzip ?? path.endsWith('.gz')) ? gzipSync(raw) : raw);
}

/** An IDX array as a tensor (float32 by default; int32 suits labels). */
export function idxToTensor(arr: IdxArray, opts: { dtype?: DType; scale?: number } = {}): Tensor {
  options<{ dtype?: DType; scale?: number }>('idxToTensor', opts, { dtype: is.oneOf(['float32', 'float64', 'int32']), scale: is.number });
  const dtype = opts.dtype ?? 'float32';
  const out = newArray(dtype, arr.data.length);
  const s = opts.scale ?? 1;
  if (s === 1) out.set(arr.data);
  else for (let i = 0; i < out.length; i++) out[i] = arr.data[i] * s;
  return new Tensor(out, arr.shape);
}

function allocate(type: IdxType, n: number): IdxData {
  switch (type) {
    case 'uint8':
      return new Uint8Array(n);
    case 'int8':
      return new Int8Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
  }
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
