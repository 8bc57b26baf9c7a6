// Run by the atomic-save test in a fresh node process: builds the big model with the given seed
// and saves it into dir over and over until it is killed, printing "saving" once it has begun.
//   node save-child.js <dir> <seed>
import { bigModel } from './save-common.js';
import * as tg from '../src/index.js';

const [dir, seed] = process.argv.slice(2);
const model = bigModel(Number(seed));
process.stdout.write('saving\n');
for (;;) tg.save(model, dir);
