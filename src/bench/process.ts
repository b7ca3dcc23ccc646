import type { ExecResult } from '../executor/types.js';
import { readTextIfThere } from '../util/if-there.js';
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

/** The last `lines` lines of a log ('' when there is none), for a failure's detail. */
export async function logTail(path: string, lines = 12): Promise<string> {
  const text = (await readTextIfThere(path)) ?? '';
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
