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
import type { PriceTable } from '../store/usage.js';
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
  /** measure usage at the model API (AttemptOptions.usageProxy) */
  readonly usageProxy?: boolean;
  /** the price table (AttemptOptions.prices) */
  readonly prices?: PriceTable;
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

/** One attempt to run: the task, its number, the mirror its workspace is cloned from. */
interface Planned {
  readonly task: TaskSpec;
  readonly attempt: number;
  readonly mirror: string;
}

/** Runs every attempt; returns the records (in task, attempt order) and writes predictions.jsonl and solve.json. */
export async function solve(o: SolveOptions): Promise<SolveResult> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const planned: Planned[] = [];
  for (const task of o.tasks) {
    const mirror = (await mirrorForTask(task, { root: o.cacheRoot, clone: o.clone })).dir;
    for (let attempt = 1; attempt <= o.attempts; attempt++) planned.push({ task, attempt, mirror });
  }
  const { records, stopped } = await runAttempts(o, planned);
  await writePredictions(o, records);
  const outcomes: Partial<Record<OutcomeKind, number>> = {};
  for (const r of records) outcomes[r.outcome.kind] = (outcomes[r.outcome.kind] ?? 0) + 1;
  const summary: SolveSummary = {
    schemaVersion: AGENT_RECORD_VERSION,
    agent: o.adapter.name,
    model: o.model,
    attempts: o.attempts,
    tasks: o.tasks.map((t) => t.id),
    outcomes,
    patches: records.filter((r) => r.patch.status === 'ok').length,
    startedAt,
    durationMs: performance.now() - t0,
    predictions: 'predictions.jsonl',
    stopped,
    notStarted: planned.length - records.length,
    records: records.map((r) => ({
      task: r.task,
      attempt: r.attempt,
      outcome: r.outcome.kind,
      patch: r.patch.status,
      path: attemptDir('', o.adapter.name, r.task, r.attempt).replace(/^\//, ''),
    })),
  };
  await writeFileAtomic(join(o.runDir, 'solve.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return { records, summary };
}

/**
 * Runs the attempts through a queue of `concurrency`; a configuration error stops the rest (every
 * attempt would fail the same way). The records come back in plan order, without those not started.
 */
async function runAttempts(
  o: SolveOptions,
  planned: readonly Planned[],
): Promise<{ records: AttemptRecord[]; stopped: string | null }> {
  const queue = new PQueue({ concurrency: Math.max(1, o.concurrency) });
  const records = new Map<Planned, AttemptRecord>();
  let stopped: string | null = null;
  const one = async (p: Planned) => {
    if (stopped) return;
    const r = await runAttempt(attemptOptions(o, p));
    records.set(p, r);
    if (r.outcome.kind === 'config_error' && !stopped) {
      stopped = r.outcome.detail;
      queue.clear();
    }
    o.onAttempt?.(r, records.size, planned.length);
  };
  await Promise.all(planned.map((p) => queue.add(() => one(p))));
  return { records: planned.flatMap((p) => records.get(p) ?? []), stopped };
}

function attemptOptions(o: SolveOptions, p: Planned): AttemptOptions {
  return {
    task: p.task,
    adapter: o.adapter,
    mirror: p.mirror,
    runDir: o.runDir,
    attempt: p.attempt,
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
    usageProxy: o.usageProxy,
    prices: o.prices,
  };
}

/** The run's predictions.jsonl: each attempt's prediction line, in plan order. */
async function writePredictions(o: SolveOptions, records: readonly AttemptRecord[]): Promise<void> {
  const lines: string[] = [];
  for (const r of records) {
    const dir = attemptDir(o.runDir, o.adapter.name, r.task, r.attempt);
    lines.push((await readFile(join(dir, 'prediction.jsonl'), 'utf8')).trim());
  }
  await writeFileAtomic(join(o.runDir, 'predictions.jsonl'), lines.length ? `${lines.join('\n')}\n` : '');
}
