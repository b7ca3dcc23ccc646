/** `isobench run`: measure tasks × agent patches and print the verdicts. */
import { basename, join, resolve } from 'node:path';
import Table from 'cli-table3';
import type { AgentPatch, PhaseRecord } from '../bench/types.js';
import { chooseExecutor, openExecutor } from '../executor/choose.js';
import type { Executor } from '../executor/types.js';
import { type Interval, MIN_BOOTSTRAP_SAMPLES } from '../grade/stats.js';
import { writeRehearsalCache } from '../prefetch/rehearsal-cache.js';
import { reportRowOf } from '../report/board-rows.js';
import type { ExtendedRow } from '../report/job-rows.js';
import { runBoardBlock } from '../report/leaderboard-format.js';
import { runLeaderboard } from '../report/run-leaderboard.js';
import {
  imageOf,
  refuseBaseImageForVllm,
  refuseChangedResume,
  roundsOf,
  runConfigOf,
} from '../run/config-of.js';
import type { EvaluationPlan, EvaluationResult } from '../run/evaluate.js';
import { runTimePlan } from '../run/gpu-time.js';
import { rehearsalInputs, runInputs } from '../run/inputs.js';
import { Interruption } from '../run/interruption.js';
import type { RunCliOptions } from '../run/options.js';
import { measurementSlots, openBackend } from '../run/places.js';
import { recordedTimings } from '../run/recorded-timings.js';
import { readRecordedConfig, runsRoot } from '../run/resume.js';
import type { Backend } from '../sched/backend.js';
import type { AgentSpec, RunConfig } from '../store/config.js';
import type { TaskSpec } from '../task/schema.js';
import { BASE_IMAGE, RUN_DEFAULTS } from '../util/defaults.js';
import { plural } from '../util/plural.js';
import { EXIT, err, out, outJson, UsageError } from './common.js';
import { Progress } from './progress.js';
import { RUN_EXIT_ALL_INFRA, runExitCode } from './run-exit.js';
import { onInterrupt } from './signals.js';

function pct(i: Interval | null): string {
  return i
    ? `${i.estimate >= 0 ? '+' : ''}${i.estimate.toFixed(1)}% [${i.lo.toFixed(1)}, ${i.hi.toFixed(1)}]`
    : '-';
}

/** `isobench run`. */
export async function runCmd(opts: RunCliOptions, argv: readonly string[]): Promise<number> {
  if (opts.rerunChanged && !opts.resume) throw new UsageError('--rerun-changed goes with --resume RUN_ID');
  roundsOf(opts, argv);
  const recorded = opts.resume ? await readRecordedConfig(opts.resume, opts.out) : null;
  const asked = await runInputs(opts, (p) => err(`isobench: ${p}`));
  const inputs = opts.rehearse ? rehearsalInputs(asked) : asked;
  const { tasks, patches, agents } = inputs;
  const { kind, choice } = await chooseExecutor({
    asked: opts.executor,
    image: imageOf(opts),
    rehearse: opts.rehearse === true,
    recorded: recorded?.executor ?? null,
  });
  if (opts.dryRun) return dryRunCmd(opts, tasks, patches, kind, choice, agents);
  refuseBaseImageForVllm(opts, tasks, kind);
  const judge = await (await import('./judge-config.js')).judgeConfigFrom(opts);
  const config = runConfigOf(opts, argv, inputs, kind, judge);
  if (recorded) refuseChangedResume(opts, recorded, config);
  const slots = await measurementSlots(opts, tasks);
  await beforeRun(opts, config, tasks);
  const executor = await openExecutor(kind, { image: config.bench.image }, (left) => {
    err(`isobench: found ${left.length} sandbox(es) left behind by an earlier run; removing them:`);
    for (const l of left) err(`  ${l.executor} ${l.id} ${l.name}: ${l.detail}`);
  });
  if (!opts.json)
    out(
      `isobench run ${config.runId}: ${tasks.length} task(s), ${tasks.reduce((n, t) => n + (patches.get(t.id)?.length ?? 0), 0)} agent patch(es), ${roundsText(config.bench)}, ${kind} executor${choice}`,
    );
  const backend = await openBackend(opts, executor, slots);
  const progress = new Progress(process.stdout.isTTY === true && !opts.json, out);
  if (!opts.json) {
    announcePlaces(opts, config, agents, backend, slots);
    progress.plan(
      runTimePlan(
        tasks,
        {
          warmup: config.bench.warmup,
          repeats: config.bench.repeats,
          fewest: config.bench.adaptive?.minRounds,
          clientRuns: config.bench.clientRuns,
        },
        (t) => opts.attempts * (2 + agents.length) + (patches.get(t.id)?.length ?? 0),
        await recordedTimings(runsRoot(opts.out), opts.rehearse === true),
      ),
    );
    await progress.start();
  }
  const result = await evaluate(opts, { config, tasks, patches, executor, backend, judge }, progress);
  await pruneImages(opts, executor, config);
  return reportRun(opts, result, inputs.problems);
}

/** The rounds of a run, in words: fixed, or adaptive from the first look to the most. */
function roundsText(bench: RunConfig['bench']): string {
  const warm = `${bench.warmup} warm-up`;
  const runs = (bench.clientRuns ?? 1) > 1 ? `, ${bench.clientRuns} client runs a server start` : '';
  return bench.adaptive
    ? `adaptive rounds ${bench.adaptive.minRounds}..${bench.repeats} (${bench.adaptive.spending} spending) + ${warm}${runs}`
    : `${plural(bench.repeats, 'measured round')} + ${warm}${runs}`;
}

/** Before anything opens: the warning of too few rounds, and a rehearsal's stand-in cache. */
async function beforeRun(opts: RunCliOptions, config: RunConfig, tasks: readonly TaskSpec[]): Promise<void> {
  const { bench } = config;
  if (!bench.adaptive && bench.repeats < MIN_BOOTSTRAP_SAMPLES)
    err(
      `isobench: warning: --repeats ${bench.repeats}: fewer than ${MIN_BOOTSTRAP_SAMPLES} measured rounds give no interval, so every agent's verdict is inconclusive; this run measures and checks, it cannot grade (use --repeats ${MIN_BOOTSTRAP_SAMPLES} or more)`,
    );
  if (bench.rehearse && bench.cache && !opts.cache) {
    const wrote = await writeRehearsalCache(tasks, bench.cache);
    if (wrote.length && !opts.json)
      out(`rehearsal cache ${bench.cache}: ${wrote.length} stand-in item(s) written`);
  }
}

/** Where the run's units go: the agents and their concurrency, the measurement slots. */
function announcePlaces(
  opts: RunCliOptions,
  config: RunConfig,
  agents: readonly AgentSpec[],
  backend: Backend,
  slots: Awaited<ReturnType<typeof measurementSlots>>,
): void {
  const inProcess = backend.name === 'in-process';
  if (agents.length)
    out(
      `  agents: ${agents.map((a) => `${a.name} (${a.model})`).join(', ')} × ${config.attempts} attempt(s); ${inProcess ? `${opts.concurrency} at once` : 'on the workers'}`,
    );
  out(
    `  measurement slots: ${inProcess ? `${slots.slots.join(', ')} (${slots.gpu ? 'GPUs' : 'no GPU here: one CPU slot'})` : `the workers' (${opts.redis})`}`,
  );
}

/** Runs the evaluation with progress on the terminal, cleaning up on Ctrl-C or SIGTERM. */
async function evaluate(
  opts: RunCliOptions,
  plan: Omit<EvaluationPlan, 'interruption' | 'onEvent' | 'onNote' | 'onPhase'> & {
    executor: Executor;
    backend: Backend;
  },
  progress: Progress,
): Promise<EvaluationResult> {
  const { runEvaluation } = await import('../run/evaluate.js');
  const interruption = new Interruption();
  const stopSignals = cleanupOnSignal(plan.executor, plan.backend, interruption);
  // once interrupted, units fail because they are being cut: nothing of that is theirs to report
  const live = () => !interruption.fired;
  const rounds = plan.config.bench.warmup + plan.config.bench.repeats;
  const result = await runEvaluation({
    ...plan,
    interruption,
    onEvent: opts.json ? undefined : (e) => live() && progress.on(e),
    onNote: (n) => live() && err(`isobench: ${n}`),
    onPhase: (task, r) => {
      progress.phase(task.id, r.wallMs);
      if (!opts.json && live()) progress.line(phaseLine(task, r, rounds));
    },
  });
  progress.stop();
  stopSignals();
  await plan.backend.close();
  return result;
}

/** One finished phase, as a progress line: its round, variant, status and primary metric. */
function phaseLine(task: TaskSpec, r: PhaseRecord, rounds: number): string {
  const m = task.benchmark.primaryMetric;
  const v = m ? r.metrics[m.name]?.value : undefined;
  const shown =
    v !== undefined && m ? `${m.name} ${v.toFixed(2)} ${m.unit}` : r.detail.split('\n')[0]?.slice(0, 100);
  return `  [${task.id}] round ${r.round}/${rounds}${r.warmup ? ' (warm-up)' : ''} ${r.variant.padEnd(22)} ${r.status.padEnd(18)} ${shown} (${(r.wallMs / 1000).toFixed(1)} s)`;
}

/** `--image-budget`: the least recently used images removed down to the budget, the run's own kept. */
async function pruneImages(opts: RunCliOptions, executor: Executor, config: RunConfig): Promise<void> {
  if (opts.imageBudget === undefined || !executor.images) return;
  const image = config.bench.image;
  const pruned = await executor.images.prune({ budgetBytes: opts.imageBudget, keep: image ? [image] : [] });
  if (!opts.json && pruned.removed.length)
    out(
      `image cache: removed ${pruned.removed.length} least recently used image(s), ${(pruned.before / 2 ** 30).toFixed(2)} -> ${(pruned.after / 2 ** 30).toFixed(2)} GiB`,
    );
}

/** What a finished run says: its rows, attempts, harness errors and exit code. */
function reportRun(opts: RunCliOptions, result: EvaluationResult, problems: number): number {
  const harnessErrors = result.attempts.filter((a) => a.harness).length;
  const configErrors = result.attempts.filter((a) => a.record?.outcome.kind === 'config_error').length;
  const code = runExitCode(result.jobs, {
    problems,
    stopped: result.status === 'stopped',
    harnessErrors,
    configErrors,
  });
  const runId = basename(result.runDir);
  if (opts.json) {
    outJson({
      schemaVersion: 1,
      runId,
      runDir: result.runDir,
      status: result.status,
      stopReason: result.stopReason,
      jobs: result.jobs.map((j) => ({ task: j.task, error: j.error, harnessError: j.harness === true })),
      attempts: result.attempts.map((a) => ({
        task: a.task,
        agent: a.agent,
        attempt: a.attempt,
        outcome: a.record?.outcome.kind ?? null,
        error: a.error,
      })),
      slots: result.slots,
      wallMs: result.wallMs,
      rows: result.extended,
    });
    return code;
  }
  printSummary(
    result.extended,
    result.jobs,
    opts.rounds
      ? `adaptive rounds ${opts.rounds.min}..${opts.rounds.max}, 95% repeated confidence intervals (${opts.spending} spending) on the primary metric`
      : null,
  );
  if (result.attempts.length) {
    const by = new Map<string, number>();
    for (const a of result.attempts) {
      const k =
        a.record?.outcome.kind ??
        (a.harness ? 'harness_error' : a.error?.startsWith('not started') ? 'not_started' : 'infra');
      by.set(k, (by.get(k) ?? 0) + 1);
    }
    out(`agent attempts: ${[...by].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  }
  out(
    `wall ${(result.wallMs / 1000).toFixed(1)} s; slot idle: ${result.slots.map((x) => `${x.slot} ${(x.idleMs / 1000).toFixed(1)} s of ${((x.idleMs + x.busyMs) / 1000).toFixed(1)} s`).join(', ') || '-'}`,
  );
  if (result.status === 'stopped')
    err(
      `isobench: stopped early: ${result.stopReason}; continue with: isobench run --resume ${runId}${opts.out ? ` --out ${opts.out}` : ''}`,
    );
  out(`\nresults: ${result.runDir} (run.json, jobs/, rows.v5.{csv,jsonl,parquet}, rows.ext.jsonl)`);
  if (problems) err(`isobench: ${problems} prediction(s) could not be used (see above)`);
  // a bug of isobench is said loudly, each with where its stack is
  for (const j of result.jobs.filter((x) => x.harness))
    err(`isobench: harness error in the job of ${j.task}: ${j.error}`);
  for (const a of result.attempts.filter((x) => x.harness))
    err(
      `isobench: harness error in ${a.agent}'s attempt ${a.attempt} on ${a.task}: ${a.record?.outcome.detail ?? a.error}`,
    );
  if (code !== EXIT.ok) for (const line of unitsBehind(result, problems)) err(`isobench: ${line}`);
  if (code === EXIT.bug)
    err(
      'isobench: the run hit a bug of isobench (exit 3): those units are recorded as harness_error, not retried and not counted; please report the stacks above',
    );
  if (code === RUN_EXIT_ALL_INFRA)
    err(
      `isobench: every job failed for infrastructure reasons (exit ${RUN_EXIT_ALL_INFRA}): nothing was measured; the reasons are above and in each job's job.json`,
    );
  return code;
}

/**
 * Each unit that made the run exit non-zero, by name, with its class and where its record is: jobs
 * whose variants failed (which, and why), attempts that did not complete, and a stop.
 */
function unitsBehind(result: EvaluationResult, problems: number): string[] {
  const lines: string[] = [];
  for (const j of result.jobs) {
    if (!j.result) continue;
    const where = join(result.runDir, 'jobs', j.slug, 'job.json');
    if (j.result.failure)
      lines.push(
        `job ${j.task}: ${j.result.failure.class}: ${j.result.failure.detail.split('\n')[0]} (${where})`,
      );
    for (const v of j.result.variants.filter((x) => x.status !== 'ok'))
      lines.push(
        `job ${j.task}, variant ${v.id}: ${v.status}: ${v.detail.split('\n')[0]?.slice(0, 240)} (${where})`,
      );
  }
  for (const a of result.attempts.filter((x) => x.record && x.record.outcome.kind !== 'completed'))
    lines.push(
      `${a.agent}'s attempt ${a.attempt} on ${a.task}: ${a.record?.outcome.kind}: ${a.record?.outcome.detail.split('\n')[0]?.slice(0, 240)}`,
    );
  if (problems) lines.push(`${problems} prediction(s) could not be used (listed above)`);
  if (result.status === 'stopped') lines.push(`the run stopped early: ${result.stopReason}`);
  return lines;
}

/**
 * On Ctrl-C or SIGTERM: the run records itself interrupted with what it cut, the sandboxes close
 * (executor/cleanup.ts), and so do the queue connection and leftovers.
 */
function cleanupOnSignal(executor: Executor, backend: Backend, interruption: Interruption): () => void {
  return onInterrupt(async (signal) => {
    await interruption.fire(signal);
    await backend.close();
    await executor.clean(await executor.leftovers());
  });
}

function printSummary(
  rows: readonly ExtendedRow[],
  jobs: ReadonlyArray<{ task: string; error: string | null }>,
  adaptive: string | null,
): void {
  const judged = rows.some((r) => r.judge !== undefined);
  const t = new Table({
    head: [
      'Task',
      'Agent',
      'Verdict',
      'Agent vs human',
      'Agent vs baseline',
      'Human vs baseline',
      'Outputs',
      'Task valid here',
      'Failure',
      ...(judged ? ['Quadrant (targeting)'] : []),
    ],
    style: { head: [], border: [] },
  });
  for (const r of rows) {
    t.push([
      r.task,
      `${r.agent} (${r.model})`,
      r.verdict ?? '-',
      pct(r.agentVsHuman),
      pct(r.agentVsBaseline),
      pct(r.humanVsBaseline),
      r.equivalence?.verdict ?? '-',
      r.taskValidHere ? 'yes' : 'no',
      r.failureClass ?? '',
      ...(judged
        ? [
            r.judge?.status === 'judged'
              ? `${r.quadrant} (${r.judge.answer.targeting})`
              : r.judge
                ? 'judge failed'
                : '-',
          ]
        : []),
    ]);
  }
  out('');
  out(t.toString());
  out('');
  const repeats = rows[0]?.repeats;
  const rounds =
    adaptive ??
    `${repeats === undefined ? '? measured rounds' : plural(repeats, 'measured round')}, ${repeats !== undefined && repeats < MIN_BOOTSTRAP_SAMPLES ? `no intervals: a bootstrap interval needs ${MIN_BOOTSTRAP_SAMPLES} rounds or more` : '95% bootstrap intervals on the primary metric'}`;
  out(`Leaderboard (${rows[0]?.thresholdPct ?? RUN_DEFAULTS.thresholdPct}% band, ${rounds}):`);
  // the run's leaderboard, as `isobench leaderboard RUN_DIR` prints it
  for (const a of runLeaderboard(rows.map(reportRowOf))) for (const l of runBoardBlock(a)) out(`  ${l}`);
  for (const j of jobs.filter((x) => x.error)) err(`isobench: job ${j.task} failed: ${j.error}`);
  for (const r of rows.filter((x) => !x.taskValidHere)) out(`  note: ${r.task}: ${r.taskValidity}`);
}

/** `run --dry-run`: what the run would do, per task, with nothing started, built or written. */
async function dryRunCmd(
  opts: RunCliOptions,
  tasks: readonly TaskSpec[],
  patches: ReadonlyMap<string, AgentPatch[]>,
  kind: 'local' | 'docker',
  choice: string,
  agents: readonly AgentSpec[],
): Promise<number> {
  const [{ dryRun, dryRunText, DRY_RUN_VERSION }, { checkPatch }] = await Promise.all([
    import('../run/dry-run.js'),
    import('../workspace/patch.js'),
  ]);
  const attempts = opts.attempts;
  const byTask = new Map<string, Array<{ agent: string; source: string; native: boolean | null }>>();
  for (const t of tasks) {
    const list: Array<{ agent: string; source: string; native: boolean | null }> = [];
    for (const p of patches.get(t.id) ?? []) {
      const c = checkPatch(p.patch, { protectedPaths: t.protectedPaths });
      list.push({ agent: p.agent, source: p.source, native: c.ok ? c.native : null });
    }
    for (const a of agents)
      for (let n = 1; n <= attempts; n++)
        list.push({
          agent: a.name,
          source: `the patch attempt ${n} of ${a.name} (${a.model}) will make`,
          native: null,
        });
    byTask.set(t.id, list);
  }
  const plan = await dryRun({
    tasks,
    agents: byTask,
    executor: kind,
    image: opts.image,
    buildImages: opts.buildImages === true,
    baseImage: opts.image ?? BASE_IMAGE,
    clone: opts.repo ? resolve(opts.repo) : undefined,
    cache: opts.cache ? resolve(opts.cache) : undefined,
    repeats: opts.rounds?.max ?? opts.repeats,
    warmup: opts.warmup,
    ...(opts.rounds ? { adaptive: { minRounds: opts.rounds.min, spending: opts.spending } } : {}),
    clientRuns: opts.clientRuns,
    recorded: await recordedTimings(runsRoot(opts.out), opts.rehearse === true),
    gpus: opts.gpus ?? 'auto',
  });
  if (opts.json) outJson({ schemaVersion: DRY_RUN_VERSION, dryRun: true, executor: kind, tasks: plan });
  else {
    out(
      `isobench run --dry-run: ${tasks.length} task(s), ${kind} executor${choice}; nothing is started, built or written`,
    );
    process.stdout.write(dryRunText(plan));
  }
  return EXIT.ok;
}
