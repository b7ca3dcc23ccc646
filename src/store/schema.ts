/**
 * Stored records read back: each kind's schema and versions, and the one reader that parses the
 * JSON, refuses a newer version or an unknown older one naming the file, upgrades a known older one
 * and checks the result against the schema, every problem naming the file and the field. Records
 * are checked loosely where the harness only passes them through (a phase's process records): the
 * fields grading reads are checked strictly, the rest is kept as written.
 */
import { readFile } from 'node:fs/promises';
import { FAILURE_CLASSES } from '../grade/taxonomy.js';
import { TaskSpecSchema } from '../task/schema.js';
import { type Infer, type Schema, z } from '../util/zod.js';

/** A stored record that cannot be read: the file, the field and what is wrong. */
export class StoredRecordError extends Error {
  constructor(
    readonly file: string,
    readonly field: string | null,
    readonly problem: string,
  ) {
    super(`${file}${field ? `: ${field}` : ''}: ${problem}`);
    this.name = 'StoredRecordError';
  }
}

const STATUS = z.enum(['ok', ...(Object.keys(FAILURE_CLASSES) as Array<keyof typeof FAILURE_CLASSES>)]);
const FAILURE = z.nullable(
  z.object({
    class: z.enum(Object.keys(FAILURE_CLASSES) as Array<keyof typeof FAILURE_CLASSES>),
    detail: z.string(),
  }),
);
const SCORE = z.object({ correct: z.number(), total: z.number(), pct: z.number() });

/** A phase record as grading reads it (other fields kept as written). */
const PhaseSchema = z.looseObject({
  variant: z.string(),
  round: z.number(),
  warmup: z.boolean(),
  status: STATUS,
  detail: z.string(),
  metrics: z.record(z.string(), z.looseObject({ value: z.number() })),
  probe: z.nullable(
    z.looseObject({ status: z.string(), detail: z.string(), outputsPath: z.nullable(z.string()) }),
  ),
});

/** `measurement.json` of a bench job (src/bench/measurement.ts), version 1. */
export const MeasurementSchema = z.looseObject({
  schemaVersion: z.literal(1),
  task: TaskSpecSchema,
  primaryMetric: z.object({ name: z.string(), unit: z.string(), direction: z.enum(['lower', 'higher']) }),
  repeats: z.number(),
  warmup: z.number(),
  order: z.array(z.string()),
  variants: z.array(
    z.looseObject({
      id: z.string(),
      kind: z.enum(['baseline', 'human', 'agent']),
      agent: z.nullable(z.string()),
      model: z.nullable(z.string()),
      failure: FAILURE,
    }),
  ),
  phases: z.array(PhaseSchema),
  accuracy: z.nullable(
    z.object({
      dataset: z.string(),
      baseline: z.union([SCORE, z.string()]),
      agents: z.record(z.string(), z.union([SCORE, z.string()])),
    }),
  ),
  failure: FAILURE,
  fingerprint: z.record(z.string(), z.string()),
  executor: z.string(),
  startedAt: z.string(),
  durationMs: z.number(),
  policy: z.object({
    verdict: z.object({ thresholdPct: z.number() }),
    equivalence: z.object({ extraNonExact: z.number(), absDiffFactor: z.number() }),
    accuracyTolerancePts: z.number(),
  }),
});

/** `run.json` of a run folder (src/run/evaluate.ts), version 2: what regrading and reports read. */
export const RunRecordSchema = z.looseObject({
  schemaVersion: z.literal(2),
  runId: z.string(),
  createdAt: z.string(),
  status: z.string(),
  args: z.array(z.string()),
  executor: z.string(),
  repeats: z.number(),
  warmup: z.number(),
  thresholdPct: z.number(),
  attempts: z.number(),
  tasks: z.array(z.string()),
});

/** Every kind of stored record: its current version and its schema. */
const KINDS = {
  measurement: { version: 1, schema: MeasurementSchema },
  run: { version: 2, schema: RunRecordSchema },
} as const satisfies Record<string, { version: number; schema: Schema }>;

/** A kind of stored record. */
export type RecordKind = keyof typeof KINDS;

/** What a stored record of a kind parses to. */
export type StoredRecord<K extends RecordKind> = Infer<(typeof KINDS)[K]['schema']>;

/**
 * Brings a parsed record to the current version of its kind. No kind has an older version it can
 * upgrade yet: an older one is refused as unknown, a newer one as written by a newer isobench.
 */
export function migrate(kind: RecordKind, raw: unknown, file: string): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new StoredRecordError(file, null, 'expected a JSON object');
  const want = KINDS[kind].version;
  const v = (raw as { schemaVersion?: unknown }).schemaVersion;
  if (v === want) return raw;
  if (typeof v !== 'number' || !Number.isInteger(v))
    throw new StoredRecordError(
      file,
      'schemaVersion',
      `expected the integer ${want}, got ${JSON.stringify(v)}`,
    );
  if (v > want)
    throw new StoredRecordError(
      file,
      'schemaVersion',
      `version ${v} of ${kind} was written by a newer isobench (this one reads up to ${want})`,
    );
  throw new StoredRecordError(
    file,
    'schemaVersion',
    `version ${v} of ${kind} is older than any this isobench reads`,
  );
}

/** Parses the text of a stored record of `kind` (read from `file`): JSON, version, schema. */
export function parseStored<K extends RecordKind>(kind: K, text: string, file: string): StoredRecord<K> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new StoredRecordError(file, null, `not valid JSON: ${(e as Error).message}`);
  }
  const res = KINDS[kind].schema.safeParse(migrate(kind, raw, file));
  if (!res.success) {
    const first = res.error.issues[0];
    const more = res.error.issues.length > 1 ? ` (and ${res.error.issues.length - 1} more)` : '';
    throw new StoredRecordError(file, first?.path.map(String).join('.') || null, `${first?.message}${more}`);
  }
  return res.data as StoredRecord<K>;
}

/** Reads and checks a stored record of `kind`. */
export async function readStored<K extends RecordKind>(kind: K, file: string): Promise<StoredRecord<K>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new StoredRecordError(
      file,
      null,
      `cannot be read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  return parseStored(kind, text, file);
}
