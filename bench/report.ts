/**
 * Turns the collected figures into the printed report: one table of figures, one of
 * tsgrad's ratios to each peer, the issue's targets (met or not) and the extras.
 * The same functions fill results.json, so the file and the printout agree.
 */
import { CASES, CASE_TITLES, unitOf, type CaseName } from './spec.js';

export type Status = 'ok' | 'timeout' | 'error' | 'cannot' | 'skipped';

export interface Figure {
  status: Status;
  value?: number;
  unit?: string;
  /** '<' when the value is an upper bound (a timeout), so the figure is "below value". */
  bound?: '<';
  iters?: number;
  seconds?: number;
  note?: string;
}

export interface FrameworkRun {
  name: string;
  info: Record<string, unknown>;
  cases: Record<string, Figure>;
  extras: Record<string, Record<string, unknown>>;
  skipped?: string;
}

export const MAIN = 'tsgrad-wasm';
export const PEERS = ['tfjs-wasm', 'tfjs-cpu', 'pytorch', 'tsgrad-ref'] as const;

export interface Ratio {
  value: number;
  /** '>' or '<' when one side is a bound. */
  bound?: '>' | '<';
}

/** tsgrad-wasm's figure divided by the peer's; bounds carry over (faster than a timeout is "> x"). */
export function ratio(a: Figure | undefined, b: Figure | undefined): Ratio | null {
  if (!a || !b || a.value === undefined || b.value === undefined || a.status === 'error' || b.status === 'error') return null;
  if (a.status !== 'ok' && a.status !== 'timeout') return null;
  if (b.status !== 'ok' && b.status !== 'timeout') return null;
  if (a.bound && b.bound) return null;
  const value = a.value / b.value;
  return { value, bound: b.bound ? '>' : a.bound ? '<' : undefined };
}

export function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

export function fmtFigure(f: Figure | undefined): string {
  if (!f) return '-';
  switch (f.status) {
    case 'ok':
      return fmtNum(f.value ?? NaN);
    case 'timeout':
      return f.value !== undefined ? `< ${fmtNum(f.value)} (timeout)` : 'timeout';
    case 'cannot':
      return 'cannot';
    case 'skipped':
      return 'skipped';
    default:
      return 'error';
  }
}

export function fmtRatio(r: Ratio | null): string {
  if (!r) return '-';
  const v = r.value >= 10 ? r.value.toFixed(0) : r.value >= 1 ? r.value.toFixed(1) : r.value.toFixed(2);
  return `${r.bound ? r.bound + ' ' : ''}${v}×`;
}

export interface TargetResult {
  target: string;
  status: 'met' | 'not met' | 'unknown';
  measured: string;
  /** Set when a framework of the comparison started on a busy machine: the verdict may not hold. */
  caveat?: string;
}

/** A 1-minute load average above this, when a framework started, makes its figures suspect (2 cores). */
export const BUSY_LOAD = 1.5;

function withCaveat(t: TargetResult, runs: Runs, fws: string[]): TargetResult {
  const busy = fws.map((fw) => [fw, Number(runs[fw]?.info.loadAverageAtStart)] as const).filter(([, load]) => load > BUSY_LOAD);
  if (busy.length === 0) return t;
  return { ...t, caveat: `load ${busy.map(([fw, l]) => `${l} as ${fw} started`).join(', ')}` };
}

type Runs = Record<string, FrameworkRun>;

const fig = (runs: Runs, fw: string, c: string): Figure | undefined => runs[fw]?.cases[c];

/** Checks "figure ≥ k" or "ratio to peer ≥ k"; a bound that decides the question counts. */
function atLeast(target: string, r: Ratio | null, k: number, unit = '×'): TargetResult {
  if (!r) return { target, status: 'unknown', measured: 'not measured' };
  const shown = unit === '×' ? fmtRatio(r) : `${r.bound ? r.bound + ' ' : ''}${fmtNum(r.value)} ${unit}`;
  if (r.bound === '>' && r.value >= k) return { target, status: 'met', measured: shown };
  if (r.bound === '<' && r.value < k) return { target, status: 'not met', measured: shown };
  if (r.bound) return { target, status: 'unknown', measured: shown };
  return { target, status: r.value >= k ? 'met' : 'not met', measured: shown };
}

/** The share of the SIMD ceiling the sgemm target asks for: 100 GFLOP/s of a ceiling of about 133. */
export const SGEMM_CEILING_SHARE = 0.75;

/**
 * The sgemm target as a share of the SIMD ceiling measured in the same run (the 'simd-peak'
 * extra), so that it means the same on a 2 GHz machine and a 4 GHz one. A ceiling more than
 * 10% lower after the sgemm cases ('simd-peak-after') than before them makes the figure
 * suspect: the cores were shared while it was measured.
 */
function sgemmTarget(target: string, gemm: Ratio | null, runs: Runs): TargetResult {
  const allThreads = (extra: string): number => Number(runs[MAIN]?.extras[extra]?.allThreads ?? NaN);
  const [ceiling, after] = [allThreads('simd-peak'), allThreads('simd-peak-after')];
  if (!gemm) return { target, status: 'unknown', measured: 'not measured' };
  const figure = `${gemm.bound ? gemm.bound + ' ' : ''}${fmtNum(gemm.value)} GFLOP/s`;
  if (Number.isNaN(ceiling) || ceiling <= 0) return { target, status: 'unknown', measured: `${figure} (SIMD ceiling not measured)` };
  const share = gemm.value / ceiling;
  const status = gemm.bound === '<' && share >= SGEMM_CEILING_SHARE ? 'unknown' : share >= SGEMM_CEILING_SHARE ? 'met' : 'not met';
  const out: TargetResult = {
    target,
    status,
    measured: `${figure}, ${Math.round(100 * share)}% of the ${fmtNum(ceiling)} GFLOP/s SIMD ceiling measured in this run`,
  };
  if (after < 0.9 * ceiling) {
    const drop = `SIMD ceiling ${fmtNum(ceiling)} GFLOP/s before the sgemm cases, ${fmtNum(after)} after`;
    out.caveat = out.caveat ? `${out.caveat}; ${drop}` : drop;
  }
  return out;
}

/** The targets of issue 3, evaluated on this run's figures. */
export function evaluateTargets(runs: Runs): TargetResult[] {
  const t = (c: string) => fig(runs, MAIN, c);
  const vs = (c: string, peer: string) => ratio(t(c), fig(runs, peer, c));
  const own = (c: string): Ratio | null => {
    const f = t(c);
    return f?.value !== undefined && (f.status === 'ok' || f.status === 'timeout') ? { value: f.value, bound: f.bound } : null;
  };
  const w = (peer?: string) => (peer ? [MAIN, peer] : [MAIN]);
  const out = [
    withCaveat(sgemmTarget(`sgemm n=1024 ≥ ${100 * SGEMM_CEILING_SHARE}% of the SIMD ceiling`, own('sgemm-1024'), runs), runs, w()),
    withCaveat(atLeast('sgemm n=1024 ≥ 2× tfjs-wasm', vs('sgemm-1024', 'tfjs-wasm'), 2), runs, w('tfjs-wasm')),
    withCaveat(atLeast('Keras CNN training ≥ 10× tfjs-wasm', vs('cnn-train', 'tfjs-wasm'), 10), runs, w('tfjs-wasm')),
    withCaveat(atLeast('Keras CNN training ≥ 0.5× PyTorch', vs('cnn-train', 'pytorch'), 0.5), runs, w('pytorch')),
    withCaveat(atLeast('MLP training ≥ 0.5× PyTorch', vs('mlp-train', 'pytorch'), 0.5), runs, w('pytorch')),
    withCaveat(atLeast('CNN inference ≥ 0.5× PyTorch', vs('cnn-infer', 'pytorch'), 0.5), runs, w('pytorch')),
    withCaveat(atLeast('DNA CNN training ≥ 0.5× PyTorch', vs('dna-train', 'pytorch'), 0.5), runs, w('pytorch')),
  ];
  const copy = runs[MAIN]?.extras['copy-share'];
  const share = copy ? Number(copy.share) : NaN;
  out.push({
    target: 'wasm-heap copies ≤ 10% of a CNN training step',
    status: Number.isNaN(share) ? 'unknown' : share <= 0.1 ? 'met' : 'not met',
    measured: Number.isNaN(share) ? 'not measured' : `${(share * 100).toFixed(1)}%`,
  });
  const leak = runs[MAIN]?.extras['leak-check'];
  const growth = leak ? Number(leak.growth) : NaN;
  out.push({
    target: `RSS after step ${leak?.steps ?? 200} within 10% of step 10`,
    status: Number.isNaN(growth) ? 'unknown' : Math.abs(growth) <= 0.1 ? 'met' : 'not met',
    measured: Number.isNaN(growth)
      ? 'not measured'
      : `${pct(growth)} (fitted line through a reading after every step, ${leak?.rssStartMB} → ${leak?.rssEndMB} MB, batch ${leak?.batch}; readings ${leak?.minMB}-${leak?.maxMB} MB; medians of the first and last ten ${pct(Number(leak?.medianGrowth))}, single readings ${pct(Number(leak?.singleReadingGrowth))})`,
  });
  return out;
}

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`;
const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? pad(c, widths[i]) : lpad(c, widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const caseLabel = (c: CaseName) => `${CASE_TITLES[c]} (${unitOf(c).replace('images/s', 'img/s')})`;

export function figuresTable(runs: Runs, order: string[]): string {
  const rows = CASES.map((c) => [caseLabel(c), ...order.map((fw) => fmtFigure(runs[fw]?.cases[c]))]);
  return table(['case', ...order], rows);
}

export function ratiosTable(runs: Runs): string {
  const rows = CASES.map((c) => [caseLabel(c), ...PEERS.map((p) => fmtRatio(ratio(fig(runs, MAIN, c), fig(runs, p, c))))]);
  return table([`${MAIN} ÷`, ...PEERS], rows);
}

export function targetsText(targets: TargetResult[]): string {
  const mark = { met: '[met]    ', 'not met': '[NOT met]', unknown: '[unknown]' } as const;
  return targets.map((t) => `${mark[t.status]} ${t.target}: ${t.measured}${t.caveat ? ` (suspect: ${t.caveat})` : ''}`).join('\n');
}

/** The same tables in Markdown, for BENCHMARKS.md. */
export function markdown(runs: Runs, order: string[], targets: TargetResult[]): string {
  const md = (header: string[], rows: string[][]) =>
    [
      `| ${header.join(' | ')} |`,
      `|${header.map((_, i) => (i ? ' ---: ' : ' --- ')).join('|')}|`,
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');
  const figs = md(
    ['case', ...order],
    CASES.map((c) => [caseLabel(c), ...order.map((fw) => fmtFigure(runs[fw]?.cases[c]))]),
  );
  const ratios = md(
    [`${MAIN} ÷`, ...PEERS],
    CASES.map((c) => [caseLabel(c), ...PEERS.map((p) => fmtRatio(ratio(fig(runs, MAIN, c), fig(runs, p, c))))]),
  );
  const tg = md(
    ['target', 'measured', 'status', 'caveat'],
    targets.map((t) => [t.target, t.measured, t.status, t.caveat ?? '']),
  );
  return [figs, '', ratios, '', tg].join('\n');
}
