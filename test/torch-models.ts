import * as tg from '../src/index.js';

const { nn } = tg;

/**
 * A small CNN with both batch norms, for the PyTorch interchange fixtures; tools/make_torch_interchange.py
 * builds the same layers with torch.nn: [N, 1, 12, 12] -> [N, 3].
 */
export function bnCnn(): tg.nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d({ inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1 }),
    new nn.BatchNorm2d({ numFeatures: 4 }),
    new nn.ReLU(),
    new nn.MaxPool2d({ kernelSize: 2 }),
    new nn.Conv2d({ inChannels: 4, outChannels: 8, kernelSize: 3, stride: 2, groups: 2 }),
    new nn.BatchNorm2d({ numFeatures: 8 }),
    new nn.ReLU(),
    new nn.Flatten(),
    new nn.Linear({ inFeatures: 32, outFeatures: 16 }),
    new nn.BatchNorm1d({ numFeatures: 16 }),
    new nn.ReLU(),
    new nn.Linear({ inFeatures: 16, outFeatures: 3 }),
  );
}
