import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the folder holding package.json), from src/ or from dist/. */
export const repoRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repoRoot: package.json not found');
    dir = up;
  }
  return dir;
})();

export function repoPath(...parts: string[]): string {
  return join(repoRoot, ...parts);
}

/** Reads test/fixtures/<name>.json. */
export function loadFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(repoPath('test', 'fixtures', `${name}.json`), 'utf8')) as T;
}

/** Asserts |a - b| <= atol + rtol * |b| elementwise, naming the first bad index. */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  opts: { rtol?: number; atol?: number; what?: string } = {},
): void {
  const { rtol = 1e-4, atol = 1e-5, what = 'values' } = opts;
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} vs ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const b = expected[i];
    if (Number.isNaN(b) && Number.isNaN(a)) continue;
    if (a === b) continue;
    const ok = Math.abs(a - b) <= atol + rtol * Math.abs(b);
    if (!ok) assert.fail(`${what}[${i}]: got ${a}, expected ${b} (rtol ${rtol}, atol ${atol})`);
  }
}
