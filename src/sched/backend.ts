/**
 * Where units run. The embedded default runs them in this process: agent attempts through a queue
 * bounded by a concurrency setting (CPU work), bench jobs each on exclusively leased measurement
 * slots. The distributed backend (redis.ts) hands the same payloads to workers.
 */
import PQueue from 'p-queue';
import type { AttemptRecord } from '../agent/attempt.js';
import type { JobResult, PhaseRecord } from '../bench/types.js';
import type { Executor } from '../executor/types.js';
import type { SlotPool } from './slots.js';

export { parseProviderLimits } from '../util/quantities.js';

import { type AgentPayload, type BenchPayload, runAgentPayload, runBenchPayload } from './work.js';

/** Runs units somewhere. Harness failures throw (the caller retries and records them). */
export interface Backend {
  readonly name: string;
  /** runs a bench job; its artifacts end up in `jobDir` */
  bench(
    p: BenchPayload,
    jobDir: string,
    onPhase?: (r: PhaseRecord) => void,
    onStart?: (where: string) => void,
  ): Promise<JobResult>;
  /** runs an agent attempt; its folder ends up at agents/<agent>/<task>/<attempt>/ under `runDir` */
  agent(p: AgentPayload, runDir: string): Promise<AttemptRecord>;
  /** busy and idle time per measurement slot (in-process), or per worker slot seen (distributed) */
  slotUsage(): Array<{ slot: string; busyMs: number; idleMs: number }>;
  /** earlier tries of a unit that the backend redid by itself (a worker that went silent), by unit key */
  readonly requeued?: ReadonlyMap<string, string>;
  close(): Promise<void>;
}

/** Options of the in-process backend. */
export interface InProcessOptions {
  readonly executor: Executor;
  readonly slots: SlotPool;
  /** agent attempts at once (default 2) */
  readonly agentConcurrency?: number;
  /** at most this many attempts at once per model provider (anthropic, openai, …), within the above */
  readonly providerConcurrency?: Readonly<Record<string, number>>;
}

/** Per-provider limits: a queue per provider that has one. */
export class ProviderLimits {
  private readonly queues = new Map<string, PQueue>();
  constructor(private readonly limits: Readonly<Record<string, number>> = {}) {}

  /** Runs `fn` within the provider's limit (no limit: at once). */
  run<T>(provider: string | null | undefined, fn: () => Promise<T>): Promise<T> {
    const n = provider ? this.limits[provider] : undefined;
    if (!provider || n === undefined) return fn();
    let q = this.queues.get(provider);
    if (!q) {
      q = new PQueue({ concurrency: Math.max(1, n) });
      this.queues.set(provider, q);
    }
    return q.add(fn);
  }
}

/** Runs everything in this process. */
export class InProcessBackend implements Backend {
  readonly name = 'in-process';
  readonly requeued = new Map<string, string>();
  private readonly agents: PQueue;
  private readonly providers: ProviderLimits;

  constructor(private readonly o: InProcessOptions) {
    this.agents = new PQueue({ concurrency: Math.max(1, o.agentConcurrency ?? 2) });
    this.providers = new ProviderLimits(o.providerConcurrency);
  }

  async bench(
    p: BenchPayload,
    jobDir: string,
    onPhase?: (r: PhaseRecord) => void,
    onStart?: (where: string) => void,
  ): Promise<JobResult> {
    const lease = await this.o.slots.lease(p.task.hardware.count);
    onStart?.(lease.slots.join(','));
    try {
      return await runBenchPayload(p, jobDir, {
        executor: this.o.executor,
        gpus: lease.gpus,
        // several slots on one host share its loopback: each serving job gets its own port
        freePort: this.o.slots.slots.length > 1,
        onPhase,
      });
    } finally {
      lease.release();
    }
  }

  agent(p: AgentPayload, runDir: string): Promise<AttemptRecord> {
    // the provider's limit first, so that a waiting attempt does not hold a general slot
    return this.providers.run(p.agent.provider, () => this.agents.add(() => runAgentPayload(p, runDir)));
  }

  slotUsage() {
    return this.o.slots.usage();
  }

  async close(): Promise<void> {
    await this.agents.onIdle();
  }
}
