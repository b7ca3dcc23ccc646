/**
 * What the coordinator and the workers of distributed mode agree on: the Redis connection from a URL,
 * the queue job id of a unit, the tagged failure a worker reports, and the answer it returns (the
 * unit's folder as a gzipped tar, inline or in a shared store folder).
 */

import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { createGunzip, createGzip } from 'node:zlib';
import type { RedisOptions } from 'bullmq';
import { extractTo, packPath } from '../executor/tar.js';
import { InfraError } from '../executor/types.js';
import { errorMessage, errorReport, isKnownInfra } from '../util/errors.js';
import { isJsonObject } from '../util/json.js';
import { type Shape, z } from '../util/zod.js';
import type { UnitPayload } from './work.js';

/** How a worker tells the coordinator what kind of failure ended a unit (BullMQ carries a message only). */
export const INFRA_TAG = 'infra: ';
export const HARNESS_TAG = 'harness_error: ';

/** The error a worker fails a queue job with: tagged infra or harness_error, a harness error with its stack. */
export function tagged(e: unknown, where: string, log: (line: string) => void): Error {
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

/** What a worker returns for a unit (read back from the queue with this schema). */
const UnitReturnSchema = z.object({
  v: z.literal(RETURN_VERSION),
  worker: z.string(),
  slots: z.array(z.string()),
  ms: z.number(),
  bytes: z.number(),
  /** times the job was taken back from a silent worker before this answer */
  stalled: z.number(),
  /** the workers that held it before (as far as the queue knows) */
  tries: z.number(),
  /** the unit's folder as a gzipped tar: inline (base64) or a file in the shared store */
  artifact: z.union([z.object({ inline: z.string() }), z.object({ file: z.string() })]),
});
export type UnitReturn = Shape<typeof UnitReturnSchema>;

/** A worker's answer for queue job `id` as the queue gives it back: of this version (else infra) and well formed. */
export function readUnitReturn(raw: unknown, id: string): UnitReturn {
  const v = isJsonObject(raw) ? raw.v : undefined;
  if (v !== RETURN_VERSION)
    throw new InfraError(`worker answer for ${id} has version ${v}, not ${RETURN_VERSION}`);
  const res = UnitReturnSchema.safeParse(raw);
  if (!res.success)
    throw new Error(
      `worker answer for ${id} is malformed: ${res.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ')}`,
    );
  return res.data;
}

/** Redis connection options from a URL: redis://[user:pass@]host:port[/db] or unix:///path/to.sock. */
export function connectionOf(url: string): RedisOptions {
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
export function storeDir(store: string | undefined): string | undefined {
  if (!store) return undefined;
  if (store.startsWith('file://')) return new URL(store).pathname;
  if (/^[a-z]+:\/\//.test(store))
    throw new Error(`--store '${store}': only folders and file:// URLs are supported`);
  return resolve(store);
}

/** A queue job id (BullMQ ids may not hold ':'). */
export function jobIdOf(p: UnitPayload): string {
  return `${p.runId.replace(/[^\w.-]/g, '_')}.${p.kind === 'bench_job' ? 'b' : 'a'}.${p.key.slice(0, 40)}`;
}

export async function packDir(dir: string): Promise<Buffer> {
  return buffer(packPath(dir, 'unit').pipe(createGzip()));
}

/** Replaces `dest` with the folder in a gzipped tar made by packDir. */
export async function unpackTo(gz: Buffer, dest: string): Promise<void> {
  const tmp = `${dest}.incoming-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await extractTo(Readable.from(gz).pipe(createGunzip()), tmp);
  await rm(dest, { recursive: true, force: true });
  await mkdir(dirname(dest), { recursive: true });
  await rename(join(tmp, 'unit'), dest);
  await rm(tmp, { recursive: true, force: true });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
