import * as tg from '../index.js';
const { nn, optim } = tg;
const { train } = tg.datasets.mnist({ trainSize: 2000, testSize: 1 });
const [x, y] = train.tensors;
const tr: [tg.Tensor, tg.Tensor] = [tg.slice(x, [[0, 1000]]), tg.slice(y, [[0, 1000]])];
const va: [tg.Tensor, tg.Tensor] = [tg.slice(x, [[1000, 2000]]), tg.slice(y, [[1000, 2000]])];
function run(reg: boolean, epochs: number, hidden: number) {
  tg.manualSeed(0);
  const m = new nn.Sequential(new nn.Flatten(), ...nn.models.mlp({ inFeatures: 784, hidden: [hidden], outFeatures: 10, dropout: reg ? 0.3 : 0 }).layers);
  const t0 = performance.now();
  const h = tg.fit(m, { train: tr, validation: va, epochs, batchSize: 32, optimizer: new optim.Adam(m.parameters(), { lr: 2e-3 }), verbose: 0,
    regularization: reg ? { l2: 5e-5 } : undefined, augment: reg ? tg.randomAffine({ degrees: 8, translate: [0.08, 0.08], scale: [0.9, 1.1] }) : undefined });
  console.log(reg, ((performance.now() - t0) / 1000).toFixed(1), 's');
  console.log(' train', h.history.loss.map((v) => v.toFixed(3)).join(' '));
  console.log(' clean train', tg.evaluate(m, tr, { loss: 'crossEntropy' }).loss, 'val', tg.evaluate(m, va, { loss: 'crossEntropy', metrics: ['accuracy'] }));
  console.log(' val  ', h.history.val_loss.map((v) => v.toFixed(3)).join(' '));
}
const hidden = Number(process.argv[2] ?? 128), epochs = Number(process.argv[3] ?? 15);
run(false, epochs, hidden);
run(true, epochs, hidden);
