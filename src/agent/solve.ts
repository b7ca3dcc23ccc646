/**
 * Runs an agent on tasks: attempts × tasks through a queue with a concurrency limit, each a fresh
 * workspace (attempt.ts), then one predictions JSONL for the run (SWE-bench fields plus task, agent,
 * model, attempt, base commit) that `isobench run` and the replay agent read.
 *
 * Layout under the run folder: agents/<agent>/<task>/<attempt>/ (per attempt), predictions.jsonl,
 * solve.json (the run's summary, versioned).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import PQueue from 'p-queue';
import type { TaskSpec } from '../task/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { mirrorForTask } from '../workspace/repo-cache.js';
import { type AttemptOptions, type AttemptRecord, attemptDir, runAttempt } from './attempt.js';
import { AGENT_RECORD_VERSION, type AgentAdapter, type Budgets, type OutcomeKind } from './types.js';

/** What a solve run needs. */
export interface SolveOptions {
  readonly tasks: readonly TaskSpec[];
  readonly adapter: AgentAdapter;
  readonly model: string;
  readonly attempts: number;
  readonly concurrency: number;
  readonly runDir: string;
  readonly budgets?: Partial<Budgets>;
  readonly options?: Readonly<Record<string, unknown>>;
  readonly apiKey?: string | null;
  /** the variable the key came from (named when it is refused) */
  readonly apiKeyEnv?: string | null;
  readonly binary: string | null;
  readonly agentVersion?: string | null;
  readonly hintLevel?: 'none' | 'files';
  readonly attemptRetries?: number;
  readonly backoffMs?: number;
  /** a local clone holding the tasks' commits (vLLM tasks) */
  readonly clone?: string;
  /** the cache root (mirrors) */
  readonly cacheRoot?: string;
  readonly keepWorkspace?: boolean;
  /** called as each attempt ends */
  readonly onAttempt?: (r: AttemptRecord, done: number, total: number) => void;
}

/** The summary of a solve run (solve.json). */
export interface SolveSummary {
  readonly schemaVersion: typeof AGENT_RECORD_VERSION;
  readonly agent: string;
  readonly model: string;
  readonly attempts: number;
  readonly tasks: readonly string[];
  readonly outcomes: Readonly<Partial<Record<OutcomeKind, number>>>;
  readonly patches: number;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly predictions: string;
  /** why attempts were left unstarted (a configuration error: every attempt would fail the same way) */
  readonly stopped: string | null;
  /** attempts never started because of it */
  readonly notStarted: number;
  readonly records: ReadonlyArray<{
    task: string;
    attempt: number;
    outcome: OutcomeKind;
    patch: 'ok' | 'no_patch';
    path: string;
  }>;
}

/** What `solve` gives: each attempt's record and the summary. */
export interface SolveResult {
  readonly records: AttemptRecord[];
  readonly summary: SolveSummary;
}

/** Runs every attempt; returns the records (in task, attempt order) and writes predictions.jsonl and solve.json. */
export async function solve(o: SolveOptions): Promise<SolveResult> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const mirrors = new Map<string, string>();
  for (const t of o.tasks)
    mirrors.set(t.id, (await mirrorForTask(t, { root: o.cacheRoot, clone: o.clone })).dir);
  const jobs = o.tasks.flatMap((task) =>
    Array.from({ length: o.attempts }, (_, i) => ({ task, attempt: i + 1 })),
  );
  const queue = new PQueue({ concurrency: Math.max(1, o.concurrency) });
  const records = new Map<string, AttemptRecord>();
  let done = 0;
  let stopped: string | null = null;
  await Promise.all(
    jobs.map((j) =>
      queue.add(async () => {
        if (stopped) return;
        const a: AttemptOptions = {
          task: j.task,
          adapter: o.adapter,
          mirror: mirrors.get(j.task.id) as string,
          runDir: o.runDir,
          attempt: j.attempt,
          model: o.model,
          options: o.options,
          budgets: o.budgets,
          apiKey: o.apiKey,
          apiKeyEnv: o.apiKeyEnv,
          binary: o.binary,
          agentVersion: o.agentVersion,
          hintLevel: o.hintLevel,
          attemptRetries: o.attemptRetries,
          backoffMs: o.backoffMs,
          keepWorkspace: o.keepWorkspace,
        };
        const r = await runAttempt(a);
        records.set(`${j.task.id}#${j.attempt}`, r);
        // the user's configuration fails every attempt the same way: none more is started
        if (r.outcome.kind === 'config_error' && !stopped) {
          stopped = r.outcome.detail;
          queue.clear();
        }
        done++;
        o.onAttempt?.(r, done, jobs.length);
      }),
    ),
  );
  const ordered = jobs
    .map((j) => records.get(`${j.task.id}#${j.attempt}`))
    .filter((r): r is AttemptRecord => r !== undefined);
  const lines: string[] = [];
  for (const r of ordered) {
    const dir = attemptDir(o.runDir, o.adapter.name, r.task, r.attempt);
    lines.push((await readFile(join(dir, 'prediction.jsonl'), 'utf8')).trim());
  }
  const predictions = join(o.runDir, 'predictions.jsonl');
  await writeFileAtomic(predictions, lines.length ? `${lines.join('\n')}\n` : '');
  const outcomes: Partial<Record<OutcomeKind, number>> = {};
  for (const r of ordered) outcomes[r.outcome.kind] = (outcomes[r.outcome.kind] ?? 0) + 1;
  const summary: SolveSummary = {
    schemaVersion: AGENT_RECORD_VERSION,
    agent: o.adapter.name,
    model: o.model,
    attempts: o.attempts,
    tasks: o.tasks.map((t) => t.id),
    outcomes,
    patches: ordered.filter((r) => r.patch.status === 'ok').length,
    startedAt,
    durationMs: performance.now() - t0,
    predictions: 'predictions.jsonl',
    stopped,
    notStarted: jobs.length - ordered.length,
    records: ordered.map((r) => ({
      task: r.task,
      attempt: r.attempt,
      outcome: r.outcome.kind,
      patch: r.patch.status,
      path: attemptDir('', o.adapter.name, r.task, r.attempt).replace(/^\//, ''),
    })),
  };
  await writeFileAtomic(join(o.runDir, 'solve.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return { records: ordered, summary };
}
