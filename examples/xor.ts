// A two-layer perceptron learns XOR, the function no single linear layer can represent.
import * as tg from 'tsgrad';
const { nn, optim } = tg;

tg.manualSeed(1);
const x = tg.tensor([
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
]);
const y = tg.tensor([[0], [1], [1], [0]]);

const model = new nn.Sequential(
  new nn.Linear({ inFeatures: 2, outFeatures: 8 }),
  new nn.Tanh(),
  new nn.Linear({ inFeatures: 8, outFeatures: 1 }),
);
const opt = new optim.Adam(model.parameters(), { lr: 0.05 });

for (let step = 1; step <= 500; step++) {
  opt.zeroGrad();
  const loss = nn.bceWithLogits(model.forward(x), y);
  loss.backward();
  opt.step();
  if (step % 100 === 0) console.log(`step ${step}  loss ${loss.item().toFixed(5)}`);
}

const p = tg.noGrad(() => model.forward(x).sigmoid());
const predictions = Array.from(p.data(), (v) => (v > 0.5 ? 1 : 0));
console.log('predictions', predictions, 'targets', [0, 1, 1, 0]);
if (predictions.join() !== '0,1,1,0') process.exit(1);
