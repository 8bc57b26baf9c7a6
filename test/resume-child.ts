// Run by the checkpoint tests in a fresh node process: builds the run again, restores the
// checkpoint in dir, trains up to the given epoch and writes the final weights to dir/final.safetensors.
//   node resume-child.js <dir> <epochs> <into | rebuild>
// `into` loads into a freshly built Sequential; `rebuild` rebuilds the registered TinyNet with load().
import { join } from 'node:path';
import * as tg from '../src/index.js';
import { type Run, sequentialNet, setup, stateOf, trainEpoch } from './resume-common.js';

const [dir, epochsArg, mode] = process.argv.slice(2);
const epochs = Number(epochsArg);
const run: Run = setup(() => (mode === 'rebuild' ? tg.load(dir) : sequentialNet()));
const { epoch, extra } = tg.loadCheckpoint(dir, stateOf(run));
if ((extra as { note?: string } | undefined)?.note !== 'half way') {
  throw new Error(`resume-child: extra not restored: ${JSON.stringify(extra)}`);
}
for (let e = epoch; e < epochs; e++) trainEpoch(run);
tg.saveSafetensors(join(dir, 'final.safetensors'), run.model.stateDict());
