#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { genesTask } from './genes.js';
import { evaluateCommand, mnistTask, predictCommand } from './mnist.js';
import { VIZ_USAGE, vizCommand } from './viz.js';
import type { CliTask } from './task.js';

const TASKS: CliTask[] = [genesTask, mnistTask];

const version = (): string => {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
};

function help(): string {
  return [
    'tsgrad: deep learning in TypeScript',
    '',
    'Usage:',
    '  tsgrad train <task> [options]   train and evaluate a model; --json prints a JSON result as the last line',
    '  tsgrad evaluate <model dir> [--json]             test accuracy and confusion matrix of a saved MNIST model',
    '  tsgrad predict <model dir> <image.png | file.idx> [--json]',
    `  ${VIZ_USAGE}`,
    '  tsgrad --help | --version',
    '',
    'Tasks:',
    ...TASKS.map((t) => `  ${t.name.padEnd(10)} ${t.summary}\n             ${t.usage}`),
  ].join('\n');
}

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
      console.error(`tsgrad train: unknown task '${name ?? ''}' (tasks: ${TASKS.map((t) => t.name).join(', ')})`);
      return 2;
    }
    const { values, positionals } = parseArgs({ args, options: task.options, allowPositionals: true, strict: true });
    await task.run(values, positionals);
    return 0;
  }
  if (command === 'evaluate') {
    evaluateCommand(rest);
    return 0;
  }
  if (command === 'predict') {
    predictCommand(rest);
    return 0;
  }
  if (command === 'viz') {
    await vizCommand(rest);
    return 0;
  }
  console.error(`tsgrad: unknown command '${command}'\n\n${help()}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`tsgrad: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
