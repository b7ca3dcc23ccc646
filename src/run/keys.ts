/**
 * The keys of units: the hash of the part of a unit's payload that decides its result. Every field
 * of a payload is either in its key or listed here with the reason it does not decide the result;
 * the compiler refuses a payload field without a decision, and `test/unit/keys.test.ts` changes
 * each field to see the key change or stay. A unit whose record has another key runs again, and the
 * record's inputs name what changed.
 */
import { createHash } from 'node:crypto';
import type { AgentPayload, BenchPayload } from '../sched/work.js';
import { unitKey } from '../store/units.js';

/** Whether a payload field is in the key (`key`) or why it is not. */
type Decisions<P> = { readonly [K in keyof Required<P>]: 'key' | string };

/** A bench job's payload fields. */
export const BENCH_KEY_FIELDS: Decisions<BenchPayload> = {
  task: 'key',
  slug: 'key',
  patches: 'key',
  repeats: 'key',
  warmup: 'key',
  thresholdPct: 'key',
  image: 'key',
  tamperPolicy: 'key',
  accuracy: 'key',
  buildImagesFrom: 'key',
  cache: 'key',
  v: 'the payload format, not the job',
  kind: 'the same for every bench job',
  runId: "the run's name",
  key: 'the key itself',
  source:
    'the clone only supplies the commits the task names by full hash: their trees are the same in any clone',
};

/** An agent attempt's payload fields. */
export const AGENT_KEY_FIELDS: Decisions<AgentPayload> = {
  task: 'key',
  agent: 'key',
  agentRef: 'key',
  model: 'key',
  attempt: 'key',
  options: 'key',
  budgets: 'key',
  hintLevel: 'key',
  binary: 'key',
  dockerSandboxFrom: 'key',
  v: 'the payload format, not the attempt',
  kind: 'the same for every attempt',
  runId: "the run's name",
  key: 'the key itself',
  provider: "derived from the agent's adapter",
  apiKeyEnv: 'where the key is read from, never the key: any valid key gives the same attempt',
  clone: 'the clone only supplies the parent commit, by full hash',
  cacheRoot: 'where mirrors and pinned installs are cached, not what they hold',
  infraRetries: 'retries of infrastructure failures do not change what a try that counts does',
  backoffMs: 'the wait between infrastructure retries',
};

/** The inputs a bench job's key is made of (kept in its record, for people and for naming changes). */
export function benchKeyInputs(p: Omit<BenchPayload, 'key'>, executor: string): Record<string, unknown> {
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
    repeats: p.repeats,
    warmup: p.warmup,
    thresholdPct: p.thresholdPct,
    executor,
    image: p.image ?? null,
    tamperPolicy: p.tamperPolicy ?? null,
    accuracy: p.accuracy ?? null,
    // absent (and so keys of runs without them unchanged) unless set
    buildImagesFrom: p.buildImagesFrom,
    cache: p.cache,
  };
}

/** The inputs an agent attempt's key is made of. */
export function agentKeyInputs(p: Omit<AgentPayload, 'key'>): Record<string, unknown> {
  return {
    task: unitKey(p.task),
    taskId: p.task.id,
    agent: p.agent,
    agentRef: p.agentRef,
    model: p.model,
    attempt: p.attempt,
    options: p.options,
    budgets: p.budgets,
    hintLevel: p.hintLevel ?? null,
    binary: p.binary ?? null,
    sandbox: p.dockerSandboxFrom ? `docker ${p.dockerSandboxFrom}` : 'local',
  };
}
