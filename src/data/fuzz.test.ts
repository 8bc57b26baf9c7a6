import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors.js';
import { tensor } from '../tensor/create.js';
import { TsgradError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { parseCsv } from './csv.js';
import { encodeIdx, parseIdx } from './idx.js';

/**
 * Random and damaged bytes through the three readers: each input must parse or
 * throw a TsgradError (never a RangeError, TypeError or SyntaxError), and no
 * single input may take long (a hang or an attempt to allocate a huge array).
 */
const r = new Rng(2024);

function randomBytes(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => r.int(0, 256));
}

/** Truncations, bit flips, inserted and overwritten bytes of a valid input. */
function mutate(b: Uint8Array): Uint8Array {
  const out = Uint8Array.from(b);
  switch (r.int(0, 4)) {
    case 0:
      return out.subarray(0, r.int(0, out.length));
    case 1: {
      for (let k = 0; k < 1 + r.int(0, 4); k++) out[r.int(0, out.length)] ^= 1 << r.int(0, 8);
      return out;
    }
    case 2: {
      const i = r.int(0, out.length);
      return Uint8Array.from([...out.subarray(0, i), ...randomBytes(r.int(1, 8)), ...out.subarray(i)]);
    }
    default: {
      // Overwrite a length or dimension field with an extreme value.
      const i = r.int(0, Math.min(16, out.length));
      out.set([0xff, 0xff, 0xff, 0x7f].slice(0, out.length - i), i);
      return out;
    }
  }
}

function survive(name: string, parse: (b: Uint8Array) => unknown, inputs: Uint8Array[]): void {
  let errors = 0;
  for (const [i, input] of inputs.entries()) {
    const t0 = performance.now();
    try {
      parse(input);
    } catch (e) {
      errors++;
      assert.ok(
        e instanceof TsgradError,
        `${name} input ${i} (${input.length} bytes) threw ${(e as Error)?.name}: ${(e as Error)?.message}`,
      );
    }
    const ms = performance.now() - t0;
    assert.ok(ms < 500, `${name} input ${i} took ${ms.toFixed(0)} ms`);
  }
  assert.ok(errors > inputs.length / 2, `${name}: most damaged inputs should be rejected (${errors}/${inputs.length})`);
}

test('fuzz: IDX reader on 400 random, truncated and mutated inputs', () => {
  const valid = encodeIdx({ type: 'float32', shape: [3, 2], data: Float32Array.of(1, 2, 3, 4, 5, 6) });
  const validU8 = encodeIdx({ type: 'uint8', shape: [2, 2, 2], data: new Uint8Array(8) });
  const inputs: Uint8Array[] = [];
  for (let i = 0; i < 100; i++) inputs.push(randomBytes(r.int(0, 64)));
  for (let i = 0; i < 100; i++)
    inputs.push(Uint8Array.from([0, 0, [8, 9, 0xb, 0xc, 0xd, 0xe][r.int(0, 6)], r.int(0, 256), ...randomBytes(r.int(0, 40))]));
  for (let i = 0; i < 150; i++) inputs.push(mutate(i % 2 ? valid : validU8));
  for (let i = 0; i < 50; i++) inputs.push(gzipSync(mutate(valid)).subarray(0, r.int(0, 60)));
  survive('IDX', (b) => parseIdx(b, 'fuzz.idx'), inputs);
});

test('fuzz: CSV parser on 300 random and mutated texts', () => {
  const valid = new TextEncoder().encode('a,"b",c\n1,2.5,-3\n"4",5e1,6\n');
  const alphabet = '0123456789.,-+eE"\n\r ;xa';
  const inputs: Uint8Array[] = [];
  for (let i = 0; i < 100; i++) inputs.push(randomBytes(r.int(0, 80)));
  for (let i = 0; i < 100; i++) {
    const s = Array.from({ length: r.int(0, 60) }, () => alphabet[r.int(0, alphabet.length)]).join('');
    inputs.push(new TextEncoder().encode(s));
  }
  for (let i = 0; i < 100; i++) inputs.push(mutate(valid));
  survive('CSV', (b) => parseCsv(new TextDecoder().decode(b), { file: 'fuzz.csv' }), inputs);
});

test('fuzz: safetensors reader on 400 random, truncated and mutated inputs', () => {
  const valid = encodeSafetensors(
    {
      w: tensor([
        [1, 2],
        [3, 4],
      ]),
      b: tensor([1], { dtype: 'int32' }),
    },
    { format: 'pt' },
  );
  const header = (json: string): Uint8Array => {
    const j = new TextEncoder().encode(json);
    const out = new Uint8Array(8 + j.length + r.int(0, 16));
    new DataView(out.buffer).setBigUint64(0, BigInt(j.length), true);
    out.set(j, 8);
    return out;
  };
  const jsons = [
    '{"a":{"dtype":"F32","shape":[1e30],"data_offsets":[0,4]}}',
    '{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}',
    '{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,0]}}',
    '{"a":{"dtype":"X9","shape":[1],"data_offsets":[0,4]}}',
    '{"a":null}',
    '[]',
    '{"__metadata__":{"k":1}}',
    '{"a":{"dtype":"F32","shape":"x","data_offsets":[0,4]}}',
    '{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}',
    '{"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}',
  ];
  const inputs: Uint8Array[] = [];
  for (let i = 0; i < 100; i++) inputs.push(randomBytes(r.int(0, 64)));
  for (let i = 0; i < 100; i++) inputs.push(header(jsons[i % jsons.length]));
  for (let i = 0; i < 200; i++) inputs.push(mutate(valid));
  survive('safetensors', (b) => decodeSafetensors(b, 'fuzz.safetensors'), inputs);
});
