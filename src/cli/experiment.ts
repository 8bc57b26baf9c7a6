import { join } from 'node:path';
import { doubleDescent, type DoubleDescentResult } from '../apps/double-descent.js';
import { geneTableFromColumns, lassoExperiment, syntheticExpression } from '../apps/lasso.js';
import { readCsv } from '../data/csv.js';
import { plotSeries } from '../viz/plot.js';
import { UsageError, flagSpec, inputFile, intFlag, outDirFlag, parseFlags } from './flags.js';
import { emit } from './task.js';

export const EXPERIMENT_USAGE =
  'Usage: tsgrad experiment double-descent [--n 1000] [--features list] [--kind fourier|relu|network] [--steps N] [--out dir] [--json]\n' +
  '       tsgrad experiment lasso [--csv file --target column] [--seed N] [--out dir] [--json]\n\n' +
  'double-descent: test risk of minimum-norm fits on N random features of n MNIST images (or of two-layer networks of growing\n' +
  'width) across the interpolation threshold. lasso: the Lasso path and cross-validated penalty against least squares and a\n' +
  'dense network, on synthetic gene expression (10 of 500 genes matter) or a CSV.';

/** `tsgrad experiment double-descent|lasso`. */
export async function experimentCommand(args: string[]): Promise<void> {
  const [what, ...rest] = args;
  if (what === 'double-descent') return doubleDescentCommand(rest);
  if (what === 'lasso') return lassoCommand(rest);
  throw new UsageError(
    `tsgrad experiment: ${what ? `unknown experiment '${what}'` : 'which experiment?'} (double-descent, lasso)\n\n${EXPERIMENT_USAGE}`,
  );
}

async function doubleDescentCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseFlags(
    'tsgrad experiment double-descent',
    args,
    flagSpec(['n', 'features', 'kind', 'steps', 'test-size', 'seed', 'out'], ['json']),
  );
  if (positionals.length) throw new UsageError(`tsgrad experiment double-descent: unexpected argument '${positionals[0]}'`);
  const kind = (values.kind ?? 'fourier') as 'fourier' | 'relu' | 'network';
  if (!['fourier', 'relu', 'network'].includes(kind))
    throw new UsageError(`--kind must be fourier, relu or network, got '${String(values.kind)}'`);
  const n = intFlag(values, 'n') ?? (kind === 'network' ? 100 : 1000);
  if (n > 60000) throw new UsageError(`--n ${n} is larger than MNIST's 60000 training images`);
  let features: number[] | undefined;
  if (values.features !== undefined) {
    features = String(values.features)
      .split(',')
      .map((s) => Number(s.trim()));
    const bad = features.find((f) => !Number.isInteger(f) || f < 1 || (kind !== 'network' && f > 100 * n));
    if (bad !== undefined) throw new UsageError(`--features: ${bad} is not a number of features in 1 … 100 n = ${100 * n}`);
  }
  const json = values.json === true;
  const out = outDirFlag(values);
  const r = doubleDescent({
    kind,
    n,
    ...(features ? { features } : {}),
    ...(intFlag(values, 'steps') ? { steps: intFlag(values, 'steps') } : {}),
    ...(intFlag(values, 'test-size') ? { testSize: intFlag(values, 'test-size') } : {}),
    seed: intFlag(values, 'seed', 0) ?? 0,
    stream: json ? process.stderr : process.stdout,
  });
  const files = out ? await doubleDescentPictures(r, out) : [];
  emit({ ...r, files }, json, () => {
    const w = (s: string): boolean => (json ? process.stderr : process.stdout).write(s + '\n');
    const peak = r.points.find((p) => p.features === r.peakFeatures)!;
    const last = r.points[r.points.length - 1];
    w(
      `peak test loss ${peak.testLoss.toFixed(3)} at ${r.peakFeatures} (threshold ${r.threshold}); ${last.testLoss.toFixed(3)} at ${last.features}; ${r.seconds.toFixed(0)} s`,
    );
    for (const f of files) w(`wrote ${f}`);
  });
}

/** The risk curve (test and training squared loss, log scale) with the threshold marked, and the norm. */
async function doubleDescentPictures(r: DoubleDescentResult, out: string): Promise<string[]> {
  const x = r.points.map((p) => p.features);
  const test = r.points.map((p) => p.testLoss);
  const top = Math.max(...test);
  const low = Math.min(...test.concat(r.points.map((p) => Math.max(p.trainLoss, 1e-4))));
  const what = r.kind === 'network' ? 'parameters' : 'random features N';
  const risk = await plotSeries(
    {
      'test squared loss': { x, y: test },
      'training squared loss': { x, y: r.points.map((p) => Math.max(p.trainLoss, 1e-4)) },
      'test zero-one loss': { x, y: r.points.map((p) => Math.max(p.testZeroOne, 1e-4)) },
      [`interpolation threshold (${r.threshold})`]: { x: [r.threshold, r.threshold], y: [low, top] },
    },
    {
      xLabel: what,
      yLabel: 'loss (training loss floored at 1e-4)',
      logX: true,
      logY: true,
      title: `Double descent: ${r.kind}, n = ${r.n} MNIST images`,
      out: join(out, 'double-descent'),
    },
  );
  const norm = await plotSeries(
    { 'norm of the coefficients': { x, y: r.points.map((p) => p.norm) } },
    { xLabel: what, yLabel: 'norm', logX: true, logY: true, title: 'Norm of the fit', out: join(out, 'double-descent-norm') },
  );
  return [...risk.paths, ...norm.paths];
}

async function lassoCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseFlags(
    'tsgrad experiment lasso',
    args,
    flagSpec(['csv', 'target', 'seed', 'epochs', 'out'], ['json']),
  );
  if (positionals.length) throw new UsageError(`tsgrad experiment lasso: unexpected argument '${positionals[0]}'`);
  if (values.target !== undefined && values.csv === undefined) throw new UsageError('--target names a column of --csv, which is missing');
  if (values.csv !== undefined && values.target === undefined) throw new UsageError('--csv needs --target <column> naming the response');
  const seed = intFlag(values, 'seed', 0) ?? 0;
  const epochs = intFlag(values, 'epochs');
  const out = outDirFlag(values);
  const json = values.json === true;
  const csv = values.csv !== undefined ? inputFile(String(values.csv), '--csv') : undefined;
  const table = csv
    ? (() => {
        const t = readCsv(csv);
        return geneTableFromColumns(t.header, t.rows, String(values.target), csv);
      })()
    : syntheticExpression({ seed: seed + 1 });
  const r = lassoExperiment(table, { seed, ...(epochs ? { epochs } : {}) });
  let files: string[] = [];
  if (out) {
    const genes = Object.entries(r.path.genes)
      .sort((a, b) => Math.max(...b[1].map(Math.abs)) - Math.max(...a[1].map(Math.abs)))
      .slice(0, 15);
    const pic = await plotSeries(Object.fromEntries(genes.map(([g, c]) => [g, { x: r.path.log10Lambda, y: c }])), {
      xLabel: 'log10 λ',
      yLabel: 'coefficient',
      title: `Lasso path (${genes.length} largest of ${Object.keys(r.path.genes).length} genes that enter)`,
      points: false,
      out: join(out, 'lasso-path'),
    });
    files = pic.paths;
  }
  emit({ ...r, files }, json, () => {
    const w = (s: string): boolean => (json ? process.stderr : process.stdout).write(s + '\n');
    w(`${r.samples} samples, ${r.genes} genes; trained on ${r.trainSize}, tested on ${r.testSize}`);
    w(`Lasso keeps ${r.selectedGenes.length} genes: ${r.selectedGenes.join(', ')}`);
    if (r.precision !== undefined) w(`against the true genes: precision ${r.precision.toFixed(2)}, recall ${r.recall!.toFixed(2)}`);
    w(
      `test MSE: Lasso ${r.testMse.lasso.toFixed(3)}, least squares ${r.testMse.ols.toFixed(3)}, dense network ${r.testMse.network.toFixed(3)}`,
    );
    for (const f of files) w(`wrote ${f}`);
  });
}
