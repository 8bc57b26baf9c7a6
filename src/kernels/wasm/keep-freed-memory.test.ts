import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

/**
 * Page faults a fresh process takes while it allocates and writes six 4 MB arrays, drops
 * them, collects, and does it again (8 rounds); the first round, which must fault, is left out.
 */
function faultsAfterFirstRound(hint: boolean): number {
  const moduleUrl = new URL('./keep-freed-memory.js', import.meta.url).href;
  const script = `
    import v8 from 'node:v8';
    import vm from 'node:vm';
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc');
    if (${hint}) (await import(${JSON.stringify(moduleUrl)})).keepFreedMemory();
    gc();
    let total = 0;
    for (let r = 0; r < 8; r++) {
      const f0 = process.resourceUsage().minorPageFault;
      let arrays = [];
      for (let i = 0; i < 6; i++) arrays.push(new Float32Array(1 << 20).fill(1));
      arrays = null;
      gc();
      if (r > 0) total += process.resourceUsage().minorPageFault - f0;
    }
    console.log(total);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, `child process failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

test(
  'keepFreedMemory: freed arrays are reused instead of faulted in again (glibc)',
  { skip: process.platform !== 'linux' && 'glibc only' },
  () => {
    // Measured: 7,148-12,205 faults without, 1,039-2,056 with (1,024 faults = one 4 MB array). Other
    // processes' memory pressure only adds faults (once 4,114 with against 8,174 without, in a
    // full suite), so up to three pairs are measured and the best one must show the effect.
    const pairs: Array<[number, number]> = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      pairs.push([faultsAfterFirstRound(true), faultsAfterFirstRound(false)]);
      const [kept, plain] = pairs[pairs.length - 1];
      if (kept < plain / 2) break;
    }
    const [kept, plain] = pairs.reduce((best, p) => (p[0] / p[1] < best[0] / best[1] ? p : best));
    assert.ok(kept < plain / 2, `page faults after the first round (with keepFreedMemory, without): ${JSON.stringify(pairs)}`);
  },
);
