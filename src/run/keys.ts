/**
 * The keys of units: the hash of the part of a unit's payload that decides its result. Every field
 * of a payload, and of the configuration parts it carries (the bench configuration, the agent's
 * spec, the shared agent settings), is either in its key or listed here with the reason it does not
 * decide the result; the compiler refuses a field without a decision, and `test/unit/keys.test.ts`
 * changes each field to see the key change or stay. A unit whose record has another key runs again,
 * and the record's inputs name what changed.
 */
import { createHash } from 'node:crypto';
import type { AgentPayload, AgentSettings, AgentSpec, BenchConfig, BenchPayload } from '../store/config.js';
import { unitKey } from '../store/units.js';

/** Whether a field is in the key (`key`) or why it is not. */
type Decisions<P> = { readonly [K in keyof Required<P>]: 'key' | string };

/** A payload's own fields, and one table per configuration part it carries. */
type Nested<P, N extends keyof P> = Decisions<Omit<P, N>> & {
  readonly [K in N]: Decisions<NonNullable<P[K]>>;
};

/** A bench job's payload fields and its bench configuration's. */
export const BENCH_KEY_FIELDS: Nested<BenchPayload, 'bench'> = {
  task: 'key',
  slug: 'key',
  patches: 'key',
  v: 'the payload format, not the job',
  kind: 'the same for every bench job',
  runId: "the run's name",
  key: 'the key itself',
  bench: {
    repeats: 'key',
    warmup: 'key',
    adaptive: 'key',
    clientRuns: 'key',
    thresholdPct: 'key',
    image: 'key',
    tamperPolicy: 'key',
    accuracy: 'key',
    buildImagesFrom: 'key',
    cache: 'key',
    rehearse: 'key',
    source:
      'the clone only supplies the commits the task names by full hash: their trees are the same in any clone',
  } satisfies Decisions<BenchConfig>,
};

/** An agent attempt's payload fields, its agent's spec and the shared agent settings. */
export const AGENT_KEY_FIELDS: Nested<AgentPayload, 'agent' | 'settings'> = {
  task: 'key',
  attempt: 'key',
  v: 'the payload format, not the attempt',
  kind: 'the same for every attempt',
  runId: "the run's name",
  key: 'the key itself',
  agent: {
    name: 'key',
    ref: 'key',
    model: 'key',
    options: 'key',
    budgets: 'key',
    hintLevel: 'key',
    binary: 'key',
    dockerSandboxFrom: 'key',
    usageProxy: 'key',
    prices: 'key',
    provider: "derived from the agent's adapter",
    apiKeyEnv: 'where the key is read from, never the key: any valid key gives the same attempt',
  } satisfies Decisions<AgentSpec>,
  settings: {
    clone: 'the clone only supplies the parent commit, by full hash',
    cacheRoot: 'where mirrors and pinned installs are cached, not what they hold',
    infraRetries: 'retries of infrastructure failures do not change what a try that counts does',
    backoffMs: 'the wait between infrastructure retries',
  } satisfies Decisions<AgentSettings>,
};

/** The inputs a bench job's key is made of (kept in its record, for people and for naming changes). */
export function benchKeyInputs(p: Omit<BenchPayload, 'key'>, executor: string): Record<string, unknown> {
  const b = p.bench;
  return {
    task: unitKey(p.task),
    taskId: p.task.id,
    // two attempt numbers with identical patches are still two measurements
    job: p.slug,
    agents: p.patches
      .map((a) => ({
        agent: a.agent,
        model: a.model,
        patch: createHash('sha256').update(a.patch).digest('hex'),
      }))
      .sort((a, b) => `${a.agent} ${a.model} ${a.patch}`.localeCompare(`${b.agent} ${b.model} ${b.patch}`)),
    repeats: b.repeats,
    warmup: b.warmup,
    thresholdPct: b.thresholdPct,
    executor,
    image: b.image ?? null,
    tamperPolicy: b.tamperPolicy ?? null,
    accuracy: b.accuracy ?? null,
    // absent (and so keys of runs without them unchanged) unless set
    buildImagesFrom: b.buildImagesFrom,
    cache: b.cache,
    rehearse: b.rehearse,
    adaptive: b.adaptive,
    clientRuns: b.clientRuns,
  };
}

/** The inputs an agent attempt's key is made of. */
export function agentKeyInputs(p: Omit<AgentPayload, 'key'>): Record<string, unknown> {
  const a = p.agent;
  return {
    task: unitKey(p.task),
    taskId: p.task.id,
    agent: a.name,
    agentRef: a.ref,
    model: a.model,
    attempt: p.attempt,
    options: a.options,
    budgets: a.budgets,
    hintLevel: a.hintLevel ?? null,
    binary: a.binary ?? null,
    sandbox: a.dockerSandboxFrom ? `docker ${a.dockerSandboxFrom}` : 'local',
    // only when set: the keys of runs from before these fields stay as they were
    ...(a.usageProxy ? { usageProxy: true } : {}),
    ...(a.prices ? { prices: a.prices } : {}),
  };
}

/**
 * Of the settings a resume would change (`changedSettings`' lines, `path: before -> after`), those
 * that decide finished units' results: the executor, the agents, and every bench setting in
 * {@link BENCH_KEY_FIELDS}' key. Caps, retries, the judge and where things are read from do not.
 */
export function decidingChanges(changed: readonly string[]): string[] {
  return changed.filter((line) => {
    const path = line.slice(0, line.indexOf(':'));
    if (path === 'executor' || path === 'agents' || path.startsWith('agents.')) return true;
    const field = path.startsWith('bench.') ? path.slice('bench.'.length).split('.')[0] : undefined;
    return Object.entries(BENCH_KEY_FIELDS.bench).some(([k, decision]) => k === field && decision === 'key');
  });
}
