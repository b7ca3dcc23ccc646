/** `isobench run`: measure tasks × agent patches and print the verdicts. */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import Table from 'cli-table3';
import { KEY_ENV } from '../agent/types.js';
import type { AgentPatch } from '../bench/types.js';
import { createExecutor } from '../executor/index.js';
import type { Executor } from '../executor/types.js';
import { type Interval, MIN_BOOTSTRAP_SAMPLES } from '../grade/stats.js';
import { writeRehearsalCache } from '../prefetch/rehearsal-cache.js';
import type { ExtendedRow } from '../report/job-rows.js';
import type { EvaluationResult } from '../run/evaluate.js';
import { Interruption } from '../run/interruption.js';
import type { JudgeConfig } from '../run/judge-call.js';
import { decidingChanges } from '../run/keys.js';
import { type Backend, InProcessBackend } from '../sched/backend.js';
import { parseGpus, SlotPool } from '../sched/slots.js';
import {
  type AgentSpec,
  ConfigError,
  changedSettings,
  checkRunConfig,
  type RunConfig,
} from '../store/config.js';
import { defaultTasksDir, findTask, loadTasks, noTaskMessage } from '../task/loader.js';
import type { TaskSpec } from '../task/schema.js';
import { BASE_IMAGE, REHEARSE_BASE_IMAGE, RUN_DEFAULTS } from '../util/defaults.js';
import { packageRoot } from '../util/package-root.js';
import { plural } from '../util/plural.js';
import { EXIT, err, out, outJson, runStamp, UsageError } from './common.js';
import { Progress } from './progress.js';
import { argsToRecord, readRecordedConfig } from './resume.js';
import { RUN_EXIT_ALL_INFRA, runExitCode } from './run-exit.js';
import { budgetsGiven, type RunCliOptions } from './run-options.js';
import { onInterrupt } from './signals.js';

/** The embedded default: the two CPU demo tasks and the example agent's patches. */
export const DEFAULT_TASKS = ['demo/cpu-serving', 'demo/cpu-latency'];
export const DEFAULT_PREDICTIONS = () => [
  join(packageRoot(), 'harness/demo/predictions/example-agent.jsonl'),
];

function pct(i: Interval | null): string {
  return i
    ? `${i.estimate >= 0 ? '+' : ''}${i.estimate.toFixed(1)}% [${i.lo.toFixed(1)}, ${i.hi.toFixed(1)}]`
    : '-';
}

/** The tasks, the predictions' patches and the agents a run is asked for. */
interface RunInputs {
  readonly tasks: TaskSpec[];
  readonly patches: Map<string, AgentPatch[]>;
  readonly agents: AgentSpec[];
  /** predictions that could not be used (each printed) */
  readonly problems: number;
}

/**
 * A rehearsal's inputs: the tasks without their GPUs (the stand-in engine needs none, and the
 * measurement record says what really ran), the rest as given.
 */
function rehearsalInputs(inputs: RunInputs): RunInputs {
  return { ...inputs, tasks: inputs.tasks.map((t) => ({ ...t, hardware: { gpu: 'none', count: 0 } })) };
}

/** Reads the catalogue, the predictions and the agents; refuses tasks that cannot run. */
async function runInputs(opts: RunCliOptions): Promise<RunInputs> {
  if (opts.accuracy && !existsSync(resolve(opts.accuracy)))
    throw new UsageError(`--accuracy: ${opts.accuracy} does not exist`);
  const catalogue = await loadTasks(resolve(opts.tasksDir ?? defaultTasksDir()));
  for (const p of catalogue.problems)
    err(`isobench: task catalogue: ${p.file}${p.field ? ` (${p.field})` : ''}: ${p.message}`);
  const { readPredictions } = await import('../../agents/replay/index.js');
  const agents = opts.agents ? await agentSpecs(opts) : [];
  const predictionFiles = opts.predictions?.length
    ? opts.predictions.map((p) => resolve(p))
    : agents.length
      ? []
      : DEFAULT_PREDICTIONS();
  const patches = new Map<string, AgentPatch[]>();
  let problems = 0;
  for (const file of predictionFiles) {
    const read = readPredictions(file, catalogue.tasks, opts.agent);
    for (const p of read.problems) {
      problems++;
      err(`isobench: ${p}`);
    }
    for (const e of read.entries) {
      const list = patches.get(e.task.id) ?? [];
      list.push({
        agent: e.agent,
        model: e.model,
        patch: e.patch,
        source: e.source,
        ...(e.effort ? { effort: e.effort } : {}),
      });
      patches.set(e.task.id, list);
    }
  }
  const wanted = opts.tasks
    ? opts.tasks
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s)
    : opts.predictions?.length
      ? [...patches.keys()]
      : DEFAULT_TASKS;
  const tasks: TaskSpec[] = [];
  for (const key of wanted) {
    const t = findTask(catalogue.tasks, key) ?? null;
    if (!t) throw new UsageError(noTaskMessage(key, catalogue.tasks, catalogue.dir));
    if (!t.benchmarkable.ok)
      throw new UsageError(
        `${t.id} is not benchmarkable (${t.benchmarkable.reason}): ${t.benchmarkable.detail}`,
      );
    tasks.push(t);
  }
  if (tasks.length === 0)
    throw new UsageError('no tasks to run: give --tasks, or predictions that name tasks');
  const { cloneProblems } = await import('../workspace/clone.js');
  const cloneBad = await cloneProblems(opts.repo ? resolve(opts.repo) : undefined, tasks);
  if (cloneBad.length) throw new UsageError(cloneBad.join('\n'));
  return { tasks, patches, agents, problems };
}

/**
 * The executor kind: asked; on a resume, what the run resolved and recorded; or (auto) Docker when
 * an engine answers and has the image.
 */
async function executorKind(
  opts: RunCliOptions,
  recorded: RunConfig | null,
): Promise<{ kind: 'local' | 'docker'; choice: string }> {
  if (recorded && opts.executor === 'auto')
    return { kind: recorded.executor, choice: ' (as the run resolved and recorded it)' };
  if (opts.rehearse) {
    // the stand-in engine lives in the rehearsal images: only containers can rehearse
    if (opts.executor === 'local')
      throw new UsageError(
        '--rehearse runs in Docker containers (the rehearsal images): not with --executor local',
      );
    const why = await dockerUnusable(imageOf(opts));
    if (why)
      throw new UsageError(
        `--rehearse needs a Docker engine with ${imageOf(opts)} (build it with scripts/rehearse-image.sh): ${why}`,
      );
    return { kind: 'docker', choice: ' (a rehearsal: the stand-in engine in containers)' };
  }
  if (opts.executor !== 'auto') return { kind: opts.executor, choice: '' };
  // Docker when an engine answers and has the image (isolation, no network); else local processes
  const why = await dockerUnusable(opts.image ?? BASE_IMAGE);
  return {
    kind: why ? 'local' : 'docker',
    choice: why ? ` (auto: ${why})` : ' (auto: the Docker engine answers and has the image)',
  };
}

/** The image the run builds from or runs in: asked, else the rehearsal base for a rehearsal. */
function imageOf(opts: RunCliOptions): string {
  return opts.rehearse && (opts.image ?? BASE_IMAGE) === BASE_IMAGE
    ? REHEARSE_BASE_IMAGE
    : (opts.image ?? BASE_IMAGE);
}

/** Where a rehearsal keeps its stand-in prefetch cache when no --cache is given (written once, reused). */
function rehearsalCacheOf(opts: RunCliOptions): string {
  return join(resolve(opts.out ?? join(process.cwd(), 'results', 'runs')), '.rehearsal-cache');
}

/** The run's configuration, built once from the options and checked whole. */
function runConfigOf(
  opts: RunCliOptions,
  argv: readonly string[],
  inputs: RunInputs,
  kind: 'local' | 'docker',
  judge: JudgeConfig | undefined,
): RunConfig {
  const image = kind === 'docker' ? imageOf(opts) : undefined;
  const rehearse = opts.rehearse === true;
  const clone = opts.repo ? resolve(opts.repo) : undefined;
  try {
    return checkRunConfig({
      runId: opts.runId ?? `${runStamp()}-${randomBytes(3).toString('hex')}`,
      outDir: resolve(opts.out ?? join(process.cwd(), 'results', 'runs')),
      args: argsToRecord(argv),
      tasks: inputs.tasks.map((t) => t.id),
      executor: kind,
      bench: {
        repeats: opts.repeats,
        warmup: opts.warmup,
        thresholdPct: opts.threshold,
        image,
        tamperPolicy: { refuseAt: opts.tamperPolicy },
        accuracy: opts.accuracy
          ? {
              dataset: resolve(opts.accuracy),
              maxTokens: opts.accuracyMaxTokens,
              tolerancePts: opts.accuracyTolerance,
            }
          : undefined,
        buildImagesFrom: opts.buildImages || rehearse ? (image ?? BASE_IMAGE) : undefined,
        source: clone ? { clone } : undefined,
        cache: opts.cache ? resolve(opts.cache) : rehearse ? rehearsalCacheOf(opts) : undefined,
        rehearse: rehearse ? { humanSpeedup: opts.rehearseHumanSpeedup } : undefined,
      },
      agents: inputs.agents,
      attempts: opts.attempts,
      agentSettings: {
        clone,
        cacheRoot: opts.cacheRoot ? resolve(opts.cacheRoot) : undefined,
        infraRetries: opts.attemptRetries,
        backoffMs: opts.attemptRetryBackoffS * 1000,
      },
      benchRetries: { retries: opts.jobRetries, backoffMs: opts.jobRetryBackoffS * 1000 },
      retryInfra: opts.retryInfra === true,
      ...(opts.rerunChanged ? { rerunChanged: true } : {}),
      caps: {
        maxCostUsd: opts.maxTotalCost,
        wallMs: opts.maxWallMin === undefined ? undefined : opts.maxWallMin * 60_000,
      },
      judge: judge ? { provider: judge.provider, model: judge.model, baseUrl: judge.baseUrl } : undefined,
    });
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`the run's configuration: ${e.message}`);
    throw e;
  }
}

/**
 * The measurement slots of this host (GPUs, or one CPU slot). A task that needs more GPUs than the
 * host has is refused here, before any work (it could only fail, after its images were built):
 * unless the units run on workers (`--redis`), or `--gpus` names the devices by hand.
 */
async function measurementSlots(opts: RunCliOptions, tasks: readonly TaskSpec[]): Promise<SlotPool> {
  let gpus: ReturnType<typeof parseGpus>;
  try {
    gpus = parseGpus(opts.gpus);
  } catch (e) {
    throw new UsageError(`--gpus: ${(e as Error).message}`);
  }
  const slots = await SlotPool.forHost(gpus);
  if (opts.redis) return slots;
  const have = slots.gpu ? slots.slots.length : 0;
  const short = tasks.filter((t) => t.hardware.count > have);
  if (short.length)
    throw new UsageError(
      `${short.map((t) => `${t.id} needs ${t.hardware.count} ${t.hardware.gpu} GPU(s)`).join('; ')}; this host has ${have ? `${have} (${slots.slots.join(', ')})` : `none (${opts.gpus === 'none' ? '--gpus none' : 'nvidia-smi lists no GPU'})`}. Run on a GPU host (or on workers with --redis), rehearse the job without a GPU (--rehearse), see what it would do (--dry-run), or name the devices with --gpus 0,1 if nvidia-smi cannot see them`,
    );
  return slots;
}

/**
 * A resume that would measure finished units again under other settings is refused before any work,
 * unless `--rerun-changed` asks for it (the earlier folders are then kept under superseded/).
 */
function refuseChangedResume(opts: RunCliOptions, recorded: RunConfig, config: RunConfig): void {
  const deciding = decidingChanges(changedSettings(recorded, config));
  if (!deciding.length || opts.rerunChanged) return;
  throw new UsageError(
    `--resume ${opts.resume}: these settings differ from the run's record (${join(config.outDir, config.runId, 'run.json')}):\n${deciding.map((d) => `  ${d}`).join('\n')}\nthe units they decide would be measured again; resume without changing them, or add --rerun-changed (the earlier records are kept under ${join(config.runId, 'superseded')}/)`,
  );
}

/** Where units run: this process (leased slots, an agent queue), or Redis for workers. */
async function openBackend(opts: RunCliOptions, executor: Executor, slots: SlotPool): Promise<Backend> {
  if (!opts.redis)
    return new InProcessBackend({
      executor,
      slots,
      agentConcurrency: opts.concurrency,
      providerConcurrency: opts.providerConcurrency ?? {},
    });
  const { RedisBackend } = await import('../sched/redis.js');
  return RedisBackend.connect({ url: opts.redis, prefix: opts.queuePrefix, store: opts.store }).catch(
    (e: Error) => {
      throw new UsageError(`--redis ${opts.redis}: ${e.message}`);
    },
  );
}

/** The executor of the run, with what an earlier run left behind removed. */
async function openExecutor(kind: 'local' | 'docker', image: string | undefined): Promise<Executor> {
  let executor: Executor;
  try {
    executor = await createExecutor(kind, { image });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const left = await executor.leftovers();
  if (left.length) {
    err(`isobench: found ${left.length} sandbox(es) left behind by an earlier run; removing them:`);
    for (const l of left) err(`  ${l.executor} ${l.id} ${l.name}: ${l.detail}`);
    await executor.clean(left);
  }
  return executor;
}

/** `isobench run`. */
export async function runCmd(opts: RunCliOptions, argv: readonly string[]): Promise<number> {
  if (opts.rerunChanged && !opts.resume) throw new UsageError('--rerun-changed goes with --resume RUN_ID');
  const recorded = opts.resume ? await readRecordedConfig(opts.resume, opts.out) : null;
  const inputs = opts.rehearse ? rehearsalInputs(await runInputs(opts)) : await runInputs(opts);
  const { tasks, patches, agents } = inputs;
  const { kind, choice } = await executorKind(opts, recorded);
  if (opts.dryRun) return dryRunCmd(opts, tasks, patches, kind, choice, agents);
  const vllmTasks = tasks.filter((t) => !t.repo.demo);
  if (
    vllmTasks.length &&
    kind === 'docker' &&
    !opts.buildImages &&
    !opts.rehearse &&
    imageOf(opts) === BASE_IMAGE
  )
    throw new UsageError(
      `${vllmTasks.map((t) => t.id).join(', ')}: vLLM tasks run in their per-commit images: add --build-images (images already built are found by their recipe's tag; isobench images build builds them ahead)`,
    );
  const judge = await (await import('./judge-config.js')).judgeConfigFrom(opts);
  const config = runConfigOf(opts, argv, inputs, kind, judge);
  if (recorded) refuseChangedResume(opts, recorded, config);
  const slots = await measurementSlots(opts, tasks);
  const { bench } = config;
  if (bench.repeats < MIN_BOOTSTRAP_SAMPLES)
    err(
      `isobench: warning: --repeats ${bench.repeats}: fewer than ${MIN_BOOTSTRAP_SAMPLES} measured rounds give no interval, so every agent's verdict is inconclusive; this run measures and checks, it cannot grade (use --repeats ${MIN_BOOTSTRAP_SAMPLES} or more)`,
    );
  if (bench.rehearse && bench.cache && !opts.cache) {
    const wrote = await writeRehearsalCache(tasks, bench.cache);
    if (wrote.length && !opts.json)
      out(`rehearsal cache ${bench.cache}: ${wrote.length} stand-in item(s) written`);
  }
  const executor = await openExecutor(kind, config.bench.image);
  if (!opts.json)
    out(
      `isobench run ${config.runId}: ${tasks.length} task(s), ${tasks.reduce((n, t) => n + (patches.get(t.id)?.length ?? 0), 0)} agent patch(es), ${plural(bench.repeats, 'measured round')} + ${bench.warmup} warm-up, ${kind} executor${choice}`,
    );
  const backend = await openBackend(opts, executor, slots);
  const progress = new Progress(process.stdout.isTTY === true && !opts.json, out);
  if (!opts.json) {
    if (agents.length)
      out(
        `  agents: ${agents.map((a) => `${a.name} (${a.model})`).join(', ')} × ${config.attempts} attempt(s); ${backend.name === 'in-process' ? `${opts.concurrency} at once` : 'on the workers'}`,
      );
    out(
      `  measurement slots: ${backend.name === 'in-process' ? `${slots.slots.join(', ')} (${slots.gpu ? 'GPUs' : 'no GPU here: one CPU slot'})` : `the workers' (${opts.redis})`}`,
    );
    await progress.start();
  }
  const { runEvaluation } = await import('../run/evaluate.js');
  const interruption = new Interruption();
  const stopSignals = cleanupOnSignal(executor, backend, interruption);
  // once interrupted, units fail because they are being cut: nothing of that is theirs to report
  const live = () => !interruption.fired;
  const rounds = bench.warmup + bench.repeats;
  const result = await runEvaluation({
    config,
    tasks,
    patches,
    executor,
    backend,
    judge,
    interruption,
    onEvent: opts.json ? undefined : (e) => live() && progress.on(e),
    onNote: (n) => live() && err(`isobench: ${n}`),
    onPhase: (task, r) => {
      if (opts.json || !live()) return;
      const m = task.benchmark.primaryMetric;
      const v = m ? r.metrics[m.name]?.value : undefined;
      const shown =
        v !== undefined && m ? `${m.name} ${v.toFixed(2)} ${m.unit}` : r.detail.split('\n')[0]?.slice(0, 100);
      progress.line(
        `  [${task.id}] round ${r.round}/${rounds}${r.warmup ? ' (warm-up)' : ''} ${r.variant.padEnd(22)} ${r.status.padEnd(18)} ${shown} (${(r.wallMs / 1000).toFixed(1)} s)`,
      );
    },
  });
  progress.stop();
  stopSignals();
  await backend.close();
  if (opts.imageBudget !== undefined && executor.images) {
    const pruned = await executor.images.prune({
      budgetBytes: opts.imageBudget,
      keep: bench.image ? [bench.image] : [],
    });
    if (!opts.json && pruned.removed.length)
      out(
        `image cache: removed ${pruned.removed.length} least recently used image(s), ${(pruned.before / 2 ** 30).toFixed(2)} -> ${(pruned.after / 2 ** 30).toFixed(2)} GiB`,
      );
  }
  return reportRun(opts, result, inputs.problems);
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
  printSummary(result.extended, result.jobs);
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

/** An agent's `--option`s: `key=value` (every agent) or `name.key=value` (this one); JSON values parsed. */
function agentOptions(name: string, given: readonly string[]): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const kv of given) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`--option must be key=value or agent.key=value, got '${kv}'`);
    let k = kv.slice(0, i);
    const dot = k.indexOf('.');
    if (dot > 0) {
      if (k.slice(0, dot) !== name) continue;
      k = k.slice(dot + 1);
    }
    const v = kv.slice(i + 1);
    try {
      options[k] = JSON.parse(v);
    } catch {
      options[k] = v;
    }
  }
  return options;
}

/**
 * `--agents name[:model],…` with `--option key=value` (every agent) or `--option name.key=value`
 * (one agent): each checked against its adapter's options and its key's presence (never its value).
 */
async function agentSpecs(opts: RunCliOptions): Promise<AgentSpec[]> {
  const { resolveAgent } = await import('../../agents/index.js');
  const list = (opts.agents ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!list.length) throw new UsageError('--agents names no agent');
  const specs: AgentSpec[] = [];
  for (const item of list) {
    const [name, model] = [item.split(':')[0] as string, item.split(':').slice(1).join(':')];
    let adapter: Awaited<ReturnType<typeof resolveAgent>>;
    try {
      adapter = await resolveAgent(name);
    } catch (e) {
      throw new UsageError(`--agents '${item}': ${(e as Error).message}`);
    }
    if (!model) throw new UsageError(`--agents '${item}': give the model as ${name}:MODEL`);
    const options = agentOptions(name, opts.option ?? []);
    const check = adapter.optionsSchema.safeParse(options);
    if (!check.success) {
      const issue = check.error.issues[0];
      throw new UsageError(`--option for ${name}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
    }
    // an agent installed by hand, or a --binary, that is not there is the user's to fix: said now
    if (!opts.redis && (opts.binary || adapter.install.kind === 'manual')) {
      const { ensureInstalled } = await import('../agent/install.js');
      await ensureInstalled(adapter, { binary: opts.binary, check: true }).catch((e: Error) => {
        throw new UsageError(`--agents '${item}': ${e.message}`);
      });
    }
    const provider = adapter.provider ?? (options.provider as 'anthropic' | 'openai' | undefined) ?? null;
    const apiKeyEnv = provider ? KEY_ENV[provider] : null;
    if (apiKeyEnv && !process.env[apiKeyEnv] && !options.baseUrl && !opts.redis)
      throw new UsageError(
        `${name} needs an API key in $${apiKeyEnv} (or --option ${name}.baseUrl=URL for a local server)`,
      );
    specs.push({
      name: adapter.name,
      ref: name === adapter.name ? undefined : resolve(name),
      model,
      options,
      apiKeyEnv,
      provider,
      binary: opts.binary ? resolve(opts.binary) : undefined,
      // only the budgets given: the attempt's defaults stand for the rest
      budgets: budgetsGiven(opts),
      hintLevel: opts.hint,
      dockerSandboxFrom: opts.agentSandbox === 'docker' ? (opts.image ?? BASE_IMAGE) : undefined,
    });
  }
  return specs;
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
  const counts = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const key = `${r.agent} (${r.model})`;
    const m = counts.get(key) ?? new Map<string, number>();
    const v = r.verdict ?? r.failureClass ?? 'unjudged';
    m.set(v, (m.get(v) ?? 0) + 1);
    counts.set(key, m);
  }
  out('');
  const repeats = rows[0]?.repeats;
  out(
    `Leaderboard (${rows[0]?.thresholdPct ?? RUN_DEFAULTS.thresholdPct}% band, ${repeats === undefined ? '? measured rounds' : plural(repeats, 'measured round')}, ${repeats !== undefined && repeats < MIN_BOOTSTRAP_SAMPLES ? `no intervals: a bootstrap interval needs ${MIN_BOOTSTRAP_SAMPLES} rounds or more` : '95% bootstrap intervals on the primary metric'}):`,
  );
  for (const [agent, m] of counts) out(`  ${agent}: ${[...m].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  for (const j of jobs.filter((x) => x.error)) err(`isobench: job ${j.task} failed: ${j.error}`);
  for (const r of rows.filter((x) => !x.taskValidHere)) out(`  note: ${r.task}: ${r.taskValidity}`);
}

/** Why the Docker executor cannot run `image` here (null when it can): no engine, or no such image. */
export async function dockerUnusable(image: string): Promise<string | null> {
  const { connectDocker, dockerAvailable } = await import('../executor/docker.js');
  let docker: Awaited<ReturnType<typeof connectDocker>>;
  try {
    docker = await connectDocker();
  } catch (e) {
    return `no Docker engine: ${(e as Error).message}`;
  }
  const up = await dockerAvailable(docker);
  if (!up.ok) return `no Docker engine: ${up.reason}`;
  try {
    await docker.getImage(image).inspect();
    return null;
  } catch {
    return `the Docker engine has no image ${image} (scripts/base-image.sh builds it)`;
  }
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
    repeats: opts.repeats,
    warmup: opts.warmup,
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
