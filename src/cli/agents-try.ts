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
import { type ScriptedEdit, startScriptedServer, TOP_K_HEAP_EDIT } from '../agent/scripted-server.js';
import { createExecutor } from '../executor/index.js';
import { runsRoot } from '../run/resume.js';
import { checkRunConfig } from '../store/config.js';
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
  json?: boolean;
}

/** `agents try NAME|SPEC`. */
export async function agentsTry(name: string, opts: AgentsTryOptions): Promise<number> {
  const adapter = await adapterOf(name);
  if (!adapter.smoke)
    throw new UsageError(
      `${adapter.name} has no scripted driver: it cannot be tried against the scripted model`,
    );
  const smoke = adapter.smoke;
  const catalogue = await loadTasks(resolve(opts.tasksDir ?? defaultTasksDir()));
  const task = findTask(catalogue.tasks, opts.task);
  if (!task) throw new UsageError(noTaskMessage(opts.task, catalogue.tasks, catalogue.dir, '--task'));
  const edit = TRY_EDITS[task.id];
  if (!edit)
    throw new UsageError(
      `--task: ${task.id} is not a demo task the scripted model knows a fix for (${Object.keys(TRY_EDITS).join(', ')})`,
    );
  const cacheRoot = opts.cache ?? defaultCacheRoot();
  const installed = await ensureInstalled(adapter, { root: cacheRoot, binary: opts.binary }).catch(
    (e: Error) => {
      throw new UsageError(`${adapter.name}: ${e.message}`);
    },
  );
  const runId = `try-${adapter.name}-${runStamp()}`;
  const outDir = runsRoot(opts.out);
  const runDir = join(outDir, runId);
  const workspace = join(attemptDir(runDir, adapter.name, task.id, 1), 'workspace');
  const server = await startScriptedServer(
    smoke.script({ workspace, file: edit.path, old: edit.old_string, new: edit.new_string }),
  );
  try {
    const config = checkRunConfig({
      runId,
      outDir,
      args: ['agents', 'try', name, '--task', task.id],
      tasks: [task.id],
      executor: 'local',
      bench: {
        repeats: opts.repeats,
        warmup: 0,
        thresholdPct: RUN_DEFAULTS.thresholdPct,
        tamperPolicy: { refuseAt: 'fail' },
      },
      agents: [
        {
          name: adapter.name,
          ref: name === adapter.name ? undefined : resolve(name),
          model: smoke.model ?? 'isobench-scripted',
          options: smoke.options(server.url),
          // a variable nobody sets: the placeholder key goes to the scripted server, never a real one
          apiKeyEnv: adapter.provider ? 'ISOBENCH_TRY_NO_KEY' : null,
          provider: adapter.provider,
          binary: installed.binary ?? undefined,
          budgets: { timeMin: 5, maxTurns: 10 },
        },
      ],
      attempts: 1,
      agentSettings: { cacheRoot, infraRetries: 0, backoffMs: 0 },
      benchRetries: { retries: 0, backoffMs: 0 },
      retryInfra: false,
      caps: {},
    });
    if (!opts.json)
      out(
        `isobench agents try ${adapter.name} on ${task.id}: the scripted model at ${server.url} (no API key), then ${opts.repeats} measured rounds of baseline, human and agent`,
      );
    const { runEvaluation } = await import('../run/evaluate.js');
    const result = await runEvaluation({
      config,
      tasks: [task],
      patches: new Map(),
      executor: await createExecutor('local'),
    });
    const attempt = result.attempts[0];
    const row = result.extended[0];
    const patch = await readFile(
      join(attemptDir(runDir, adapter.name, task.id, 1), 'patch.diff'),
      'utf8',
    ).catch(() => '');
    if (opts.json) {
      outJson({
        schemaVersion: 1,
        runDir,
        agent: adapter.name,
        task: task.id,
        outcome: attempt?.record?.outcome ?? null,
        patch,
        effort: row?.effort ?? null,
        verdict: row?.verdict ?? null,
        verdictReason: row?.verdictReason ?? null,
        requests: server.requests.length,
      });
    } else {
      const o = attempt?.record?.outcome;
      out(`\nattempt: ${o ? `${o.kind}: ${o.detail}` : (attempt?.error ?? 'not run')}`);
      out(`the scripted model answered ${server.requests.length} request(s)`);
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
    const ok = attempt?.record?.outcome.kind === 'completed' && patch !== '' && row !== undefined;
    return ok ? EXIT.ok : EXIT.findings;
  } finally {
    await server.close();
  }
}
