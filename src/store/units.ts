/**
 * Units of work and their records: every unit (a bench job, an agent attempt) has a stable key, a
 * hash of everything that decides its result; its record is written atomically, last, when it ends.
 * A unit with a record of the same key is done and is not run again; a unit without one (never
 * started, or killed midway) is redone from a clean folder.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { readTextIfThere } from '../util/if-there.js';
import { isJsonObject } from '../util/json.js';
import { readStored } from './read.js';
import { UNIT_RECORD_VERSION, type UnitRecord } from './schema.js';

export type { UnitRecord };
/** A unit's record, declared once by its schema (src/store/schema.ts). */
export { UNIT_RECORD_VERSION };

/** The file a unit's record lives in, inside its folder. */
export const UNIT_FILE = 'unit.json';

/** JSON with object keys sorted, so equal values hash equally. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isJsonObject(v))
    return `{${Object.keys(v)
      .sort()
      .filter((k) => v[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

/** The top-level inputs whose values differ between a record's inputs and new ones (what changed). */
export function changedInputs(before: unknown, after: Readonly<Record<string, unknown>>): string[] {
  if (!before || typeof before !== 'object') return [];
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names]
    .filter((k) => canonical(Reflect.get(before, k) ?? null) !== canonical(after[k] ?? null))
    .sort();
}

/** The stable key of a unit: sha256 of the canonical JSON of what decides it. */
export function unitKey(what: unknown): string {
  return createHash('sha256').update(canonical(what)).digest('hex');
}

/**
 * The record in `dir`, or null when there is none, or it is unreadable or of another version (the
 * store's reader says why; the unit then runs again, and `needsRun` says so).
 */
export async function readUnit(dir: string): Promise<UnitRecord | null> {
  // unreadable or of another version: the unit runs again (needsRun says why)
  return readStored('unit', join(dir, UNIT_FILE)).catch(() => null);
}

/** sha256 of a file, or null when it cannot be read. */
async function fileHash(path: string): Promise<string | null> {
  try {
    return createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  } catch {
    return null;
  }
}

/**
 * Writes a unit's record (atomically: temp file, then rename), with the hash of its result file
 * `resultFile` (relative to `dir`) when given, so that a hand edit of the result is noticed.
 */
export async function writeUnit(
  dir: string,
  r: Omit<UnitRecord, 'schemaVersion' | 'finishedAt' | 'result'>,
  resultFile?: string,
): Promise<UnitRecord> {
  const sha256 = resultFile ? await fileHash(join(dir, resultFile)) : null;
  const rec: UnitRecord = {
    schemaVersion: UNIT_RECORD_VERSION,
    ...r,
    ...(resultFile && sha256 ? { result: { file: resultFile, sha256 } } : {}),
    finishedAt: new Date().toISOString(),
  };
  await writeFileAtomic(join(dir, UNIT_FILE), `${JSON.stringify(rec, null, 2)}\n`);
  return rec;
}

/**
 * Moves a unit's folder out of the way, keeping everything in it: to `dest` (a path under the run's
 * `superseded/`), or `dest.2`, `dest.3`, … when that is taken. Nothing when `dir` does not exist.
 */
export async function keepAside(dir: string, dest: string): Promise<string | null> {
  if (!existsSync(dir)) return null;
  await mkdir(dirname(dest), { recursive: true });
  let target = dest;
  for (let n = 2; existsSync(target); n++) target = `${dest}.${n}`;
  await rename(dir, target);
  return target;
}

/** What decides whether a unit runs, besides its key. */
export interface RunRules {
  /** run again a unit whose record says infra */
  readonly retryInfra?: boolean;
  /** run again a finished unit whose inputs differ from its record's (else the record is kept) */
  readonly rerunChanged?: boolean;
  /** the inputs of now, to name what changed */
  readonly inputs?: Readonly<Record<string, unknown>>;
  /**
   * inputs that follow from other units (a bench job's patches, from its attempts): when only they
   * changed, the unit runs again without `rerunChanged`, as the units they follow from did
   */
  readonly derived?: readonly string[];
  /** where a folder that is run again is kept (nothing a user ran is removed); absent: removed */
  readonly aside?: (dir: string) => string;
}

/** Whether a unit must run; `kept`: a finished record of other inputs stands (no `rerunChanged`). */
export interface RunDecision {
  readonly run: boolean;
  readonly previous: UnitRecord | null;
  readonly note: string | null;
  readonly kept?: boolean;
}

/**
 * Whether the unit in `dir` must run: not when a record of this key says done (or infra, unless
 * `retryInfra`), nor when a finished record of other inputs stands (unless `rerunChanged`). When it
 * must, what is in `dir` (a killed unit's logs, a superseded record) is moved aside, not removed.
 */
export async function needsRun(dir: string, key: string, rules: RunRules = {}): Promise<RunDecision> {
  const raw = await readTextIfThere(join(dir, UNIT_FILE));
  const previous = await readUnit(dir);
  let note: string | null =
    raw !== null && !previous
      ? `${join(dir, UNIT_FILE)} is unreadable or of another version: the unit runs again`
      : null;
  const stands =
    previous && (previous.status === 'done' || (previous.status === 'infra' && !rules.retryInfra));
  let edited = false;
  if (stands && previous.key === key) {
    // a result edited (or removed) since its record was written is not trusted
    if (!previous.result || (await fileHash(join(dir, previous.result.file))) === previous.result.sha256)
      return { run: false, previous, note: null };
    edited = true;
    note = `${join(dir, previous.result.file)} changed after it was recorded (edited by hand?): the unit runs again`;
  }
  // a finished record of other inputs: kept, unless asked to measure it again
  if (!note && previous && previous.key !== key && rules.inputs) {
    const changed = changedInputs(previous.inputs, rules.inputs);
    const own = changed.filter((c) => !rules.derived?.includes(c));
    if (stands && own.length && !rules.rerunChanged)
      return {
        run: false,
        previous,
        kept: true,
        note: `${dir}: ${own.join(', ')} changed since its record; the finished record is kept (--rerun-changed measures it again, keeping this one under superseded/)`,
      };
    if (changed.length) note = `${dir}: ${changed.join(', ')} changed since its record: it runs again`;
  }
  if (!note && previous?.key === key && previous.status === 'harness_error')
    note = `${dir}: its last run ended in a harness error (a bug in isobench: ${previous.detail.split('\n')[0]}): it runs again`;
  // the record's history (its retries) carries over when the same unit runs again (infra retried,
  // a harness error) — not when its inputs changed or its result was edited
  const carry = previous?.key === key && !edited ? previous : null;
  const moved = rules.aside ? await keepAside(dir, rules.aside(dir)) : null;
  if (!rules.aside) await rm(dir, { recursive: true, force: true });
  if (moved)
    note = `${note ?? (previous ? `${dir}: runs again` : `${dir}: a run was cut midway through it: it runs again`)} (the earlier folder is kept: ${moved})`;
  return { run: true, previous: carry, note };
}
