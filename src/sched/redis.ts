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

import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import type { ConnectionOptions, Job, Queue, Worker } from 'bullmq';
import { type AttemptRecord, attemptDir } from '../agent/attempt.js';
import type { JobResult } from '../bench/types.js';
import { extractTo, packPath } from '../executor/tar.js';
import type { Executor } from '../executor/types.js';
import { InfraError } from '../executor/types.js';
import { readStored } from '../store/read.js';
import { RUN_DEFAULTS } from '../util/defaults.js';
import { errorMessage, errorReport, isKnownInfra } from '../util/errors.js';
import { type Backend, ProviderLimits } from './backend.js';
import type { SlotPool } from './slots.js';
import {
  type AgentPayload,
  type BenchPayload,
  checkPayload,
  runAgentPayload,
  runBenchPayload,
  type UnitPayload,
} from './work.js';

/** How a worker tells the coordinator what kind of failure ended a unit (BullMQ carries a message only). */
const INFRA_TAG = 'infra: ';
const HARNESS_TAG = 'harness_error: ';

/** The error a worker fails a queue job with: tagged infra or harness_error, a harness error with its stack. */
function tagged(e: unknown, where: string, log: (line: string) => void): Error {
  if (isKnownInfra(e)) {
    log(`infrastructure failure: ${errorMessage(e)}`);
    return new Error(`${INFRA_TAG}${where}: ${errorMessage(e)}`);
  }
  log(`harness error: ${errorReport(e)}`);
  return new Error(`${HARNESS_TAG}${where}: ${errorReport(e)}`);
}

/** A harness error that happened on a worker: its text holds the worker's stack. */
export class WorkerHarnessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerHarnessError';
    this.stack = `${this.name}: ${message}`;
  }
}

/** The version of what a worker returns. */
export const RETURN_VERSION = 1;

/** What a worker returns for a unit. */
export interface UnitReturn {
  readonly v: typeof RETURN_VERSION;
  readonly worker: string;
  readonly slots: readonly string[];
  readonly ms: number;
  readonly bytes: number;
  /** times the job was taken back from a silent worker before this answer */
  readonly stalled: number;
  /** the workers that held it before (as far as the queue knows) */
  readonly tries: number;
  /** the unit's folder as a gzipped tar: inline (base64) or a file in the shared store */
  readonly artifact: { readonly inline: string } | { readonly file: string };
}

/** Redis connection options from a URL: redis://[user:pass@]host:port[/db] or unix:///path/to.sock. */
export function connectionOf(url: string): ConnectionOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`'${url}' is not a URL (redis://host:port or unix:///path/redis.sock)`);
  }
  const common = { maxRetriesPerRequest: null, enableOfflineQueue: true } as const;
  if (u.protocol === 'unix:') return { ...common, path: u.pathname };
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new Error(`'${url}': the scheme must be redis:, rediss: or unix:`);
  return {
    ...common,
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/** The shared store folder from `--store` (a folder path or a file:// URL). */
function storeDir(store: string | undefined): string | undefined {
  if (!store) return undefined;
  if (store.startsWith('file://')) return new URL(store).pathname;
  if (/^[a-z]+:\/\//.test(store))
    throw new Error(`--store '${store}': only folders and file:// URLs are supported`);
  return resolve(store);
}

/** A queue job id (BullMQ ids may not hold ':'). */
function jobIdOf(p: UnitPayload): string {
  return `${p.runId.replace(/[^\w.-]/g, '_')}.${p.kind === 'bench_job' ? 'b' : 'a'}.${p.key.slice(0, 40)}`;
}

async function packDir(dir: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const gz = packPath(dir, 'unit').pipe(createGzip());
  for await (const c of gz) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Replaces `dest` with the folder in a gzipped tar made by packDir. */
async function unpackTo(gz: Buffer, dest: string): Promise<void> {
  const tmp = `${dest}.incoming-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await extractTo(Readable.from(gz).pipe(createGunzip()), tmp);
  await rm(dest, { recursive: true, force: true });
  await mkdir(dirname(dest), { recursive: true });
  await rename(join(tmp, 'unit'), dest);
  await rm(tmp, { recursive: true, force: true });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
            `Redis unreachable for ${Math.round((Date.now() - downSince) / 1000)} s: ${(e as Error).message}`,
          );
        await sleep(1000);
        continue;
      }
      if (state === 'completed') {
        const ret = job.returnvalue as UnitReturn;
        await job.remove().catch(() => undefined);
        if (!ret || ret.v !== RETURN_VERSION)
          throw new InfraError(`worker answer for ${id} has version ${ret?.v}, not ${RETURN_VERSION}`);
        return ret;
      }
      if (state === 'failed') {
        const why = job.failedReason || 'no reason given';
        await job.remove().catch(() => undefined);
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

/** Removes the unit folders that workers of this host killed outright left in the temp folder. */
async function removeStaleFolders(log: (line: string) => void): Promise<void> {
  const { readdir } = await import('node:fs/promises');
  for (const name of await readdir(tmpdir()).catch(() => [] as string[])) {
    const m = /^isobench-worker-(\d+)-/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (e) {
      alive = (e as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (alive && pid !== process.pid) continue;
    await rm(join(tmpdir(), name), { recursive: true, force: true });
    log(`removed ${join(tmpdir(), name)}, left by a worker (pid ${pid}) that is gone`);
  }
}

/** Options of a worker. */
export interface WorkerOptions {
  readonly url: string;
  readonly prefix?: string;
  readonly executor: Executor;
  readonly slots: SlotPool;
  /** agent attempts at once (0: this worker takes no agent work) */
  readonly agentSlots: number;
  /** at most this many attempts at once per model provider on this worker */
  readonly providerConcurrency?: Readonly<Record<string, number>>;
  /** take bench jobs (default true) */
  readonly bench?: boolean;
  readonly store?: string;
  /** lock of a running job; a worker silent for this long has its job taken back (default 30 s) */
  readonly lockMs?: number;
  readonly name?: string;
  readonly log?: (line: string) => void;
}

/** A running worker. */
export interface RunningWorker {
  readonly name: string;
  close(): Promise<void>;
}

/** Starts pulling units. */
export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  const { Worker } = await import('bullmq');
  const connection = connectionOf(o.url);
  const prefix = o.prefix ?? 'isobench';
  const name = o.name ?? `${hostname()}:${process.pid}`;
  const store = storeDir(o.store);
  const log = o.log ?? (() => undefined);
  const lockDuration = o.lockMs ?? RUN_DEFAULTS.workerLockMs;
  const common = {
    connection,
    prefix,
    lockDuration,
    stalledInterval: lockDuration,
    maxStalledCount: 2,
    autorun: true,
  };

  const answer = async (
    job: Job,
    p: UnitPayload,
    dir: string,
    slots: readonly string[],
    t0: number,
  ): Promise<UnitReturn> => {
    const gz = await packDir(dir);
    let artifact: UnitReturn['artifact'];
    if (store) {
      await mkdir(join(store, p.runId), { recursive: true });
      const file = join(store, p.runId, `${jobIdOf(p)}.tar.gz`);
      await writeFile(file, gz);
      artifact = { file };
    } else artifact = { inline: gz.toString('base64') };
    return {
      v: RETURN_VERSION,
      worker: name,
      slots,
      ms: performance.now() - t0,
      bytes: gz.byteLength,
      stalled: job.stalledCounter ?? 0,
      tries: job.attemptsStarted ?? 1,
      artifact,
    };
  };

  await removeStaleFolders(log);
  const workers: Worker[] = [];
  const limits = new ProviderLimits(o.providerConcurrency);
  if (o.bench !== false) {
    const w = new Worker(
      'bench',
      async (job: Job) => {
        const p = checkPayload(job.data);
        if (p.kind !== 'bench_job') throw new Error(`a ${p.kind} payload on the bench queue`);
        const tmp = await mkdtemp(join(tmpdir(), `isobench-worker-${process.pid}-`));
        try {
          const lease = await o.slots.lease(p.task.hardware.count);
          const t0 = performance.now();
          log(`${job.id}: ${p.task.id} (${p.slug}) on ${lease.slots.join(',')}`);
          try {
            const r = await runBenchPayload(p, join(tmp, 'unit'), {
              executor: o.executor,
              gpus: lease.gpus,
              // other workers may share this host's loopback
              freePort: true,
            });
            log(
              `${job.id}: ${r.failure?.class ?? 'done'} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
            );
          } catch (e) {
            // the coordinator is told which it was: a known infrastructure error, or a harness error with its stack
            throw tagged(e, `${name} (${lease.slots.join(',')})`, (l) => log(`${job.id}: ${l}`));
          } finally {
            lease.release();
          }
          return await answer(job, p, join(tmp, 'unit'), lease.slots, t0);
        } finally {
          await rm(tmp, { recursive: true, force: true });
        }
      },
      { ...common, concurrency: o.slots.slots.length },
    );
    workers.push(w);
  }
  if (o.agentSlots > 0) {
    const w = new Worker(
      'agent',
      async (job: Job) => {
        const p = checkPayload(job.data);
        if (p.kind !== 'agent_attempt') throw new Error(`a ${p.kind} payload on the agent queue`);
        const tmp = await mkdtemp(join(tmpdir(), `isobench-worker-${process.pid}-`));
        try {
          const t0 = performance.now();
          log(`${job.id}: ${p.agent.name} on ${p.task.id} #${p.attempt}`);
          const rec = await limits
            .run(p.agent.provider, () => runAgentPayload(p, tmp))
            .catch((e: unknown) => {
              throw tagged(e, name, (l) => log(`${job.id}: ${l}`));
            });
          log(`${job.id}: ${rec.outcome.kind}`);
          return await answer(job, p, attemptDir(tmp, p.agent.name, p.task.id, p.attempt), ['agents'], t0);
        } finally {
          await rm(tmp, { recursive: true, force: true });
        }
      },
      { ...common, concurrency: o.agentSlots },
    );
    workers.push(w);
  }
  for (const w of workers) {
    w.on('error', (e) => log(`queue: ${e.message}`));
    w.on('stalled', (id) => log(`${id}: stalled (its worker went silent); queued again`));
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return {
    name,
    close: async () => {
      await Promise.allSettled(workers.map((w) => w.close()));
    },
  };
}
