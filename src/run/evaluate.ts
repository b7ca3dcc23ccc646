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
 *   jobs/<task>/unit.json        the job's unit record, written last: its key and how it ended
 *
 * Crash-safe: a job whose unit record carries the same key (the task spec, the patches, the
 * measurement settings) is done and is read back, not run again; a job without one (killed midway)
 * is redone from an empty folder. Harness failures are retried a bounded number of times, each
 * retry recorded; they end as `infra` records that `--retry-infra` runs again.
 */

import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runBenchJob } from '../bench/job.js';
import type { AgentPatch, JobResult, PhaseRecord } from '../bench/types.js';
import { type RepoSource, variantSlug } from '../bench/workspace.js';
import type { Executor } from '../executor/types.js';
import { isInfra } from '../grade/taxonomy.js';
import { type ExtendedRow, rowsForJob } from '../report/run-rows.js';
import { writeV5Table } from '../report/v5-io.js';
import type { V5Row } from '../report/v5-schema.js';
import { needsRun, unitKey, writeUnit } from '../store/units.js';
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
  /** run again the jobs whose records say infra (default: leave them) */
  readonly retryInfra?: boolean;
  /** harness failures of a job retried this many times within the run (default 1), after backoffMs (default 5 s) */
  readonly infraRetries?: number;
  readonly backoffMs?: number;
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
  // a resumed run keeps the time it was first created
  const createdAt =
    ((await readFile(join(runDir, 'run.json'), 'utf8').then(
      (t) => (JSON.parse(t) as { createdAt?: string }).createdAt,
      () => undefined,
    )) as string | undefined) ?? new Date().toISOString();
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
    const agents = plan.patches.get(task.id) ?? [];
    const inputs = {
      task: unitKey(task),
      taskId: task.id,
      agents: agents
        .map((a) => ({
          agent: a.agent,
          model: a.model,
          patch: createHash('sha256').update(a.patch).digest('hex'),
        }))
        .sort((a, b) => `${a.agent} ${a.model} ${a.patch}`.localeCompare(`${b.agent} ${b.model} ${b.patch}`)),
      repeats: plan.repeats,
      warmup: plan.warmup,
      thresholdPct: plan.thresholdPct,
      executor: plan.executor.kind,
      image: plan.image ?? null,
      tamperPolicy: plan.tamperPolicy ?? null,
      accuracy: plan.accuracy ?? null,
    };
    const key = unitKey(inputs);
    const { run, previous } = await needsRun(jobDir, key, { retryInfra: plan.retryInfra });
    if (!run && previous) {
      // done in an earlier invocation of this run: read it back
      const result =
        previous.status === 'done'
          ? (JSON.parse(await readFile(join(jobDir, 'job.json'), 'utf8')) as JobResult)
          : null;
      jobsOut.push({ task: task.id, result, error: result ? null : previous.detail });
      jobSummaries.push({
        task: task.id,
        status: result ? (result.failure?.class ?? 'done') : 'infra_error',
        resumed: true,
        path: `jobs/${variantSlug(task.id)}/job.json`,
      });
      if (result) {
        const rows = await rowsForJob(task, result, {
          runId: plan.runId,
          jobDir,
          warmup: plan.warmup,
          thresholdPct: plan.thresholdPct,
          date,
        });
        v5.push(...rows.v5);
        extended.push(...rows.extended);
      }
      continue;
    }
    const retries: Array<{ at: string; cause: string }> = [
      ...(previous?.status === 'infra'
        ? [...previous.retries, { at: previous.finishedAt, cause: previous.detail }]
        : []),
    ];
    let outcome: { result: JobResult } | { error: string } = { error: 'not run' };
    for (let attempt = 0; attempt <= (plan.infraRetries ?? 1); attempt++) {
      if (attempt > 0) {
        retries.push({ at: new Date().toISOString(), cause: (outcome as { error: string }).error });
        await new Promise((r) => setTimeout(r, (plan.backoffMs ?? 5000) * 2 ** (attempt - 1)));
        await rm(jobDir, { recursive: true, force: true });
      }
      try {
        outcome = { result: await runJob(plan, task, jobDir) };
        break;
      } catch (e) {
        outcome = { error: (e as Error).message };
      }
    }
    if ('error' in outcome) {
      jobsOut.push({ task: task.id, result: null, error: outcome.error });
      jobSummaries.push({ task: task.id, status: 'infra_error', error: outcome.error });
      await writeUnit(jobDir, {
        key,
        kind: 'bench_job',
        status: 'infra',
        detail: outcome.error,
        inputs,
        retries,
      });
    } else {
      const result = outcome.result;
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
      const infra = result.failure && isInfra(result.failure.class);
      await writeUnit(jobDir, {
        key,
        kind: 'bench_job',
        status: infra ? 'infra' : 'done',
        detail: result.failure ? `${result.failure.class}: ${result.failure.detail}` : 'measured',
        inputs,
        retries,
      });
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

/** Builds or finds the images a job needs and runs it (throws for harness failures). */
async function runJob(plan: EvaluationPlan, task: TaskSpec, jobDir: string): Promise<JobResult> {
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
  return runBenchJob({
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
}
