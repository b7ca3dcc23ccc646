/**
 * A bench job: one task; baseline, human and every agent patch measured on the same executor and
 * device, in one sandbox per image, k repeats each, interleaved (B H A1 A2 … then again) after a
 * warm-up round, all with the task's identical argv and the same untouched client copy. The job only
 * measures: phases, the correctness probe in the last round, the optional accuracy check, all written
 * to `measurement.json` and the phases' folders; the grade is computed from them by its caller
 * (sched/grade-measurement.ts, as `isobench regrade` does). Its sandboxes are closed and its trees released on every path.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Executor, InfraError, type Sandbox } from '../executor/types.js';
import { type AccuracyScore, parseAccuracyDataset, scoreAccuracy } from '../grade/accuracy.js';
import { DEFAULT_EQUIVALENCE_POLICY, type EquivalencePolicy } from '../grade/equivalence.js';
import type { AccuracyReadings, GradePolicy } from '../grade/job.js';
import { levelAtLook, looksOf } from '../grade/sequential.js';
import { type LookFinding, measuredAfterLook, stopAtLook } from '../grade/stopping.js';
import { type FailureClass, isInfra } from '../grade/taxonomy.js';
import type { Adaptive, Look, Stop } from '../grade/values.js';
import { DEFAULT_POLICY, type VerdictPolicy } from '../grade/verdict.js';
import { parserFor } from '../parse/registry.js';
import { missingFromCache } from '../prefetch/cache.js';
import type { BenchConfig } from '../store/config.js';
import { type ParsedPerfCommand, parsePerfCommand } from '../task/perf-command.js';
import type { TaskSpec } from '../task/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { RUN_DEFAULTS } from '../util/defaults.js';
import { jsonObject } from '../util/json.js';
import { packageRoot } from '../util/package-root.js';
import { plural } from '../util/plural.js';
import { shellLine } from '../util/shell-words.js';
import { variantSlug } from '../util/slug.js';
import { readClocks, readFingerprint } from './fingerprint.js';
import { awaitGpuRelease, readGpuMemory } from './gpu-memory.js';
import {
  type JobMeasurement,
  MEASUREMENT_VERSION,
  type MeasuredVariantRecord,
  writeMeasurement,
} from './measurement.js';
import { runPhase, servedModel } from './phase.js';
import { type Planned, planJob } from './plan.js';
import { startServer, stopServer } from './server.js';
import { clientSourceFile, runPrepare, runSetup } from './setup.js';
import type { AgentPatch, JobResult, PhaseRecord, PreparedVariant, SetupRecord } from './types.js';
import { prepareVariants, releaseVariants } from './workspace.js';

/**
 * The run's bench settings a job reads, declared once with the run's configuration (BenchConfig in
 * src/store/config.ts): rounds, warm-up, image, clone, prefetch cache, tamper policy, accuracy check;
 * each optional here, the run's defaults standing for what is not given.
 */
type JobBenchSettings = Partial<
  Pick<
    BenchConfig,
    | 'repeats'
    | 'warmup'
    | 'adaptive'
    | 'clientRuns'
    | 'image'
    | 'source'
    | 'cache'
    | 'tamperPolicy'
    | 'accuracy'
  >
>;

/** How to run a job. */
export interface JobOptions extends JobBenchSettings {
  readonly task: TaskSpec;
  readonly agents: readonly AgentPatch[];
  readonly executor: Executor;
  /** where every artifact of the job goes */
  readonly jobDir: string;
  /** per-commit images: the parent's (baseline and agents) and the human's (Docker executor) */
  readonly images?: { readonly parent?: string; readonly human?: string };
  readonly policy?: VerdictPolicy;
  /** bounded retries of a phase that failed for infrastructure reasons */
  readonly phaseRetries?: number;
  /** called after every phase (progress) */
  readonly onPhase?: (r: PhaseRecord) => void;
  /** extra facts for the fingerprint (image digest) */
  readonly fingerprintExtra?: Record<string, string>;
  /** how the human's divergence sets the tolerance of agents' outputs */
  readonly equivalencePolicy?: EquivalencePolicy;
  /**
   * who the accuracy check asks besides the baseline, from the measurement so far (a preliminary
   * grade, made by the caller: sched/grade-measurement.ts); without it, no agent is asked
   */
  readonly accuracyAgents?: (jobDir: string, m: Graded) => Promise<readonly string[]>;
  /**
   * an adaptive job's look (after each measured round from the first look on): the verdicts the
   * measurement so far leaves open (a preliminary grade, made by the caller:
   * sched/grade-measurement.ts); without it, an adaptive job runs all its rounds
   */
  readonly look?: (jobDir: string, m: Graded) => Promise<LookFinding>;
  /** the GPUs leased for this job (device ids); default: any `task.hardware.count` GPUs */
  readonly gpuDevices?: readonly string[];
  /** how long a phase waits for the GPU memory of the phase before it (default GPU_RELEASE_TIMEOUT_S) */
  readonly gpuReleaseS?: number;
}

/** What a preliminary grade reads of the measurement so far. */
export type Graded = Pick<
  JobMeasurement,
  'task' | 'primaryMetric' | 'variants' | 'phases' | 'policy' | 'design'
>;

/** The grading policy of a job's options. */
export function gradePolicyOf(
  opts: Pick<JobOptions, 'policy' | 'equivalencePolicy' | 'accuracy'>,
): GradePolicy {
  return {
    verdict: opts.policy ?? DEFAULT_POLICY,
    equivalence: opts.equivalencePolicy ?? DEFAULT_EQUIVALENCE_POLICY,
    accuracyTolerancePts: opts.accuracy?.tolerancePts ?? RUN_DEFAULTS.accuracyTolerancePts,
  };
}

/** A variant placed in its sandbox. */
interface Placed {
  readonly sb: Sandbox;
  readonly dir: string;
}

/** What the sandboxes of a job hold once every variant is placed and set up. */
interface Stage {
  /** what the job does, planned before anything opens (plan.ts) */
  readonly planned: Planned;
  readonly sandboxes: Map<string, Sandbox>;
  readonly placed: Map<string, Placed>;
  readonly setups: Map<string, SetupRecord[]>;
  readonly setupFailures: Map<string, { class: FailureClass; detail: string }>;
  fingerprint: Record<string, string>;
}

/** The job's primary metric, or why the task cannot be measured. */
function primaryOf(task: TaskSpec): JobResult['primaryMetric'] {
  const kind = task.benchmark.kind;
  const primary =
    task.benchmark.primaryMetric ??
    (kind ? { name: parserFor(kind).primaryMetric, unit: '', direction: 'lower' as const } : null);
  if (!kind || !primary || !task.benchmark.client)
    throw new Error(
      `${task.id} is not benchmarkable: ${task.benchmarkable.ok ? 'no workload' : task.benchmarkable.detail}`,
    );
  return { name: primary.name, unit: primary.unit, direction: primary.direction };
}

/** What the prefetch cache lacks for the task, as a failure, or null when it has everything. */
function prefetchProblem(task: TaskSpec, cache: string | undefined): string | null {
  const needs = task.prefetch.models.length + task.prefetch.tokenizers.length + task.prefetch.datasets.length;
  if (needs === 0) return null;
  if (!cache)
    return `${task.id} needs ${needs} prefetched item(s) and no cache was given (isobench prefetch --cache DIR, then run with the same --cache)`;
  const missing = missingFromCache(task, cache);
  return missing.length
    ? `missing from ${cache}: ${missing.map((m) => `${m.kind} ${m.id} (expected at ${m.expectedAt})`).join('; ')}`
    : null;
}

/** Closes every sandbox (each one even when another fails) and releases the job's trees. */
async function closeStage(stage: Stage, repoDir: string | null, jobDir: string): Promise<void> {
  const errors: string[] = [];
  for (const sb of stage.sandboxes.values())
    await sb.close().catch((e: Error) => errors.push(`${sb.id}: ${e.message}`));
  // the job's trees are gone with its folder; only git's note of them would be left, pruned by the next job
  if (repoDir) await releaseVariants(repoDir, jobDir).catch(() => undefined);
  if (errors.length) throw new InfraError(`closing the job's sandboxes failed: ${errors.join('; ')}`);
}

/** What every measurement of the job says first: the task, its metric, rounds, executor, start, policy. */
function headOf(opts: JobOptions) {
  return {
    schemaVersion: MEASUREMENT_VERSION,
    task: opts.task,
    primaryMetric: primaryOf(opts.task),
    repeats: opts.repeats ?? RUN_DEFAULTS.repeats,
    warmup: opts.warmup ?? RUN_DEFAULTS.warmup,
    design: {
      maxRounds: opts.repeats ?? RUN_DEFAULTS.repeats,
      // a server start is what several client runs share: offline clients load the model each run
      clientRuns: opts.task.benchmark.kind === 'serving' ? (opts.clientRuns ?? 1) : 1,
      adaptive: opts.adaptive ?? null,
    },
    executor: opts.executor.kind,
    startedAt: new Date().toISOString(),
    policy: gradePolicyOf(opts),
  } as const;
}

type Head = ReturnType<typeof headOf>;

/** The measurement of a job the prefetch cache cannot serve: nothing ran, each agent's variant listed. */
function prefetchMissing(head: Head, opts: JobOptions, problem: string, t0: number): JobMeasurement {
  return {
    ...head,
    order: [],
    variants: opts.agents.map((a) => ({
      id: `agent:${a.agent}`,
      kind: 'agent' as const,
      agent: a.agent,
      model: a.model,
      ...(a.effort ? { effort: a.effort } : {}),
      patch: null,
      tamper: [],
      setup: [],
      failure: null,
    })),
    phases: [],
    stop: { reason: 'nothing_to_decide', rounds: 0, detail: problem, looks: [] },
    accuracy: null,
    failure: { class: 'prefetch_missing', detail: problem },
    fingerprint: {},
    durationMs: performance.now() - t0,
  };
}

/** The job's plan for the prepared variants (plan.ts), and an empty stage to measure it in. */
async function stageOf(opts: JobOptions, head: Head, variants: readonly PreparedVariant[]): Promise<Stage> {
  // the client's JSON result, where the untouched client copy can write one (no copy: none asked)
  const clientSource = await readFile(
    join(variants[0]?.hostDir ?? '', clientSourceFile(opts.task)),
    'utf8',
  ).catch(() => '');
  const planned = planJob({
    task: opts.task,
    variants: variants.map((v) => ({ id: v.id, native: v.patch?.native === true })),
    executor: opts.executor.kind,
    images: opts.images,
    image: opts.image,
    repeats: head.repeats,
    warmup: head.warmup,
    cache: opts.cache,
    gpuDevices: opts.gpuDevices,
    clientSource,
    workdir: opts.executor.kind === 'docker' ? '/work' : '<sandbox>/work',
  });
  return {
    planned,
    sandboxes: new Map(),
    placed: new Map(),
    setups: new Map(),
    setupFailures: new Map(),
    fingerprint: {},
  };
}

/** Sets the variants up, measures the rounds and the accuracy check; the stage is closed whatever happens. */
async function measureStage(
  opts: JobOptions,
  head: Head,
  variants: readonly PreparedVariant[],
  stage: Stage,
  repoDir: string | null,
): Promise<Pick<JobMeasurement, 'order' | 'variants' | 'phases' | 'stop' | 'accuracy'>> {
  let measured: Pick<JobMeasurement, 'order' | 'variants' | 'phases' | 'stop' | 'accuracy'>;
  try {
    await stageVariants(opts, variants, stage);
    const runs = variants.filter((v) => v.hostDir !== null && !stage.setupFailures.has(v.id));
    const order = runs.map((v) => v.id);
    const facts = { ...head, order, variants: variantRecords(variants, stage) };
    const { phases, stop } = await measureRounds(opts, runs, stage, facts);
    const rounds = { ...facts, phases, stop };
    measured = { ...rounds, accuracy: await measureAccuracy(opts, stage, rounds) };
  } catch (e) {
    // the first failure is the one to report; closing after it is best effort
    await closeStage(stage, repoDir, opts.jobDir).catch(() => undefined);
    throw e;
  }
  await closeStage(stage, repoDir, opts.jobDir);
  return measured;
}

/** Measures the job (nothing is graded here) and writes `measurement.json`. */
export async function measureJob(opts: JobOptions): Promise<JobMeasurement> {
  const t0 = performance.now();
  const head = headOf(opts);
  await mkdir(opts.jobDir, { recursive: true });
  const problem = prefetchProblem(opts.task, opts.cache);
  if (problem) {
    const m = prefetchMissing(head, opts, problem, t0);
    await writeMeasurement(opts.jobDir, m);
    return m;
  }
  const { variants, repoDir } = await prepareVariants(
    opts.task,
    opts.agents,
    opts.jobDir,
    opts.source,
    opts.tamperPolicy,
  );
  const stage = await stageOf(opts, head, variants);
  const measured = await measureStage(opts, head, variants, stage, repoDir);
  const m: JobMeasurement = {
    ...head,
    ...measured,
    failure: null,
    fingerprint: stage.fingerprint,
    durationMs: performance.now() - t0,
  };
  await writeMeasurement(opts.jobDir, m);
  return m;
}

/** The variants as prepared and set up. */
function variantRecords(variants: readonly PreparedVariant[], stage: Stage): MeasuredVariantRecord[] {
  return variants.map((v) => ({
    id: v.id,
    kind: v.kind,
    agent: v.agent?.agent ?? null,
    model: v.agent?.model ?? null,
    patch: v.patch,
    tamper: v.tamper,
    setup: stage.setups.get(v.id) ?? [],
    ...(v.notes?.length ? { notes: v.notes } : {}),
    ...(v.reference ? { reference: v.reference } : {}),
    ...(v.agent?.effort ? { effort: v.agent.effort } : {}),
    failure: v.failure ?? stage.setupFailures.get(v.id) ?? null,
  }));
}

/**
 * Opens one sandbox per image, all on the task's GPUs, each with the client copy (set up as a
 * checkout too), and places and sets up every variant that has a tree.
 */
async function stageVariants(opts: JobOptions, variants: readonly PreparedVariant[], stage: Stage) {
  const { task, executor, jobDir } = opts;
  const { plan } = stage.planned;
  // the first variant is the baseline, whose tree holds the benchmark client (workspace.ts)
  const clientHost = variants[0]?.hostDir;
  const sandboxFor = async (v: PreparedVariant): Promise<Sandbox> => {
    const image = plan.variants.find((p) => p.id === v.id)?.image ?? '';
    const open = stage.sandboxes.get(image);
    if (open) return open;
    if (!clientHost)
      throw new Error(`${task.id}: the first variant has no tree to copy the benchmark client from`);
    const sb = await executor.open({
      name: `${task.id}`,
      image: image || undefined,
      gpus:
        plan.gpus.count > 0
          ? plan.gpus.devices
            ? { devices: plan.gpus.devices }
            : { count: plan.gpus.count }
          : undefined,
      mounts: [...plan.mounts],
      // NCCL's buffers of tensor-parallel servers live in /dev/shm (Docker gives 64 MB)
      shmBytes: plan.gpus.shmBytes ?? undefined,
      labels: { 'isobench.task': task.id },
    });
    stage.sandboxes.set(image, sb);
    await sb.put(clientHost, `${sb.workdir}/client`);
    // the client copy runs as a checkout too (its package imported from it): it gets the same setup
    const prep = await runPrepare(
      task,
      sb,
      `${sb.workdir}/client`,
      join(jobDir, 'setup', `client-${stage.sandboxes.size}`),
      plan.setupEnv,
    );
    if (prep.failure) throw new InfraError(`${prep.failure.detail} (in the benchmark client's copy)`);
    if (stage.sandboxes.size === 1) {
      await mkdir(join(jobDir, 'host'), { recursive: true });
      stage.fingerprint = await readFingerprint(sb, join(jobDir, 'host'), {
        executor: executor.kind,
        ...opts.fingerprintExtra,
      });
    }
    return sb;
  };
  for (const v of variants) {
    if (v.hostDir === null) continue;
    const sb = await sandboxFor(v);
    const dir = `${sb.workdir}/variants/${variantSlug(v.id)}`;
    await sb.put(v.hostDir, dir);
    stage.placed.set(v.id, { sb, dir });
    const ran = await runSetup(task, v, sb, dir, join(jobDir, 'setup', variantSlug(v.id)), plan.setupEnv);
    stage.setups.set(v.id, ran.records);
    if (ran.failure) stage.setupFailures.set(v.id, ran.failure);
  }
}

/** What every round of a job shares: the idle GPU memory of each sandbox and the parsed workload. */
interface RoundContext {
  readonly opts: JobOptions;
  readonly stage: Stage;
  readonly measured: readonly PreparedVariant[];
  readonly idle: ReadonlyMap<Sandbox, Record<string, number> | null>;
  readonly command: ParsedPerfCommand | null;
  readonly phases: PhaseRecord[];
  /** client runs on each server start (the design's) */
  readonly clientRuns: number;
}

/**
 * One round: every measured variant once (one server start each), interleaved, in the plan's order.
 * (Turning the order by one variant each round was tried: on the 2-core development VM it widened a
 * no-op patch's interval from inside ±25% to [-28.8, 7.3], position effects becoming spread; a
 * balanced order, each variant in each position equally often, is for a later change.)
 */
async function runRound(
  ctx: RoundContext,
  round: number,
  warmup: boolean,
  probe: boolean,
  measured: readonly PreparedVariant[] = ctx.measured,
): Promise<void> {
  const { opts, stage } = ctx;
  for (const v of measured) {
    const logDir = join(opts.jobDir, 'phases', `${String(round).padStart(2, '0')}-${variantSlug(v.id)}`);
    await mkdir(logDir, { recursive: true });
    const r = await measurePhase(opts, stage, ctx.idle, {
      command: ctx.command,
      variant: v.id,
      round,
      warmup,
      last: probe,
      logDir,
      clientRuns: ctx.clientRuns,
    });
    await writeFileAtomic(join(logDir, 'phase.json'), `${JSON.stringify(r, null, 2)}\n`);
    ctx.phases.push(r);
    opts.onPhase?.(r);
  }
}

/** The look after `rounds` measured rounds: its level and the verdicts the measurement so far leaves open. */
async function lookAfter(
  ctx: RoundContext,
  facts: Omit<Graded, 'phases'>,
  adaptive: Adaptive,
  rounds: number,
): Promise<Look & { readonly nothingToDecide: string | null }> {
  const looks = looksOf(adaptive, facts.design.maxRounds);
  const level = levelAtLook(looks, rounds);
  const found = ctx.opts.look
    ? await ctx.opts.look(ctx.opts.jobDir, { ...facts, phases: ctx.phases })
    : { undecided: ['(no grader: every round runs)'], nothingToDecide: null };
  return { rounds, level, undecided: [...found.undecided], nothingToDecide: found.nothingToDecide };
}

/** Why an adaptive job stopped after its looks. */
function adaptiveStop(looks: ReadonlyArray<Look & { readonly nothingToDecide: string | null }>): Stop {
  const last = looks.at(-1);
  const recorded = looks.map(({ nothingToDecide: _n, ...l }) => l);
  const rounds = last?.rounds ?? 0;
  if (last?.nothingToDecide)
    return { reason: 'nothing_to_decide', rounds, detail: last.nothingToDecide, looks: recorded };
  if (last && !last.undecided.length)
    return {
      reason: 'decided',
      rounds,
      detail: `every verdict was decided at the look after round ${rounds} (level ${(100 * last.level).toFixed(2)}%)`,
      looks: recorded,
    };
  return {
    reason: 'max_rounds',
    rounds,
    detail: `${rounds} rounds run, the most; still open: ${last?.undecided.join(', ') || '(no look)'}`,
    looks: recorded,
  };
}

/**
 * The warm-up rounds, then the measured rounds: all of them (fixed), or until a look finds every
 * verdict decided (adaptive: a look after each measured round from the first look on; an agent
 * decided at a look is not measured after it, and grading judges it as that look did). The
 * correctness probe runs in the last measured round of fixed rounds and in the first of adaptive
 * ones (whose last is not known ahead), after the client, on the same server.
 */
async function measureRounds(
  opts: JobOptions,
  measured: readonly PreparedVariant[],
  stage: Stage,
  facts: Omit<Graded, 'phases'>,
): Promise<{ phases: PhaseRecord[]; stop: Stop }> {
  const { task } = opts;
  const { rounds } = stage.planned.plan;
  // the workload each phase is checked against: the spec's own client argv, which is the published
  // command as the catalogue resolved it (a renamed model, the prefetched dataset's path), not its text
  const workload = task.benchmark.client ? shellLine(task.benchmark.client.argv) : task.benchmark.perfCommand;
  const parsedCommand = workload ? parsePerfCommand(workload) : null;
  const ctx: RoundContext = {
    opts,
    stage,
    measured,
    idle: await readySandboxes(opts, stage),
    command: parsedCommand?.ok ? parsedCommand.parsed : null,
    phases: [],
    clientRuns: facts.design.clientRuns,
  };
  for (let w = 1; w <= rounds.warmup; w++) await runRound(ctx, w, true, false);
  const adaptive = facts.design.adaptive;
  const looks: Array<Look & { readonly nothingToDecide: string | null }> = [];
  let active = measured;
  for (let m = 1; m <= rounds.repeats; m++) {
    await runRound(ctx, rounds.warmup + m, false, adaptive ? m === 1 : m === rounds.repeats, active);
    if (!adaptive || m < adaptive.minRounds) continue;
    const look = await lookAfter(ctx, facts, adaptive, m);
    looks.push(look);
    if (stopAtLook(look)) break;
    active = active.filter((v) => measuredAfterLook(look, v.id));
  }
  if (!adaptive)
    return {
      phases: ctx.phases,
      stop: {
        reason: 'fixed',
        rounds: rounds.repeats,
        detail: plural(rounds.repeats, 'fixed round'),
        looks: [],
      },
    };
  return { phases: ctx.phases, stop: adaptiveStop(looks) };
}

/**
 * Readies every sandbox for the phases: the folder of JSON results, the correctness probes (harness
 * code, never the agent's) and their outputs' folder; and reads each one's GPU memory before any
 * phase, what later phases wait to be back at.
 */
async function readySandboxes(
  opts: JobOptions,
  stage: Stage,
): Promise<Map<Sandbox, Record<string, number> | null>> {
  const { task, jobDir } = opts;
  const idle = new Map<Sandbox, Record<string, number> | null>();
  for (const sb of stage.sandboxes.values()) {
    if (stage.planned.jsonResult) await sb.writeFile(`${sb.workdir}/results/.keep`, '');
    if (task.correctness || opts.accuracy) {
      await sb.put(join(packageRoot(), 'harness', 'probes'), `${sb.workdir}/probes`);
      await sb.writeFile(`${sb.workdir}/probe-out/.keep`, '');
    }
    if (task.hardware.count > 0) {
      await mkdir(join(jobDir, 'host'), { recursive: true });
      idle.set(sb, await readGpuMemory(sb, join(jobDir, 'host')));
    }
  }
  return idle;
}

/** One phase of one variant, tried again (a bounded number of times) while it fails for infrastructure reasons. */
async function measurePhase(
  opts: JobOptions,
  stage: Stage,
  idle: ReadonlyMap<Sandbox, Record<string, number> | null>,
  at: {
    readonly command: ParsedPerfCommand | null;
    readonly variant: string;
    readonly round: number;
    readonly warmup: boolean;
    readonly last: boolean;
    readonly logDir: string;
    readonly clientRuns: number;
  },
): Promise<PhaseRecord> {
  const { task } = opts;
  const placed = stage.placed.get(at.variant);
  // the rounds measure only the variants stageVariants placed
  if (!placed) throw new Error(`${at.variant} was not placed in a sandbox`);
  const { sb, dir } = placed;
  const { plan, jsonResult } = stage.planned;
  const memory = idle.get(sb);
  const retries = opts.phaseRetries ?? RUN_DEFAULTS.phaseRetries;
  const tryPhase = (attempt: number): Promise<PhaseRecord> =>
    runPhase({
      sandbox: sb,
      task,
      command: at.command,
      variant: at.variant,
      round: at.round,
      warmup: at.warmup,
      place: { variantDir: dir, clientDir: `${sb.workdir}/client`, logDir: at.logDir },
      probeAtStart: task.hardware.count > 0 ? () => readClocks(sb, at.logDir) : undefined,
      awaitGpu: memory ? () => awaitGpuRelease(sb, memory, at.logDir, opts.gpuReleaseS) : undefined,
      env: plan.env,
      clientRuns: at.clientRuns,
      probe:
        task.correctness && at.last
          ? { spec: task.correctness, probeDir: `${sb.workdir}/probes`, outDir: `${sb.workdir}/probe-out` }
          : undefined,
      jsonResult: jsonResult
        ? {
            request: jsonResult,
            dir: `${sb.workdir}/results`,
            file: `${at.round}-${variantSlug(at.variant)}-a${attempt}.json`,
          }
        : undefined,
    });
  // the first try always runs; again while it fails for infrastructure reasons
  let rec = await tryPhase(0);
  for (let attempt = 1; attempt <= retries && rec.status !== 'ok' && isInfra(rec.status); attempt++)
    rec = await tryPhase(attempt);
  return rec;
}

/**
 * The optional accuracy check of serving tasks, a measurement step: the baseline and the agents the
 * caller picks (those whose preliminary grade shows a credited gain, to spare the GPU) answer the
 * dataset's questions.
 */
async function measureAccuracy(opts: JobOptions, stage: Stage, m: Graded): Promise<AccuracyReadings | null> {
  const { task, jobDir } = opts;
  const accuracy = opts.accuracy;
  if (!accuracy || task.benchmark.kind !== 'serving') return null;
  const asked = (await opts.accuracyAgents?.(jobDir, m)) ?? [];
  if (!asked.length) return null;
  const items = parseAccuracyDataset(await readFile(accuracy.dataset, 'utf8'), accuracy.dataset);
  const baseEnv = stage.planned.plan.env;
  const ask = async (id: string): Promise<AccuracyScore | string> => {
    const at = stage.placed.get(id);
    if (!at) return `${id} has no tree`;
    const logDir = join(jobDir, 'accuracy', variantSlug(id));
    await mkdir(logDir, { recursive: true });
    const dataset = `${at.sb.workdir}/accuracy-dataset.jsonl`;
    await at.sb.put(accuracy.dataset, dataset);
    const started = await startServer(at.sb, task, at.dir, logDir, baseEnv);
    if (!started.ok) return `${started.status}: ${started.detail}`;
    const out = `${at.sb.workdir}/probe-out/accuracy-${variantSlug(id)}.jsonl`;
    const argv = [
      'python3',
      `${at.sb.workdir}/probes/accuracy.py`,
      '--port',
      String(started.port),
      '--model',
      servedModel(started.argv, task.benchmark.model ?? 'model'),
      '--dataset',
      dataset,
      '--max-tokens',
      String(accuracy.maxTokens ?? RUN_DEFAULTS.accuracyMaxTokens),
      '--out',
      out,
    ];
    const r = await at.sb.exec(argv, {
      cwd: at.dir,
      env: baseEnv,
      timeoutMs: task.timeouts.benchmarkS * 1000,
      stdoutPath: join(logDir, 'accuracy.log'),
      stderrPath: join(logDir, 'accuracy.log'),
    });
    await stopServer(at.sb, started.bg, started.port, logDir);
    if (r.exitCode !== 0)
      return `the accuracy probe exited with ${r.exitCode} (${join(logDir, 'accuracy.log')})`;
    await at.sb.get(out, join(logDir, 'outputs.jsonl'));
    const outputs = (await readFile(join(logDir, 'outputs.jsonl'), 'utf8'))
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => jsonObject(l))
      .filter((o) => o !== null)
      .map((o) => ({ id: String(o.id), text: typeof o.text === 'string' ? o.text : undefined }));
    return scoreAccuracy(items, outputs);
  };
  const baseline = await ask('baseline');
  const agents: Record<string, AccuracyScore | string> = {};
  if (typeof baseline !== 'string') for (const id of asked) agents[id] = await ask(id);
  return { dataset: accuracy.dataset, baseline, agents };
}
