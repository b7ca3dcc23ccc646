/**
 * What the agent suites share (the contract suite test/contract/agent-contract.ts and the integration
 * tests): a temporary root, the demo task and its mirror, and one attempt of an adapter against a
 * scripted model server (started per attempt, or none for an unreachable API).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type AttemptOptions, type AttemptRecord, attemptDir, runAttempt } from '../../src/agent/attempt.js';
import { type Script, type ScriptedServer, startScriptedServer } from '../../src/agent/scripted-server.js';
import type { AgentAdapter } from '../../src/agent/types.js';
import { loadTasks } from '../../src/task/loader.js';
import type { TaskSpec } from '../../src/task/schema.js';
import { mirrorForTask } from '../../src/workspace/repo-cache.js';
import { TASKS_DIR } from './fixtures.js';

/** The shared state of a suite (filled in its beforeAll). */
export interface AgentHarness {
  readonly root: string;
  task: TaskSpec;
  tasks: TaskSpec[];
  mirror: string;
}

/** Registers the suite's setup and cleanup (KEEP=1 keeps the root for inspection). */
export function agentHarness(prefix: string): AgentHarness {
  const h: AgentHarness = {
    root: mkdtempSync(join(tmpdir(), `isobench-${prefix}-`)),
    task: undefined as never,
    tasks: [],
    mirror: '',
  };
  beforeAll(async () => {
    h.tasks = (await loadTasks(TASKS_DIR)).tasks;
    h.task = h.tasks.find((t) => t.id === 'demo/cpu-latency') as TaskSpec;
    h.mirror = (await mirrorForTask(h.task, { root: join(h.root, 'cache') })).dir;
  }, 120_000);
  afterAll(() =>
    process.env.KEEP ? console.log(`kept ${h.root}`) : rmSync(h.root, { recursive: true, force: true }),
  );
  return h;
}

/** Where an attempt's workspace is (for scripts that need absolute paths). */
export function workspaceOf(h: AgentHarness, name: string, agent: string): string {
  return join(attemptDir(join(h.root, name), agent, h.task.id, 1), 'workspace');
}

/** One attempt of `adapter` in run folder `name`, against `script` (null: nothing listens). */
export async function scriptedAttempt(
  h: AgentHarness,
  adapter: AgentAdapter,
  name: string,
  script: Script | null,
  opts: { options: (url: string) => Record<string, unknown> } & Partial<Omit<AttemptOptions, 'options'>>,
): Promise<{ record: AttemptRecord; runDir: string; dir: string; server: ScriptedServer | null }> {
  const server = script ? await startScriptedServer(script) : null;
  const runDir = join(h.root, name);
  const { options, ...over } = opts;
  try {
    const record = await runAttempt({
      task: h.task,
      adapter,
      mirror: h.mirror,
      runDir,
      attempt: 1,
      model: 'scripted-model',
      binary: null,
      attemptRetries: 0,
      backoffMs: 10,
      ...over,
      options: options(server?.url ?? 'http://127.0.0.1:1'),
    });
    return { record, runDir, dir: attemptDir(runDir, adapter.name, h.task.id, 1), server };
  } finally {
    await server?.close();
  }
}
