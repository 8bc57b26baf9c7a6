import { readRatings, recommend, trainNcf, type NcfModelName } from '../apps/ncf.js';
import type { RatingsFormat } from '../data/ratings.js';
import { UsageError, choiceFlag, flagSpec, inputFile, intFlag, modelDir, numberFlag, outDirFlag, parseFlags } from './flags.js';
import { emit, type CliTask } from './task.js';

const MODELS: NcfModelName[] = ['gmf', 'mlp', 'neumf'];
const FORMATS: RatingsFormat[] = ['ml-100k', 'ml-1m', 'csv'];

export const ncfTask: CliTask = {
  name: 'ncf',
  summary: 'recommendation by neural collaborative filtering (GMF, MLP, NeuMF): HR@10 and NDCG@10 against ItemPop',
  usage:
    'tsgrad train ncf [--data file --format ml-100k|ml-1m|csv] [--model gmf|mlp|neumf] [--factors N] [--negatives N]\n' +
    '             [--epochs N] [--lr X] [--pretrain N] [--seed N] [--out dir] [--json]',
  options: flagSpec(['data', 'format', 'model', 'factors', 'negatives', 'epochs', 'lr', 'pretrain', 'seed', 'out'], ['json']),
  run(values) {
    // Every flag is checked before the data is read or a model is built.
    const model = choiceFlag(values, 'model', MODELS) ?? 'neumf';
    choiceFlag(values, 'format', FORMATS);
    if (values.format !== undefined && values.data === undefined) throw new UsageError('--format describes --data, which is missing');
    const pretrain = intFlag(values, 'pretrain', 0);
    if (pretrain && model !== 'neumf') throw new UsageError('--pretrain builds NeuMF from a trained GMF and MLP; it needs --model neumf');
    const file = values.data !== undefined ? inputFile(String(values.data), '--data') : undefined;
    const format = (values.format ?? (file?.endsWith('.dat') ? 'ml-1m' : file?.endsWith('.csv') ? 'csv' : 'ml-100k')) as RatingsFormat;
    const json = values.json === true;
    const opts = {
      model,
      factors: intFlag(values, 'factors'),
      negatives: intFlag(values, 'negatives'),
      epochs: intFlag(values, 'epochs'),
      lr: numberFlag(values, 'lr', { above: 0 }),
      pretrainEpochs: pretrain,
      seed: intFlag(values, 'seed', 0),
      out: outDirFlag(values),
      stream: json ? process.stderr : process.stdout,
    };
    const data = file ? readRatings(file, format) : undefined;
    const { result } = trainNcf({ ...opts, ...(data ? { data } : {}) });
    emit(result, json, () => {
      const w = (s: string): boolean => (json ? process.stderr : process.stdout).write(s + '\n');
      const f = (r: { hr10: number; ndcg10: number }): string => `HR@10 ${r.hr10.toFixed(4)}, NDCG@10 ${r.ndcg10.toFixed(4)}`;
      w(`${result.users} users, ${result.items} items, ${result.interactions} interactions; ${result.evaluatedUsers} users evaluated`);
      w(`${model}: ${f(result)}`);
      w(`ItemPop: ${f(result.baselines.itemPop)}; random: ${f(result.baselines.random)}`);
      w(
        `${result.secondsPerEpoch.toFixed(2)} s/epoch (sampling ${result.samplingSecondsPerEpoch.toFixed(3)} s), ${Math.round(result.interactionsPerSecond)} interactions/s`,
      );
    });
    return result;
  },
};

export const RECOMMEND_USAGE =
  'Usage: tsgrad recommend <model dir> --user ID [-k 10] [--json]\n\n' +
  'The k items a model saved by tsgrad train ncf --out scores highest for a user, among the items the user has not touched.';

/** `tsgrad recommend <dir> --user ID`: the top items for a user by their original ids. */
export function recommendCommand(args: string[]): void {
  const { values, positionals } = parseFlags('tsgrad recommend', args, {
    ...flagSpec(['user'], ['json']),
    k: { type: 'string', short: 'k' },
  });
  if (positionals.length !== 1)
    throw new UsageError(`tsgrad recommend takes one model directory, got ${positionals.length}\n\n${RECOMMEND_USAGE}`);
  if (values.user === undefined) throw new UsageError('--user is missing: whose recommendations?');
  const k = intFlag(values, 'k') ?? 10;
  const dir = modelDir(positionals[0]);
  const items = recommend(dir, String(values.user), k);
  emit({ user: values.user, items }, values.json === true, () => {
    items.forEach((r, i) => console.log(`${String(i + 1).padStart(3)}. ${r.item}  ${r.score.toFixed(4)}`));
  });
}
