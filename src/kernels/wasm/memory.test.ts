import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

/** Peak resident memory above the start, in MiB, that 200 dropped MLPs built in one synchronous loop may take. */
const BOUND_MB = 256;

// Run in a child process, so that RSS counts nothing of the other tests.
const CHILD = `
import * as tg from ${JSON.stringify(new URL('../../index.js', import.meta.url).href)};
import { getRuntime } from ${JSON.stringify(new URL('./binding.js', import.meta.url).href)};
const rt = getRuntime();
const inHeap = (m) => m.parameters().every((p) => rt.addressOf(p.storage) !== undefined);
const rss0 = process.memoryUsage().rss;
let peak = rss0;
let firstInHeap = false;
const t0 = performance.now();
for (let i = 0; i < 200; i++) {
  const m = tg.nn.models.mlp({ inFeatures: 784, hidden: [512, 256], outFeatures: 10 });
  if (i === 0) firstInHeap = inHeap(m);
  peak = Math.max(peak, process.memoryUsage().rss);
}
const ms = performance.now() - t0;
// Once the event loop has turned, new parameters go to the heap again.
await new Promise((r) => setTimeout(r, 0));
const afterTurn = inHeap(tg.nn.models.mlp({ inFeatures: 784, hidden: [512, 256], outFeatures: 10 }));
console.log(JSON.stringify({ shared: rt !== null, peakMb: (peak - rss0) / 2 ** 20, firstInHeap, afterTurn, ms }));
`;

test(`200 MLPs 784-512-256-10 built in a synchronous loop stay under ${BOUND_MB} MiB of RSS; the first model's parameters live in the wasm heap`, (t) => {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', CHILD], { encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').pop() as string) as {
    shared: boolean;
    peakMb: number;
    firstInHeap: boolean;
    afterTurn: boolean;
    ms: number;
  };
  t.diagnostic(`peak RSS +${r.peakMb.toFixed(0)} MiB, ${r.ms.toFixed(0)} ms for 200 models`);
  assert.ok(r.shared, 'the wasm backend did not load');
  assert.ok(r.peakMb < BOUND_MB, `peak RSS grew by ${r.peakMb.toFixed(0)} MiB over 200 models, bound ${BOUND_MB} MiB`);
  assert.ok(r.firstInHeap, 'the parameters of the first model must live in the wasm heap');
  assert.ok(r.afterTurn, 'after the event loop turns, new parameters must live in the wasm heap again');
});
