/**
 * Unit keys decide what a rerun or `--resume` reuses: every payload field in the key changes it,
 * every field left out (each with its reason in src/run/keys.ts) does not, and a record of other
 * inputs is redone with the changed settings named.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_KEY_FIELDS, agentKeyInputs, BENCH_KEY_FIELDS, benchKeyInputs } from '../../src/run/keys.js';
import {
  type AgentPayload,
  type AgentSettings,
  type AgentSpec,
  type BenchConfig,
  type BenchPayload,
  PAYLOAD_VERSION,
} from '../../src/store/config.js';
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
  v: PAYLOAD_VERSION,
  kind: 'bench_job',
  runId: 'r1',
  key: 'k',
  slug: 'demo_cpu-latency',
  task,
  patches: [{ agent: 'a', model: 'm', patch: 'diff --git a/x b/x\n', source: 'p.jsonl:1' }],
  bench: { repeats: 5, warmup: 1, thresholdPct: 5 },
});

/** Another value for a field, given the payload (the types make a new field need one). */
type Others<P, Whole> = { readonly [K in keyof Required<P>]: (p: Whole) => P[K] };

const BENCH_OTHER: Others<Omit<BenchPayload, 'bench'>, BenchPayload> & {
  bench: Others<BenchConfig, BenchPayload>;
} = {
  v: () => 3 as never,
  kind: () => 'bench_job',
  runId: () => 'r2',
  key: () => 'other',
  slug: () => 'demo_cpu-latency_a2',
  task: () => ({ ...task, subject: `${task.subject} (edited)` }),
  patches: (p) => [
    ...p.patches,
    { agent: 'b', model: 'm', patch: 'diff --git a/y b/y\n', source: 'p.jsonl:2' },
  ],
  bench: {
    repeats: () => 7,
    warmup: () => 2,
    adaptive: () => ({ minRounds: 3, spending: 'pocock' as const }),
    clientRuns: () => 3,
    thresholdPct: () => 10,
    image: () => 'isobench-base:other',
    tamperPolicy: () => ({ refuseAt: 'warn' }),
    accuracy: () => ({ dataset: '/data/qa.jsonl' }),
    buildImagesFrom: () => 'isobench-base:bookworm',
    cache: () => '/cache/models',
    rehearse: () => ({ humanSpeedup: 1.5 }),
    source: () => ({ clone: '/elsewhere/vllm' }),
  },
};

const agent = (): AgentPayload => ({
  v: PAYLOAD_VERSION,
  kind: 'agent_attempt',
  runId: 'r1',
  key: 'k',
  task,
  attempt: 1,
  agent: { name: 'claude-code', model: 'claude-x', options: {}, budgets: {}, apiKeyEnv: 'ANTHROPIC_API_KEY' },
  settings: {},
});

const AGENT_OTHER: Others<Omit<AgentPayload, 'agent' | 'settings'>, AgentPayload> & {
  agent: Others<AgentSpec, AgentPayload>;
  settings: Others<AgentSettings, AgentPayload>;
} = {
  v: () => 3 as never,
  kind: () => 'agent_attempt',
  runId: () => 'r2',
  key: () => 'other',
  task: () => ({ ...task, subject: `${task.subject} (edited)` }),
  attempt: () => 2,
  agent: {
    name: () => 'codex',
    ref: () => '/specs/agent.json',
    model: () => 'claude-y',
    options: () => ({ effort: 'high' }),
    budgets: () => ({ maxTurns: 10 }),
    provider: () => 'anthropic',
    apiKeyEnv: () => 'OTHER_KEY',
    hintLevel: () => 'files',
    binary: () => '/opt/claude',
    dockerSandboxFrom: () => 'isobench-base:bookworm',
    usageProxy: () => true,
    prices: () => ({ schemaVersion: 1, name: 'mine', asOf: '2026-12-01', models: {} }),
  },
  settings: {
    clone: () => '/elsewhere/vllm',
    cacheRoot: () => '/cache',
    infraRetries: () => 5,
    backoffMs: () => 1,
  },
};

/** Every field's decision, by dotted path, with the payload that changes it alone. */
function* variations<P extends object>(
  base: () => P,
  decisions: Record<string, unknown>,
  others: Record<string, unknown>,
  path: string[] = [],
): Generator<{ field: string; decision: string; changed: P }> {
  for (const [name, decision] of Object.entries(decisions)) {
    const other = others[name];
    if (typeof decision === 'object' && decision) {
      yield* variations(base, decision as Record<string, unknown>, other as Record<string, unknown>, [
        ...path,
        name,
      ]);
      continue;
    }
    const p = structuredClone(base()) as Record<string, unknown>;
    let at = p;
    for (const k of path) at = at[k] as Record<string, unknown>;
    at[name] = (other as (p: P) => unknown)(base());
    yield { field: [...path, name].join('.'), decision: decision as string, changed: p as P };
  }
}

describe('unit keys', () => {
  it('a bench job: each field in the key changes it; each left out (with its reason) does not', () => {
    const base = unitKey(benchKeyInputs(bench(), 'local'));
    const seen: string[] = [];
    for (const { field, decision, changed } of variations(bench, BENCH_KEY_FIELDS, BENCH_OTHER)) {
      seen.push(field);
      const key = unitKey(benchKeyInputs(changed, 'local'));
      if (decision === 'key') expect(key, field).not.toBe(base);
      else {
        expect(key, field).toBe(base);
        expect(decision.length, `${field} needs a reason`).toBeGreaterThan(10);
      }
    }
    expect(seen).toContain('bench.repeats');
    expect(seen).toContain('bench.source');
    expect(unitKey(benchKeyInputs(bench(), 'docker'))).not.toBe(base);
  });

  it('an agent attempt: each field in the key changes it; each left out does not', () => {
    const base = unitKey(agentKeyInputs(agent()));
    const seen: string[] = [];
    for (const { field, decision, changed } of variations(agent, AGENT_KEY_FIELDS, AGENT_OTHER)) {
      seen.push(field);
      const key = unitKey(agentKeyInputs(changed));
      if (decision === 'key') expect(key, field).not.toBe(base);
      else {
        expect(key, field).toBe(base);
        expect(decision.length, `${field} needs a reason`).toBeGreaterThan(10);
      }
    }
    expect(seen).toEqual(expect.arrayContaining(['agent.model', 'settings.cacheRoot', 'attempt']));
  });

  it('keeps the keys of runs that did not set the new key fields (buildImagesFrom, cache, agentRef)', () => {
    // the inputs as isobench wrote them before these fields were in the key
    const { buildImagesFrom: _b, cache: _c, ...before } = benchKeyInputs(bench(), 'local');
    expect(unitKey(benchKeyInputs(bench(), 'local'))).toBe(unitKey(before));
    const { agentRef: _r, ...agentBefore } = agentKeyInputs(agent());
    expect(unitKey(agentKeyInputs(agent()))).toBe(unitKey(agentBefore));
  });

  it('keeps a finished unit whose record has other inputs, naming them; --rerun-changed redoes it, keeping the earlier folder', async () => {
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
      {
        ...bench(),
        bench: { ...bench().bench, cache: '/cache/models', buildImagesFrom: 'isobench-base:bookworm' },
      },
      'local',
    );
    const kept = await needsRun(dir, unitKey(next), { inputs: next });
    expect(kept).toMatchObject({ run: false, kept: true });
    expect(kept.note).toContain(
      `${dir}: buildImagesFrom, cache changed since its record; the finished record is kept`,
    );
    expect(existsSync(join(dir, 'unit.json'))).toBe(true);
    // patches alone (they follow from attempts that ran again) rerun it without the flag
    const repatched = { ...inputs, agents: [{ agent: 'a', model: 'm', patch: 'f00' }] };
    const aside = join(root, 'superseded', 'job');
    const derived = await needsRun(dir, unitKey(repatched), {
      inputs: repatched,
      derived: ['agents'],
      aside: () => aside,
    });
    expect(derived.run).toBe(true);
    expect(derived.note).toContain('agents changed since its record: it runs again');
    expect(existsSync(join(aside, 'unit.json'))).toBe(true);
    expect(existsSync(dir)).toBe(false);
    // asked to: it runs again, the earlier folder kept beside the first one kept
    await writeUnit(dir, {
      key: unitKey(inputs),
      kind: 'bench_job',
      status: 'done',
      detail: 'measured',
      inputs,
      retries: [],
    });
    const r = await needsRun(dir, unitKey(next), { inputs: next, rerunChanged: true, aside: () => aside });
    expect(r.run).toBe(true);
    expect(r.note).toContain(
      `${dir}: buildImagesFrom, cache changed since its record: it runs again (the earlier folder is kept: ${aside}.2)`,
    );
    expect(existsSync(join(`${aside}.2`, 'unit.json'))).toBe(true);
  });
});
