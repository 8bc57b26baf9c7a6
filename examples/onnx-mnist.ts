// A tsgrad model in ONNX Runtime: export, run the 10,000 MNIST test images in both, compare.
//   node dist/examples/onnx-mnist.js [model dir]   (a directory saved by `tsgrad train mnist --out dir`)
// Without a directory it trains a small CNN on 3,000 images first. onnxruntime-web runs in Node
// on its WebAssembly backend (no native download).
import * as tg from 'tsgrad';
import * as ort from 'onnxruntime-web';
const { nn, optim } = tg;

ort.env.wasm.numThreads = 1;
tg.manualSeed(0);
let model: tg.nn.Module;
const dir = process.argv[2];
if (dir) model = tg.load(dir);
else {
  model = new nn.Sequential(
    new nn.Conv2d({ inChannels: 1, outChannels: 8, kernelSize: 3 }),
    new nn.ReLU(),
    new nn.MaxPool2d({ kernelSize: 2 }),
    new nn.Flatten(),
    new nn.Linear({ inFeatures: 8 * 13 * 13, outFeatures: 10 }),
  );
  const { train } = tg.datasets.mnist({ trainSize: 3000, testSize: 0 });
  tg.fit(model, { train, epochs: 2, batchSize: 64, optimizer: new optim.Adam(model.parameters(), { lr: 2e-3 }), verbose: 0 });
}

const bytes = tg.exportOnnx(model, tg.zeros([1, 1, 28, 28]));
const session = await ort.InferenceSession.create(bytes);
const { test } = tg.datasets.mnist({ trainSize: 0 });
const [x, y] = tg.materialize(test);
const labels = y.data();
const batch = 500;
let rightTsgrad = 0;
let rightOnnx = 0;
let agree = 0;
let worst = 0;
for (let start = 0; start < x.shape[0]; start += batch) {
  const xb = x.narrow(0, start, Math.min(batch, x.shape[0] - start)).contiguous();
  const mine = tg.predict(model, xb);
  const theirs = (await session.run({ input: new ort.Tensor('float32', xb.data() as Float32Array, xb.shape) })).output;
  const a = mine.data();
  const b = theirs.data as Float32Array;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  const classes = mine.shape[1];
  for (let r = 0; r < xb.shape[0]; r++) {
    const pick = (v: ArrayLike<number>): number => {
      let k = 0;
      for (let c = 1; c < classes; c++) if (v[r * classes + c] > v[r * classes + k]) k = c;
      return k;
    };
    const [p, q] = [pick(a), pick(b)];
    if (p === labels[start + r]) rightTsgrad++;
    if (q === labels[start + r]) rightOnnx++;
    if (p === q) agree++;
  }
}
const n = x.shape[0];
console.log(`ONNX file: ${bytes.length.toLocaleString('en-US')} bytes`);
console.log(`test accuracy: tsgrad ${((100 * rightTsgrad) / n).toFixed(2)}%, ONNX Runtime ${((100 * rightOnnx) / n).toFixed(2)}%`);
console.log(`same class for ${agree} of ${n} images; max abs difference of the logits ${worst.toExponential(2)}`);
if (rightTsgrad !== rightOnnx || agree !== n || worst > 1e-4) process.exit(1);
