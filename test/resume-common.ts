// A small training run shared by the checkpoint tests and the child process that resumes it:
// a user's own module with dropout, a shuffling DataLoader, Adam and a StepLR schedule, trained
// with the loop a PyTorch user writes, so that every random draw matters to the result.
import * as tg from '../src/index.js';
import type { Tensor } from '../src/index.js';

export interface TinyNetOptions {
  inFeatures: number;
  hidden: number;
  p: number;
}

/** A user-defined module: layers as fields, forward written by hand, options kept for save(). */
export class TinyNet extends tg.nn.Module {
  readonly options: TinyNetOptions;
  fc1: tg.nn.Linear;
  drop: tg.nn.Dropout;
  fc2: tg.nn.Linear;

  constructor(options: TinyNetOptions) {
    super();
    this.options = { ...options };
    this.fc1 = new tg.nn.Linear({ inFeatures: options.inFeatures, outFeatures: options.hidden });
    this.drop = new tg.nn.Dropout({ p: options.p });
    this.fc2 = new tg.nn.Linear({ inFeatures: options.hidden, outFeatures: 2 });
  }

  forward(x: Tensor): Tensor {
    return this.fc2.forward(this.drop.forward(this.fc1.forward(x).relu()));
  }
}
tg.nn.register(TinyNet, { name: 'TinyNet' });

export interface Run {
  model: tg.nn.Module;
  optimizer: tg.optim.Adam;
  scheduler: tg.optim.StepLR;
  loader: tg.DataLoader;
}

/** Seeds, makes the data, then the model (from makeModel), its optimizer and schedule. */
export function setup(makeModel: () => tg.nn.Module): Run {
  tg.manualSeed(42);
  const x = tg.randn([48, 4]);
  const y = x.select(1, 0).add(x.select(1, 1)).gt(0).to('int32');
  const model = makeModel();
  const optimizer = new tg.optim.Adam(model.parameters(), { lr: 0.02 });
  const scheduler = new tg.optim.StepLR(optimizer, { stepSize: 2, gamma: 0.5 });
  const loader = new tg.DataLoader(new tg.TensorDataset(x, y), { batchSize: 8, shuffle: true });
  return { model, optimizer, scheduler, loader };
}

export const tinyNet = (): TinyNet => new TinyNet({ inFeatures: 4, hidden: 16, p: 0.3 });

/** The built-in equivalent, for the checkpoint test of library layers. */
export const sequentialNet = (): tg.nn.Sequential =>
  new tg.nn.Sequential(
    new tg.nn.Linear({ inFeatures: 4, outFeatures: 16 }),
    new tg.nn.ReLU(),
    new tg.nn.Dropout({ p: 0.3 }),
    new tg.nn.Linear({ inFeatures: 16, outFeatures: 2 }),
  );

/** One epoch of the usual loop: zeroGrad, forward, loss, backward, step; then the schedule. */
export function trainEpoch({ model, optimizer, scheduler, loader }: Run): void {
  model.train();
  for (const [x, y] of loader) {
    optimizer.zeroGrad();
    const loss = tg.F.crossEntropy(model.forward(x), y);
    loss.backward();
    optimizer.step();
  }
  scheduler.step();
}

/** What a checkpoint holds of a run (the loader is rebuilt, its order comes from the generator). */
export function stateOf({ model, optimizer, scheduler }: Run): Pick<Run, 'model' | 'optimizer' | 'scheduler'> {
  return { model, optimizer, scheduler };
}
