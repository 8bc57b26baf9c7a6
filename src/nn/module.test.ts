import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { load, save } from '../io/save.js';
import { Adam } from '../optim/adam.js';
import { SGD } from '../optim/sgd.js';
import { saliency } from '../viz/saliency.js';
import { randn, tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { TsgradError } from '../util/errors.js';
import { manualSeed } from '../util/rng.js';
import * as nn from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'tsgrad-module-'));
const quiet = { print: (): void => {} };

/** A user's module whose tensors are plain fields made with requiresGrad, as in the Module docs. */
class Affine extends nn.Module {
  readonly options: { n: number };
  weight: Tensor;
  bias: Tensor;
  constructor(options: { n: number }) {
    super();
    this.options = { n: options.n };
    this.weight = randn([options.n, options.n], { requiresGrad: true });
    this.bias = randn([options.n], { requiresGrad: true });
  }
  forward(x: Tensor): Tensor {
    return x.matmul(this.weight).add(this.bias);
  }
}

/** A nested user model: a Sequential body and a head, with options of its own. */
class Net extends nn.Module {
  readonly options: { hidden: number };
  body: nn.Sequential;
  head: nn.Linear;
  constructor(options: { hidden: number }) {
    super();
    this.options = { hidden: options.hidden };
    this.body = new nn.Sequential(new nn.Linear({ inFeatures: 4, outFeatures: options.hidden }), new nn.ReLU());
    this.head = new nn.Linear({ inFeatures: options.hidden, outFeatures: 2, bias: false });
  }
  forward(x: Tensor): Tensor {
    return this.head.forward(this.body.forward(x));
  }
}
nn.register(Net, { name: 'Net' });

const mlp = (): nn.Sequential =>
  new nn.Sequential(new nn.Linear({ inFeatures: 4, outFeatures: 8 }), new nn.ReLU(), new nn.Linear({ inFeatures: 8, outFeatures: 3 }));

test("toString and inspect print the model like PyTorch, nested, with each layer's options", () => {
  const seq = new nn.Sequential(
    new nn.Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3 }),
    new nn.ReLU(),
    new nn.Flatten(),
    new nn.Linear({ inFeatures: 784, outFeatures: 10 }),
  );
  assert.equal(
    String(seq),
    [
      'Sequential(',
      '  (0): Conv2d(inChannels=1, outChannels=4, groups=1, bias=true, kernelSize=[3, 3], stride=[1, 1], padding=[0, 0], dilation=[1, 1])',
      '  (1): ReLU()',
      '  (2): Flatten(startDim=1, endDim=-1)',
      '  (3): Linear(inFeatures=784, outFeatures=10, bias=true)',
      ')',
    ].join('\n'),
  );
  const net = new Net({ hidden: 8 });
  const want = [
    'Net(',
    '  hidden=8',
    '  (body): Sequential(',
    '    (0): Linear(inFeatures=4, outFeatures=8, bias=true)',
    '    (1): ReLU()',
    '  )',
    '  (head): Linear(inFeatures=8, outFeatures=2, bias=false)',
    ')',
  ].join('\n');
  assert.equal(net.toString(), want);
  assert.equal(inspect(net), want);
  assert.equal(`${new nn.Dropout({ p: 0.25 })}`, 'Dropout(p=0.25)');
});

test('apply visits children first, then the module itself, and returns it; namedModules names them', () => {
  const net = new Net({ hidden: 3 });
  const seen: string[] = [];
  assert.equal(
    net.apply((m) => seen.push(nn.layerName(m))),
    net,
  );
  assert.deepEqual(seen, ['Linear', 'ReLU', 'Sequential', 'Linear', 'Net']);
  assert.deepEqual(
    net.namedModules().map(([n]) => n),
    ['', 'body', 'body.0', 'body.1', 'head'],
  );
  // The PyTorch idiom: re-initialise every Linear.
  net.apply((m) => {
    if (m instanceof nn.Linear) nn.init.zeros(m.weight);
  });
  assert.deepEqual(net.head.weight.toArray(), [
    [0, 0, 0],
    [0, 0, 0],
  ]);
  assert.throws(() => net.apply(3 as never), /Module\.apply: argument 'fn' must be a function, got 3/);
});

test('a frozen parameter stays in parameters(), namedParameters() and stateDict() (regression: freezing dropped it)', () => {
  manualSeed(1);
  const lin = new nn.Linear({ inFeatures: 3, outFeatures: 2 });
  lin.weight.requiresGrad = false;
  assert.deepEqual(
    lin.namedParameters().map(([n]) => n),
    ['weight', 'bias'],
  );
  assert.deepEqual(lin.namedBuffers(), []);
  assert.deepEqual([...lin.stateDict().keys()], ['weight', 'bias']);
  // Plain fields made with requiresGrad (no nn.init.parameter) stay parameters too once frozen.
  const a = new Affine({ n: 2 });
  a.weight.requiresGrad_(false);
  assert.deepEqual(
    a.namedParameters().map(([n]) => n),
    ['weight', 'bias'],
  );
});

test('requiresGrad_ freezes a module or one parameter: no gradient, the optimizer leaves it, summary counts it', () => {
  manualSeed(2);
  const model = mlp();
  assert.equal(model.layers[0].requiresGrad_(false), model.layers[0]);
  assert.equal(model.parameters().length, 4);
  const frozen = model.layers[0].parameters().map((p) => p.data());
  const before = model.layers[2].parameters().map((p) => p.data());
  const opt = new SGD(model.parameters(), { lr: 0.5 });
  model
    .forward(randn([5, 4]))
    .square()
    .sum()
    .backward();
  assert.equal(
    model.layers[0].parameters().every((p) => p.grad === null),
    true,
  );
  opt.step();
  assert.deepEqual(
    model.layers[0].parameters().map((p) => p.data()),
    frozen,
  );
  assert.notDeepEqual(
    model.layers[2].parameters().map((p) => p.data()),
    before,
  );
  const r = model.summary([4], quiet);
  assert.deepEqual({ total: r.totalParams, trainable: r.trainableParams }, { total: 4 * 8 + 8 + 8 * 3 + 3, trainable: 8 * 3 + 3 });
  assert.deepEqual(
    r.rows.map((row) => [row.name, row.params, row.trainable]),
    [
      ['0', 40, 0],
      ['1', 0, 0],
      ['2', 27, 27],
    ],
  );
  assert.match(r.text, /Non-trainable params: 40/);
  model.requiresGrad_();
  assert.equal(model.summary([4], quiet).trainableParams, 67);
  assert.throws(() => model.requiresGrad_('no' as never), /Module\.requiresGrad_: argument 'on' must be a boolean, got "no"/);
});

test('the frozen state survives save/load, rebuilt or loaded into a model', () => {
  manualSeed(3);
  const net = new Net({ hidden: 5 });
  net.body.requiresGrad_(false);
  const d = join(dir, 'frozen');
  save(net, d);
  assert.deepEqual(JSON.parse(readFileSync(join(d, 'config.json'), 'utf8')).frozen, ['body.0.weight', 'body.0.bias']);
  const again = load<Net>(d);
  assert.ok(again instanceof Net);
  assert.deepEqual(
    again.namedParameters().map(([n, p]) => [n, p.requiresGrad]),
    [
      ['body.0.weight', false],
      ['body.0.bias', false],
      ['head.weight', true],
    ],
  );
  const into = new Net({ hidden: 5 });
  assert.equal(load(d, { into }), into);
  assert.equal(
    into.body.layers[0].parameters().some((p) => p.requiresGrad),
    false,
  );
  assert.deepEqual(into.head.weight.data(), net.head.weight.data());
});

test('save writes the registered name, not the class name a minifier may change (regression)', () => {
  manualSeed(4);
  const original = Object.getOwnPropertyDescriptor(nn.Linear, 'name')!;
  Object.defineProperty(nn.Linear, 'name', { value: 'e' });
  try {
    const model = new nn.Sequential(new nn.Linear({ inFeatures: 2, outFeatures: 2 }));
    const d = join(dir, 'minified');
    save(model, d);
    assert.equal(JSON.parse(readFileSync(join(d, 'config.json'), 'utf8')).model.layers[0].class, 'Linear');
    assert.deepEqual(load(d).stateDict().get('0.weight')!.data(), model.layers[0].stateDict().get('weight')!.data());
    assert.equal(model.summary([2], quiet).rows[0].type, 'Linear');
    assert.equal(String(model), 'Sequential(\n  (0): Linear(inFeatures=2, outFeatures=2, bias=true)\n)');
  } finally {
    Object.defineProperty(nn.Linear, 'name', original);
  }
});

test('a user module: registered ones save and load by name; others name the class and the two ways out', () => {
  manualSeed(5);
  const net = new Net({ hidden: 6 });
  const d = join(dir, 'net');
  save(net, d);
  assert.deepEqual(JSON.parse(readFileSync(join(d, 'config.json'), 'utf8')).model, { class: 'Net', options: { hidden: 6 } });
  const x = randn([3, 4]);
  const again = load(d);
  assert.deepEqual(again.eval().forward(x).data(), net.eval().forward(x).data());
  // An unregistered class saves (its weights are useful) but cannot be rebuilt by name.
  const a = new Affine({ n: 3 });
  const da = join(dir, 'affine');
  save(a, da);
  assert.throws(
    () => load(da),
    (e: unknown) =>
      e instanceof TsgradError &&
      /the model class 'Affine' is not registered.*nn\.register\(Affine\).*load\(dir, \{ into: model \}\)/.test(e.message),
  );
  const b = load(da, { into: new Affine({ n: 3 }) });
  assert.deepEqual(b.weight.data(), a.weight.data());
  assert.throws(
    () => load(da, { into: new Affine({ n: 4 }) }),
    /tensor 'weight' in .* is float32 \[3,3\] but the model expects float32 \[4,4\]/,
  );
  assert.throws(() => load(da, { into: {} as never }), /load: option 'into' must be a Module, got an object \{\}/);
  assert.throws(() => load(da, { int: a } as never), /load: unknown option 'int' \(did you mean 'into'\?\)/);
});

test('nn.register: a config() method, a minified user class, and conflicts', () => {
  class WithConfig extends nn.Module {
    fc: nn.Linear;
    constructor(readonly width: number) {
      super();
      this.fc = new nn.Linear({ inFeatures: width, outFeatures: 1 });
    }
    config(): number {
      return this.width;
    }
    forward(x: Tensor): Tensor {
      return this.fc.forward(x);
    }
  }
  // As a minifier leaves it: a one-letter class name; the registered name is what counts.
  Object.defineProperty(WithConfig, 'name', { value: 't' });
  assert.equal(nn.register(WithConfig, { name: 'WithConfig' }), WithConfig);
  assert.equal(nn.register(WithConfig, { name: 'WithConfig' }), WithConfig, 'registering twice is harmless');
  const d = join(dir, 'config-method');
  save(new WithConfig(7), d);
  assert.deepEqual(JSON.parse(readFileSync(join(d, 'config.json'), 'utf8')).model, { class: 'WithConfig', options: 7 });
  assert.equal((load(d) as WithConfig).width, 7);
  assert.equal(String(new WithConfig(2)), 'WithConfig(\n  (fc): Linear(inFeatures=2, outFeatures=1, bias=true)\n)');
  assert.ok(nn.registeredNames().includes('WithConfig') && nn.registeredNames().includes('Conv2d'));
  class Other extends nn.Module {
    forward(x: Tensor): Tensor {
      return x;
    }
  }
  assert.throws(() => nn.register(Other, { name: 'Linear' }), /nn\.register: the name 'Linear' is already taken by another class/);
  assert.throws(() => nn.register(WithConfig, { name: 'Again' }), /this class is already registered as 'WithConfig'/);
  assert.throws(() => nn.register(tensor as never), /nn\.register: argument 'cls' must be a Module subclass/);
  assert.throws(() => nn.register(Other, { Name: 'x' } as never), /unknown option 'Name' \(did you mean 'name'\?\)/);
});

test('optimizers built over a partly frozen model step only the trainable parameters (Adam, weight decay)', () => {
  manualSeed(6);
  const model = mlp();
  model.layers[2].requiresGrad_(false);
  const frozen = model.layers[2].parameters().map((p) => p.data());
  const opt = new Adam(model.parameters(), { lr: 0.1, weightDecay: 0.1 });
  for (let i = 0; i < 3; i++) {
    opt.zeroGrad();
    model
      .forward(randn([4, 4]))
      .sum()
      .backward();
    opt.step();
  }
  assert.deepEqual(
    model.layers[2].parameters().map((p) => p.data()),
    frozen,
  );
});

test('every layer class nn exports is registered under its exported name', () => {
  const classes = Object.entries(nn).filter(
    ([name, v]) => typeof v === 'function' && v.prototype instanceof nn.Module && name !== 'Module',
  ) as Array<[string, unknown]>;
  assert.ok(classes.length >= 30, `found ${classes.length} layer classes`);
  const names = new Set(nn.registeredNames());
  assert.deepEqual(
    classes.filter(([name]) => !names.has(name)).map(([name]) => name),
    [],
  );
});

test('saliency leaves a frozen layer frozen and the others trainable (regression: it unfroze every parameter)', () => {
  manualSeed(7);
  const model = new nn.Sequential(
    new nn.Conv2d({ inChannels: 1, outChannels: 2, kernelSize: 3 }),
    new nn.ReLU(),
    new nn.Flatten(),
    new nn.Linear({ inFeatures: 2 * 4 * 4, outFeatures: 3 }),
  );
  model.layers[0].requiresGrad_(false);
  saliency(model, randn([1, 1, 6, 6]));
  assert.deepEqual(
    model.parameters().map((p) => p.requiresGrad),
    [false, false, true, true],
  );
});

test('assignInPlace refuses a source of another size instead of filling part of the destination', () => {
  const w = tensor([0, 0, 0, 0]);
  assert.throws(() => nn.assignInPlace(w, tensor([1, 2])), /assignInPlace: source \[2\] has 2 elements, destination \[4\] has 4/);
  assert.throws(
    () => nn.assignInPlace(w, tensor([1, 2, 3, 4, 5, 6])),
    /assignInPlace: source \[6\] has 6 elements, destination \[4\] has 4/,
  );
  assert.deepEqual(w.toArray(), [0, 0, 0, 0]);
  nn.assignInPlace(
    w,
    tensor([
      [1, 2],
      [3, 4],
    ]),
  );
  assert.deepEqual(w.toArray(), [1, 2, 3, 4]);
});
