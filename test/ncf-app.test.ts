/**
 * Neural collaborative filtering (issue 12's "what it must show"): on the synthetic default NeuMF
 * beats ItemPop by ≥ 1.3× on HR@10 and all three models beat random; the paper's protocol
 * (leave-one-out by latest timestamp, 99 sampled unseen candidates); the readers and the ranking
 * metrics; pre-training; recommend; bad input.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tg from '../src/index.js';
import { assertClose, repoPath } from './util.js';

const cli = repoPath('dist', 'src', 'cli', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
const tmp = mkdtempSync(join(tmpdir(), 'tsgrad-ncf-'));

test('synthetic default: NeuMF ≥ 1.3× ItemPop on HR@10, GMF, MLP and NeuMF all above random, on the same candidates', () => {
  const results = (['gmf', 'mlp', 'neumf'] as const).map((model) => tg.trainNcf({ model, verbose: 0 }).result);
  const [gmf, mlp, neumf] = results;
  assert.ok(neumf.hr10 >= 1.3 * neumf.baselines.itemPop.hr10, `NeuMF ${neumf.hr10} vs ItemPop ${neumf.baselines.itemPop.hr10}`);
  for (const r of results) {
    assert.ok(
      r.hr10 > r.baselines.random.hr10 && r.ndcg10 > r.baselines.random.ndcg10,
      `${r.model}: ${r.hr10} vs random ${r.baselines.random.hr10}`,
    );
    assert.deepEqual(r.baselines, neumf.baselines); // one candidate set for every model and baseline
  }
  assert.equal(neumf.evaluatedUsers, 300);
  assert.ok(gmf.samplingSecondsPerEpoch < 0.2 * gmf.secondsPerEpoch, 'sampling must not dominate an epoch');
  assert.ok(mlp.interactionsPerSecond > 0);
});

test('hitRate and ndcg on hand-made rankings, ties averaged over their orders', () => {
  const scores = tg.tensor([
    [0.9, 0.1, 0.5],
    [0.1, 0.9, 0.5],
    [0.5, 0.5, 0.5],
  ]);
  const target = tg.tensor([0, 0, 0], { dtype: 'int32' });
  // Ranks 0, 2 and (a three-way tie) 0, 1 or 2 with equal chance.
  assert.equal(tg.hitRate(1).fn(scores, target), (1 + 0 + 1 / 3) / 3);
  assert.equal(tg.hitRate(2).fn(scores, target), (1 + 0 + 2 / 3) / 3);
  const g = (p: number): number => 1 / Math.log2(p + 2);
  assertClose([tg.ndcg(10).fn(scores, target)], [(g(0) + g(2) + (g(0) + g(1) + g(2)) / 3) / 3], { atol: 1e-12 });
  assert.throws(
    () => tg.hitRate(10).fn(scores, tg.tensor([0, 5, 0], { dtype: 'int32' })),
    /hitRate: target 5 of row 1 is not a column of the 3 candidates/,
  );
});

test('readers: ml-100k, ml-1m and CSV (header or not, string ids remapped); a malformed line is named', () => {
  const a = tg.parseRatings('196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t302\t1\t881250950\n', 'ml-100k');
  assert.deepEqual([...a.users], [0, 1, 0]);
  assert.deepEqual([...a.items], [0, 1, 1]);
  assert.deepEqual(a.userIds, ['196', '186']);
  const b = tg.parseRatings('1::1193::5::978300760\r\n1::661::3::978302109\r\n', 'ml-1m');
  assert.deepEqual(b.itemIds, ['1193', '661']);
  const c = tg.parseRatings('user,item,rating,timestamp\nalice,The Matrix,5,10\nbob,The Matrix,4,11\n', 'csv');
  assert.deepEqual([c.userIds, c.itemIds, [...c.timestamps]], [['alice', 'bob'], ['The Matrix'], [10, 11]]);
  assert.equal(tg.parseRatings('7,9,1,3\n', 'csv').users.length, 1);
  assert.throws(
    () => tg.parseRatings('1\t2\t3\t4\n1\t2\tthree\t4\n', 'ml-100k', 'u.data'),
    /u\.data: line 2 is not user\titem\trating\ttimestamp/,
  );
  assert.throws(() => tg.parseRatings('1::2::3\n', 'ml-1m', 'ratings.dat'), /ratings\.dat: line 1 is not user::item::rating::timestamp/);
});

test('leave-one-out: the latest interaction by timestamp (ties: the last in the data); a one-interaction user is not evaluated', () => {
  const data = tg.parseRatings('a,x,1,5\na,y,1,9\na,z,1,9\nb,x,1,1\nc,y,1,3\nc,x,1,2\n', 'csv');
  const split = tg.leaveOneOut(data);
  assert.deepEqual(
    [...split.testUsers].map((u) => data.userIds[u]),
    ['a', 'c'],
  );
  assert.deepEqual(
    [...split.testItems].map((i) => data.itemIds[i]),
    ['z', 'y'],
  );
  assert.equal(split.skippedUsers, 1);
  assert.deepEqual([...split.train], [0, 1, 3, 5]);
});

test('candidates: the held-out item first, then 99 distinct items the user never touched', () => {
  const data = tg.syntheticInteractions({ users: 20, items: 200, seed: 3 });
  const split = tg.leaveOneOut(data);
  const cand = tg.sampleCandidates(data, split, { seed: 4 });
  const seen = new tg.SeenItems(20, 200, data);
  split.testUsers.forEach((u, t) => {
    const row = cand.subarray(t * 100, t * 100 + 100);
    assert.equal(row[0], split.testItems[t]);
    assert.equal(new Set(row).size, 100);
    for (const i of row.subarray(1)) assert.ok(!seen.has(u, i));
  });
  const { x, y } = tg.trainingSet(data, split.train, seen, 4, new tg.Rng(1));
  assert.equal(x.shape[0], split.train.length * 5);
  const xs = x.data();
  const ys = y.data();
  for (let k = 0; k < ys.length; k++) if (ys[k] === 0) assert.ok(!seen.has(xs[2 * k], xs[2 * k + 1]));
});

test('NeuMF.fromPretrained fuses GMF and MLP as α·GMF + (1 − α)·MLP; NeuMF saves and loads', () => {
  tg.manualSeed(2);
  const o = { users: 5, items: 7, factors: 4, layers: [8, 4] };
  const gmf = new tg.nn.models.GMF(o);
  const mlp = new tg.nn.models.NcfMLP(o);
  const x = tg.tensor(
    [
      [0, 1],
      [4, 6],
      [2, 3],
    ],
    { dtype: 'int32' },
  );
  const fused = tg.nn.models.NeuMF.fromPretrained(gmf, mlp, 0.3);
  const want = gmf.forward(x).mul(0.3).add(mlp.forward(x).mul(0.7));
  assertClose(fused.forward(x).data(), want.data(), { atol: 1e-6 });
  tg.save(fused, join(tmp, 'neumf'));
  assertClose(tg.load(join(tmp, 'neumf')).forward(x).data(), want.data(), { atol: 1e-6 });
  assert.throws(() => gmf.forward(tg.tensor([[0, 1]])), /GMF: expected int32 \(user, item\) pairs \[N, 2\], got float32 \[1, ?2\]/);
});

test('tsgrad train ncf --out and tsgrad recommend: top items by original id, never a seen one; bad input refused', () => {
  const file = join(tmp, 'ratings.csv');
  const rows = ['user,item,rating,timestamp'];
  const d = tg.syntheticInteractions({ users: 40, items: 300, perUser: 10, seed: 2 });
  for (let r = 0; r < d.users.length; r++) rows.push(`user-${d.users[r]},item-${d.items[r]},5,${d.timestamps[r]}`);
  writeFileSync(file, rows.join('\n'));
  const out = join(tmp, 'run');
  let r = run('train', 'ncf', '--data', file, '--format', 'csv', '--epochs', '2', '--out', out, '--json');
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout.trim().split('\n').pop()!);
  for (const k of ['task', 'model', 'hr10', 'ndcg10', 'baselines', 'users', 'items', 'interactions', 'secondsPerEpoch'])
    assert.ok(k in result, k);
  assert.equal(result.users, 40);
  r = run('recommend', out, '--user', 'user-3', '-k', '5', '--json');
  assert.equal(r.status, 0, r.stderr);
  const recs = JSON.parse(r.stdout.trim().split('\n').pop()!).items as Array<{ item: string }>;
  assert.equal(recs.length, 5);
  const seen = new Set(rows.filter((l) => l.startsWith('user-3,')).map((l) => l.split(',')[1]));
  for (const { item } of recs) assert.ok(item.startsWith('item-') && !seen.has(item), item);
  r = run('recommend', out, '--user', 'user-999');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /recommend: unknown user 'user-999' \(the model knows 40 users/);
  writeFileSync(file, 'user,item,rating,timestamp\nu,i,5,1\nu,j,x,2\n');
  r = run('train', 'ncf', '--data', file, '--format', 'csv');
  assert.match(r.stderr, /ratings\.csv: line 3 is not user,item,rating,timestamp/);
  r = run('train', 'ncf', '--format', 'csv');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--format describes --data, which is missing/);
  r = run('train', 'ncf', '--model', 'gmf', '--pretrain', '2');
  assert.match(r.stderr, /--pretrain .* needs --model neumf/);
});
