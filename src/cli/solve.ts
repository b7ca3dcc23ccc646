/**
 * `isobench solve`: runs an agent on tasks (fresh workspace per attempt, budgets, the harness's own
 * patch) and writes the run folder with a predictions JSONL that `isobench run --predictions` reads.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { resolveAgent } from '../../agents/index.js';
import { attemptDir } from '../agent/attempt.js';
import { attemptKey } from '../agent/credentials.js';
import { ensureInstalled } from '../agent/install.js';
import { solve } from '../agent/solve.js';
import type { AgentAdapter } from '../agent/types.js';
import { KEY_ENV } from '../agent/types.js';
import { budgetsGiven, type SolveCliOptions } from '../run/options.js';
import { defaultTasksDir, findTask, loadTasks, noTaskMessage } from '../task/loader.js';
import type { TaskSpec } from '../task/schema.js';
import { runStamp } from '../util/run-stamp.js';
import { err, out, outJson, UsageError } from './common.js';
import { attemptsExitCode } from './run-exit.js';

/** `--option key=value`: the value is JSON when it parses as JSON, else a string. */
function parseOptions(list: readonly string[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`--option must be key=value, got '${kv}'`);
    const v = kv.slice(i + 1);
    try {
      out[kv.slice(0, i)] = JSON.parse(v);
    } catch {
      out[kv.slice(0, i)] = v;
    }
  }
  return out;
}

/** `isobench solve`. */
export async function solveCmd(opts: SolveCliOptions): Promise<number> {
  let adapter: AgentAdapter;
  try {
    adapter = await resolveAgent(opts.agent);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const options = parseOptions(opts.option);
  if (opts.baseUrl) options.baseUrl = opts.baseUrl;
  const check = adapter.optionsSchema.safeParse(options);
  if (!check.success) {
    const i = check.error.issues[0];
    throw new UsageError(`--option for ${adapter.name}: ${i?.path.join('.') || '(root)'}: ${i?.message}`);
  }
  const provider = adapter.provider ?? (options.provider as 'anthropic' | 'openai' | undefined) ?? null;
  const keyEnv = opts.apiKeyEnv ?? (provider ? KEY_ENV[provider] : undefined);
  // with a base URL and no key, the placeholder: a local server needs none, the CLI insists on one
  const apiKey = attemptKey(keyEnv, opts.baseUrl);
  if (keyEnv && !apiKey)
    throw new UsageError(
      `${adapter.name} needs an API key in $${keyEnv} (or --api-key-env VAR, or --base-url for a local server)`,
    );
  if (!opts.model) throw new UsageError('--model is required (the model label the agent is asked to use)');
  const catalogue = await loadTasks(resolve(opts.tasksDir ?? defaultTasksDir()));
  const keys = (opts.tasks ?? 'demo/cpu-latency,demo/cpu-serving')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const tasks: TaskSpec[] = [];
  for (const k of keys) {
    const t = findTask(catalogue.tasks, k) ?? null;
    if (!t) throw new UsageError(noTaskMessage(k, catalogue.tasks, catalogue.dir));
    tasks.push(t);
  }
  // an agent sees the parent only; the clone must hold it (named early, never a raw git error)
  const { cloneProblems } = await import('../workspace/clone.js');
  const cloneBad = await cloneProblems(opts.repo ? resolve(opts.repo) : undefined, tasks, ['parent']);
  if (cloneBad.length) throw new UsageError(cloneBad.join('\n'));
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
  const { records, summary } = await solve({
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
    onAttempt: (r, done, total) => {
      if (opts.json) return;
      const p =
        r.patch.status === 'ok'
          ? `patch ${r.patch.files} file(s) +${r.patch.added} -${r.patch.removed}`
          : 'no patch';
      const cost = r.usage.costUsd !== null ? `, $${r.usage.costUsd.toFixed(4)}` : '';
      out(
        `  [${done}/${total}] ${r.task} #${r.attempt}: ${r.outcome.kind} (${p}, ${r.usage.turns ?? '?'} turns${cost}, ${(r.durationMs / 1000).toFixed(1)} s)${r.outcome.kind === 'completed' ? '' : ` — ${r.outcome.detail}`}`,
      );
    },
  });
  if (opts.json) outJson({ ...summary, runDir });
  else {
    out(
      `outcomes: ${Object.entries(summary.outcomes)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}; patches: ${summary.patches}/${records.length}`,
    );
    out(
      `predictions: ${join(runDir, 'predictions.jsonl')} (isobench run --predictions ${join(runDir, 'predictions.jsonl')})`,
    );
  }
  if (summary.stopped)
    err(
      `isobench: configuration error: ${summary.stopped}\nisobench: ${summary.notStarted} attempt(s) were not started (every one would fail the same way)`,
    );
  // each attempt that did not complete, by name, on stderr
  for (const r of records.filter((x) => x.outcome.kind !== 'completed'))
    err(
      `isobench: ${r.task} #${r.attempt}: ${r.outcome.kind}: ${r.outcome.detail.split('\n')[0]?.slice(0, 240)} (${join(attemptDir(runDir, adapter.name, r.task, r.attempt), 'outcome.json')})`,
    );
  if (records.some((r) => r.outcome.kind === 'infra'))
    err('isobench: attempts that failed for infrastructure reasons do not count against the agent');
  return attemptsExitCode(
    records.map((r) => r.outcome.kind),
    { notStarted: summary.notStarted },
  );
}
