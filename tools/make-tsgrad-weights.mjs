// Writes the tsgrad side of the PyTorch interchange fixtures (test/fixtures/torch/from_tsgrad_*.safetensors):
// models built and seeded in tsgrad, their batch norms run in training mode on a few batches so that the
// running statistics and num_batches_tracked are not their initial values. tools/make_torch_interchange.py
// then loads each file into the equivalent PyTorch model with load_state_dict(strict=True) and records
// PyTorch's outputs. Run after `npm run build:ts`; `npm run fixtures` runs both.
import * as tg from '../dist/src/index.js';
import { bnCnn } from '../dist/test/torch-models.js';

const { nn } = tg;
const dir = new URL('../test/fixtures/torch/', import.meta.url).pathname;

function warmUp(model, shape) {
  model.train();
  tg.noGrad(() => {
    for (let i = 0; i < 3; i++) model.forward(tg.randn(shape));
  });
  model.eval();
}

tg.manualSeed(2026);
const models = {
  lenet5: nn.models.lenet5(),
  bn_cnn: bnCnn(),
  dna_cnn: nn.models.dnaCnn({ length: 40, filters: 8 }),
};
warmUp(models.bn_cnn, [8, 1, 12, 12]);
for (const [name, model] of Object.entries(models)) {
  tg.saveSafetensors(`${dir}from_tsgrad_${name}.safetensors`, model.stateDict());
  console.log(`wrote from_tsgrad_${name}.safetensors: ${[...model.stateDict().keys()].join(', ')}`);
}
