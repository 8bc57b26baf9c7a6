/**
 * The body of every kernel thread, as source text so that one string serves Node's
 * worker_threads (eval) and the browser's Web Workers (Blob URL), under tsx and tsc alike.
 * A thread instantiates the shared module on the shared memory, then loops: sleep on
 * ctrl[GEN], claim tasks of the current job with compare-and-swap on ctrl[CTR], run them,
 * count them in ctrl[DONE]. The layout of ctrl is CTRL in pool.ts.
 */
export const WORKER_SOURCE = `
function run(init) {
  const { module, memory, ctrlOffset, names, id } = init;
  const inst = new WebAssembly.Instance(module, { env: { memory } });
  const fns = names.map((n) => inst.exports[n]);
  const ctrl = new Int32Array(memory.buffer, ctrlOffset, 16);
  const GEN = 0, CTR = 1, DONE = 2, FN = 3, ARGS = 4, NTASKS = 5, ERR = 6, NTHREADS = 8, WORKED = 9, STARTED = 10;
  Atomics.add(ctrl, STARTED, 1);
  let seen = 0;
  for (;;) {
    let g = Atomics.load(ctrl, GEN);
    // Spin for about a millisecond before sleeping: within a training step the next job comes
    // sooner than that, and a thread woken from a futex joins it tens of microseconds late.
    const until = performance.now() + 1;
    for (let s = 1; g === seen; s++) {
      g = Atomics.load(ctrl, GEN);
      if ((s & 1023) === 0 && performance.now() > until) break;
    }
    if (g === seen) {
      Atomics.wait(ctrl, GEN, seen);
      continue;
    }
    seen = g;
    if (id >= Atomics.load(ctrl, NTHREADS)) continue;
    const fn = fns[ctrl[FN]];
    const args = ctrl[ARGS];
    const n = ctrl[NTASKS];
    const tag = g & 0x7ff;
    for (;;) {
      const c = Atomics.load(ctrl, CTR);
      if ((c >>> 20) !== tag) break;
      const t = c & 0xfffff;
      if (t >= n) break;
      if (Atomics.compareExchange(ctrl, CTR, c, c + 1) !== c) continue;
      try { fn(args, t, n, id); } catch (e) { Atomics.store(ctrl, ERR, 1); }
      Atomics.add(ctrl, WORKED, 1);
      if (Atomics.add(ctrl, DONE, 1) + 1 === n) Atomics.notify(ctrl, DONE);
    }
  }
}
if (typeof process !== 'undefined' && process.versions && process.versions.node) {
  const wt = process.getBuiltinModule ? process.getBuiltinModule('node:worker_threads') : require('node:worker_threads');
  run(wt.workerData);
} else {
  self.onmessage = (e) => run(e.data);
}
`;
