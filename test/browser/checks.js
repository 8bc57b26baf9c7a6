// Checks run in Chromium by test/browser.test.ts, on a page's main thread or in worker.js.
// `tg` is the module dist/src/browser.js. Plain JavaScript: tsc leaves this file alone, and
// the test serves it from the source tree.

/** Largest |a - b| over two equally long arrays. */
function maxDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function maxAbs(a) {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

/** A [200,300]x[300,150] matmul and a conv2d forward and backward on the active backend. */
function work(tg, data) {
  const a = tg.tensor(data.a, { shape: [200, 300] });
  const b = tg.tensor(data.b, { shape: [300, 150] });
  const x = tg.tensor(data.x, { shape: [4, 8, 20, 20], requiresGrad: true });
  const w = tg.tensor(data.w, { shape: [16, 8, 3, 3], requiresGrad: true });
  const y = tg.conv2d(x, w, null, { padding: 1 });
  // A weighted sum, so that every output element sends back a different gradient.
  y.mul(tg.tensor(data.dy, { shape: y.shape }))
    .sum()
    .backward();
  return { matmul: a.matmul(b).data(), conv: y.data(), dx: x.grad.data(), dw: w.grad.data() };
}

/**
 * Runs `work` on wasm (with `threads` threads) and on ref, and reports the largest differences
 * (each with the largest |ref| value, for a relative tolerance), the backend and thread count
 * wasm ran with, and how many tasks the kernel threads took.
 */
export function compareBackends(tg, threads) {
  tg.setBackend('wasm');
  tg.setNumThreads(threads);
  const report = {
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    backend: tg.getBackend(),
    threads: tg.getNumThreads(),
  };
  tg.manualSeed(0);
  const data = {
    a: tg.randn([200, 300]).data(),
    b: tg.randn([300, 150]).data(),
    x: tg.randn([4, 8, 20, 20]).data(),
    w: tg.randn([16, 8, 3, 3]).data(),
    dy: tg.randn([4, 16, 20, 20]).data(),
  };
  const tasks0 = tg.wasmStats().workerTasks;
  const t0 = performance.now();
  // A few rounds: a job is split into one task per thread, and a kernel thread asleep
  // in Atomics.wait may wake after the calling thread has claimed them all (on a loaded
  // machine, for several rounds): more rounds, up to 3 s, until a kernel thread took part.
  let wasm;
  let rounds = 0;
  do {
    wasm = work(tg, data);
    rounds++;
  } while (rounds < 3 || (report.threads > 1 && tg.wasmStats().workerTasks === tasks0 && performance.now() - t0 < 3000));
  report.wasmMs = (performance.now() - t0) / rounds;
  report.workerTasks = tg.wasmStats().workerTasks - tasks0;
  tg.setBackend('ref');
  const ref = work(tg, data);
  report.diffs = {};
  for (const k of Object.keys(ref)) report.diffs[k] = { maxDiff: maxDiff(wasm[k], ref[k]), maxAbs: maxAbs(ref[k]) };
  return report;
}

/** XOR's four points and a fresh 2-8-1 Tanh network, after manualSeed(seed). */
function xor(tg, seed) {
  tg.manualSeed(seed);
  const x = tg.tensor([
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ]);
  const y = tg.tensor([[0], [1], [1], [0]]);
  const model = new tg.nn.Sequential(
    new tg.nn.Linear({ inFeatures: 2, outFeatures: 8 }),
    new tg.nn.Tanh(),
    new tg.nn.Linear({ inFeatures: 8, outFeatures: 1 }),
  );
  return { x, y, model };
}

/** Trains a 2-8-1 network on XOR with Adam; reports the first and last loss and the backend. */
export function trainXor(tg, steps = 200) {
  const { x, y, model } = xor(tg, 1);
  const opt = new tg.optim.Adam(model.parameters(), { lr: 0.05 });
  const losses = [];
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    const loss = tg.F.bceWithLogits(model.forward(x), y);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  const predictions = Array.from(tg.sigmoid(model.forward(x)).data());
  return { backend: tg.getBackend(), wasmLoadError: tg.wasmLoadError(), first: losses[0], last: losses[steps - 1], predictions };
}

/**
 * The same network trained by fit() (verbose 2, no stream given: in a browser its lines go to
 * the console); reports the first and last epoch loss and the lines fit printed.
 */
export function fitXor(tg, epochs = 150) {
  const { x, y, model } = xor(tg, 2);
  const lines = [];
  const log = console.log;
  console.log = (...args) => {
    lines.push(args.join(' '));
    log(...args);
  };
  try {
    const h = tg.fit(model, {
      train: [x, y],
      epochs,
      batchSize: 4,
      loss: 'bceWithLogits',
      verbose: 2,
      optimizer: new tg.optim.Adam(model.parameters(), { lr: 0.05 }),
    });
    const loss = h.history.loss;
    return { first: loss[0], last: loss[loss.length - 1], lines: lines.length, lastLine: lines[lines.length - 1] ?? '' };
  } finally {
    console.log = log;
  }
}
