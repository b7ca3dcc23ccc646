/**
 * The setup of a variant's tree inside its sandbox, before its first phase: an agent patch that
 * changes compiled sources, and the parent rebuilt as its reference, are built with the task's build
 * step (within `timeouts.buildS`); every other tree gets the task's prepare step, if it has one. A
 * failed build of an agent's patch is `build_failed` (the agent's) unless the build says its
 * environment failed (exit {@link SETUP_ENVIRONMENT_EXIT}: no network, a missing fetched source, no
 * compiler, out of memory) or ran past its limit (the host's speed, not the patch), which are
 * `infra_error`, like a failed prepare or a failed build of the parent (the image's, never the agent's).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sandbox } from '../executor/types.js';
import type { FailureClass } from '../grade/taxonomy.js';
import type { TaskSpec } from '../task/schema.js';
import { SETUP_ENVIRONMENT_EXIT } from '../task/vllm-setup.js';
import { logTail, processRecord } from './process.js';
import type { PreparedVariant, SetupRecord } from './types.js';

/**
 * The file of the client copy whose options say what the client accepts (its JSON result flags):
 * the script itself, or for a client inside the package (`vllm bench serve`) the subcommand's module
 * (`vllm/benchmarks/serve.py`).
 */
export function clientSourceFile(task: TaskSpec): string {
  const copy = task.benchmark.clientCopy.path;
  const argv = task.benchmark.client?.argv ?? [];
  if (copy.endsWith('.py')) return copy;
  if (argv[0] === 'vllm' && argv[1] === 'bench' && argv[2]) return join(copy, `${argv[2]}.py`);
  return copy;
}

/** The outcome of a setup step: its record, and its failure if it failed. */
type SetupOutcome = { records: SetupRecord[]; failure: { class: FailureClass; detail: string } | null };

/** Runs the task's prepare step (if any) in a checkout that is not a variant (the client's copy). */
export function runPrepare(
  task: TaskSpec,
  sb: Sandbox,
  dir: string,
  logDir: string,
  extraEnv?: Readonly<Record<string, string>>,
): Promise<SetupOutcome> {
  return runStep(task, 'prepare', sb, dir, logDir, extraEnv);
}

/** Runs the setup a variant's tree needs; logs go to `logDir/<step>.stdout|stderr`. */
export function runSetup(
  task: TaskSpec,
  v: PreparedVariant,
  sb: Sandbox,
  dir: string,
  logDir: string,
  extraEnv?: Readonly<Record<string, string>>,
): Promise<SetupOutcome> {
  return runStep(task, v.patch?.native ? 'build' : 'prepare', sb, dir, logDir, extraEnv, v.kind === 'agent');
}

/** Runs one setup step of the task in `dir`, when the task has it. */
async function runStep(
  task: TaskSpec,
  step: 'build' | 'prepare',
  sb: Sandbox,
  dir: string,
  logDir: string,
  extraEnv?: Readonly<Record<string, string>>,
  agents = false,
): Promise<SetupOutcome> {
  const setup = task.setup;
  const argv = step === 'build' ? setup?.build : setup?.prepare;
  if (!setup || !argv) return { records: [], failure: null };
  await mkdir(logDir, { recursive: true });
  const env = { ...extraEnv, ...setup.env };
  const r = await sb.exec(argv, {
    cwd: dir,
    env,
    timeoutMs: task.timeouts.buildS * 1000,
    stdoutPath: join(logDir, `${step}.stdout`),
    stderrPath: join(logDir, `${step}.stderr`),
  });
  const record: SetupRecord = { step, ...processRecord(argv, dir, env, r) };
  if (r.exitCode === 0 && !r.timedOut) return { records: [record], failure: null };
  const why = r.timedOut
    ? `ran past ${task.timeouts.buildS}s and was killed`
    : `exited with ${r.exitCode ?? r.signal}:\n${await logTail(r.stderrPath, 15)}`;
  if (step === 'prepare')
    return {
      records: [record],
      failure: { class: 'infra_error', detail: `the prepare step of ${task.id} ${why}` },
    };
  if (!agents)
    return {
      records: [record],
      failure: { class: 'infra_error', detail: `the rebuild of the parent (${argv.join(' ')}) ${why}` },
    };
  if (r.timedOut)
    return {
      records: [record],
      failure: {
        class: 'infra_error',
        detail: `the rebuild of the patched tree ${why}: a build's time is the host's (cores, memory, compiler), not the patch's`,
      },
    };
  const environment = r.exitCode === SETUP_ENVIRONMENT_EXIT;
  return {
    records: [record],
    failure: environment
      ? {
          class: 'infra_error',
          detail: `the rebuild of the patched tree failed for a reason of its environment, not the patch: ${why}`,
        }
      : { class: 'build_failed', detail: `the build of the patched tree (${argv.join(' ')}) ${why}` },
  };
}
