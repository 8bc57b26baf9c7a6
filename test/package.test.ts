import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './util.js';

test('a project that depends on tsgrad imports it by name and runs its bin', () => {
  // A consumer project whose node_modules/tsgrad points at this package, as npm would lay it out.
  const dir = mkdtempSync(join(tmpdir(), 'tsgrad-consumer-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(repoRoot, join(dir, 'node_modules', 'tsgrad'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
  writeFileSync(
    join(dir, 'main.js'),
    [
      "import * as tg from 'tsgrad';",
      'const x = tg.tensor([1, 2, 3], { requiresGrad: true });',
      'x.mul(x).sum().backward();',
      'console.log(JSON.stringify(x.grad.toArray()));',
    ].join('\n'),
  );
  const r = spawnSync(process.execPath, ['main.js'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '[2,4,6]');
  const bin = spawnSync(process.execPath, [join(dir, 'node_modules', 'tsgrad', 'dist', 'src', 'cli', 'main.js'), '--version'], {
    encoding: 'utf8',
  });
  assert.equal(bin.status, 0, bin.stderr);
});

test('inside the repository, tsgrad imports itself by name', () => {
  const r = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', "import('tsgrad').then((tg) => console.log(typeof tg.tensor, typeof tg.nn.Linear))"],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'function function');
});
