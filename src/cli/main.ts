import { readFileSync } from 'node:fs';
import { dnaTask } from './dna.js';
import { EXPERIMENT_USAGE, experimentCommand } from './experiment.js';
import { EXPORT_USAGE, exportCommand } from './export.js';
import { genesTask } from './genes.js';
import { RECOMMEND_USAGE, ncfTask, recommendCommand } from './ncf.js';
import { UsageError, parseFlags } from './flags.js';
import { EVALUATE_USAGE, PREDICT_USAGE, evaluateCommand, mnistTask, predictCommand } from './mnist.js';
import { VIZ_USAGE, vizCommand } from './viz.js';
import { detectTask, localizeTask, segmentTask, superresTask } from './vision.js';
import type { CliTask } from './task.js';

const TASKS: CliTask[] = [genesTask, mnistTask, dnaTask, ncfTask, localizeTask, detectTask, segmentTask, superresTask];

const version = (): string => {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
};

const TRAIN_USAGE = [
  'Usage: tsgrad train <task> [options]',
  '',
  'Trains and evaluates a model; --json prints a JSON result as the last line of stdout.',
  "Run tsgrad train <task> --help for a task's options.",
  '',
  'Tasks:',
  ...TASKS.map((t) => `  ${t.name.padEnd(10)} ${t.summary}`),
].join('\n');

function help(): string {
  return [
    'tsgrad: deep learning in TypeScript',
    '',
    'Usage:',
    '  tsgrad train <task> [options]   train and evaluate a model; --json prints a JSON result as the last line',
    `  ${EVALUATE_USAGE.replace('Usage: ', '')}`,
    `  ${PREDICT_USAGE.replace('Usage: ', '')}`,
    `  ${VIZ_USAGE.split('\n')[0].replace('Usage: ', '')}`,
    `  ${RECOMMEND_USAGE.split('\n')[0].replace('Usage: ', '')}`,
    `  ${EXPORT_USAGE.split('\n')[0].replace('Usage: ', '')}`,
    `  ${EXPERIMENT_USAGE.split('\n')[0].replace('Usage: ', '')}`,
    `  ${EXPERIMENT_USAGE.split('\n')[1].trim()}`,
    '  tsgrad --help | --version',
    '',
    'Every command answers --help with its own usage.',
    '',
    'Tasks:',
    ...TASKS.map((t) => `  ${t.name.padEnd(10)} ${t.summary}\n             ${t.usage}`),
  ].join('\n');
}

const wantsHelp = (args: string[]): boolean => args.includes('--help') || args.includes('-h');

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(help());
    return command === undefined ? 1 : 0;
  }
  if (command === '--version' || command === '-v') {
    console.log(version());
    return 0;
  }
  if (command === 'train') {
    const [name, ...args] = rest;
    const task = TASKS.find((t) => t.name === name);
    if (!task) {
      if (name === undefined || wantsHelp([name])) {
        console.log(TRAIN_USAGE);
        return name === undefined ? 1 : 0;
      }
      throw new UsageError(`tsgrad train: unknown task '${name}' (tasks: ${TASKS.map((t) => t.name).join(', ')})`);
    }
    if (wantsHelp(args)) {
      console.log(`Usage: ${task.usage}\n\n${task.summary}`);
      return 0;
    }
    const { values, positionals } = parseFlags(`tsgrad train ${task.name}`, args, task.options);
    await task.run(values, positionals);
    return 0;
  }
  const commands: Record<string, { usage: string; run: (args: string[]) => unknown }> = {
    evaluate: { usage: EVALUATE_USAGE, run: evaluateCommand },
    predict: { usage: PREDICT_USAGE, run: predictCommand },
    viz: { usage: VIZ_USAGE, run: vizCommand },
    recommend: { usage: RECOMMEND_USAGE, run: recommendCommand },
    experiment: { usage: EXPERIMENT_USAGE, run: experimentCommand },
    export: { usage: EXPORT_USAGE, run: exportCommand },
  };
  const c = commands[command];
  if (!c) throw new UsageError(`tsgrad: unknown command '${command}'\n\n${help()}`);
  if (wantsHelp(rest)) {
    console.log(c.usage);
    return 0;
  }
  await c.run(rest);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`tsgrad: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
