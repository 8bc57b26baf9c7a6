import { fitGenes, genesFromColumns, syntheticGenes } from '../apps/genes.js';
import { UsageError, flagSpec, inputFile, intFlag, numberFlag } from './flags.js';
import { emit, type CliTask } from './task.js';
import { readCsv } from '../data/csv.js';

export const genesTask: CliTask = {
  name: 'genes',
  summary: 'linear regression on the expression of 4 genes, by gradient descent through the graph',
  usage: 'tsgrad train genes [--csv file --target column] [--samples N] [--epochs N] [--lr X] [--json]',
  options: flagSpec(['csv', 'target', 'epochs', 'lr', 'samples'], ['json']),
  run(values) {
    const json = values.json === true;
    // Every flag is checked before any data is read.
    const epochs = intFlag(values, 'epochs') ?? 500;
    const lr = numberFlag(values, 'lr', { above: 0 }) ?? 0.1;
    const samples = intFlag(values, 'samples', 2) ?? 500;
    if (values.target !== undefined && values.csv === undefined) throw new UsageError('--target names a column of --csv, which is missing');
    let data;
    if (values.csv !== undefined) {
      if (typeof values.target !== 'string') throw new UsageError('--csv needs --target <column> naming the response column');
      const file = inputFile(String(values.csv), '--csv');
      const table = readCsv(file);
      data = genesFromColumns(table.header, table.rows, values.target, file);
    } else {
      data = syntheticGenes({ n: samples });
    }
    const log = (line: string): void => {
      if (json) process.stderr.write(line + '\n');
      else console.log(line);
    };
    log(`genes: ${data.n} samples, features ${data.featureNames.join(', ')} -> ${data.targetName}`);
    const result = fitGenes(data, {
      epochs,
      lr,
      onEpoch: (epoch, loss) => log(`epoch ${String(epoch).padStart(4)}  mse ${loss.toPrecision(6)}`),
    });
    const fmt = (v: number[]): string => v.map((c) => c.toFixed(4)).join(', ');
    emit(result, json, () => {
      log(`gradient descent  coefficients [${fmt(result.coefficients)}]  intercept ${result.intercept.toFixed(4)}`);
      log(`closed form       coefficients [${fmt(result.closedFormCoefficients)}]  intercept ${result.closedFormIntercept.toFixed(4)}`);
      if (result.trueCoefficients)
        log(`true (synthetic)  coefficients [${fmt(result.trueCoefficients)}]  intercept ${result.trueIntercept?.toFixed(4)}`);
      log(`R² ${result.r2.toFixed(5)}  MSE ${result.mse.toPrecision(5)}`);
    });
    return result;
  },
};
