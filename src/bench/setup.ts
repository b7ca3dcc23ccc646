/**
 * The setup of a variant's tree inside its sandbox, before its first phase: an agent patch that
 * changes compiled sources is built with the task's build step (within `timeouts.buildS`); every
 * other tree gets the task's prepare step, if it has one. A failed build is `build_failed` (the
 * agent's); a failed prepare is `infra_error` (the image's, never the agent's).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from '../executor/types.js';
import type { FailureClass } from '../grade/taxonomy.js';
import type { TaskSpec } from '../task/schema.js';
import { processRecord } from './phase.js';
import type { PreparedVariant, SetupRecord } from './types.js';

async function tail(path: string, lines = 15): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs the setup a variant's tree needs; logs go to `logDir/<step>.stdout|stderr`. */
export async function runSetup(
  task: TaskSpec,
  v: PreparedVariant,
  sb: Sandbox,
  dir: string,
  logDir: string,
  extraEnv?: Readonly<Record<string, string>>,
): Promise<{ records: SetupRecord[]; failure: { class: FailureClass; detail: string } | null }> {
  const setup = task.setup;
  if (!setup) return { records: [], failure: null };
  const step: 'build' | 'prepare' | null = v.patch?.native ? 'build' : setup.prepare ? 'prepare' : null;
  const argv = step === 'build' ? setup.build : step === 'prepare' ? setup.prepare : null;
  if (!step || !argv) return { records: [], failure: null };
  await mkdir(logDir, { recursive: true });
  const env = { ...extraEnv, ...setup.env };
  const timeoutMs = task.timeouts.buildS * 1000;
  const r = await sb.exec(argv, {
    cwd: dir,
    env,
    timeoutMs,
    stdoutPath: join(logDir, `${step}.stdout`),
    stderrPath: join(logDir, `${step}.stderr`),
  });
  const record: SetupRecord = { step, ...processRecord(argv, dir, env, r) };
  if (r.exitCode === 0 && !r.timedOut) return { records: [record], failure: null };
  const why = r.timedOut
    ? `ran past ${task.timeouts.buildS}s and was killed`
    : `exited with ${r.exitCode ?? r.signal}:\n${await tail(r.stderrPath)}`;
  return {
    records: [record],
    failure:
      step === 'build'
        ? { class: 'build_failed', detail: `the build of the patched tree (${argv.join(' ')}) ${why}` }
        : { class: 'infra_error', detail: `the prepare step of ${task.id} ${why}` },
  };
}
