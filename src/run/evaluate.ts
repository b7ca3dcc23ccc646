/**
 * `isobench run`: tasks × agent patches → one bench job per task → rows, written under
 * `<out>/<run-id>/` with every artifact at a fixed path:
 *
 *   run.json                     what was asked and how it ended (versioned)
 *   jobs/<task>/job.json         the job's result: variants, statistics, verdicts, fingerprint
 *   jobs/<task>/phases/NN-<variant>/  phase.json, client.stdout, client.stderr, server.log, ...
 *   jobs/<task>/patches/         each agent's patch and apply log
 *   rows.v5.{csv,jsonl,parquet}  the published schema-v5 rows
 *   rows.ext.jsonl               isobench's extended rows
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runBenchJob } from '../bench/job.js';
import type { AgentPatch, JobResult, PhaseRecord } from '../bench/types.js';
import { type RepoSource, variantSlug } from '../bench/workspace.js';
import type { Executor } from '../executor/types.js';
import { type ExtendedRow, rowsForJob } from '../report/run-rows.js';
import { writeV5Table } from '../report/v5-io.js';
import type { V5Row } from '../report/v5-schema.js';
import type { TamperPolicy } from '../tamper/registry.js';
import type { TaskSpec } from '../task/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';

/** The version of run.json. */
export const RUN_RECORD_VERSION = 1;

/** What to evaluate. */
export interface EvaluationPlan {
  readonly runId: string;
  readonly outDir: string;
  readonly tasks: readonly TaskSpec[];
  /** patches per task id */
  readonly patches: ReadonlyMap<string, readonly AgentPatch[]>;
  readonly executor: Executor;
  readonly image?: string;
  readonly repeats: number;
  readonly warmup: number;
  readonly thresholdPct: number;
  readonly source?: RepoSource;
  readonly cache?: string;
  /** the optional accuracy check of serving tasks */
  readonly accuracy?: {
    readonly dataset: string;
    readonly maxTokens?: number;
    readonly tolerancePts?: number;
  };
  /** when the static tamper rules refuse a patch */
  readonly tamperPolicy?: TamperPolicy;
  /** build per-commit images (Docker executor) before each job; the base image of the demo recipes */
  readonly buildImages?: { readonly baseImage: string; readonly logDir: string };
  readonly args: readonly string[];
  readonly onPhase?: (task: TaskSpec, r: PhaseRecord) => void;
  readonly onJob?: (task: TaskSpec, r: JobResult) => void;
}

/** What a run produced. */
export interface EvaluationResult {
  readonly runDir: string;
  readonly jobs: ReadonlyArray<{ task: string; result: JobResult | null; error: string | null }>;
  readonly v5: readonly V5Row[];
  readonly extended: readonly ExtendedRow[];
}

/** Runs the plan, one job after another; a job that breaks is recorded and the others still run. */
export async function runEvaluation(plan: EvaluationPlan): Promise<EvaluationResult> {
  const runDir = join(plan.outDir, plan.runId);
  await mkdir(runDir, { recursive: true });
  const createdAt = new Date().toISOString();
  const record = (status: string, jobs: unknown[]) => ({
    schemaVersion: RUN_RECORD_VERSION,
    runId: plan.runId,
    createdAt,
    updatedAt: new Date().toISOString(),
    status,
    args: plan.args,
    executor: plan.executor.kind,
    image: plan.image ?? null,
    repeats: plan.repeats,
    warmup: plan.warmup,
    thresholdPct: plan.thresholdPct,
    tasks: plan.tasks.map((t) => t.id),
    agents: [...new Set([...plan.patches.values()].flat().map((p) => `${p.agent} (${p.model})`))],
    jobs,
  });
  const jobsOut: Array<{ task: string; result: JobResult | null; error: string | null }> = [];
  const jobSummaries: unknown[] = [];
  await writeFileAtomic(
    join(runDir, 'run.json'),
    `${JSON.stringify(record('running', jobSummaries), null, 2)}\n`,
  );
  const v5: V5Row[] = [];
  const extended: ExtendedRow[] = [];
  const date = createdAt.slice(0, 10);
  for (const task of plan.tasks) {
    const jobDir = join(runDir, 'jobs', variantSlug(task.id));
    try {
      let images: { parent?: string; human?: string } | undefined;
      const fingerprintExtra: Record<string, string> = {};
      if (plan.buildImages && plan.executor.kind === 'docker') {
        const { buildTaskImages } = await import('../executor/task-images.js');
        const docker = (plan.executor as import('../executor/docker.js').DockerExecutor).docker;
        const built = await buildTaskImages(docker, task, { clone: plan.source?.clone, ...plan.buildImages });
        images = { parent: built.parent.tag, human: built.human.tag };
        Object.assign(fingerprintExtra, {
          image_parent: `${built.parent.tag} ${built.parent.id}`,
          image_human: `${built.human.tag} ${built.human.id}`,
        });
      } else if (plan.image && plan.executor.kind === 'docker') {
        const docker = (plan.executor as import('../executor/docker.js').DockerExecutor).docker;
        const info = await docker.getImage(plan.image).inspect();
        fingerprintExtra.image = `${plan.image} ${info.Id}`;
      }
      const result = await runBenchJob({
        images,
        fingerprintExtra,
        task,
        agents: plan.patches.get(task.id) ?? [],
        executor: plan.executor,
        jobDir,
        repeats: plan.repeats,
        warmup: plan.warmup,
        image: plan.image,
        source: plan.source,
        cache: plan.cache,
        accuracy: plan.accuracy,
        tamperPolicy: plan.tamperPolicy,
        policy: { thresholdPct: plan.thresholdPct },
        onPhase: (r) => plan.onPhase?.(task, r),
      });
      jobsOut.push({ task: task.id, result, error: null });
      jobSummaries.push({
        task: task.id,
        status: result.failure?.class ?? 'done',
        path: `jobs/${variantSlug(task.id)}/job.json`,
      });
      plan.onJob?.(task, result);
      const rows = await rowsForJob(task, result, {
        runId: plan.runId,
        jobDir,
        warmup: plan.warmup,
        thresholdPct: plan.thresholdPct,
        date,
      });
      v5.push(...rows.v5);
      extended.push(...rows.extended);
    } catch (e) {
      const message = (e as Error).message;
      jobsOut.push({ task: task.id, result: null, error: message });
      jobSummaries.push({ task: task.id, status: 'infra_error', error: message });
    }
    await writeFileAtomic(
      join(runDir, 'run.json'),
      `${JSON.stringify(record('running', jobSummaries), null, 2)}\n`,
    );
  }
  for (const ext of ['csv', 'jsonl', 'parquet']) await writeV5Table(join(runDir, `rows.v5.${ext}`), v5);
  await writeFileAtomic(
    join(runDir, 'rows.ext.jsonl'),
    extended.map((r) => JSON.stringify(r)).join('\n') + (extended.length ? '\n' : ''),
  );
  await writeFileAtomic(
    join(runDir, 'run.json'),
    `${JSON.stringify(record('done', jobSummaries), null, 2)}\n`,
  );
  return { runDir, jobs: jobsOut, v5, extended };
}
