import * as tg from '../src/index.js';

/** A model whose save takes tens of milliseconds (1.05M parameters, 4 MB of weights). */
export function bigModel(seed: number): tg.nn.Module {
  tg.manualSeed(seed);
  return new tg.nn.Sequential(
    new tg.nn.Linear({ inFeatures: 1024, outFeatures: 512 }),
    new tg.nn.ReLU(),
    new tg.nn.Linear({ inFeatures: 512, outFeatures: 1024 }),
  );
}
