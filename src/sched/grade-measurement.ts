/**
 * A measured bench job graded: its measurement (bench/measurement.ts) and the probe outputs in its
 * phases' folders, through the pure grade (grade/job.ts), joined into the job's result (`job.json`).
 * The one call that grades a job: after a bench unit measured it (work.ts) and in `isobench
 * regrade`. The accuracy check's choice of agents (a preliminary grade) is made here too and passed
 * to the measurer, which grades nothing.
 */
import { join } from 'node:path';
import { type JobOptions, measureJob } from '../bench/job.js';
import { type JobMeasurement, readProbes } from '../bench/measurement.js';
import { JOB_RECORD_VERSION, type JobResult } from '../bench/types.js';
import { accuracyCandidates, type GradePolicy, gradeJob, type ProbeReading } from '../grade/job.js';
import { type LookFinding, lookAt } from '../grade/stopping.js';
import { writeFileAtomic } from '../util/atomic-write.js';

/** What grading reads of a measurement. */
type Graded = Pick<JobMeasurement, 'task' | 'primaryMetric' | 'variants' | 'phases' | 'accuracy' | 'design'>;

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
    design: m.design,
  };
}

/** The preliminary grade (no accuracy readings yet): what decides who the accuracy check asks. */
function gradeWithoutAccuracy(
  m: Omit<Graded, 'accuracy'>,
  probes: Readonly<Record<string, ProbeReading>>,
  policy: GradePolicy,
) {
  return gradeJob(gradeInput({ ...m, accuracy: null }, probes), policy);
}

/** The job's result: its measurement graded under `policy`. Pure. */
function jobResultOf(
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
    schemaVersion: JOB_RECORD_VERSION,
    task: m.task.id,
    primaryMetric: m.primaryMetric,
    repeats: m.repeats,
    design: m.design,
    stop: m.stop,
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
    // each variant: the facts of its preparation (as measured, less what kept it from being measured) and its grade
    variants: m.variants.map(({ failure: _unmeasured, ...prepared }, i) => {
      const g = grade.variants[i];
      if (!g) throw new Error(`the grade of job ${m.task.id} has no variant ${prepared.id}`);
      const { id: _id, ...graded } = g;
      return { ...prepared, ...graded };
    }),
    humanVsBaseline: grade.humanVsBaseline,
    validity: grade.validity,
    failure: grade.failure,
    agents: grade.agents,
    equivalence: grade.equivalence,
    ...facts,
  };
}

/** The job's result: the measurement in `jobDir` graded under `policy` (default: the one it was measured with). */
export async function gradeMeasurement(
  jobDir: string,
  m: JobMeasurement,
  policy: GradePolicy = m.policy,
): Promise<JobResult> {
  return jobResultOf(m, await readProbes(jobDir, m), policy);
}

/**
 * The agents the accuracy check asks: those whose preliminary grade (speed and outputs, no accuracy
 * yet) shows a credited gain, to spare the GPU.
 */
export async function accuracyAgents(
  jobDir: string,
  m: Omit<Graded, 'accuracy'> & Pick<JobMeasurement, 'policy'>,
): Promise<string[]> {
  return accuracyCandidates(gradeWithoutAccuracy(m, await readProbes(jobDir, m), m.policy));
}

/** An adaptive job's look: the verdicts its measurement so far leaves open (grade/stopping.ts). */
export async function lookAtJob(
  jobDir: string,
  m: Omit<Graded, 'accuracy'> & Pick<JobMeasurement, 'policy'>,
): Promise<LookFinding> {
  return lookAt(gradeWithoutAccuracy(m, await readProbes(jobDir, m), m.policy));
}

/** A bench job measured (the accuracy check asking `accuracyAgents`), then graded: `job.json` beside `measurement.json`. */
export async function measureAndGradeJob(opts: JobOptions): Promise<JobResult> {
  const m = await measureJob({ accuracyAgents, look: lookAtJob, ...opts });
  const result = await gradeMeasurement(opts.jobDir, m);
  await writeFileAtomic(join(opts.jobDir, 'job.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
