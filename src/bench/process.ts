/** What the bench records of the processes it runs: their records, and the end of their logs. */
import { readFile } from 'node:fs/promises';
import type { ExecResult } from '../executor/types.js';
import type { ProcessRecord } from './types.js';

/** The record of a process as it ran. */
export function processRecord(
  argv: readonly string[],
  cwd: string,
  env: Record<string, string>,
  r: ExecResult,
): ProcessRecord {
  return {
    argv,
    cwd,
    env,
    exitCode: r.exitCode,
    signal: r.signal,
    timedOut: r.timedOut,
    durationMs: r.durationMs,
    stdoutPath: r.stdoutPath,
    stderrPath: r.stderrPath,
  };
}

/** The last `lines` lines of a log ('' when it cannot be read), for a failure's detail. */
export async function logTail(path: string, lines = 12): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
