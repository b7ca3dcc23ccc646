/**
 * Distributed mode on BullMQ (Redis). The coordinator (`isobench run --redis URL`) enqueues each
 * unit under a job id made from its run and key, so the same unit is never queued twice; workers
 * (`isobench worker --redis URL`, one per host) pull bench jobs onto their leased slots and agent
 * attempts onto their CPU slots, run them with the same code as the embedded mode, and send the
 * unit's folder back as a gzipped tar (in Redis, or in a shared store folder). The coordinator alone
 * writes records, so a unit is recorded once however often it ran.
 *
 * Faults: a worker that dies mid-job stops renewing its lock; BullMQ's stalled check puts the job
 * back and another worker runs it (a job stalled too often fails and is retried by the coordinator
 * as an infrastructure failure). A coordinator that dies leaves the queue running; `--resume` finds
 * finished jobs by id and takes their results. A Redis restart is ridden out by reconnecting; a job
 * that Redis lost (no persistence) is queued again. No payload carries a secret.
 */

import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Job, Queue } from 'bullmq';
import { type AttemptRecord, attemptDir } from '../agent/attempt.js';
import type { JobResult } from '../bench/types.js';
import { InfraError } from '../executor/types.js';
import { readStored } from '../store/read.js';
import { errorMessage } from '../util/errors.js';
import type { Backend } from './backend.js';
import {
  connectionOf,
  HARNESS_TAG,
  INFRA_TAG,
  jobIdOf,
  readUnitReturn,
  sleep,
  type UnitReturn,
  unpackTo,
  WorkerHarnessError,
} from './redis-wire.js';
import type { AgentPayload, BenchPayload, UnitPayload } from './work.js';

/** Options of the coordinator's side. */
export interface RedisBackendOptions {
  readonly url: string;
  /** key prefix of the queues (default `isobench`) */
  readonly prefix?: string;
  /** where workers put artifacts instead of Redis (a folder every host sees) */
  readonly store?: string;
  readonly pollMs?: number;
  /** give up on a unit when Redis stays unreachable this long (default 10 min) */
  readonly redisDownMs?: number;
}

/** The coordinator's side: enqueue, wait, take the artifact back. */
export class RedisBackend implements Backend {
  readonly name = 'redis';
  private readonly seen = new Map<string, { busyMs: number }>();
  /** what the queue knows of a unit's earlier tries (a worker that went silent), by unit key */
  readonly requeued = new Map<string, string>();
  private readonly t0 = performance.now();

  private constructor(
    private readonly o: RedisBackendOptions,
    private readonly queues: { bench: Queue; agent: Queue },
  ) {}

  /** Connects and checks that Redis answers (within 10 s). */
  static async connect(o: RedisBackendOptions): Promise<RedisBackend> {
    const { Queue } = await import('bullmq');
    const connection = connectionOf(o.url);
    const prefix = o.prefix ?? 'isobench';
    const queues = {
      bench: new Queue('bench', { connection, prefix }),
      agent: new Queue('agent', { connection, prefix }),
    };
    queues.bench.on('error', () => undefined);
    queues.agent.on('error', () => undefined);
    const ping = queues.bench.getJobCounts('wait');
    // any failure to answer is said as one: Redis did not answer
    const ok = await Promise.race([ping.then(() => true), sleep(10_000).then(() => false)]).catch(
      () => false,
    );
    if (!ok) {
      await Promise.allSettled([queues.bench.close(), queues.agent.close()]);
      throw new Error('Redis did not answer within 10 s');
    }
    return new RedisBackend(o, queues);
  }

  async bench(
    p: BenchPayload,
    jobDir: string,
    _onPhase?: unknown,
    onStart?: (where: string) => void,
  ): Promise<JobResult> {
    const ret = await this.run(this.queues.bench, p, onStart);
    await this.take(ret, jobDir, p.key);
    return readStored('job', join(jobDir, 'job.json'));
  }

  async agent(p: AgentPayload, runDir: string): Promise<AttemptRecord> {
    const ret = await this.run(this.queues.agent, p);
    const dir = attemptDir(runDir, p.agent.name, p.task.id, p.attempt);
    await this.take(ret, dir, p.key);
    return readStored('outcome', join(dir, 'outcome.json'));
  }

  private async take(ret: UnitReturn, dest: string, key: string): Promise<void> {
    if (ret.stalled > 0 || ret.tries > 1)
      this.requeued.set(
        key,
        `the queue took it back from a silent worker ${ret.stalled} time(s) (${ret.tries} tries); ${ret.worker} finished it`,
      );
    if ('inline' in ret.artifact) await unpackTo(Buffer.from(ret.artifact.inline, 'base64'), dest);
    else {
      await unpackTo(await readFile(ret.artifact.file), dest);
      await rm(ret.artifact.file, { force: true });
    }
    for (const s of ret.slots) {
      const k = `${ret.worker}/${s}`;
      const x = this.seen.get(k) ?? { busyMs: 0 };
      x.busyMs += ret.ms;
      this.seen.set(k, x);
    }
  }

  /** Enqueues the unit (once) and waits for a worker's answer; throws with the cause when it failed. */
  private async run(queue: Queue, p: UnitPayload, onStart?: (where: string) => void): Promise<UnitReturn> {
    const id = jobIdOf(p);
    let downSince: number | null = null;
    let first = true;
    for (;;) {
      let job: Job | undefined;
      let state: string;
      try {
        job = await queue.getJob(id);
        if (!job) {
          // never queued, or lost (Redis restarted without persistence): queue it
          await queue.add(p.kind, p, {
            jobId: id,
            attempts: 1,
            removeOnComplete: { age: 7 * 86_400 },
            removeOnFail: { age: 7 * 86_400 },
          });
          first = false;
          continue;
        }
        state = await job.getState();
        downSince = null;
      } catch (e) {
        downSince ??= Date.now();
        if (Date.now() - downSince > (this.o.redisDownMs ?? 600_000))
          throw new InfraError(
            `Redis unreachable for ${Math.round((Date.now() - downSince) / 1000)} s: ${errorMessage(e)}`,
          );
        await sleep(1000);
        continue;
      }
      if (state === 'completed') {
        const ret: unknown = job.returnvalue;
        // a finished job left on the queue expires with its age limit
        await job.remove().catch(() => undefined);
        return readUnitReturn(ret, id);
      }
      if (state === 'failed') {
        const why = job.failedReason || 'no reason given';
        await job.remove().catch(() => undefined); // as above
        const said = `${first ? 'found failed on the queue' : 'failed on a worker'}`;
        // a harness error on the worker stays one here (with the worker's stack); the rest is infrastructure
        if (why.startsWith(HARNESS_TAG))
          throw new WorkerHarnessError(`${said}: ${why.slice(HARNESS_TAG.length)}`);
        throw new InfraError(`${said}: ${why.startsWith(INFRA_TAG) ? why.slice(INFRA_TAG.length) : why}`);
      }
      first = false;
      if (state === 'active' && onStart) {
        onStart('a worker');
        onStart = undefined;
      }
      await sleep(this.o.pollMs ?? 250);
    }
  }

  slotUsage() {
    // idle: the time since this coordinator connected that the slot spent on none of its units
    const span = performance.now() - this.t0;
    return [...this.seen].map(([slot, x]) => ({
      slot,
      busyMs: x.busyMs,
      idleMs: Math.max(0, span - x.busyMs),
    }));
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.queues.bench.close(), this.queues.agent.close()]);
  }
}
