import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tg from '../index.js';

// The one-pass gradient of max/min over trailing axes must equal the graph definition
// mask·dy/count (ties share evenly; a NaN extremum makes its row NaN), axis by axis.
function expected(x: tg.Tensor, kind: 'max' | 'min', axes: number[], dy: tg.Tensor): tg.Tensor {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const ext = kind === 'max' ? x.max({ axis: axes, keepDim: true }) : x.min({ axis: axes, keepDim: true });
  const mask = tg.eq(x, ext);
  return tg.mul(mask, tg.div(dy.reshape(kept), mask.sum({ axis: axes, keepDim: true })));
}

test('max/min backward over trailing axes matches mask·dy/count, with ties and NaN', () => {
  tg.manualSeed(5);
  for (const dtype of ['float32', 'float64'] as const) {
    for (const [shape, axes] of [
      [[3, 4, 7], [2]],
      [
        [2, 3, 5],
        [1, 2],
      ],
      [[6, 17], [1]],
      [[5], [0]],
      [[4, 1, 3], [2]],
    ] as [number[], number[]][]) {
      // Rounded values make ties common; one NaN poisons the first row.
      const base = tg.rand(shape, { dtype });
      const vals = Array.from(base.data() as ArrayLike<number>, (v) => Math.round(v * 3));
      vals[1] = NaN;
      for (const kind of ['max', 'min'] as const) {
        const x = tg.tensor(vals, { shape, dtype, requiresGrad: true });
        const y = kind === 'max' ? x.max({ axis: axes }) : x.min({ axis: axes });
        const dy = tg.rand(y.shape, { dtype });
        y.backward(dy);
        const want = Array.from(expected(x.detach(), kind, axes, dy).data() as ArrayLike<number>);
        const got = Array.from(x.grad!.data() as ArrayLike<number>);
        assert.deepEqual(got, want, `${kind} ${dtype} [${shape}] axes [${axes}]`);
      }
    }
  }
});
