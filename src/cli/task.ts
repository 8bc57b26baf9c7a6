import type { ParseArgsConfig } from 'node:util';

export type CliValues = Record<string, string | boolean | Array<string | boolean> | undefined>;

/** A `tsgrad train <task>` entry: its own flags, its help text and what it runs. */
export interface CliTask {
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  run(values: CliValues, positionals: string[]): Promise<unknown> | unknown;
}

/** Prints a result: human lines first, then with --json the result as the last stdout line. */
export function emit(result: unknown, json: boolean, human: () => void): void {
  human();
  if (json) process.stdout.write(JSON.stringify(result) + '\n');
}
