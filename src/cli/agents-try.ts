/**
 * `isobench agents try NAME|SPEC [--task demo/cpu-latency]`: an agent, real and unchanged, solves a
 * demo task against isobench's scripted model server on 127.0.0.1 — no API key, no network — and
 * the patch it made is measured like any other: baseline, human and agent, interleaved, graded. It
 * prints the patch, the effort and the verdict, and leaves a run folder whose leaderboard has the
 * agent's line. The scripted model makes the human's kind of fix through the agent's own edit tool
 * (a command agent declares it in its spec's `scriptedEdit`).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { attemptDir } from '../agent/attempt.js';
import { ensureInstalled } from '../agent/install.js';
import {
  type ScriptedEdit,
  type ScriptedServer,
  startScriptedServer,
  TOP_K_HEAP_EDIT,
} from '../agent/scripted-server.js';
import { isProvider } from '../agent/types.js';
import { createExecutor } from '../executor/index.js';
import type { EvaluationResult } from '../run/evaluate.js';
import { runsRoot } from '../run/resume.js';
import { checkRunConfig, type RunConfig } from '../store/config.js';
import { defaultTasksDir, findTask, loadTasks, noTaskMessage } from '../task/loader.js';
import { RUN_DEFAULTS } from '../util/defaults.js';
import { runStamp } from '../util/run-stamp.js';
import { defaultCacheRoot } from '../workspace/repo-cache.js';
import { adapterOf } from './agents.js';
import { EXIT, out, outJson, UsageError } from './common.js';

/** The demo serving task's fix as an edit: the character loop in `tokenize` becomes one slice per token. */
const TOKENIZE_SLICE_EDIT: ScriptedEdit = {
  path: 'engine/tokenizer.py',
  old_string:
    '    tokens = []\n    rest = text\n    while rest:\n        tokens.append(rest[:TOKEN_CHARS])\n        rest = rest[TOKEN_CHARS:]\n    return tokens',
  new_string: '    return [text[i : i + TOKEN_CHARS] for i in range(0, len(text), TOKEN_CHARS)]',
};

/** The edit the scripted model asks for, per demo task. */
const TRY_EDITS: Readonly<Record<string, ScriptedEdit>> = {
  'demo/cpu-latency': TOP_K_HEAP_EDIT,
  'demo/cpu-serving': TOKENIZE_SLICE_EDIT,
};

/** Options of `agents try`. */
export interface AgentsTryOptions {
  task: string;
  repeats: number;
  out?: string;
  cache?: string;
  binary?: string;
  tasksDir?: string;
  usageProxy?: boolean;
  json?: boolean;
}

/** What `agents try` runs: the adapter and its scripted driver, the demo task and the fix the scripted model asks for. */
async function tryTarget(name: string, opts: AgentsTryOptions) {
  const adapter = await adapterOf(name);
  const smoke = adapter.smoke;
  if (!smoke)
    throw new UsageError(
      `${adapter.name} has no scripted driver: it cannot be tried against the scripted model`,
    );
  const catalogue = await loadTasks(resolve(opts.tasksDir ?? defaultTasksDir()));
  const task = findTask(catalogue.tasks, opts.task);
  if (!task) throw new UsageError(noTaskMessage(opts.task, catalogue.tasks, catalogue.dir, '--task'));
  const edit = TRY_EDITS[task.id];
  if (!edit)
    throw new UsageError(
      `--task: ${task.id} is not a demo task the scripted model knows a fix for (${Object.keys(TRY_EDITS).join(', ')})`,
    );
  return { adapter, smoke, task, edit };
}

type TryTarget = Awaited<ReturnType<typeof tryTarget>>;

/** The one-attempt, local run of the tried agent against the scripted server at `serverUrl`. */
function tryConfig(
  name: string,
  t: TryTarget,
  where: {
    runId: string;
    outDir: string;
    cacheRoot: string;
    binary: string | null;
    serverUrl: string;
    usageProxy?: boolean;
  },
  repeats: number,
): RunConfig {
  const options = t.smoke.options(where.serverUrl);
  const provider = t.adapter.provider ?? (isProvider(options.provider) ? options.provider : null);
  return checkRunConfig({
    runId: where.runId,
    outDir: where.outDir,
    args: ['agents', 'try', name, '--task', t.task.id],
    tasks: [t.task.id],
    executor: 'local',
    bench: {
      repeats,
      warmup: 0,
      thresholdPct: RUN_DEFAULTS.thresholdPct,
      tamperPolicy: { refuseAt: 'fail' },
    },
    agents: [
      {
        name: t.adapter.name,
        ref: name === t.adapter.name ? undefined : resolve(name),
        model: t.smoke.model ?? 'isobench-scripted',
        options,
        // a variable nobody sets: the placeholder key goes to the scripted server, never a real one
        apiKeyEnv: provider ? 'ISOBENCH_TRY_NO_KEY' : null,
        provider,
        binary: where.binary ?? undefined,
        budgets: { timeMin: 5, maxTurns: 10 },
        usageProxy: where.usageProxy,
      },
    ],
    attempts: 1,
    agentSettings: { cacheRoot: where.cacheRoot, infraRetries: 0, backoffMs: 0 },
    benchRetries: { retries: 0, backoffMs: 0 },
    retryInfra: false,
    caps: {},
  });
}

/** What the try gave: the attempt, its patch, its row, and how many requests the scripted model answered. */
interface Tried {
  readonly attempt: EvaluationResult['attempts'][number] | undefined;
  readonly row: EvaluationResult['extended'][number] | undefined;
  readonly patch: string;
  readonly requests: number;
  /** the tokens the scripted model served, by its own count (what the usage proxy must agree with) */
  readonly served: ScriptedServer['served'];
}

function printTried(t: TryTarget, runDir: string, r: Tried, json: boolean | undefined): void {
  const { attempt, row, patch } = r;
  if (json) {
    outJson({
      schemaVersion: 1,
      runDir,
      agent: t.adapter.name,
      task: t.task.id,
      outcome: attempt?.record?.outcome ?? null,
      patch,
      effort: row?.effort ?? null,
      verdict: row?.verdict ?? null,
      verdictReason: row?.verdictReason ?? null,
      requests: r.requests,
      served: r.served,
    });
    return;
  }
  const o = attempt?.record?.outcome;
  out(`\nattempt: ${o ? `${o.kind}: ${o.detail}` : (attempt?.error ?? 'not run')}`);
  out(
    `the scripted model answered ${r.requests} request(s), serving ${r.served.inputTokens} input and ${r.served.outputTokens} output tokens`,
  );
  out(patch ? `\npatch:\n${patch.trimEnd()}` : '\npatch: (none)');
  const e = row?.effort;
  if (e)
    out(
      `\neffort: ${e.turns ?? '?'} turns, ${e.toolCalls ?? '?'} tool calls, tokens in/out ${e.inputTokens ?? '?'}/${e.outputTokens ?? '?'}, ${(e.wallMs / 1000).toFixed(1)} s, agent ${e.agentVersion ?? '?'}, model reported ${e.modelReported ?? '?'}`,
    );
  out(
    row
      ? `verdict: ${row.verdict ?? row.failureClass ?? '-'}${row.verdictReason ? ` (${row.verdictReason})` : ''}`
      : 'verdict: none (nothing was measured)',
  );
  out(`\nrun folder: ${runDir}\nleaderboard: isobench leaderboard ${runDir}`);
}

/** `agents try NAME|SPEC`. */
export async function agentsTry(name: string, opts: AgentsTryOptions): Promise<number> {
  const t = await tryTarget(name, opts);
  const cacheRoot = opts.cache ?? defaultCacheRoot();
  const installed = await ensureInstalled(t.adapter, { root: cacheRoot, binary: opts.binary }).catch(
    (e: Error) => {
      throw new UsageError(`${t.adapter.name}: ${e.message}`);
    },
  );
  const runId = `try-${t.adapter.name}-${runStamp()}`;
  const outDir = runsRoot(opts.out);
  const runDir = join(outDir, runId);
  const attemptFolder = attemptDir(runDir, t.adapter.name, t.task.id, 1);
  const server = await startScriptedServer(
    t.smoke.script({
      workspace: join(attemptFolder, 'workspace'),
      file: t.edit.path,
      old: t.edit.old_string,
      new: t.edit.new_string,
    }),
  );
  try {
    const where = {
      runId,
      outDir,
      cacheRoot,
      binary: installed.binary,
      serverUrl: server.url,
      usageProxy: opts.usageProxy,
    };
    const config = tryConfig(name, t, where, opts.repeats);
    if (!opts.json)
      out(
        `isobench agents try ${t.adapter.name} on ${t.task.id}: the scripted model at ${server.url} (no API key), then ${opts.repeats} measured rounds of baseline, human and agent`,
      );
    const { runEvaluation } = await import('../run/evaluate.js');
    const executor = await createExecutor('local');
    const result = await runEvaluation({ config, tasks: [t.task], patches: new Map(), executor });
    // no patch file: the attempt made none
    const patch = await readFile(join(attemptFolder, 'patch.diff'), 'utf8').catch(() => '');
    const tried: Tried = {
      attempt: result.attempts[0],
      row: result.extended[0],
      patch,
      requests: server.requests.length,
      served: { ...server.served },
    };
    printTried(t, runDir, tried, opts.json);
    const ok = tried.attempt?.record?.outcome.kind === 'completed' && patch !== '' && tried.row !== undefined;
    return ok ? EXIT.ok : EXIT.findings;
  } finally {
    await server.close();
  }
}
