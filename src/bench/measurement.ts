/**
 * A bench job's measurement (`measurement.json`, versioned): the task as measured, the variants as
 * prepared (patch, tamper findings, setup, an early failure), every phase record, the accuracy
 * readings, the host's fingerprint and the policy it was first graded with. It holds everything a
 * grade needs besides the probe outputs, which stay in the phases' folders (`probe.jsonl`) and are
 * read back from there. `jobResultOf` joins a measurement and its grade into the job's result.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseProbeOutputs } from '../grade/equivalence.js';
import type { GradePolicy, ProbeReading } from '../grade/job.js';
import { gradeJob } from '../grade/job.js';
import { type JobMeasurement, MEASUREMENT_VERSION, type MeasuredVariantRecord } from '../store/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { variantSlug } from '../util/slug.js';
import { BENCH_RECORD_VERSION, type JobResult } from './types.js';

export type { JobMeasurement, MeasuredVariantRecord };
/** `measurement.json`, declared once by its schema (src/store/schema.ts). */
export { MEASUREMENT_VERSION };

/** The file of a job's measurement. */
export const measurementPath = (jobDir: string) => join(jobDir, 'measurement.json');

export async function writeMeasurement(jobDir: string, m: JobMeasurement): Promise<void> {
  await writeFileAtomic(measurementPath(jobDir), `${JSON.stringify(m, null, 2)}\n`);
}

/**
 * The probe outputs of each variant (its last measured round with a probe), read from the job's
 * folder: the phase's own `probe.jsonl`, wherever the run folder has moved since.
 */
export async function readProbes(
  jobDir: string,
  m: Pick<JobMeasurement, 'task' | 'variants' | 'phases'>,
): Promise<Record<string, ProbeReading>> {
  const out: Record<string, ProbeReading> = {};
  if (!m.task.correctness) return out;
  for (const v of m.variants) {
    const rec = m.phases.filter((p) => p.variant === v.id && !p.warmup && p.probe).pop();
    if (!rec?.probe) continue;
    if (rec.probe.status !== 'ok' || !rec.probe.outputsPath) {
      out[v.id] = { failed: rec.probe.detail };
      continue;
    }
    const file = join(
      jobDir,
      'phases',
      `${String(rec.round).padStart(2, '0')}-${variantSlug(v.id)}`,
      basename(rec.probe.outputsPath),
    );
    const text = await readFile(file, 'utf8').catch(() => null);
    if (text === null) {
      out[v.id] = { failed: `the probe's outputs are missing (${file})` };
      continue;
    }
    const parsed = parseProbeOutputs(text);
    out[v.id] = parsed.ok
      ? { outputs: parsed.outputs }
      : { failed: `unreadable probe outputs: ${parsed.detail}` };
  }
  return out;
}

/** What grading reads of a measurement. */
type Graded = Pick<JobMeasurement, 'task' | 'primaryMetric' | 'variants' | 'phases' | 'accuracy'>;

/** The measurement as grading reads it. */
function gradeInput(m: Graded, probes: Readonly<Record<string, ProbeReading>>) {
  return {
    task: m.task.id,
    primaryMetric: m.primaryMetric,
    probe: m.task.correctness?.mode ?? null,
    variants: m.variants,
    phases: m.phases,
    probes,
    accuracy: m.accuracy,
  };
}

/** The preliminary grade (no accuracy readings yet): what decides who the accuracy check asks. */
export function gradeWithoutAccuracy(
  m: Omit<Graded, 'accuracy'>,
  probes: Readonly<Record<string, ProbeReading>>,
  policy: GradePolicy,
) {
  return gradeJob(gradeInput({ ...m, accuracy: null }, probes), policy);
}

/** The job's result: its measurement graded under `policy`. Pure. */
export function jobResultOf(
  m: JobMeasurement,
  probes: Readonly<Record<string, ProbeReading>>,
  policy: GradePolicy = m.policy,
): JobResult {
  const facts = {
    fingerprint: m.fingerprint,
    executor: m.executor,
    startedAt: m.startedAt,
    durationMs: m.durationMs,
  };
  const head = {
    schemaVersion: BENCH_RECORD_VERSION,
    task: m.task.id,
    primaryMetric: m.primaryMetric,
    repeats: m.repeats,
  } as const;
  if (m.failure) {
    const failure = m.failure;
    return {
      ...head,
      order: [],
      variants: [],
      humanVsBaseline: null,
      validity: { valid: false, reason: failure.detail },
      failure,
      agents: m.variants
        .filter((v) => v.kind === 'agent')
        .map((v) => ({
          variant: v.id,
          agentVsBaseline: null,
          agentVsHuman: null,
          verdict: null,
          failure: failure.class,
          equivalence: null,
          credited: false,
          accuracy: null,
        })),
      equivalence: {
        probe: m.task.correctness?.mode ?? null,
        tolerance: null,
        human: null,
        detail: failure.detail,
      },
      ...facts,
    };
  }
  const grade = gradeJob(gradeInput(m, probes), policy);
  return {
    ...head,
    order: m.order,
    variants: m.variants.map((v, i) => {
      const g = grade.variants[i] as (typeof grade.variants)[number];
      return {
        id: v.id,
        kind: v.kind,
        agent: v.agent,
        model: v.model,
        patch: v.patch,
        tamper: v.tamper,
        setup: v.setup,
        ...(v.notes?.length ? { notes: v.notes } : {}),
        ...(v.reference ? { reference: v.reference } : {}),
        ...(v.effort ? { effort: v.effort } : {}),
        status: g.status,
        detail: g.detail,
        samples: g.samples,
        summary: g.summary,
        means: g.means,
      };
    }),
    humanVsBaseline: grade.humanVsBaseline,
    validity: grade.validity,
    failure: grade.failure,
    agents: grade.agents,
    equivalence: grade.equivalence,
    ...facts,
  };
}
