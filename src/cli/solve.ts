/**
 * `isobench solve`: runs an agent on tasks (fresh workspace per attempt, budgets, the harness's own
 * patch) and writes the run folder with a predictions JSONL that `isobench run --predictions` reads.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { resolveAgent } from '../../agents/index.js';
import { type AttemptRecord, attemptDir } from '../agent/attempt.js';
import { attemptKey } from '../agent/credentials.js';
import { ensureInstalled } from '../agent/install.js';
import { type SolveResult, solve } from '../agent/solve.js';
import type { AgentAdapter } from '../agent/types.js';
import { KEY_ENV } from '../agent/types.js';
import { checkedAgentOptions, costBudgetCheck, pricesGiven, proxyCheck } from '../run/agent-specs.js';
import { budgetsGiven, type SolveCliOptions } from '../run/options.js';
import { defaultTasksDir, loadTasks, tasksNamed } from '../task/loader.js';
import type { TaskSpec } from '../task/schema.js';
import { errorMessage } from '../util/errors.js';
import { runStamp } from '../util/run-stamp.js';
import { err, out, outJson, UsageError } from './common.js';
import { attemptsExitCode } from './run-exit.js';

/** The agent of `solve`: its adapter, its checked options and provider, and the key it gets (never stored). */
async function solveAgent(opts: SolveCliOptions) {
  let adapter: AgentAdapter;
  try {
    adapter = await resolveAgent(opts.agent);
  } catch (e) {
    throw new UsageError(errorMessage(e));
  }
  const given = [
    ...(opts.option ?? []),
    ...(opts.baseUrl ? [`baseUrl=${JSON.stringify(opts.baseUrl)}`] : []),
  ];
  const { options, provider } = checkedAgentOptions(adapter, opts.agent, given);
  proxyCheck(opts.usageProxy, options, opts.agent, '--base-url URL');
  // the --prices file read once: the budget check now, the attempts later
  const prices = await pricesGiven(opts.prices);
  costBudgetCheck({ ...opts, prices }, adapter, options, opts.model ?? '', opts.agent);
  const keyEnv = opts.apiKeyEnv ?? (provider ? KEY_ENV[provider] : undefined);
  // with a base URL and no key, the placeholder: a local server needs none, the CLI insists on one
  const apiKey = attemptKey(keyEnv, opts.baseUrl);
  if (keyEnv && !apiKey)
    throw new UsageError(
      `${adapter.name} needs an API key in $${keyEnv} (or --api-key-env VAR, or --base-url for a local server)`,
    );
  return { adapter, options, keyEnv, apiKey, prices };
}

/** `--tasks`, each found in the catalogue, and a clone (when given) that holds each one's parent. */
async function solveTasks(opts: SolveCliOptions): Promise<TaskSpec[]> {
  const catalogue = await loadTasks(resolve(opts.tasksDir ?? defaultTasksDir()));
  const tasks = tasksNamed(catalogue.tasks, catalogue.dir, opts.tasks ?? 'demo/cpu-latency,demo/cpu-serving');
  // an agent sees the parent only; the clone must hold it (named early, never a raw git error)
  const { cloneProblems } = await import('../workspace/clone.js');
  const cloneBad = await cloneProblems(opts.repo ? resolve(opts.repo) : undefined, tasks, ['parent']);
  if (cloneBad.length) throw new UsageError(cloneBad.join('\n'));
  return tasks;
}

/** One finished attempt, as a progress line. */
function attemptLine(r: AttemptRecord, done: number, total: number): string {
  const p =
    r.patch.status === 'ok'
      ? `patch ${r.patch.files} file(s) +${r.patch.added} -${r.patch.removed}`
      : 'no patch';
  const cost = r.usage.costUsd !== null ? `, $${r.usage.costUsd.toFixed(4)}` : '';
  return `  [${done}/${total}] ${r.task} #${r.attempt}: ${r.outcome.kind} (${p}, ${r.usage.turns ?? '?'} turns${cost}, ${(r.durationMs / 1000).toFixed(1)} s)${r.outcome.kind === 'completed' ? '' : ` — ${r.outcome.detail}`}`;
}

/** The outcomes and the predictions file (or the JSON summary); on stderr, each attempt that did not complete. */
function reportSolved(solved: SolveResult, runDir: string, agent: string, json: boolean | undefined): void {
  const { records, summary } = solved;
  if (json) outJson({ ...summary, runDir });
  else {
    const outcomes = Object.entries(summary.outcomes).map(([k, n]) => `${k} ${n}`);
    out(`outcomes: ${outcomes.join(', ')}; patches: ${summary.patches}/${records.length}`);
    const predictions = join(runDir, 'predictions.jsonl');
    out(`predictions: ${predictions} (isobench run --predictions ${predictions})`);
  }
  if (summary.stopped)
    err(
      `isobench: configuration error: ${summary.stopped}\nisobench: ${summary.notStarted} attempt(s) were not started (every one would fail the same way)`,
    );
  for (const r of records.filter((x) => x.outcome.kind !== 'completed'))
    err(
      `isobench: ${r.task} #${r.attempt}: ${r.outcome.kind}: ${r.outcome.detail.split('\n')[0]?.slice(0, 240)} (${join(attemptDir(runDir, agent, r.task, r.attempt), 'outcome.json')})`,
    );
  if (records.some((r) => r.outcome.kind === 'infra'))
    err('isobench: attempts that failed for infrastructure reasons do not count against the agent');
}

/** `isobench solve`. */
export async function solveCmd(opts: SolveCliOptions): Promise<number> {
  if (!opts.model) throw new UsageError('--model is required (the model label the agent is asked to use)');
  const { adapter, options, keyEnv, apiKey, prices } = await solveAgent(opts);
  const tasks = await solveTasks(opts);
  const installed = await ensureInstalled(adapter, { root: opts.cache, binary: opts.binary }).catch(
    (e: Error) => {
      throw new UsageError(e.message);
    },
  );
  const runId = opts.runId ?? `${runStamp()}-${randomBytes(3).toString('hex')}`;
  const runDir = join(resolve(opts.out ?? join(process.cwd(), 'results', 'runs')), runId);
  const { attempts } = opts;
  if (!opts.json)
    out(
      `isobench solve ${runId}: ${adapter.name} (${installed.version ?? 'unpinned'}) with ${opts.model} on ${tasks.length} task(s) × ${attempts} attempt(s)`,
    );
  const solved = await solve({
    tasks,
    adapter,
    model: opts.model,
    attempts,
    concurrency: opts.concurrency,
    runDir,
    budgets: budgetsGiven(opts),
    options,
    apiKey,
    apiKeyEnv: keyEnv ?? null,
    binary: installed.binary,
    agentVersion: installed.version,
    hintLevel: opts.hint,
    clone: opts.repo ? resolve(opts.repo) : undefined,
    cacheRoot: opts.cache,
    keepWorkspace: opts.keepWorkspace,
    usageProxy: opts.usageProxy,
    prices,
    onAttempt: (r, done, total) => {
      if (!opts.json) out(attemptLine(r, done, total));
    },
  });
  reportSolved(solved, runDir, adapter.name, opts.json);
  return attemptsExitCode(
    solved.records.map((r) => r.outcome.kind),
    { notStarted: solved.summary.notStarted },
  );
}
