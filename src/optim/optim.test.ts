import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tg from '../index.js';
import { nn, optim } from '../index.js';
import type { Tensor } from '../tensor/tensor.js';
import { assertClose, loadFixture } from '../../test/util.js';

interface Entry {
  shape: number[];
  data: number[];
}
interface OptimCase {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop';
  options: Record<string, unknown>;
  groups: Array<Record<string, unknown> & { params: number[] }> | null;
  trajectory: Array<{ w: number[]; b: number[]; u: number[] }>;
}
interface ScheduleCase {
  name: string;
  scheduler: string;
  options: Record<string, unknown>;
  baseLr: number;
  metrics: number[] | null;
  lrs: number[];
}
const fx = loadFixture<{
  optimProblem: Record<'x' | 'y' | 'w0' | 'b0' | 'u0', Entry>;
  optimizers: OptimCase[];
  schedules: ScheduleCase[];
}>('nn');

const f64 = (e: Entry, requiresGrad = false): Tensor => tg.tensor(e.data, { shape: e.shape, dtype: 'float64', requiresGrad });
const X = f64(fx.optimProblem.x);
const Y = f64(fx.optimProblem.y);
const problemLoss = (w: Tensor, b: Tensor): Tensor => X.matmul(w).add(b).sub(Y).square().mean();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const OPTIMS: Record<OptimCase['optimizer'], new (params: any, opts: any) => optim.Optimizer<any>> = {
  SGD: optim.SGD,
  Adam: optim.Adam,
  AdamW: optim.AdamW,
  RMSprop: optim.RMSprop,
};

for (const c of fx.optimizers) {
  test(`optimizer trajectory matches PyTorch: ${c.name}`, () => {
    const w = f64(fx.optimProblem.w0, true);
    const b = f64(fx.optimProblem.b0, true);
    const u = f64(fx.optimProblem.u0, true);
    const params = [w, b, u];
    const spec = c.groups ? c.groups.map((g) => ({ ...g, params: g.params.map((i) => params[i]) })) : params;
    const opt = new OPTIMS[c.optimizer](spec, c.options);
    c.trajectory.forEach((want, step) => {
      opt.zeroGrad();
      problemLoss(w, b).backward();
      assert.equal(u.grad, null);
      opt.step();
      assertClose(w.data(), want.w, { rtol: 1e-4, atol: 1e-7, what: `${c.name} step ${step + 1} w` });
      assertClose(b.data(), want.b, { rtol: 1e-4, atol: 1e-7, what: `${c.name} step ${step + 1} b` });
      assert.deepEqual(Array.from(u.data()), want.u, 'a parameter without a gradient is left alone');
    });
  });
}

const LAMBDAS: Record<string, (e: number) => number> = { inverse: (e) => 1 / (e + 1), warmup: (e) => Math.min(1, (e + 1) / 4) };

for (const c of fx.schedules) {
  test(`schedule matches PyTorch: ${c.name}`, () => {
    const opt = new optim.SGD([tg.zeros([1], { requiresGrad: true })], { lr: c.baseLr });
    const o = c.options;
    const sched =
      c.scheduler === 'StepLR'
        ? new optim.StepLR(opt, o as { stepSize: number; gamma: number })
        : c.scheduler === 'ExponentialLR'
          ? new optim.ExponentialLR(opt, o as { gamma: number })
          : c.scheduler === 'CosineAnnealingLR'
            ? new optim.CosineAnnealingLR(opt, o as { tMax: number; etaMin: number })
            : c.scheduler === 'LambdaLR'
              ? new optim.LambdaLR(opt, { lrLambda: LAMBDAS[o.lrLambda as string] })
              : new optim.ReduceLROnPlateau(opt, o as optim.ReduceLROnPlateauOptions);
    const lrs = [opt.lr];
    for (let e = 0; e < c.lrs.length - 1; e++) {
      opt.step();
      if (sched instanceof optim.ReduceLROnPlateau) sched.step(c.metrics![e]);
      else sched.step();
      assert.equal(sched.getLastLr()[0], opt.lr);
      lrs.push(opt.lr);
    }
    assertClose(lrs, c.lrs, { rtol: 1e-4, atol: 1e-12, what: `${c.name} lr` });
  });
}

/** A small regression model and data; the same seed builds the same model. */
function setup(seed: number) {
  tg.manualSeed(seed);
  const model = new nn.Sequential(
    new nn.Linear({ inFeatures: 3, outFeatures: 4 }),
    new nn.Tanh(),
    new nn.Linear({ inFeatures: 4, outFeatures: 1 }),
  );
  const x = tg.randn([8, 3]);
  const y = tg.randn([8, 1]);
  return { model, x, y };
}

function trainSteps(model: nn.Sequential, opt: optim.Optimizer<object>, x: Tensor, y: Tensor, n: number): void {
  for (let i = 0; i < n; i++) {
    opt.zeroGrad();
    nn.mseLoss(model.forward(x), y).backward();
    opt.step();
  }
}

for (const make of [
  (p: Tensor[]) => new optim.Adam(p, { lr: 0.01, amsgrad: true }),
  (p: Tensor[]) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true }),
  (p: Tensor[]) => new optim.RMSprop(p, { lr: 0.01, momentum: 0.5, centered: true }),
  (p: Tensor[]) => new optim.AdamW(p, { lr: 0.01 }),
]) {
  test(`optimizer stateDict round trip is bit-identical: ${make([tg.zeros([1], { requiresGrad: true })]).constructor.name}`, () => {
    const { model, x, y } = setup(11);
    const opt = make(model.parameters());
    trainSteps(model, opt, x, y, 3);
    const saved = opt.stateDict();
    const weights = new Map([...model.stateDict()].map(([k, t]) => [k, t.data().slice()]));
    const json = JSON.parse(
      JSON.stringify(saved, (_k, v) => (v instanceof tg.Tensor ? { shape: v.shape, data: Array.from(v.data()) } : v)),
    );
    assert.equal(json.paramGroups[0].params.length, 4, 'groups list parameter positions');

    trainSteps(model, opt, x, y, 2);
    const continued = model.parameters().map((p) => Array.from(p.data()));

    // Rebuild: restore the weights, load the state into a fresh optimizer, continue.
    const fresh = setup(99).model;
    fresh.loadStateDict(new Map([...weights].map(([k, v]) => [k, tg.tensor(v, { shape: model.stateDict().get(k)!.shape })])));
    const opt2 = make(fresh.parameters());
    opt2.loadStateDict(saved);
    trainSteps(fresh, opt2, x, y, 2);
    assert.deepEqual(
      fresh.parameters().map((p) => Array.from(p.data())),
      continued,
    );
  });
}

test('stateDict is a snapshot and loadStateDict rejects a mismatched optimizer', () => {
  const { model, x, y } = setup(1);
  const opt = new optim.Adam(model.parameters());
  trainSteps(model, opt, x, y, 1);
  const sd = opt.stateDict();
  const before = Array.from((sd.state[0].expAvg as Tensor).data());
  trainSteps(model, opt, x, y, 1);
  assert.deepEqual(Array.from((sd.state[0].expAvg as Tensor).data()), before);
  assert.equal(sd.state[0].step, 1);
  const other = new optim.Adam([tg.zeros([2], { requiresGrad: true })]);
  assert.throws(() => other.loadStateDict(sd), /group 0 has 4 parameters in the state but 1 in the optimizer/);
  const shapes = new optim.Adam([tg.zeros([7], { requiresGrad: true }), ...model.parameters().slice(1)]);
  assert.throws(() => shapes.loadStateDict(sd), /state 'expAvg' of parameter 0 has shape \[4,3\] but the parameter has \[7\]/);
});

test('lr getter and setter, param groups and option errors', () => {
  const a = tg.zeros([2], { requiresGrad: true });
  const b = tg.zeros([2], { requiresGrad: true });
  const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
  assert.equal(opt.paramGroups[1].lr, 0.5);
  assert.equal(opt.paramGroups[1].momentum, 0.9);
  assert.equal(opt.lr, 0.1);
  opt.lr = 0.01;
  assert.deepEqual(
    opt.paramGroups.map((g) => g.lr),
    [0.01, 0.01],
  );
  assert.throws(() => new optim.SGD([{ params: [a], momentom: 0.9 }], { lr: 0.1 }), /unknown option 'momentom'/);
  assert.throws(() => new optim.SGD([a], { lr: 0.1, nesterov: true }), /nesterov needs momentum > 0/);
  assert.throws(() => new optim.Adam([]), /empty parameter list/);
  assert.throws(() => new optim.SGD([a, a], { lr: 0.1 }), /more than one group/);
  // zeroGrad clears to null; step with no gradients changes nothing.
  a.grad = tg.ones([2]);
  opt.zeroGrad();
  assert.equal(a.grad, null);
  opt.step();
  assert.deepEqual(a.toArray(), [0, 0]);
});

test('l1Penalty and l2Penalty are differentiable scalars', () => {
  const w = tg.tensor(
    [
      [1, -2],
      [0.5, 0],
    ],
    { requiresGrad: true },
  );
  const b = tg.tensor([3], { requiresGrad: true });
  const l1 = optim.l1Penalty([w, b], 0.1);
  assertClose([l1.item()], [0.1 * 6.5], { rtol: 1e-6 });
  l1.backward();
  assertClose(w.grad!.data(), [0.1, -0.1, 0.1, 0]);
  w.grad = null;
  const l2 = optim.l2Penalty([w], 0.5);
  assertClose([l2.item()], [0.5 * 5.25], { rtol: 1e-6 });
  l2.backward();
  assertClose(w.grad!.data(), [1, -2, 0.5, 0]);
  assert.throws(() => optim.l2Penalty([], 0.1), /l2Penalty: got no parameters/);
  assert.throws(() => optim.l1Penalty([w], -1), /l1Penalty: argument 'lambda' must be a number >= 0, got -1/);
});

test('SGD weightDecay equals an l2Penalty of half the decay', () => {
  const { model: m1, x, y } = setup(4);
  const { model: m2 } = setup(4);
  const o1 = new optim.SGD(m1.parameters(), { lr: 0.1, weightDecay: 0.2 });
  const o2 = new optim.SGD(m2.parameters(), { lr: 0.1 });
  for (let i = 0; i < 3; i++) {
    o1.zeroGrad();
    nn.mseLoss(m1.forward(x), y).backward();
    o1.step();
    o2.zeroGrad();
    nn.mseLoss(m2.forward(x), y).add(optim.l2Penalty(m2.parameters(), 0.1)).backward();
    o2.step();
  }
  m1.parameters().forEach((p, i) => assertClose(p.data(), m2.parameters()[i].data(), { rtol: 1e-5, atol: 1e-6 }));
});

test('optimiser options: a misspelt key is an error naming the optimiser, never a silent default', () => {
  const ps = (): tg.Tensor[] => [tg.zeros([2], { requiresGrad: true })];
  assert.throws(
    () => new optim.Adam(ps(), { learningRate: 0.5 } as never),
    /^TsgradError: Adam: unknown option 'learningRate' \(did you mean 'lr'\?\)/,
  );
  assert.throws(() => new optim.SGD(ps(), {} as never), /^TsgradError: SGD: option 'lr' is required/);
  assert.throws(
    () => new optim.RMSprop(ps(), { lr: '0.1' } as never),
    /^TsgradError: RMSprop: option 'lr' must be a number >= 0, got "0.1"/,
  );
  assert.throws(
    () => new optim.Adam([{ params: ps(), learning_rate: 1 }] as never),
    /Adam: unknown option 'learning_rate' in parameter group 0 \(did you mean 'lr'\?\)/,
  );
});
