import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { repoPath } from './util.js';

// Every example under examples/ runs to completion (exit 0), as the README promises.
const dir = repoPath('dist', 'examples');
for (const file of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
  test(`example ${file} runs`, () => {
    const r = spawnSync(process.execPath, [`${dir}/${file}`], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `${file} failed:\n${r.stdout}\n${r.stderr}`);
    assert.ok(r.stdout.length > 0, `${file} printed nothing`);
  });
}
