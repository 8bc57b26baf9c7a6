// Run by src/io/safetensors.test.ts in a fresh node process: loads a saved model,
// predicts on the inputs stored beside it and writes the outputs as safetensors.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSafetensors, load, loadSafetensors } from '../src/io/index.js';
import { predict } from '../src/train/fit.js';

const dir = process.argv[2];
const x = loadSafetensors(join(dir, 'input.safetensors')).tensors.get('x');
if (!x) throw new Error('io-child: input.safetensors has no tensor x');
const model = load(join(dir, 'model'));
writeFileSync(join(dir, 'child-output.safetensors'), encodeSafetensors({ y: predict(model, x) }));
