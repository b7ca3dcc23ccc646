/**
 * `isobench run`: the whole matrix. Agent attempts (tasks × agents × attempts, CPU work) and bench
 * jobs (one per task and attempt number: baseline, human and that attempt of every agent, measured
 * interleaved on leased slots), written under `<out>/<run-id>/` with every artifact at a fixed path:
 *
 *   run.json                         what was asked and how it ended (versioned)
 *   agents/<agent>/<task>/<n>/       an attempt: prompt, patch, trajectory, logs, outcome.json, unit.json
 *   jobs/<task>[_a<n>]/measurement.json  what the job measured (variants, phases, accuracy, fingerprint)
 *   jobs/<task>[_a<n>]/job.json      its grade: variants, statistics, verdicts (isobench regrade redoes it)
 *   jobs/<task>[_a<n>]/phases/NN-<variant>/  phase.json, client.stdout, client.stderr, server.log, ...
 *   jobs/<task>[_a<n>]/unit.json     the job's unit record, written last: its key and how it ended
 *   rows.v5.{csv,jsonl,parquet}      the published schema-v5 rows
 *   rows.ext.jsonl                   isobench's extended rows
 *
 * Crash-safe: a unit whose record carries the same key (what decides its result) is done and is read
 * back, not run again; a unit without one (killed midway) is redone from an empty folder. Known
 * infrastructure failures are retried a bounded number of times with back-off, each retry recorded
 * with its cause; they end as `infra` records that `--retry-infra` runs again. Any other exception is
 * a harness error: recorded with its stack (`harness-error.log`), not retried, run again by the next
 * run or resume. Agent and patch failures are final.
 * Caps on cost and wall-clock time stop scheduling new units; what was not started has no record and
 * a later `--resume` does it.
 */

import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AttemptRecord, attemptDir, readAttempt } from '../agent/attempt.js';
import type { Budgets } from '../agent/types.js';
import type { AgentPatch, JobResult, PhaseRecord } from '../bench/types.js';
import type { RepoSource } from '../bench/workspace.js';
import type { V5Row } from '../dataset/v5-schema.js';
import type { Executor } from '../executor/types.js';
import { isInfra } from '../grade/taxonomy.js';
import { type AttemptEffort, type ExtendedRow, rowsForJob } from '../report/run-rows.js';
import { type Backend, InProcessBackend } from '../sched/backend.js';
import { SlotPool } from '../sched/slots.js';
import { type AgentPayload, type BenchPayload, PAYLOAD_VERSION } from '../sched/work.js';
import { needsRun, type UnitRecord, unitKey, writeUnit } from '../store/units.js';
import type { TamperPolicy } from '../tamper/registry.js';
import type { TaskSpec } from '../task/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { errorMessage, errorReport, isKnownInfra } from '../util/errors.js';
import { variantSlug } from '../util/slug.js';
import { agentKeyInputs, benchKeyInputs } from './keys.js';
import { effortOf, jobGroups, writeRunRows } from './rows.js';

/** The version of run.json. */
export const RUN_RECORD_VERSION = 2;

/** An agent of the matrix. */
export interface AgentSpec {
  /** the adapter's name (isobench agents list) */
  readonly name: string;
  /** how to find the adapter where the attempt runs: its name, or the path of its spec file */
  readonly ref?: string;
  /** the model label the agent is asked to use */
  readonly model: string;
  readonly options: Readonly<Record<string, unknown>>;
  /** the environment variable holding its key (read where the agent runs; never stored) */
  readonly apiKeyEnv: string | null;
  /** its model provider, for per-provider limits */
  readonly provider?: string | null;
  readonly binary?: string;
  readonly budgets: Partial<Budgets>;
  readonly hintLevel?: 'none' | 'files';
  /** run it in a Docker sandbox built on this base image */
  readonly dockerSandboxFrom?: string;
}

/** What to evaluate. */
export interface EvaluationPlan {
  readonly runId: string;
  readonly outDir: string;
  readonly tasks: readonly TaskSpec[];
  /** ready-made patches per task id (predictions); they join the first attempt's job */
  readonly patches: ReadonlyMap<string, readonly AgentPatch[]>;
  /** agents to run on every task, `attempts` times each */
  readonly agents?: readonly AgentSpec[];
  readonly attempts?: number;
  readonly executor: Executor;
  /** where units run (default: this process, one measurement slot) */
  readonly backend?: Backend;
  readonly image?: string;
  readonly repeats: number;
  readonly warmup: number;
  readonly thresholdPct: number;
  readonly source?: RepoSource;
  /** the prefetch cache (models, tokenizers, datasets) */
  readonly cache?: string;
  /** the cache root of repository mirrors and agent installs */
  readonly cacheRoot?: string;
  /** the optional accuracy check of serving tasks */
  readonly accuracy?: {
    readonly dataset: string;
    readonly maxTokens?: number;
    readonly tolerancePts?: number;
  };
  /** when the static tamper rules refuse a patch */
  readonly tamperPolicy?: TamperPolicy;
  /** build per-commit images (Docker executor) before each job from this base image */
  readonly buildImagesFrom?: string;
  readonly args: readonly string[];
  /** run again the units whose records say infra (default: leave them) */
  readonly retryInfra?: boolean;
  /** harness failures of a bench job retried this many times (default 1), after backoffMs × 2^n (default 5 s) */
  readonly infraRetries?: number;
  readonly backoffMs?: number;
  /** agents' own infra retries (rate limits), per attempt (default 2) and their back-off (default 30 s) */
  readonly agentInfraRetries?: number;
  readonly agentBackoffMs?: number;
  /** stop scheduling new units past these */
  readonly caps?: { readonly maxCostUsd?: number; readonly wallMs?: number };
  readonly onPhase?: (task: TaskSpec, r: PhaseRecord) => void;
  readonly onJob?: (task: TaskSpec, r: JobResult) => void;
  readonly onEvent?: (e: UnitEvent) => void;
  /** the soft-metric judge of the rows (its key is read from the environment, never stored) */
  readonly judge?: import('../grade/judge.js').JudgeConfig;
  /** something the user should know (a hand-edited record found, a unit redone) */
  readonly onNote?: (note: string) => void;
}

/** Progress of units, as they go. */
export interface UnitEvent {
  readonly unit: 'agent_attempt' | 'bench_job';
  readonly id: string;
  /** planned: counted at the start; start/end: ran now; resumed: read back from a record; skipped: not started (a cap) */
  readonly phase: 'planned' | 'start' | 'end' | 'resumed' | 'skipped';
  /** how it ended: done, infra, or the failure class / agent outcome */
  readonly status?: string;
  readonly ms?: number;
  readonly costUsd?: number | null;
  readonly retry?: string;
}

/** What a run produced. */
export interface EvaluationResult {
  readonly runDir: string;
  readonly status: 'done' | 'stopped';
  readonly stopReason: string | null;
  /** `harness`: the job failed on a bug of isobench (its stack in the job's `harness-error.log`) */
  readonly jobs: ReadonlyArray<{
    task: string;
    result: JobResult | null;
    error: string | null;
    harness?: boolean;
  }>;
  readonly attempts: ReadonlyArray<{
    task: string;
    agent: string;
    attempt: number;
    record: AttemptRecord | null;
    error: string | null;
    /** it failed on a bug of isobench (thrown, or its outcome says harness_error) */
    harness: boolean;
  }>;
  readonly v5: readonly V5Row[];
  readonly extended: readonly ExtendedRow[];
  readonly slots: ReadonlyArray<{ slot: string; busyMs: number; idleMs: number }>;
  readonly wallMs: number;
}

type Outcome<T> =
  | { result: T; resumed: boolean }
  | { error: string; resumed: boolean; harness?: boolean }
  | { notStarted: string };

/** A unit's thrown failure: a known infrastructure error, or a harness error with its stack in `log`. */
async function thrownFailure(
  e: unknown,
  dir: string,
): Promise<{ status: 'infra' | 'harness_error'; detail: string }> {
  if (isKnownInfra(e)) return { status: 'infra', detail: errorMessage(e) };
  await mkdir(dir, { recursive: true });
  const log = join(dir, 'harness-error.log');
  await writeFile(log, errorReport(e));
  return {
    status: 'harness_error',
    detail: `isobench failed (a bug; its stack is in ${log}): ${errorMessage(e)}`,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs the plan; a unit that breaks is recorded and the others still run. */
export async function runEvaluation(plan: EvaluationPlan): Promise<EvaluationResult> {
  const t0 = performance.now();
  const runDir = join(plan.outDir, plan.runId);
  await mkdir(runDir, { recursive: true });
  const backend =
    plan.backend ??
    new InProcessBackend({
      executor: plan.executor,
      slots: new SlotPool(['cpu0'], false),
      agentConcurrency: 1,
    });
  // a resumed run keeps the time it was first created
  const createdAt =
    ((await readFile(join(runDir, 'run.json'), 'utf8').then(
      (t) => (JSON.parse(t) as { createdAt?: string }).createdAt,
      () => undefined,
    )) as string | undefined) ?? new Date().toISOString();
  const agents = plan.agents ?? [];
  const attempts = agents.length ? Math.max(1, plan.attempts ?? 1) : 1;
  const emit = (e: UnitEvent) => plan.onEvent?.(e);

  // --- caps: checked before any unit starts
  const deadline = plan.caps?.wallMs ? Date.now() + plan.caps.wallMs : Number.POSITIVE_INFINITY;
  let spentUsd = 0;
  let stopReason: string | null = null;
  const mayStart = (): boolean => {
    if (stopReason) return false;
    if (Date.now() > deadline)
      stopReason = `the wall-clock cap (${((plan.caps?.wallMs ?? 0) / 60_000).toFixed(1)} min) was reached`;
    else if (plan.caps?.maxCostUsd !== undefined && spentUsd >= plan.caps.maxCostUsd)
      stopReason = `the cost cap ($${plan.caps.maxCostUsd}) was reached: $${spentUsd.toFixed(4)} spent`;
    return !stopReason;
  };

  const jobSummaries = new Map<string, unknown>();
  const record = (status: string) => ({
    schemaVersion: RUN_RECORD_VERSION,
    runId: plan.runId,
    createdAt,
    updatedAt: new Date().toISOString(),
    status,
    stopReason,
    args: plan.args,
    executor: plan.executor.kind,
    backend: backend.name,
    image: plan.image ?? null,
    repeats: plan.repeats,
    warmup: plan.warmup,
    thresholdPct: plan.thresholdPct,
    attempts,
    tasks: plan.tasks.map((t) => t.id),
    agents: [
      ...agents.map((a) => `${a.name} (${a.model})`),
      ...new Set([...plan.patches.values()].flat().map((p) => `${p.agent} (${p.model})`)),
    ],
    costUsd: spentUsd,
    jobs: [...jobSummaries.values()],
  });
  let writing = Promise.resolve();
  const saveRun = (status: string) => {
    writing = writing.then(() =>
      writeFileAtomic(join(runDir, 'run.json'), `${JSON.stringify(record(status), null, 2)}\n`),
    );
    return writing;
  };
  await saveRun('running');

  // --- agent attempts
  const attemptOut: Array<{
    task: string;
    agent: string;
    attempt: number;
    record: AttemptRecord | null;
    error: string | null;
    /** it failed on a bug of isobench (thrown, or its outcome says harness_error) */
    harness: boolean;
  }> = [];
  const runAgentUnit = async (task: TaskSpec, a: AgentSpec, n: number): Promise<Outcome<AttemptRecord>> => {
    const dir = attemptDir(runDir, a.name, task.id, n);
    const id = `${task.id} ${a.name} #${n}`;
    const unkeyed: Omit<AgentPayload, 'key'> = {
      v: PAYLOAD_VERSION,
      kind: 'agent_attempt',
      runId: plan.runId,
      task,
      agent: a.name,
      agentRef: a.ref,
      model: a.model,
      attempt: n,
      options: a.options,
      budgets: a.budgets,
      apiKeyEnv: a.apiKeyEnv,
      provider: a.provider ?? null,
      hintLevel: a.hintLevel,
      binary: a.binary,
      clone: plan.source?.clone,
      cacheRoot: plan.cacheRoot,
      infraRetries: plan.agentInfraRetries,
      backoffMs: plan.agentBackoffMs,
      dockerSandboxFrom: a.dockerSandboxFrom,
    };
    const inputs = agentKeyInputs(unkeyed);
    const key = unitKey(inputs);
    const { run, previous, note } = await needsRun(dir, key, { retryInfra: plan.retryInfra, inputs });
    if (note) plan.onNote?.(note);
    if (!run && previous) {
      const rec = await readAttempt(dir);
      spentUsd += rec?.usage.costUsd ?? 0;
      emit({
        unit: 'agent_attempt',
        id,
        phase: 'resumed',
        status: rec?.outcome.kind ?? 'infra',
        costUsd: rec?.usage.costUsd,
      });
      return rec ? { result: rec, resumed: true } : { error: previous.detail, resumed: true };
    }
    if (!mayStart()) {
      emit({ unit: 'agent_attempt', id, phase: 'skipped', status: 'not_started' });
      return { notStarted: stopReason as string };
    }
    const payload: AgentPayload = { ...unkeyed, key };
    const started = performance.now();
    emit({ unit: 'agent_attempt', id, phase: 'start' });
    const retries: Array<{ at: string; cause: string }> =
      previous?.status === 'infra'
        ? [...previous.retries, { at: previous.finishedAt, cause: previous.detail }]
        : [];
    let out: Outcome<AttemptRecord>;
    try {
      const rec = await backend.agent(payload, runDir);
      spentUsd += rec.usage.costUsd ?? 0;
      const requeued = backend.requeued?.get(key);
      if (requeued) retries.push({ at: rec.startedAt, cause: requeued });
      // the attempt's own infra tries (rate limits) are its retries
      for (const t of rec.tries.slice(0, -1))
        retries.push({ at: rec.startedAt, cause: `${t.kind}: ${t.detail}` });
      await writeUnit(
        dir,
        {
          key,
          kind: 'agent_attempt',
          status:
            rec.outcome.kind === 'infra'
              ? 'infra'
              : rec.outcome.kind === 'harness_error'
                ? 'harness_error'
                : 'done',
          detail: `${rec.outcome.kind}: ${rec.outcome.detail}`,
          inputs,
          retries,
        },
        'outcome.json',
      );
      out = { result: rec, resumed: false };
    } catch (e) {
      const f = await thrownFailure(e, dir);
      await writeUnit(dir, {
        key,
        kind: 'agent_attempt',
        status: f.status,
        detail: f.detail,
        inputs,
        retries,
      });
      out = { error: f.detail, resumed: false, harness: f.status === 'harness_error' };
    }
    emit({
      unit: 'agent_attempt',
      id,
      phase: 'end',
      status:
        'result' in out
          ? out.result.outcome.kind
          : 'harness' in out && out.harness
            ? 'harness_error'
            : 'infra',
      ms: performance.now() - started,
      costUsd: 'result' in out ? out.result.usage.costUsd : null,
    });
    return out;
  };

  // --- bench jobs: one per task and attempt number
  const runBenchUnit = async (
    task: TaskSpec,
    slug: string,
    patches: readonly AgentPatch[],
  ): Promise<Outcome<JobResult>> => {
    const jobDir = join(runDir, 'jobs', slug);
    const unkeyed: Omit<BenchPayload, 'key'> = {
      v: PAYLOAD_VERSION,
      kind: 'bench_job',
      runId: plan.runId,
      slug,
      task,
      patches,
      repeats: plan.repeats,
      warmup: plan.warmup,
      thresholdPct: plan.thresholdPct,
      image: plan.image,
      tamperPolicy: plan.tamperPolicy,
      accuracy: plan.accuracy,
      buildImagesFrom: plan.buildImagesFrom,
      source: plan.source,
      cache: plan.cache,
    };
    const inputs = benchKeyInputs(unkeyed, plan.executor.kind);
    const key = unitKey(inputs);
    const { run, previous, note } = await needsRun(jobDir, key, { retryInfra: plan.retryInfra, inputs });
    if (note) plan.onNote?.(note);
    if (!run && previous) {
      const result =
        previous.status === 'done'
          ? (JSON.parse(await readFile(join(jobDir, 'job.json'), 'utf8')) as JobResult)
          : null;
      emit({
        unit: 'bench_job',
        id: slug,
        phase: 'resumed',
        status: result ? (result.failure?.class ?? 'done') : 'infra',
      });
      return result ? { result, resumed: true } : { error: previous.detail, resumed: true };
    }
    if (!mayStart()) {
      emit({ unit: 'bench_job', id: slug, phase: 'skipped', status: 'not_started' });
      return { notStarted: stopReason as string };
    }
    const payload: BenchPayload = { ...unkeyed, key };
    const retries: Array<{ at: string; cause: string }> =
      previous?.status === 'infra'
        ? [...previous.retries, { at: previous.finishedAt, cause: previous.detail }]
        : [];
    let started = performance.now();
    let announced = false;
    // a job starts when it has its slots (the wait for them is not its time)
    const onStart = () => {
      started = performance.now();
      if (!announced) emit({ unit: 'bench_job', id: slug, phase: 'start' });
      announced = true;
    };
    let outcome: { result: JobResult } | { error: string; harness: boolean } = {
      error: 'not run',
      harness: false,
    };
    for (let n = 0; n <= (plan.infraRetries ?? 1); n++) {
      if (n > 0) {
        const cause =
          'error' in outcome
            ? outcome.error
            : `${outcome.result.failure?.class}: ${outcome.result.failure?.detail}`;
        retries.push({ at: new Date().toISOString(), cause });
        emit({ unit: 'bench_job', id: slug, phase: 'start', retry: cause });
        await sleep((plan.backoffMs ?? 5000) * 2 ** (n - 1));
        await rm(jobDir, { recursive: true, force: true });
      }
      try {
        outcome = { result: await backend.bench(payload, jobDir, (r) => plan.onPhase?.(task, r), onStart) };
        // a job that ended on a harness failure is retried like a thrown one
        if (!(outcome.result.failure && isInfra(outcome.result.failure.class))) break;
      } catch (e) {
        const f = await thrownFailure(e, jobDir);
        outcome = { error: f.detail, harness: f.status === 'harness_error' };
        // a bug of isobench is not retried: it would fail the same way, and hide as flaky infrastructure
        if (outcome.harness) break;
      }
    }
    if (!announced) emit({ unit: 'bench_job', id: slug, phase: 'start' });
    let out: Outcome<JobResult>;
    if ('error' in outcome) {
      await mkdir(jobDir, { recursive: true });
      const detail = outcome.error;
      await writeUnit(jobDir, {
        key,
        kind: 'bench_job',
        status: outcome.harness ? 'harness_error' : 'infra',
        detail,
        inputs,
        retries,
      });
      out = { error: detail, resumed: false, harness: outcome.harness };
    } else {
      const result = outcome.result;
      plan.onJob?.(task, result);
      const requeued = backend.requeued?.get(key);
      if (requeued) retries.push({ at: result.startedAt ?? new Date().toISOString(), cause: requeued });
      const infra = result.failure && isInfra(result.failure.class);
      await writeUnit(
        jobDir,
        {
          key,
          kind: 'bench_job',
          status: infra ? 'infra' : 'done',
          detail: result.failure ? `${result.failure.class}: ${result.failure.detail}` : 'measured',
          inputs,
          retries,
        },
        'job.json',
      );
      out = { result, resumed: false };
    }
    emit({
      unit: 'bench_job',
      id: slug,
      phase: 'end',
      status:
        'result' in out
          ? (out.result.failure?.class ?? 'done')
          : 'harness' in out && out.harness
            ? 'harness_error'
            : 'infra',
      ms: performance.now() - started,
    });
    return out;
  };

  // --- the matrix: every group (task, attempt number) runs as soon as its attempts are done
  const groups = jobGroups(plan.tasks, attempts);
  for (const g of groups) {
    emit({ unit: 'bench_job', id: g.slug, phase: 'planned' });
    for (const a of agents)
      emit({ unit: 'agent_attempt', id: `${g.task.id} ${a.name} #${g.n}`, phase: 'planned' });
  }
  const benchOut = new Map<string, Outcome<JobResult>>();
  await Promise.all(
    groups.map(async (g) => {
      const recs = await Promise.all(agents.map((a) => runAgentUnit(g.task, a, g.n)));
      const patches: AgentPatch[] = g.n === 1 ? [...(plan.patches.get(g.task.id) ?? [])] : [];
      let blocked: string | null = null;
      for (const [i, r] of recs.entries()) {
        const a = agents[i] as AgentSpec;
        attemptOut.push({
          task: g.task.id,
          agent: a.name,
          attempt: g.n,
          record: 'result' in r ? r.result : null,
          error: 'error' in r ? r.error : 'notStarted' in r ? `not started: ${r.notStarted}` : null,
          harness:
            'result' in r ? r.result.outcome.kind === 'harness_error' : 'error' in r && r.harness === true,
        });
        if ('notStarted' in r) blocked = r.notStarted;
        // an attempt that failed for infrastructure reasons is not the agent's: it is left out of the
        // job (and rerun by --retry-infra, which changes the job's key)
        if (
          !('result' in r) ||
          r.result.outcome.kind === 'infra' ||
          r.result.outcome.kind === 'harness_error'
        )
          continue;
        const dir = attemptDir(runDir, a.name, g.task.id, g.n);
        patches.push({
          agent: a.name,
          model: a.model,
          patch: await readFile(join(dir, r.result.files.patch), 'utf8').catch(() => ''),
          source: `agents/${variantSlug(a.name)}/${variantSlug(g.task.id)}/${g.n}`,
        });
      }
      if (blocked) {
        emit({ unit: 'bench_job', id: g.slug, phase: 'skipped', status: 'not_started' });
        benchOut.set(g.slug, { notStarted: blocked });
        return;
      }
      const out = await runBenchUnit(g.task, g.slug, patches);
      benchOut.set(g.slug, out);
      jobSummaries.set(g.slug, {
        task: g.task.id,
        attempt: g.n,
        status:
          'result' in out
            ? (out.result.failure?.class ?? 'done')
            : 'notStarted' in out
              ? 'not_started'
              : 'infra_error',
        ...('error' in out ? { error: out.error } : {}),
        ...('resumed' in out && out.resumed ? { resumed: true } : {}),
        path: `jobs/${g.slug}/job.json`,
      });
      await saveRun('running');
    }),
  );

  // --- rows, in plan order
  const jobsOut: Array<{ task: string; result: JobResult | null; error: string | null; harness?: boolean }> =
    [];
  const v5: V5Row[] = [];
  const extended: ExtendedRow[] = [];
  const date = createdAt.slice(0, 10);
  for (const g of groups) {
    const out = benchOut.get(g.slug) as Outcome<JobResult>;
    if ('notStarted' in out) continue;
    if ('error' in out) {
      jobsOut.push({ task: g.task.id, result: null, error: out.error, harness: out.harness === true });
      continue;
    }
    jobsOut.push({ task: g.task.id, result: out.result, error: null });
    const efforts = new Map<string, AttemptEffort>();
    for (const a of attemptOut.filter((x) => x.task === g.task.id && x.attempt === g.n && x.record))
      efforts.set(a.agent, effortOf(a.agent, g.task.id, g.n, a.record as AttemptRecord));
    const rows = await rowsForJob(g.task, out.result, {
      runId: plan.runId,
      jobDir: join(runDir, 'jobs', g.slug),
      warmup: plan.warmup,
      thresholdPct: plan.thresholdPct,
      date,
      efforts,
    });
    v5.push(...rows.v5);
    extended.push(...rows.extended);
  }
  if (plan.judge && extended.length) {
    const { judgeRows } = await import('./judge-rows.js');
    const slugOf = new Map(groups.map((g) => [`${g.task.id} ${g.n}`, g.slug]));
    const judged = await judgeRows(extended, {
      runDir,
      tasks: plan.tasks,
      cfg: plan.judge,
      cacheRoot: plan.cacheRoot,
      clone: plan.source?.clone,
      jobOf: (row) =>
        `jobs/${slugOf.get(`${row.task} ${row.effort?.attempt ?? 1}`) ?? variantSlug(row.task)}`,
    });
    extended.splice(0, extended.length, ...judged);
  }
  await writeRunRows(runDir, v5, extended);
  const status = stopReason ? 'stopped' : 'done';
  await saveRun(status);
  return {
    runDir,
    status,
    stopReason,
    jobs: jobsOut,
    attempts: attemptOut,
    v5,
    extended,
    slots: backend.slotUsage(),
    wallMs: performance.now() - t0,
  };
}

export type { UnitRecord };
