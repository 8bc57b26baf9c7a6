/**
 * LinearLR, OneCycleLR, SequentialLR and gradient clipping against PyTorch
 * (test/fixtures/schedulers.json, made by tools/make_sched_fixtures.py), then their errors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertClose, loadFixture } from '../../test/util.js';
import { tensor, zeros } from '../tensor/create.js';
import { Adam } from './adam.js';
import { clipGradNorm, clipGradValue } from './clip.js';
import { CosineAnnealingLR, ExponentialLR, LRScheduler, LinearLR, OneCycleLR, SequentialLR, StepLR } from './schedulers.js';
import { SGD } from './sgd.js';

interface Schedule {
  name: string;
  optimizer: 'sgd' | 'adam';
  opts: Record<string, unknown>;
  lrs: number[];
  momentum: number[];
}
interface Clip {
  kind: 'norm' | 'value';
  arg: number;
  normType: number | 'inf' | null;
  grads: number[][];
  shapes: number[][];
  total: number | null;
  clipped: number[][];
}
const { schedules, clips } = loadFixture<{ schedules: Schedule[]; clips: Clip[] }>('schedulers');

type Opt = SGD | Adam;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const BUILD: Record<string, (opt: Opt, o: any) => LRScheduler> = {
  LinearLR: (opt, o) => new LinearLR(opt, o),
  OneCycleLR: (opt, o) => new OneCycleLR(opt, o),
  CosineAnnealingLR: (opt, o) => new CosineAnnealingLR(opt, o),
  ExponentialLR: (opt, o) => new ExponentialLR(opt, o),
  StepLR: (opt, o) => new StepLR(opt, o),
  SequentialLR: (opt, o) =>
    new SequentialLR(opt, {
      schedulers: (o.schedulers as Array<[string, unknown]>).map(([n, so]) => BUILD[n](opt, so)),
      milestones: o.milestones,
    }),
};

for (const [i, c] of schedules.entries()) {
  test(`${c.name} #${i} follows PyTorch's lr${c.name === 'OneCycleLR' ? ' and momentum' : ''} sequence`, () => {
    const p = zeros([2], { requiresGrad: true });
    const opt: Opt = c.optimizer === 'adam' ? new Adam([p], { lr: 0.1 }) : new SGD([p], { lr: 0.1, momentum: 0.9 });
    const s = BUILD[c.name](opt, c.opts);
    const lrs = [opt.paramGroups[0].lr];
    const mom = (): number => {
      const g = opt.paramGroups[0] as { betas?: [number, number]; momentum?: number };
      return g.betas ? g.betas[0] : g.momentum!;
    };
    const moms = [mom()];
    for (let k = 1; k < c.lrs.length; k++) {
      s.step();
      lrs.push(opt.paramGroups[0].lr);
      moms.push(mom());
    }
    assertClose(lrs, c.lrs, { rtol: 1e-9, atol: 1e-12, what: 'lr' });
    if (c.name === 'OneCycleLR') assertClose(moms, c.momentum, { rtol: 1e-9, atol: 1e-12, what: 'momentum' });
  });
}

test('clipGradNorm and clipGradValue match torch.nn.utils', () => {
  for (const c of clips) {
    const ps = c.shapes.map((s, i) => {
      const t = zeros(s, { requiresGrad: true });
      t.grad = tensor(c.grads[i], { shape: s });
      return t;
    });
    if (c.kind === 'norm') {
      const total = clipGradNorm(ps, c.arg, c.normType === 'inf' ? Infinity : c.normType!);
      assert.ok(Math.abs(total - c.total!) <= 1e-5 * c.total!, `total ${total} vs ${c.total}`);
    } else {
      clipGradValue(ps, c.arg);
    }
    ps.forEach((p, i) => assertClose(p.grad!.data(), c.clipped[i], { what: `${c.kind} ${c.arg} grad ${i}` }));
  }
});

test('schedules and clipping refuse wrong arguments, naming them', () => {
  const opt = new SGD([zeros([2], { requiresGrad: true })], { lr: 0.1 });
  assert.throws(
    () => new LinearLR(opt, { start_factor: 0.1 } as never),
    /^TsgradError: LinearLR: unknown option 'start_factor' \(did you mean 'startFactor'\?\)/,
  );
  assert.throws(() => new OneCycleLR(opt, { totalSteps: 10 } as never), /OneCycleLR: option 'maxLr' is required/);
  assert.throws(() => new OneCycleLR(opt, { maxLr: 0.1 }), /OneCycleLR: give totalSteps, or epochs and stepsPerEpoch/);
  assert.throws(
    () => new OneCycleLR(opt, { maxLr: 0.1, total_steps: 3 } as never),
    /unknown option 'total_steps' \(did you mean 'totalSteps'\?\)/,
  );
  const one = new OneCycleLR(opt, { maxLr: 0.1, totalSteps: 2 });
  one.step();
  one.step();
  assert.throws(() => one.step(), /OneCycleLR: stepped 3 times, but the cycle has 2 steps/);
  assert.throws(
    () => new SequentialLR(opt, { schedulers: [new StepLR(opt, { stepSize: 2 })], milestones: [3] }),
    /SequentialLR: needs one milestone fewer than schedulers, got 1 milestones for 1 schedulers/,
  );
  assert.throws(
    () => new SequentialLR(opt, { schedulers: ['warmup'] as never, milestones: [] }),
    /SequentialLR: option 'schedulers' must be an array of LRSchedulers/,
  );
  const p = zeros([2], { requiresGrad: true });
  assert.throws(() => clipGradNorm([p], -1), /clipGradNorm: argument 'maxNorm' must be a number >= 0, got -1/);
  assert.throws(() => clipGradNorm(p as never, 1), /clipGradNorm: argument 'params' must be an array of Tensors/);
  assert.throws(() => clipGradValue([p], 'big' as never), /clipGradValue: argument 'clipValue' must be a number >= 0, got "big"/);
  p.grad = tensor([NaN, 1]);
  assert.throws(
    () => clipGradNorm([p], 1, 2, { errorIfNonfinite: true }),
    /clipGradNorm: the total norm of order 2 of the gradients is NaN/,
  );
});
