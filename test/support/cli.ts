/**
 * Runs the built \`isobench\` without blocking this process, so that servers the test runs in this
 * process (the scripted model server, a judge) can answer the CLI's requests.
 */
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from './shared-data.js';

const BIN = resolve(PROJECT_ROOT, 'bin/isobench.mjs');

/** Exit status, stdout and stderr of one \`isobench ARGS\` (environment: this one plus \`env\`). */
export function runCli(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const c = spawn(process.execPath, [BIN, ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => {
      stdout += d;
    });
    c.stderr.on('data', (d) => {
      stderr += d;
    });
    c.on('exit', (status) => done({ status, stdout, stderr }));
  });
}

/** The same, blocking (for tests that run no server in this process); `cwd` defaults to the project. */
export function runCliSync(
  args: readonly string[],
  opts: { env?: Readonly<Record<string, string>>; cwd?: string } = {},
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? PROJECT_ROOT,
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The usual arguments of a quick measurement in the tests: the local executor, `repeats` measured
 * round(s) and no warm-up, written to OUT/RUN_ID.
 */
export function quickRun(out: string, runId: string, repeats = 1): string[] {
  return [
    '--executor',
    'local',
    '--repeats',
    String(repeats),
    '--warmup',
    '0',
    '--out',
    out,
    '--run-id',
    runId,
  ];
}
