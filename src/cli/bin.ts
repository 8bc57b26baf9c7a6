#!/usr/bin/env node
/**
 * The tsgrad command: runs the CLI (main.ts) in a Node started with HEAP_FLAGS, starting one
 * when this one lacks them (the extra start-up costs about a tenth of a second). Its exit code,
 * or the signal that ended it, is this process's.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HEAP_FLAGS } from './heap-flags.js';

if (HEAP_FLAGS.every((f) => process.execArgv.includes(f))) {
  await import('./main.js');
} else {
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  const r = spawnSync(process.execPath, [...HEAP_FLAGS, ...process.execArgv, main, ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.error) throw r.error;
  if (r.signal) process.kill(process.pid, r.signal);
  process.exitCode = r.status ?? 1;
}
