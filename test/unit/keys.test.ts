/**
 * Unit keys decide what a rerun or `--resume` reuses: every payload field in the key changes it,
 * every field left out (each with its reason in src/run/keys.ts) does not, and a record of other
 * inputs is redone with the changed settings named.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_KEY_FIELDS, agentKeyInputs, BENCH_KEY_FIELDS, benchKeyInputs } from '../../src/run/keys.js';
import type { AgentPayload, BenchPayload } from '../../src/sched/work.js';
import { needsRun, unitKey, writeUnit } from '../../src/store/units.js';
import { loadTasks } from '../../src/task/loader.js';
import type { TaskSpec } from '../../src/task/schema.js';
import { TASKS_DIR } from '../support/fixtures.js';

let task: TaskSpec;
const root = mkdtempSync(join(tmpdir(), 'isobench-keys-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  task = (await loadTasks(TASKS_DIR)).tasks.find((t) => t.id === 'demo/cpu-latency') as TaskSpec;
});

const bench = (): BenchPayload => ({
  v: 1 as BenchPayload['v'],
  kind: 'bench_job',
  runId: 'r1',
  key: 'k',
  slug: 'demo_cpu-latency',
  task,
  patches: [{ agent: 'a', model: 'm', patch: 'diff --git a/x b/x\n', source: 'p.jsonl:1' }],
  repeats: 5,
  warmup: 1,
  thresholdPct: 5,
});

/** Another value for every bench payload field (the type makes a new field need one). */
const BENCH_OTHER: { readonly [K in keyof Required<BenchPayload>]: (p: BenchPayload) => BenchPayload[K] } = {
  v: () => 2 as never,
  kind: () => 'bench_job',
  runId: () => 'r2',
  key: () => 'other',
  slug: () => 'demo_cpu-latency_a2',
  task: () => ({ ...task, subject: `${task.subject} (edited)` }),
  patches: (p) => [
    ...p.patches,
    { agent: 'b', model: 'm', patch: 'diff --git a/y b/y\n', source: 'p.jsonl:2' },
  ],
  repeats: () => 7,
  warmup: () => 2,
  thresholdPct: () => 10,
  image: () => 'isobench-base:other',
  tamperPolicy: () => ({ refuseAt: 'warn' }),
  accuracy: () => ({ dataset: '/data/qa.jsonl' }),
  buildImagesFrom: () => 'isobench-base:bookworm',
  cache: () => '/cache/models',
  source: () => ({ clone: '/elsewhere/vllm' }),
};

const agent = (): AgentPayload => ({
  v: 1 as AgentPayload['v'],
  kind: 'agent_attempt',
  runId: 'r1',
  key: 'k',
  task,
  agent: 'claude-code',
  model: 'claude-x',
  attempt: 1,
  options: {},
  budgets: {},
  apiKeyEnv: 'ANTHROPIC_API_KEY',
});

const AGENT_OTHER: { readonly [K in keyof Required<AgentPayload>]: (p: AgentPayload) => AgentPayload[K] } = {
  v: () => 2 as never,
  kind: () => 'agent_attempt',
  runId: () => 'r2',
  key: () => 'other',
  task: () => ({ ...task, subject: `${task.subject} (edited)` }),
  agent: () => 'codex',
  agentRef: () => '/specs/agent.json',
  model: () => 'claude-y',
  attempt: () => 2,
  options: () => ({ effort: 'high' }),
  budgets: () => ({ maxTurns: 10 }),
  provider: () => 'anthropic',
  apiKeyEnv: () => 'OTHER_KEY',
  hintLevel: () => 'files',
  binary: () => '/opt/claude',
  clone: () => '/elsewhere/vllm',
  cacheRoot: () => '/cache',
  infraRetries: () => 5,
  backoffMs: () => 1,
  dockerSandboxFrom: () => 'isobench-base:bookworm',
};

describe('unit keys', () => {
  it('a bench job: each field in the key changes it; each left out (with its reason) does not', () => {
    const base = unitKey(benchKeyInputs(bench(), 'local'));
    for (const [field, decision] of Object.entries(BENCH_KEY_FIELDS)) {
      const p = bench();
      const changed = { ...p, [field]: BENCH_OTHER[field as keyof BenchPayload](p) };
      const key = unitKey(benchKeyInputs(changed, 'local'));
      if (decision === 'key') expect(key, field).not.toBe(base);
      else {
        expect(key, field).toBe(base);
        expect(decision.length, `${field} needs a reason`).toBeGreaterThan(10);
      }
    }
    expect(unitKey(benchKeyInputs(bench(), 'docker'))).not.toBe(base);
  });

  it('an agent attempt: each field in the key changes it; each left out does not', () => {
    const base = unitKey(agentKeyInputs(agent()));
    for (const [field, decision] of Object.entries(AGENT_KEY_FIELDS)) {
      const p = agent();
      const changed = { ...p, [field]: AGENT_OTHER[field as keyof AgentPayload](p) };
      const key = unitKey(agentKeyInputs(changed));
      if (decision === 'key') expect(key, field).not.toBe(base);
      else expect(key, field).toBe(base);
    }
  });

  it('keeps the keys of runs that did not set the new key fields (buildImagesFrom, cache, agentRef)', () => {
    // the inputs as isobench wrote them before these fields were in the key
    const { buildImagesFrom: _b, cache: _c, ...before } = benchKeyInputs(bench(), 'local');
    expect(unitKey(benchKeyInputs(bench(), 'local'))).toBe(unitKey(before));
    const { agentRef: _r, ...agentBefore } = agentKeyInputs(agent());
    expect(unitKey(agentKeyInputs(agent()))).toBe(unitKey(agentBefore));
  });

  it('redoes a unit whose record has other inputs, naming the settings that changed', async () => {
    const dir = join(root, 'job');
    const inputs = benchKeyInputs(bench(), 'local');
    await writeUnit(dir, {
      key: unitKey(inputs),
      kind: 'bench_job',
      status: 'done',
      detail: 'measured',
      inputs,
      retries: [],
    });
    const same = await needsRun(dir, unitKey(inputs), { inputs });
    expect(same).toMatchObject({ run: false, note: null });
    const next = benchKeyInputs(
      { ...bench(), cache: '/cache/models', buildImagesFrom: 'isobench-base:bookworm' },
      'local',
    );
    const r = await needsRun(dir, unitKey(next), { inputs: next });
    expect(r.run).toBe(true);
    expect(r.note).toBe(`${dir}: buildImagesFrom, cache changed since its record: it runs again`);
  });
});
