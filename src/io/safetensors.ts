import { arg, is } from '../util/args.js';
import { readBytes } from '../util/read-file.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import type { DType, TypedArray } from '../kernels/types.js';
import { Tensor, denseArray, newArray } from '../tensor/tensor.js';
import { TsgradError, fmtShape } from '../util/errors.js';

/**
 * The safetensors format (Hugging Face), byte-compatible with the reference
 * implementation: an 8-byte little-endian header length N, N bytes of JSON
 * `{"__metadata__": {..}, "name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..}`
 * padded with spaces to a multiple of 8, then the tensors' bytes, little-endian,
 * row-major, back to back with no holes (offsets count from the end of the header).
 */

/** Element types this reader understands, with their byte widths. */
const WIDTH: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

/** The reference writer's dtype order (increasing alignment); tensors are written in descending order, then by name. */
const RANK = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64'];

const TO_SAFE: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32' };

/** Headers above this size are refused, as the reference implementation does. */
const MAX_HEADER = 100_000_000;

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export interface Safetensors {
  tensors: Map<string, Tensor>;
  metadata?: Record<string, string>;
}

/**
 * Encodes named tensors (and optional string metadata) as safetensors bytes,
 * exactly as `safetensors.torch.save_file` lays them out.
 * @example writeFileAtomic('w.safetensors', encodeSafetensors({ weight: w }, { format: 'pt' }));
 */
export function encodeSafetensors(tensors: Map<string, Tensor> | Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  arg('encodeSafetensors', 'tensors', tensors, is.anyOf(is.instance(Map), is.object));
  const entries = [...(tensors instanceof Map ? tensors : Object.entries(tensors))].map(([name, t]) => ({
    name,
    t,
    dtype: TO_SAFE[t.dtype],
  }));
  entries.sort((a, b) => RANK.indexOf(b.dtype) - RANK.indexOf(a.dtype) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // The header is built as text, not through an object: JavaScript would reorder integer-like keys ("0", "1").
  const parts: string[] = [];
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new TsgradError(`safetensors: metadata value of ${k} must be a string, got ${typeof v}`);
    }
    parts.push(`"__metadata__":${JSON.stringify(metadata)}`);
  }
  let offset = 0;
  for (const e of entries) {
    const n = e.t.size * 4 * (e.dtype === 'F64' ? 2 : 1);
    parts.push(
      `${JSON.stringify(e.name)}:{"dtype":"${e.dtype}","shape":${JSON.stringify(e.t.shape)},"data_offsets":[${offset},${offset + n}]}`,
    );
    offset += n;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLen = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLen + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  let pos = 8 + headerLen;
  for (const e of entries) {
    const d = denseArray(e.t);
    if (littleEndian) out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), pos);
    else writeLE(view, pos, d);
    pos += d.byteLength;
  }
  return out;
}

function writeLE(view: DataView, pos: number, d: TypedArray): void {
  for (let i = 0; i < d.length; i++) {
    if (d instanceof Float32Array) view.setFloat32(pos + 4 * i, d[i], true);
    else if (d instanceof Float64Array) view.setFloat64(pos + 8 * i, d[i], true);
    else view.setInt32(pos + 4 * i, d[i], true);
  }
}

/**
 * Decodes safetensors bytes, validating everything the specification requires;
 * anything malformed throws a TsgradError naming `file` and what was expected.
 * F32, F64 and I32 load as themselves; F16 and BF16 as float32; smaller integers
 * and BOOL as int32; I64/U64/U32 as int32 when every value fits. The in-memory form of
 * loadSafetensors, for bytes from fetch() or an archive.
 * @example const { tensors, metadata } = decodeSafetensors(new Uint8Array(await (await fetch(url)).arrayBuffer()), url);
 */
export function decodeSafetensors(bytes: Uint8Array, file = '<bytes>'): Safetensors {
  arg('decodeSafetensors', 'bytes', bytes, is.instance(Uint8Array));
  const fail = (msg: string): never => {
    throw new TsgradError(`safetensors: ${file}: ${msg}`);
  };
  if (bytes.length < 8) fail(`truncated: ${bytes.length} bytes, expected at least the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER)) fail(`header length ${n64} exceeds the ${MAX_HEADER}-byte limit`);
  const n = Number(n64);
  if (8 + n > bytes.length) fail(`truncated: header promises ${n} bytes but only ${bytes.length - 8} follow`);
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail('header is not valid UTF-8');
  }
  if (!text.startsWith('{')) fail(`header must be a JSON object starting with '{', got ${JSON.stringify(text.slice(0, 20))}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header must be a JSON object');
  const data = bytes.subarray(8 + n);
  let metadata: Record<string, string> | undefined;
  const infos: Array<{ name: string; dtype: string; shape: number[]; begin: number; end: number }> = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('__metadata__ must map strings to strings');
      for (const [k, v] of Object.entries(raw as object))
        if (typeof v !== 'string') fail(`__metadata__.${k} must be a string, got ${typeof v}`);
      metadata = raw as Record<string, string>;
      continue;
    }
    infos.push(tensorInfo(name, raw, fail));
  }
  // Offsets must tile the data buffer exactly: sorted, contiguous, no holes, nothing left over.
  infos.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expect = 0;
  for (const t of infos) {
    if (t.begin !== expect)
      fail(`tensor ${t.name}: data_offsets start at ${t.begin}, expected ${expect} (offsets must be contiguous without holes)`);
    expect = t.end;
  }
  if (expect !== data.length) fail(`data section has ${data.length} bytes but the header describes ${expect}`);
  const tensors = new Map<string, Tensor>();
  for (const t of infos) tensors.set(t.name, toTensor(t, data.subarray(t.begin, t.end), fail));
  return { tensors, metadata };
}

function tensorInfo(
  name: string,
  raw: unknown,
  fail: (m: string) => never,
): { name: string; dtype: string; shape: number[]; begin: number; end: number } {
  if (typeof raw !== 'object' || raw === null) return fail(`tensor ${name}: expected {dtype, shape, data_offsets}`);
  const { dtype, shape, data_offsets: off } = raw as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in WIDTH))
    return fail(`tensor ${name}: unsupported dtype ${JSON.stringify(dtype)}; expected one of ${Object.keys(WIDTH).join(', ')}`);
  const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  if (!Array.isArray(shape) || !shape.every(isIndex))
    return fail(`tensor ${name}: shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  if (!Array.isArray(off) || off.length !== 2 || !off.every(isIndex) || off[0] > off[1]) {
    return fail(`tensor ${name}: data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(off)}`);
  }
  const count = shape.reduce((a: number, b: number) => a * b, 1);
  const nbytes = count * WIDTH[dtype];
  if (!Number.isSafeInteger(nbytes) || nbytes !== off[1] - off[0]) {
    return fail(
      `tensor ${name}: shape ${fmtShape(shape)} of ${dtype} needs ${nbytes} bytes but data_offsets [${off[0]}, ${off[1]}] span ${off[1] - off[0]}`,
    );
  }
  return { name, dtype, shape, begin: off[0], end: off[1] };
}

/** Element i of a little-endian safetensors buffer, by dtype (U8 and BOOL read as bytes). */
const READ: Record<string, (v: DataView, i: number) => number> = {
  F32: (v, i) => v.getFloat32(4 * i, true),
  F64: (v, i) => v.getFloat64(8 * i, true),
  I32: (v, i) => v.getInt32(4 * i, true),
  F16: (v, i) => half(v.getUint16(2 * i, true)),
  BF16: (v, i) => new Float32Array(new Uint32Array([v.getUint16(2 * i, true) << 16]).buffer)[0],
  I16: (v, i) => v.getInt16(2 * i, true),
  U16: (v, i) => v.getUint16(2 * i, true),
  I8: (v, i) => v.getInt8(i),
  U32: (v, i) => v.getUint32(4 * i, true),
  I64: (v, i) => Number(v.getBigInt64(8 * i, true)),
  U64: (v, i) => Number(v.getBigUint64(8 * i, true)),
  U8: (v, i) => v.getUint8(i),
};

function toTensor(t: { name: string; dtype: string; shape: number[] }, bytes: Uint8Array, fail: (m: string) => never): Tensor {
  const w = WIDTH[t.dtype];
  const n = bytes.length / w;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const target: DType = t.dtype === 'F64' ? 'float64' : t.dtype.startsWith('F') || t.dtype === 'BF16' ? 'float32' : 'int32';
  const out = newArray(target, n);
  if (littleEndian && (t.dtype === 'F32' || t.dtype === 'F64' || t.dtype === 'I32')) {
    // Copy into the tensor's own buffer: the file's bytes need not be aligned for a typed-array view.
    new Uint8Array(out.buffer).set(bytes);
    return new Tensor(out, t.shape);
  }
  const read = READ[t.dtype] ?? READ.U8;
  for (let i = 0; i < n; i++) {
    const x = read(v, i);
    if (target === 'int32' && (x < -2147483648 || x > 2147483647))
      fail(`tensor ${t.name}: ${t.dtype} value ${x} at index ${i} does not fit in int32`);
    out[i] = x;
  }
  return new Tensor(out, t.shape);
}

/** IEEE half precision to a number. */
function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/**
 * Writes named tensors to a .safetensors file, which PyTorch reads with
 * `safetensors.torch.load_file` (metadata: string values only).
 * @example saveSafetensors('weights.safetensors', model.stateDict(), { format: 'pt' });
 */
export function saveSafetensors(
  path: string,
  tensors: Map<string, Tensor> | Record<string, Tensor>,
  metadata?: Record<string, string>,
): void {
  arg('saveSafetensors', 'path', path, is.string);
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

/**
 * Reads a .safetensors file (one written by PyTorch's `safetensors.torch.save_file`, say); errors
 * name the file. Pass the tensors to `model.loadStateDict` when their names are the model's.
 * @example
 * const { tensors } = loadSafetensors('weights.safetensors');
 * tensors.get('0.weight')?.shape; // e.g. [128, 784]
 */
export function loadSafetensors(path: string): Safetensors {
  return decodeSafetensors(readBytes('safetensors', path), path);
}
