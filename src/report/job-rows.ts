import { basename, join } from 'node:path';
import { isRehearsal, type JobResult, type VariantResult } from '../bench/types.js';
import type { AttemptEffort } from '../store/config.js';
import { EXT_ROW_VERSION, type ExtendedRow } from '../store/schema.js';
import type { TaskSpec } from '../task/schema.js';
import { readTextIfThere } from '../util/if-there.js';
import { variantSlug } from '../util/slug.js';
import { recomputeDerived } from '../v5/formulas.js';
import { V5_FROM_PARSED } from '../v5/raw-metrics.js';
import { emptyV5Row, metricColumn, V5_METRICS, type V5Row } from '../v5/schema.js';

export type { AttemptEffort, ExtendedRow };
/** The extended row, declared once by its schema (src/store/schema.ts). */
export { EXT_ROW_VERSION };

async function firstStdout(jobDir: string, variant: string, warmups: number): Promise<string | null> {
  const round = String(warmups + 1).padStart(2, '0');
  return readTextIfThere(join(jobDir, 'phases', `${round}-${variantSlug(variant)}`, 'client.stdout'));
}

/** What the rows of a job need besides the task and the job. */
interface RowContext {
  runId: string;
  jobDir: string;
  warmup: number;
  thresholdPct: number;
  date: string;
  /** the attempts behind the agents' patches, by agent name */
  efforts?: ReadonlyMap<string, AttemptEffort>;
}

/** The first measured round's client output of baseline and human, which every agent's v5 row carries. */
type RefRaws = { readonly baseline: string | null; readonly human: string | null };

/** The v5 row and the extended row of every agent of a job. */
export async function rowsForJob(
  task: TaskSpec,
  job: JobResult,
  ctx: RowContext,
): Promise<{ v5: V5Row[]; extended: ExtendedRow[] }> {
  const v5: V5Row[] = [];
  const extended: ExtendedRow[] = [];
  const raws: RefRaws = {
    baseline: await firstStdout(ctx.jobDir, 'baseline', ctx.warmup),
    human: await firstStdout(ctx.jobDir, 'human', ctx.warmup),
  };
  for (const agentVariant of job.variants.filter((v) => v.kind === 'agent')) {
    v5.push(await v5RowOf(task, job, agentVariant, raws, ctx));
    extended.push(extendedRowOf(task, job, agentVariant, ctx));
  }
  return { v5, extended };
}

/** The hardware column: the GPU and count, the CPUs of a CPU task, or a rehearsal's stand-in. */
function gpuConfigOf(task: TaskSpec, job: JobResult): string {
  // a rehearsal's rows say so in the one column of the schema that names the hardware
  if (isRehearsal(job.fingerprint)) return `rehearsal:stand-in:CPU:${job.fingerprint.cpus ?? '?'}`;
  return task.hardware.count > 0
    ? `${job.fingerprint.gpu ?? task.hardware.gpu}:${task.hardware.count}`
    : `CPU:${job.fingerprint.cpus ?? '?'}`;
}

/** One agent's published v5 row: the task's columns, the means of the measured rounds, the derived columns. */
async function v5RowOf(
  task: TaskSpec,
  job: JobResult,
  agentVariant: VariantResult,
  raws: RefRaws,
  ctx: RowContext,
): Promise<V5Row> {
  const kind = task.benchmark.kind ?? 'serving';
  const row: V5Row = {
    ...emptyV5Row(),
    commit_hash: task.commits.human,
    commit_short: task.commits.human.slice(0, 8),
    commit_subject: task.subject,
    repo: task.repo.name,
    perf_command: task.benchmark.perfCommand,
    files_changed: [...task.filesChanged],
    pr_url: task.prUrl,
    models: task.benchmark.model ? [task.benchmark.model] : [],
    parent_commit: task.commits.parent,
    gpu_config: gpuConfigOf(task, job),
    benchmark_mode: task.benchmark.v5Mode,
    agent_name: agentVariant.agent,
    agent_model: agentVariant.model,
    benchmark_date: ctx.date,
    model: task.benchmark.model,
    has_agent_patch: agentVariant.patch !== null || agentVariant.status !== 'patch_empty',
    patch_path: `jobs/${basename(ctx.jobDir)}/patches/${variantSlug(agentVariant.id)}.patch`,
    baseline_raw: raws.baseline,
    human_raw: raws.human,
    agent_raw:
      agentVariant.status === 'ok' ? await firstStdout(ctx.jobDir, agentVariant.id, ctx.warmup) : null,
    test_script: null,
    data_source: `isobench:${ctx.runId}`,
  };
  const fill = (phase: 'baseline' | 'human' | 'agent', v: VariantResult | undefined) => {
    if (v?.status !== 'ok') return;
    for (const col of V5_METRICS) {
      const name = V5_FROM_PARSED[kind][col];
      const m = name === undefined ? undefined : v.means[name];
      if (m !== undefined) row[metricColumn(phase, col)] = m;
    }
  };
  fill('baseline', variantOf(job, 'baseline'));
  fill('human', variantOf(job, 'human'));
  fill('agent', agentVariant);
  for (const { column, value } of recomputeDerived(row)) row[column] = value;
  return row;
}

function variantOf(job: JobResult, id: string): VariantResult | undefined {
  return job.variants.find((v) => v.id === id);
}

/** What the extended row keeps of a variant. */
function picked(v: VariantResult | undefined) {
  return {
    status: v?.status ?? 'missing',
    detail: v?.detail ?? '',
    summary: v?.summary ?? null,
    samples: v?.samples ?? [],
  };
}

/** One agent's extended row: the spread, intervals, verdicts, failure class and fingerprint. */
function extendedRowOf(
  task: TaskSpec,
  job: JobResult,
  agentVariant: VariantResult,
  ctx: RowContext,
): ExtendedRow {
  const judgement = job.agents.find((a) => a.variant === agentVariant.id);
  return {
    schemaVersion: EXT_ROW_VERSION,
    runId: ctx.runId,
    task: task.id,
    benchmark: { kind: task.benchmark.kind ?? 'serving', v5Mode: task.benchmark.v5Mode ?? null },
    agent: agentVariant.agent ?? '?',
    model: agentVariant.model ?? '?',
    variant: agentVariant.id,
    jobPath: `jobs/${basename(ctx.jobDir)}`,
    design: job.design,
    stop: job.stop,
    primaryMetric: job.primaryMetric,
    repeats: job.repeats,
    variants: {
      baseline: picked(variantOf(job, 'baseline')),
      human: picked(variantOf(job, 'human')),
      agent: picked(agentVariant),
    },
    humanVsBaseline: job.humanVsBaseline,
    agentVsBaseline: judgement?.agentVsBaseline ?? null,
    agentVsHuman: judgement?.agentVsHuman ?? null,
    verdict: judgement?.verdict?.verdict ?? null,
    verdictReason: judgement?.verdict?.reason ?? null,
    taskValidHere: job.validity.valid,
    taskValidity: job.validity.reason,
    failureClass: judgement?.failure ?? job.failure?.class ?? null,
    patch: agentVariant.patch,
    tamper: agentVariant.tamper ?? [],
    equivalence: judgement?.equivalence ?? null,
    equivalenceCalibration: job.equivalence,
    credited: judgement?.credited ?? false,
    accuracy: judgement?.accuracy ?? null,
    fingerprint: job.fingerprint,
    executor: job.executor,
    thresholdPct: ctx.thresholdPct,
    // the attempt of this run, else the one the predictions carried
    effort: (agentVariant.agent && ctx.efforts?.get(agentVariant.agent)) || agentVariant.effort || null,
  };
}
