/**
 * The line protocol between run.ts and its children: each child prints
 * `@@bench <json>` lines on stdout (anything else is passed through as log).
 * Every case is announced before it runs, so that the orchestrator knows which
 * case a crash or a timeout belongs to and can restart the child after it.
 */
import type { CaseResult, ChildConfig } from './spec.js';

export const TAG = '@@bench ';

export type Message =
  | { kind: 'info'; info: Record<string, unknown> }
  | { kind: 'start'; case: string }
  | { kind: 'warm'; case: string; seconds: number; stepSeconds: number }
  | { kind: 'result'; result: CaseResult }
  | { kind: 'cannot'; case: string; reason: string }
  | { kind: 'extra'; name: string; data: Record<string, unknown> };

export function emit(msg: Message): void {
  process.stdout.write(TAG + JSON.stringify(msg) + '\n');
}

export function readConfig(): ChildConfig {
  const arg = process.argv[2];
  if (!arg) throw new Error('bench child: expected a JSON ChildConfig as the first argument');
  return JSON.parse(arg) as ChildConfig;
}

export function parseLine(line: string): Message | null {
  if (!line.startsWith(TAG)) return null;
  return JSON.parse(line.slice(TAG.length)) as Message;
}

/** Runs a child's case table in the configured order; unknown cases are reported as not implemented. */
export async function runCases(
  cfg: ChildConfig,
  table: Record<string, (name: string) => CaseResult | Promise<CaseResult> | { cannot: string }>,
): Promise<void> {
  for (const name of cfg.cases) {
    emit({ kind: 'start', case: name });
    const run = table[name];
    if (!run) {
      emit({ kind: 'cannot', case: name, reason: 'not implemented by this child' });
      continue;
    }
    const r = await run(name);
    if ('cannot' in r) emit({ kind: 'cannot', case: name, reason: r.cannot });
    else emit({ kind: 'result', result: r });
  }
}
