import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { tensor } from '../tensor/create.js';
import { Tensor } from '../tensor/tensor.js';
import { readImage, writeImage } from './image.js';

const dir = mkdtempSync(join(tmpdir(), 'tsgrad-image-'));

test('writeImage then readImage gives the image back: PNG exactly to 1/255, JPEG closely; grey and RGB', () => {
  const grey = new Tensor(
    Float32Array.from({ length: 6 * 5 }, (_, i) => i / 29),
    [6, 5],
  );
  const p = writeImage(grey, join(dir, 'g.png'));
  const back = readImage(p);
  assert.deepEqual(back.shape, [1, 6, 5]);
  back.data().forEach((v, i) => assert.ok(Math.abs(v - (grey.data()[i] as number)) <= 0.5 / 255 + 1e-6, `pixel ${i}`));
  const rgb = new Tensor(
    Float32Array.from({ length: 3 * 16 * 16 }, (_, i) => (i < 256 ? 1 : i < 512 ? 0.5 : 0)),
    [3, 16, 16],
  );
  writeImage(rgb, join(dir, 'c.jpg'));
  const j = readImage(join(dir, 'c.jpg'));
  assert.deepEqual(j.shape, [3, 16, 16]);
  assert.ok(Math.abs((j.data()[0] as number) - 1) < 0.05 && Math.abs((j.data()[256] as number) - 0.5) < 0.05);
  assert.deepEqual(readImage(join(dir, 'c.jpg'), { channels: 1 }).shape, [1, 16, 16]);
  assert.deepEqual(readImage(p, { channels: 3, size: [3, 10] }).shape, [3, 3, 10]);
  assert.deepEqual(readImage(p, { size: 2 }).shape, [1, 2, 2]);
});

test('readImage mnist: grey, white on black, the ink scaled into 20×20 and centred by its centre of mass', () => {
  // A dark 30×10 bar, off-centre, on a white 100×60 page.
  const h = 60;
  const w = 100;
  const page = new Float32Array(h * w).fill(1);
  for (let r = 5; r < 35; r++) for (let c = 70; c < 80; c++) page[r * w + c] = 0;
  writeImage(new Tensor(page, [h, w]), join(dir, 'bar.png'));
  const x = readImage(join(dir, 'bar.png'), { mnist: true });
  assert.deepEqual(x.shape, [1, 28, 28]);
  const v = x.data();
  let [m, my, mx] = [0, 0, 0];
  const [rows, cols] = [new Set<number>(), new Set<number>()];
  for (let r = 0; r < 28; r++) {
    for (let c = 0; c < 28; c++) {
      const p = v[r * 28 + c] as number;
      m += p;
      my += p * r;
      mx += p * c;
      if (p > 0.5) {
        rows.add(r);
        cols.add(c);
      }
    }
  }
  assert.ok(Math.abs(my / m - 13.5) <= 1 && Math.abs(mx / m - 13.5) <= 1, `centre of mass (${my / m}, ${mx / m})`);
  assert.equal(rows.size, 20);
  assert.ok(cols.size >= 6 && cols.size <= 8, `width ${cols.size}`);
});

test('readImage and writeImage refuse bad input, naming the file and what was expected', () => {
  writeFileSync(join(dir, 'junk.png'), 'not an image');
  assert.throws(() => readImage(join(dir, 'junk.png')), /readImage: .*junk\.png is neither a PNG nor a JPEG \(by its first bytes\)/);
  assert.throws(() => readImage(join(dir, 'missing.png')), /readImage: cannot read .*missing\.png/);
  assert.throws(
    () => readImage(join(dir, 'g.png'), { chanels: 1 } as never),
    /readImage: unknown option 'chanels' \(did you mean 'channels'\?\)/,
  );
  assert.throws(() => readImage(join(dir, 'g.png'), { channels: 2 } as never), /readImage: option 'channels' must be one of 1, 3, got 2/);
  assert.throws(() => readImage(42 as never), /readImage: argument 'file' must be a string, got 42/);
  assert.throws(
    () => writeImage(tensor([[2, 0]]), join(dir, 'x.png')),
    /writeImage: values must be in \[0, 1\] \(scale the image first\), got 2 at element 0/,
  );
  assert.throws(
    () => writeImage(tensor([[[0]], [[0]]]), join(dir, 'x.png')),
    /writeImage: expected an image \[H, W\], \[1, H, W\] or \[3, H, W\], got shape \[2,1,1\]/,
  );
  assert.throws(() => writeImage(tensor([[NaN]]), join(dir, 'x.png')), /got NaN at element 0/);
});
