/**
 * `isobench run`: the whole matrix. Agent attempts (tasks × agents × attempts, CPU work) and bench
 * jobs (one per task and attempt number: baseline, human and that attempt of every agent, measured
 * interleaved on leased slots), written under `<out>/<run-id>/` with every artifact at a fixed path:
 *
 *   run.json                         what was asked (its RunConfig, whole) and how it ended (versioned)
 *   agents/<agent>/<task>/<n>/       an attempt: prompt, patch, trajectory, logs, outcome.json, unit.json
 *   jobs/<task>[_a<n>]/measurement.json  what the job measured (variants, phases, accuracy, fingerprint)
 *   jobs/<task>[_a<n>]/job.json      its grade: variants, statistics, verdicts (isobench regrade redoes it)
 *   jobs/<task>[_a<n>]/phases/NN-<variant>/  phase.json, client.stdout, client.stderr, server.log, ...
 *   jobs/<task>[_a<n>]/unit.json     the job's unit record, written last: its key and how it ended
 *   rows.v5.{csv,jsonl,parquet}      the published schema-v5 rows
 *   rows.ext.jsonl                   isobench's extended rows
 *
 * Every unit runs through the one unit runner (unit-runner.ts). Crash-safe: a unit whose record carries the same key (what decides its result) is done and is read
 * back, not run again; a unit without one (killed midway) is redone from an empty folder. Known
 * infrastructure failures are retried a bounded number of times with back-off, each retry recorded
 * with its cause; they end as `infra` records that `--retry-infra` runs again. Any other exception is
 * a harness error: recorded with its stack (`harness-error.log`), not retried, run again by the next
 * run or resume. Agent and patch failures are final.
 * Caps on cost and wall-clock time stop scheduling new units; what was not started has no record and
 * a later `--resume` does it.
 */

import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { type AttemptRecord, attemptDir, effortOf, readAttempt } from '../agent/attempt.js';
import type { AgentPatch, JobResult, PhaseRecord } from '../bench/types.js';
import type { Executor } from '../executor/types.js';
import { isInfra } from '../grade/taxonomy.js';
import { type AttemptEffort, type ExtendedRow, rowsForJob } from '../report/job-rows.js';
import { type Backend, InProcessBackend } from '../sched/backend.js';
import { SlotPool } from '../sched/slots.js';
import {
  type AgentPayload,
  type AgentSpec,
  type BenchPayload,
  changedSettings,
  PAYLOAD_VERSION,
  type RunConfig,
} from '../store/config.js';
import { readStored, readStoredIfThere } from '../store/read.js';
import { type InterruptionRecord, RUN_RECORD_VERSION, type RunRecord } from '../store/schema.js';
import type { TaskSpec } from '../task/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { readTextIfThere } from '../util/if-there.js';
import { variantSlug } from '../util/slug.js';
import type { V5Row } from '../v5/schema.js';
import type { Interruption } from './interruption.js';
import type { JudgeConfig } from './judge-call.js';
import { agentKeyInputs, benchKeyInputs } from './keys.js';
import { type JobGroup, jobGroups, writeRunRows } from './tables.js';
import { type Outcome, runUnit, type UnitContext, type UnitEvent } from './unit-runner.js';

export type { AgentSpec, UnitEvent };

/** What to evaluate: the run's configuration, whole, and what it runs on. */
export interface EvaluationPlan {
  readonly config: RunConfig;
  /** the tasks `config.tasks` names, loaded */
  readonly tasks: readonly TaskSpec[];
  /** ready-made patches per task id (predictions); they join the first attempt's job */
  readonly patches: ReadonlyMap<string, readonly AgentPatch[]>;
  readonly executor: Executor;
  /** where units run (default: this process, one measurement slot) */
  readonly backend?: Backend;
  /** the judge of `config.judge`, with its key (never stored) */
  readonly judge?: JudgeConfig;
  readonly onPhase?: (task: TaskSpec, r: PhaseRecord) => void;
  readonly onEvent?: (e: UnitEvent) => void;
  /** something the user should know (a hand-edited record found, a unit redone, a setting changed) */
  readonly onNote?: (note: string) => void;
  /** fired on Ctrl-C: the run records itself interrupted, and what it cut leaves no record */
  readonly interruption?: Interruption;
}

/** An attempt as the run ended it. */
export interface AttemptOut {
  readonly task: string;
  readonly agent: string;
  readonly attempt: number;
  readonly record: AttemptRecord | null;
  readonly error: string | null;
  /** it failed on a bug of isobench (thrown, or its outcome says harness_error) */
  readonly harness: boolean;
}

/** A job as the run ended it; `harness`: a bug of isobench (its stack in the job's `harness-error.log`). */
export interface JobOut {
  readonly task: string;
  /** its folder under jobs/ */
  readonly slug: string;
  readonly result: JobResult | null;
  readonly error: string | null;
  readonly harness?: boolean;
}

/** What a run produced. */
export interface EvaluationResult {
  readonly runDir: string;
  readonly status: 'done' | 'stopped' | 'interrupted';
  readonly stopReason: string | null;
  readonly jobs: readonly JobOut[];
  readonly attempts: readonly AttemptOut[];
  readonly v5: readonly V5Row[];
  readonly extended: readonly ExtendedRow[];
  readonly slots: ReadonlyArray<{ slot: string; busyMs: number; idleMs: number }>;
  readonly wallMs: number;
}

/** The caps on cost and wall-clock time: asked before any unit starts. */
class Caps {
  spentUsd = 0;
  stopReason: string | null = null;
  private readonly deadline: number;
  constructor(private readonly caps: RunConfig['caps']) {
    this.deadline = caps.wallMs ? Date.now() + caps.wallMs : Number.POSITIVE_INFINITY;
  }
  /** why no new unit may start (null: one may) */
  stop(): string | null {
    if (this.stopReason) return this.stopReason;
    if (Date.now() > this.deadline)
      this.stopReason = `the wall-clock cap (${((this.caps.wallMs ?? 0) / 60_000).toFixed(1)} min) was reached`;
    else if (this.caps.maxCostUsd !== undefined && this.spentUsd >= this.caps.maxCostUsd)
      this.stopReason = `the cost cap ($${this.caps.maxCostUsd}) was reached: $${this.spentUsd.toFixed(4)} spent`;
    return this.stopReason;
  }
}

/** run.json (its schema: src/store/schema.ts), written as the run goes. */
class RunFile {
  readonly jobs = new Map<string, NonNullable<RunRecord['jobs']>[number]>();
  /** the units running now (started, not ended), by id */
  readonly running = new Set<string>();
  /** every interruption of the run, earlier invocations' first: when, by what, the units it cut */
  interruptions: InterruptionRecord[] = [];
  private writing = Promise.resolve();
  constructor(
    private readonly file: string,
    private readonly plan: EvaluationPlan,
    private readonly backend: string,
    readonly createdAt: string,
    private readonly caps: Caps,
  ) {}
  save(status: string): Promise<void> {
    const { config, patches } = this.plan;
    const record: RunRecord = {
      schemaVersion: RUN_RECORD_VERSION,
      runId: config.runId,
      createdAt: this.createdAt,
      updatedAt: new Date().toISOString(),
      status,
      stopReason: this.caps.stopReason,
      args: config.args,
      executor: config.executor,
      backend: this.backend,
      image: config.bench.image ?? null,
      repeats: config.bench.repeats,
      warmup: config.bench.warmup,
      thresholdPct: config.bench.thresholdPct,
      attempts: config.agents.length ? config.attempts : 1,
      tasks: config.tasks,
      agents: [
        ...config.agents.map((a) => `${a.name} (${a.model})`),
        ...new Set([...patches.values()].flat().map((p) => `${p.agent} (${p.model})`)),
      ],
      costUsd: this.caps.spentUsd,
      ...(this.interruptions.length ? { interruptions: this.interruptions } : {}),
      config,
      jobs: [...this.jobs.values()],
    };
    this.writing = this.writing.then(() =>
      writeFileAtomic(this.file, `${JSON.stringify(record, null, 2)}\n`),
    );
    return this.writing;
  }
}

/** The run.json of an earlier run in this folder (a resume); none when absent or unreadable (it is rewritten). */
async function earlierRun(file: string): Promise<Partial<RunRecord>> {
  // unreadable: this run rewrites it, so there is nothing of it to keep
  return (await readStoredIfThere('run', file).catch(() => null)) ?? {};
}

/** The units of one run: its attempts and jobs, each through the one unit runner. */
class Matrix {
  readonly attempts: AttemptOut[] = [];
  readonly jobs = new Map<string, Outcome<JobResult>>();
  constructor(
    private readonly plan: EvaluationPlan,
    private readonly runDir: string,
    private readonly backend: Backend,
    private readonly ctx: UnitContext,
    private readonly caps: Caps,
  ) {}

  /** One agent's attempt `n` on a task. */
  attempt(task: TaskSpec, a: AgentSpec, n: number): Promise<Outcome<AttemptRecord>> {
    const { config } = this.plan;
    const dir = attemptDir(this.runDir, a.name, task.id, n);
    const unkeyed: Omit<AgentPayload, 'key'> = {
      v: PAYLOAD_VERSION,
      kind: 'agent_attempt',
      runId: config.runId,
      task,
      attempt: n,
      agent: a,
      settings: config.agentSettings,
    };
    return runUnit<AttemptRecord>(
      {
        unit: 'agent_attempt',
        id: `${task.id} ${a.name} #${n}`,
        dir,
        inputs: agentKeyInputs(unkeyed),
        resultFile: 'outcome.json',
        // the attempt retries its own infrastructure failures (rate limits)
        retries: 0,
        backoffMs: 0,
        // an attempt that ended infra still has its outcome
        readBack: () => readAttempt(dir),
        runOnce: (key, onStart) => {
          onStart();
          return this.backend.agent({ ...unkeyed, key }, this.runDir);
        },
        standing: (rec) => ({
          status:
            rec.outcome.kind === 'infra' ||
            rec.outcome.kind === 'harness_error' ||
            rec.outcome.kind === 'config_error'
              ? rec.outcome.kind
              : 'done',
          detail: `${rec.outcome.kind}: ${rec.outcome.detail}`,
          shown: rec.outcome.kind,
          costUsd: rec.usage.costUsd,
          ownRetries: rec.tries
            .slice(0, -1)
            .map((t) => ({ at: rec.startedAt, cause: `${t.kind}: ${t.detail}` })),
          retry: false,
        }),
      },
      this.ctx,
    );
  }

  /** The bench job of a task and attempt number, with the patches that joined it. */
  bench(task: TaskSpec, slug: string, patches: readonly AgentPatch[]): Promise<Outcome<JobResult>> {
    const { config } = this.plan;
    const jobDir = join(this.runDir, 'jobs', slug);
    const unkeyed: Omit<BenchPayload, 'key'> = {
      v: PAYLOAD_VERSION,
      kind: 'bench_job',
      runId: config.runId,
      slug,
      task,
      patches: [...patches],
      bench: config.bench,
    };
    return runUnit<JobResult>(
      {
        unit: 'bench_job',
        id: slug,
        dir: jobDir,
        inputs: benchKeyInputs(unkeyed, config.executor),
        // the patches follow from the attempts: when a rerun attempt made a new one, the job reruns
        derived: ['agents'],
        resultFile: 'job.json',
        retries: config.benchRetries.retries,
        backoffMs: config.benchRetries.backoffMs,
        readBack: async (status) => (status === 'done' ? readJobResult(jobDir) : null),
        runOnce: (key, onStart) =>
          this.backend.bench({ ...unkeyed, key }, jobDir, (r) => this.plan.onPhase?.(task, r), onStart),
        standing: (r) => {
          const infra = r.failure !== null && isInfra(r.failure.class);
          return {
            status: infra ? 'infra' : 'done',
            detail: r.failure ? `${r.failure.class}: ${r.failure.detail}` : 'measured',
            shown: r.failure?.class ?? 'done',
            // a job that ended on a harness failure is retried like a thrown one
            retry: infra,
          };
        },
      },
      this.ctx,
    );
  }

  /** A group's attempts, then its job; the attempts that count give it their patches. */
  async group(g: JobGroup<TaskSpec>, record: RunFile): Promise<void> {
    const recs = await Promise.all(
      this.plan.config.agents.map(async (a) => ({ a, r: await this.attempt(g.task, a, g.n) })),
    );
    const patches: AgentPatch[] = g.n === 1 ? [...(this.plan.patches.get(g.task.id) ?? [])] : [];
    let blocked: string | null = null;
    for (const { a, r } of recs) {
      this.attempts.push(attemptOut(g, a.name, r));
      if ('notStarted' in r) blocked = r.notStarted;
      // an attempt that failed for infrastructure reasons (or on a bug) is not the agent's: it is left
      // out of the job (and rerun by --retry-infra, which changes the job's key)
      if ('result' in r && r.result.outcome.kind === 'config_error') {
        // the user's configuration: every attempt would fail the same way; said at once, and the run
        // starts nothing more (a resume, once it is fixed, runs these again)
        blocked = `${a.name}: ${r.result.outcome.detail}`;
        if (!this.caps.stopReason) {
          this.caps.stopReason = `a configuration error (${blocked})`;
          this.plan.onNote?.(`configuration error: ${blocked}`);
        }
      }
      if (
        !('result' in r) ||
        r.result.outcome.kind === 'infra' ||
        r.result.outcome.kind === 'harness_error' ||
        r.result.outcome.kind === 'config_error'
      )
        continue;
      const dir = attemptDir(this.runDir, a.name, g.task.id, g.n);
      patches.push({
        agent: a.name,
        model: a.model,
        patch: (await readTextIfThere(join(dir, r.result.files.patch))) ?? '',
        source: `agents/${variantSlug(a.name)}/${variantSlug(g.task.id)}/${g.n}`,
      });
    }
    if (blocked) {
      this.ctx.emit({ unit: 'bench_job', id: g.slug, phase: 'skipped', status: 'not_started' });
      this.jobs.set(g.slug, { notStarted: blocked });
      return;
    }
    const out = await this.bench(g.task, g.slug, patches);
    this.jobs.set(g.slug, out);
    record.jobs.set(g.slug, {
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
    await record.save('running');
  }
}

/** An attempt's outcome as the run reports it. */
function attemptOut(g: JobGroup<TaskSpec>, agent: string, r: Outcome<AttemptRecord>): AttemptOut {
  return {
    task: g.task.id,
    agent,
    attempt: g.n,
    record: 'result' in r ? r.result : null,
    error: 'error' in r ? r.error : 'notStarted' in r ? `not started: ${r.notStarted}` : null,
    harness: 'result' in r ? r.result.outcome.kind === 'harness_error' : 'error' in r && r.harness === true,
  };
}

/** A finished job's result, read back and checked. */
const readJobResult = (jobDir: string): Promise<JobResult> => readStored('job', join(jobDir, 'job.json'));

/** Runs the plan; a unit that breaks is recorded and the others still run. */
export async function runEvaluation(plan: EvaluationPlan): Promise<EvaluationResult> {
  const t0 = performance.now();
  const { config } = plan;
  if (plan.executor.kind !== config.executor)
    throw new Error(
      `the plan's executor is ${plan.executor.kind}, its configuration says ${config.executor}`,
    );
  const runDir = join(config.outDir, config.runId);
  await mkdir(runDir, { recursive: true });
  const backend =
    plan.backend ??
    new InProcessBackend({
      executor: plan.executor,
      slots: new SlotPool(['cpu0'], false),
      agentConcurrency: 1,
    });
  const caps = new Caps(config.caps);
  const { record, emit } = await openRunFile(plan, runDir, backend, caps);
  const interrupted = () => plan.interruption?.fired === true;
  const matrix = matrixOf(plan, runDir, backend, caps, emit);
  // every group (task, attempt number) runs as soon as its attempts are done
  const groups = jobGroups(plan.tasks, config.agents.length ? config.attempts : 1);
  for (const g of groups) {
    emit({ unit: 'bench_job', id: g.slug, phase: 'planned' });
    for (const a of config.agents)
      emit({ unit: 'agent_attempt', id: `${g.task.id} ${a.name} #${g.n}`, phase: 'planned' });
  }
  await Promise.all(groups.map((g) => matrix.group(g, record)));
  const rows = await runRows(plan, runDir, groups, matrix, record.createdAt.slice(0, 10));
  const status = interrupted() ? 'interrupted' : caps.stopReason ? 'stopped' : 'done';
  if (status !== 'interrupted') await record.save(status);
  return {
    runDir,
    status,
    stopReason: caps.stopReason,
    ...rows,
    attempts: matrix.attempts,
    slots: backend.slotUsage(),
    wallMs: performance.now() - t0,
  };
}

/**
 * The run's record (run.json), saved as running: a resumed run keeps the time it was first created and
 * its interruptions, and says which settings it changes; an interruption is recorded with the units it
 * cut, which `emit` keeps track of.
 */
async function openRunFile(
  plan: EvaluationPlan,
  runDir: string,
  backend: Backend,
  caps: Caps,
): Promise<{ record: RunFile; emit: (e: UnitEvent) => void }> {
  const earlier = await earlierRun(join(runDir, 'run.json'));
  const changed = earlier.config ? changedSettings(earlier.config, plan.config) : [];
  if (changed.length)
    plan.onNote?.(
      `${runDir}: resumed with other settings (${changed.join('; ')}): the units they decide run again`,
    );
  const createdAt = earlier.createdAt ?? new Date().toISOString();
  const record = new RunFile(join(runDir, 'run.json'), plan, backend.name, createdAt, caps);
  record.interruptions = [...(earlier.interruptions ?? [])];
  await record.save('running');
  plan.interruption?.onFire(async (cause) => {
    record.interruptions.push({ at: new Date().toISOString(), cause, cut: [...record.running].sort() });
    await record.save('interrupted');
  });
  const emit = (e: UnitEvent) => {
    const id = `${e.unit} ${e.id}`;
    if (e.phase === 'start') record.running.add(id);
    else if (e.phase === 'end') record.running.delete(id);
    plan.onEvent?.(e);
  };
  return { record, emit };
}

/** The matrix of the run's units, with what decides whether each may start and where a rerun's old folder goes. */
function matrixOf(
  plan: EvaluationPlan,
  runDir: string,
  backend: Backend,
  caps: Caps,
  emit: (e: UnitEvent) => void,
): Matrix {
  // what a unit folder that runs again held is kept here, by the time this invocation started
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const interrupted = () => plan.interruption?.fired === true;
  const ctx = {
    retryInfra: plan.config.retryInfra,
    rerunChanged: plan.config.rerunChanged === true,
    aside: (dir: string) => join(runDir, 'superseded', stamp, relative(runDir, dir)),
    interrupted,
    mayStart: () => (interrupted() ? 'the run was interrupted' : caps.stop()),
    spend: (usd: number) => {
      caps.spentUsd += usd;
    },
    emit,
    note: (n: string) => plan.onNote?.(n),
    requeued: backend.requeued,
  };
  return new Matrix(plan, runDir, backend, ctx, caps);
}

/** The rows of the run's jobs, in plan order, judged when asked; written as the run's tables. */
async function runRows(
  plan: EvaluationPlan,
  runDir: string,
  groups: readonly JobGroup<TaskSpec>[],
  matrix: Matrix,
  date: string,
): Promise<{ jobs: JobOut[]; v5: V5Row[]; extended: ExtendedRow[] }> {
  const { config } = plan;
  const jobs: JobOut[] = [];
  const v5: V5Row[] = [];
  let extended: ExtendedRow[] = [];
  for (const g of groups) {
    const out = matrix.jobs.get(g.slug);
    // every group ran (Matrix.group sets its job's outcome) before the rows are read
    if (!out) throw new Error(`${g.slug}: no outcome`);
    if ('notStarted' in out) continue;
    if ('error' in out) {
      jobs.push({
        task: g.task.id,
        slug: g.slug,
        result: null,
        error: out.error,
        harness: out.harness === true,
      });
      continue;
    }
    jobs.push({ task: g.task.id, slug: g.slug, result: out.result, error: null });
    const efforts = new Map<string, AttemptEffort>();
    for (const a of matrix.attempts)
      if (a.task === g.task.id && a.attempt === g.n && a.record) efforts.set(a.agent, effortOf(a.record));
    const rows = await rowsForJob(g.task, out.result, {
      runId: config.runId,
      jobDir: join(runDir, 'jobs', g.slug),
      warmup: config.bench.warmup,
      thresholdPct: config.bench.thresholdPct,
      date,
      efforts,
    });
    v5.push(...rows.v5);
    extended.push(...rows.extended);
  }
  if (plan.judge && extended.length) {
    const { judgeRows } = await import('./judge-rows.js');
    const slugOf = new Map(groups.map((g) => [`${g.task.id} ${g.n}`, g.slug]));
    extended = await judgeRows(extended, {
      runDir,
      tasks: plan.tasks,
      cfg: plan.judge,
      cacheRoot: config.agentSettings.cacheRoot,
      clone: config.bench.source?.clone,
      jobOf: (row) =>
        `jobs/${slugOf.get(`${row.task} ${row.effort?.attempt ?? 1}`) ?? variantSlug(row.task)}`,
    });
  }
  await writeRunRows(runDir, v5, extended);
  return { jobs, v5, extended };
}
