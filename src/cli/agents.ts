/**
 * `isobench agents list|install|doctor|prompt`: what agents there are, installing their pinned
 * versions, checking that each really runs headless (a scripted edit through the real agent against
 * a model server on 127.0.0.1, no API key needed), and showing the prompt an agent gets.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { knownAgents, resolveAgent } from '../../agents/index.js';
import { attemptDir, runAttempt } from '../agent/attempt.js';
import { ensureInstalled } from '../agent/install.js';
import { renderPrompt } from '../agent/prompt.js';
import { startScriptedServer } from '../agent/scripted-server.js';
import type { AgentAdapter } from '../agent/types.js';
import { defaultTasksDir, findTask, loadTasks, noTaskMessage } from '../task/loader.js';
import { errorMessage } from '../util/errors.js';
import { defaultCacheRoot, mirrorForTask } from '../workspace/repo-cache.js';
import { columns, EXIT, out, outJson, UsageError } from './common.js';

/** The adapter of an agent name or spec path; an unknown one is bad input. */
export async function adapterOf(name: string): Promise<AgentAdapter> {
  try {
    return await resolveAgent(name);
  } catch (e) {
    throw new UsageError(errorMessage(e));
  }
}

function pinned(a: AgentAdapter): string {
  const r = a.install;
  return r.kind === 'npm'
    ? `${r.package}@${r.version}`
    : r.kind === 'manual'
      ? `${r.bin} (${r.version}, by hand)`
      : 'built in';
}

/** `agents list`. */
export async function agentsList(opts: { json?: boolean; cache?: string }): Promise<number> {
  const rows: Array<{ agent: string; provider: string; pinned: string; installed: string }> = [];
  for (const name of knownAgents()) {
    const a = await adapterOf(name);
    const installed = await ensureInstalled(a, { check: true, root: opts.cache }).then(
      (i) => (i.binary ? i.binary : 'nothing to install'),
      (e: Error) => `no: ${e.message.split('.')[0]}`,
    );
    rows.push({ agent: name, provider: a.provider ?? 'per options', pinned: pinned(a), installed });
  }
  if (opts.json) outJson({ schemaVersion: 1, agents: rows });
  else
    for (const l of columns([
      ['agent', 'provider', 'pinned', 'installed'],
      ...rows.map((r) => [r.agent, r.provider, r.pinned, r.installed]),
    ]))
      out(l);
  return EXIT.ok;
}

/** `agents install NAME...`. */
export async function agentsInstall(
  names: string[],
  opts: { cache?: string; json?: boolean },
): Promise<number> {
  const results = [];
  for (const name of names) {
    const a = await adapterOf(name);
    if (a.install.kind === 'manual') {
      // not found: the line says how to install it
      const found = await ensureInstalled(a, { root: opts.cache }).catch(() => null);
      results.push({
        agent: name,
        ok: found !== null,
        detail: found ? `found ${found.binary}` : a.install.instructions,
      });
      continue;
    }
    const i = await ensureInstalled(a, { root: opts.cache });
    results.push({
      agent: name,
      ok: true,
      detail: i.binary ? `${i.installedNow ? 'installed' : 'already installed'}: ${i.binary}` : 'built in',
    });
  }
  if (opts.json) outJson({ schemaVersion: 1, results });
  else for (const r of results) out(`${r.agent}: ${r.ok ? '' : 'NOT INSTALLED: '}${r.detail}`);
  return results.every((r) => r.ok) ? EXIT.ok : EXIT.findings;
}

/** `agents doctor [NAME...]`. */
export async function agentsDoctor(
  names: string[],
  opts: { cache?: string; binary?: string; install?: boolean; json?: boolean; tasksDir?: string },
): Promise<number> {
  const list = names.length ? names : knownAgents();
  const { tasks } = await loadTasks(resolve(opts.tasksDir ?? defaultTasksDir()));
  const task = tasks.find((t) => t.id === 'demo/cpu-latency');
  if (!task) throw new UsageError('the demo task demo/cpu-latency is missing from the catalogue');
  const cacheRoot = opts.cache ?? defaultCacheRoot();
  const mirror = (await mirrorForTask(task, { root: cacheRoot })).dir;
  const results: Array<{ agent: string; ok: boolean; detail: string }> = [];
  for (const name of list) {
    const a = await adapterOf(name);
    let binary: string | null = null;
    let version: string | null = null;
    try {
      const i = await ensureInstalled(a, {
        root: cacheRoot,
        binary: names.length === 1 ? opts.binary : undefined,
        check: !opts.install,
      });
      binary = i.binary;
      version = i.version;
    } catch (e) {
      results.push({ agent: name, ok: false, detail: errorMessage(e) });
      continue;
    }
    if (!a.smoke) {
      results.push({
        agent: name,
        ok: true,
        detail: `installed (${binary ?? 'built in'}); no scripted smoke run for this agent`,
      });
      continue;
    }
    const runDir = await mkdtemp(join(tmpdir(), 'isobench-doctor-'));
    const workspace = join(attemptDir(runDir, a.name, task.id, 1), 'workspace');
    const edit = {
      workspace,
      file: 'engine/sampler.py',
      old: 'def top_k(scores, k):',
      new: 'def top_k(scores, k):  # isobench doctor',
    };
    const server = await startScriptedServer(a.smoke.script(edit));
    try {
      const r = await runAttempt({
        task,
        adapter: a,
        mirror,
        runDir,
        attempt: 1,
        model: a.smoke.model ?? 'isobench-doctor',
        options: a.smoke.options(server.url),
        apiKey: 'sk-isobench-doctor-not-a-key',
        binary,
        agentVersion: version,
        budgets: { timeMin: 3, maxTurns: 10 },
        attemptRetries: 0,
      });
      const ok = r.outcome.kind === 'completed' && r.patch.status === 'ok';
      const saw = `the scripted model answered ${server.requests.length} request(s); usage read: ${r.usage.inputTokens ?? '?'} tokens in, ${r.usage.turns ?? '?'} turns`;
      results.push({
        agent: name,
        ok,
        detail: ok
          ? `ok: a scripted edit became a ${r.patch.files}-file patch (version ${r.agentVersion ?? '?'}, ${r.usage.turns ?? '?'} turns, ${(r.durationMs / 1000).toFixed(1)} s; ${saw})`
          : r.outcome.kind === 'completed' && server.requests.length > 0
            ? `FAILED: it ran headless and ended by itself (${saw}) but made no edit: a command agent's spec declares scriptedEdit (its edit tool and arguments) for the scripted model to drive one (logs: ${attemptDir(runDir, a.name, task.id, 1)})`
            : `FAILED: ${r.outcome.kind}: ${r.outcome.detail} (${saw}; logs: ${attemptDir(runDir, a.name, task.id, 1)})`,
      });
      if (ok) await rm(runDir, { recursive: true, force: true });
    } finally {
      await server.close();
    }
  }
  if (opts.json) outJson({ schemaVersion: 1, results });
  else for (const r of results) out(`${r.agent}: ${r.detail}`);
  return results.every((r) => r.ok) ? EXIT.ok : EXIT.findings;
}

/** `agents prompt TASK`. */
export async function agentsPrompt(
  key: string,
  opts: { hint?: 'none' | 'files'; timeMin: number; tasksDir?: string; json?: boolean },
): Promise<number> {
  const { tasks, dir } = await loadTasks(resolve(opts.tasksDir ?? defaultTasksDir()));
  const t = findTask(tasks, key) ?? null;
  if (!t) throw new UsageError(noTaskMessage(key, tasks, dir, 'agents prompt'));
  const p = renderPrompt(t, { workspace: '<workspace>', timeBudgetMin: opts.timeMin, hintLevel: opts.hint });
  if (opts.json) outJson({ schemaVersion: 1, task: t.id, ...p });
  else process.stdout.write(p.text);
  return EXIT.ok;
}
