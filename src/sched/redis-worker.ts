/**
 * A worker of distributed mode (`isobench worker --redis URL`): pulls bench jobs onto its leased
 * slots and agent attempts onto its CPU slots, runs each with the embedded mode's code in a fresh
 * temporary folder, and answers with the unit's folder. A failure goes back tagged infra or
 * harness_error, so the coordinator classifies it as the embedded mode would.
 */

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job, Worker } from 'bullmq';
import { attemptDir } from '../agent/attempt.js';
import type { Executor } from '../executor/types.js';
import { RUN_DEFAULTS } from '../util/defaults.js';
import { errnoCode } from '../util/errors.js';
import { namesIfThere } from '../util/if-there.js';
import { ProviderLimits } from './backend.js';
import {
  connectionOf,
  jobIdOf,
  packDir,
  RETURN_VERSION,
  storeDir,
  tagged,
  type UnitReturn,
} from './redis-wire.js';
import type { SlotPool } from './slots.js';
import { checkPayload, runAgentPayload, runBenchPayload, type UnitPayload } from './work.js';

/** Removes the unit folders that workers of this host killed outright left in the temp folder. */
async function removeStaleFolders(log: (line: string) => void): Promise<void> {
  for (const name of await namesIfThere(tmpdir())) {
    const m = /^isobench-worker-(\d+)-/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (e) {
      alive = errnoCode(e) === 'EPERM';
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

/** What a worker's two queue processors share. */
interface WorkerContext {
  readonly o: WorkerOptions;
  readonly name: string;
  readonly store: string | undefined;
  readonly log: (line: string) => void;
}

/** Starts pulling units. */
export async function startWorker(o: WorkerOptions): Promise<RunningWorker> {
  const { Worker } = await import('bullmq');
  const cx: WorkerContext = {
    o,
    name: o.name ?? `${hostname()}:${process.pid}`,
    store: storeDir(o.store),
    log: o.log ?? (() => undefined),
  };
  const lockDuration = o.lockMs ?? RUN_DEFAULTS.workerLockMs;
  const common = {
    connection: connectionOf(o.url),
    prefix: o.prefix ?? 'isobench',
    lockDuration,
    stalledInterval: lockDuration,
    maxStalledCount: 2,
    autorun: true,
  };
  await removeStaleFolders(cx.log);
  const limits = new ProviderLimits(o.providerConcurrency);
  const workers: Worker[] = [];
  if (o.bench !== false)
    workers.push(
      new Worker('bench', (job) => benchUnit(cx, job), { ...common, concurrency: o.slots.slots.length }),
    );
  if (o.agentSlots > 0)
    workers.push(
      new Worker('agent', (job) => agentUnit(cx, limits, job), { ...common, concurrency: o.agentSlots }),
    );
  for (const w of workers) {
    w.on('error', (e) => cx.log(`queue: ${e.message}`));
    w.on('stalled', (id) => cx.log(`${id}: stalled (its worker went silent); queued again`));
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return {
    name: cx.name,
    close: async () => {
      await Promise.allSettled(workers.map((w) => w.close()));
    },
  };
}

/** Runs `work` in a fresh temporary folder of this worker, removed afterwards. */
async function inTempFolder<T>(work: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = await mkdtemp(join(tmpdir(), `isobench-worker-${process.pid}-`));
  try {
    return await work(tmp);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** A bench job on this worker's leased slots. */
async function benchUnit(cx: WorkerContext, job: Job): Promise<UnitReturn> {
  const p = checkPayload(job.data);
  if (p.kind !== 'bench_job') throw new Error(`a ${p.kind} payload on the bench queue`);
  return inTempFolder(async (tmp) => {
    const lease = await cx.o.slots.lease(p.task.hardware.count);
    const t0 = performance.now();
    cx.log(`${job.id}: ${p.task.id} (${p.slug}) on ${lease.slots.join(',')}`);
    try {
      // other workers may share this host's loopback: freePort
      const r = await runBenchPayload(p, join(tmp, 'unit'), {
        executor: cx.o.executor,
        gpus: lease.gpus,
        freePort: true,
      });
      cx.log(`${job.id}: ${r.failure?.class ?? 'done'} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (e) {
      // the coordinator is told which it was: a known infrastructure error, or a harness error with its stack
      throw tagged(e, `${cx.name} (${lease.slots.join(',')})`, (l) => cx.log(`${job.id}: ${l}`));
    } finally {
      lease.release();
    }
    return answerOf(cx, job, p, join(tmp, 'unit'), lease.slots, t0);
  });
}

/** An agent attempt on one of this worker's CPU slots, within its provider's limit. */
async function agentUnit(cx: WorkerContext, limits: ProviderLimits, job: Job): Promise<UnitReturn> {
  const p = checkPayload(job.data);
  if (p.kind !== 'agent_attempt') throw new Error(`a ${p.kind} payload on the agent queue`);
  return inTempFolder(async (tmp) => {
    const t0 = performance.now();
    cx.log(`${job.id}: ${p.agent.name} on ${p.task.id} #${p.attempt}`);
    const rec = await limits
      .run(p.agent.provider, () => runAgentPayload(p, tmp))
      .catch((e: unknown) => {
        throw tagged(e, cx.name, (l) => cx.log(`${job.id}: ${l}`));
      });
    cx.log(`${job.id}: ${rec.outcome.kind}`);
    return answerOf(cx, job, p, attemptDir(tmp, p.agent.name, p.task.id, p.attempt), ['agents'], t0);
  });
}

/** The answer for a finished unit: its folder packed, inline or as a file in the shared store. */
async function answerOf(
  cx: WorkerContext,
  job: Job,
  p: UnitPayload,
  dir: string,
  slots: readonly string[],
  t0: number,
): Promise<UnitReturn> {
  const gz = await packDir(dir);
  let artifact: UnitReturn['artifact'];
  if (cx.store) {
    await mkdir(join(cx.store, p.runId), { recursive: true });
    const file = join(cx.store, p.runId, `${jobIdOf(p)}.tar.gz`);
    await writeFile(file, gz);
    artifact = { file };
  } else artifact = { inline: gz.toString('base64') };
  return {
    v: RETURN_VERSION,
    worker: cx.name,
    slots,
    ms: performance.now() - t0,
    bytes: gz.byteLength,
    stalled: job.stalledCounter ?? 0,
    tries: job.attemptsStarted ?? 1,
    artifact,
  };
}
