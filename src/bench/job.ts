/**
 * A bench job: one task; baseline, human and every agent patch measured on the same executor and
 * device, in one sandbox, k repeats each, interleaved (B H A1 A2 … then again) after a warm-up
 * round, all with the task's identical argv and the same untouched client copy. The job ends in
 * statistics, verdicts and a record of every phase.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Executor, InfraError, type Sandbox } from '../executor/types.js';
import {
  type AccuracyResult,
  type AccuracyScore,
  parseAccuracyDataset,
  scoreAccuracy,
} from '../grade/accuracy.js';
import {
  type Comparison,
  calibrate,
  compareOutputs,
  type Equivalence,
  type EquivalencePolicy,
  judgeEquivalence,
  type ProbeOutput,
  parseProbeOutputs,
  type Tolerance,
} from '../grade/equivalence.js';
import { bootstrapImprovement, summarize } from '../grade/stats.js';
import { type FailureClass, isInfra } from '../grade/taxonomy.js';
import { agentVerdict, DEFAULT_POLICY, taskValidity, type VerdictPolicy } from '../grade/verdict.js';
import { jsonResultRequest } from '../parse/json-result.js';
import { parserFor } from '../parse/registry.js';
import { missingFromCache, offlineSetup } from '../prefetch/cache.js';
import type { TamperPolicy } from '../tamper/registry.js';
import { parsePerfCommand } from '../task/perf-command.js';
import type { TaskSpec } from '../task/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { packageRoot } from '../util/package-root.js';
import { readClocks, readFingerprint } from './fingerprint.js';
import { runPhase, servedModel } from './phase.js';
import { startServer, stopServer } from './server.js';
import { clientSourceFile, runPrepare, runSetup } from './setup.js';
import {
  type AgentJudgement,
  type AgentPatch,
  BENCH_RECORD_VERSION,
  type JobResult,
  type PhaseRecord,
  type PreparedVariant,
  type SetupRecord,
  type VariantResult,
} from './types.js';
import { prepareVariants, type RepoSource, releaseVariants, variantSlug } from './workspace.js';

/** How to run a job. */
export interface JobOptions {
  readonly task: TaskSpec;
  readonly agents: readonly AgentPatch[];
  readonly executor: Executor;
  /** where every artifact of the job goes */
  readonly jobDir: string;
  /** measured rounds (default 5) */
  readonly repeats?: number;
  /** warm-up rounds, not measured (default 1) */
  readonly warmup?: number;
  /** the container image (Docker executor), for every variant the `images` do not name */
  readonly image?: string;
  /** per-commit images: the parent's (baseline and agents) and the human's (Docker executor) */
  readonly images?: { readonly parent?: string; readonly human?: string };
  readonly source?: RepoSource;
  readonly policy?: VerdictPolicy;
  /** bounded retries of a phase that failed for infrastructure reasons (default 1) */
  readonly infraRetries?: number;
  /** called after every phase (progress) */
  readonly onPhase?: (r: PhaseRecord) => void;
  /** extra facts for the fingerprint (image digest) */
  readonly fingerprintExtra?: Record<string, string>;
  /** the prefetch cache (models, tokenizers, datasets), mounted read-only with the hub offline */
  readonly cache?: string;
  /** how the human's divergence sets the tolerance of agents' outputs */
  readonly equivalencePolicy?: EquivalencePolicy;
  /** when the static tamper rules refuse a patch (default: at fail findings) */
  readonly tamperPolicy?: TamperPolicy;
  /** the optional accuracy check (serving tasks): a local JSONL of {question, answer} */
  readonly accuracy?: {
    readonly dataset: string;
    readonly maxTokens?: number;
    readonly tolerancePts?: number;
  };
  /** the GPUs leased for this job (device ids); default: any `task.hardware.count` GPUs */
  readonly gpuDevices?: readonly string[];
}

/** /dev/shm of a GPU job's sandbox: 16 GiB (a limit, not a reservation). */
export const GPU_SHM_BYTES = 16 * 1024 ** 3;

/** A comparison without its per-output details (for the job record). */
function summaryOf(c: Comparison): Omit<Comparison, 'outputs'> {
  const { outputs: _outputs, ...rest } = c;
  return rest;
}

/** The result of a job that could not start (nothing was measured). */
async function failedBeforeStart(
  task: TaskSpec,
  primary: { name: string; unit: string; direction: 'lower' | 'higher' },
  opts: JobOptions,
  startedAt: string,
  t0: number,
  failure: { class: FailureClass; detail: string },
): Promise<JobResult> {
  const result: JobResult = {
    schemaVersion: BENCH_RECORD_VERSION,
    task: task.id,
    primaryMetric: primary,
    repeats: opts.repeats ?? 5,
    order: [],
    variants: [],
    humanVsBaseline: null,
    validity: { valid: false, reason: failure.detail },
    failure,
    agents: opts.agents.map((a) => ({
      variant: `agent:${a.agent}`,
      agentVsBaseline: null,
      agentVsHuman: null,
      verdict: null,
      failure: failure.class,
      equivalence: null,
      credited: false,
      accuracy: null,
    })),
    equivalence: {
      probe: task.correctness?.mode ?? null,
      tolerance: null,
      human: null,
      detail: failure.detail,
    },
    fingerprint: {},
    executor: opts.executor.kind,
    startedAt,
    durationMs: performance.now() - t0,
  };
  await writeFileAtomic(join(opts.jobDir, 'job.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

/**
 * Metrics whose totals must be the same for every variant of a serving job (the workload). Generated
 * tokens are not among them: without --ignore-eos a different (equivalent or not) kernel may stop a
 * sequence earlier; where the workload fixes them, the spec's `expect` checks them in each phase.
 */
const WORKLOAD_COUNTS = ['completed', 'total_input_tokens'];

/** Runs the job. */
export async function runBenchJob(opts: JobOptions): Promise<JobResult> {
  const { task, executor, jobDir } = opts;
  const repeats = opts.repeats ?? 5;
  const warmupRounds = opts.warmup ?? 1;
  const policy = opts.policy ?? DEFAULT_POLICY;
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  await mkdir(jobDir, { recursive: true });
  const kind = task.benchmark.kind;
  const primary =
    task.benchmark.primaryMetric ??
    (kind ? { name: parserFor(kind).primaryMetric, unit: '', direction: 'lower' as const } : null);
  if (!kind || !primary || !task.benchmark.client)
    throw new Error(
      `${task.id} is not benchmarkable: ${task.benchmarkable.ok ? 'no workload' : task.benchmarkable.detail}`,
    );
  const needs = task.prefetch.models.length + task.prefetch.tokenizers.length + task.prefetch.datasets.length;
  const missing = needs === 0 ? [] : opts.cache ? missingFromCache(task, opts.cache) : null;
  if (missing === null || missing.length > 0) {
    const detail =
      missing === null
        ? `${task.id} needs ${needs} prefetched item(s) and no cache was given (isobench prefetch --cache DIR, then run with the same --cache)`
        : `missing from ${opts.cache}: ${missing.map((m) => `${m.kind} ${m.id} (expected at ${m.expectedAt})`).join('; ')}`;
    return failedBeforeStart(task, primary, opts, startedAt, t0, { class: 'prefetch_missing', detail });
  }
  const offline = opts.cache ? offlineSetup(opts.cache) : null;
  const parsedCommand = task.benchmark.perfCommand ? parsePerfCommand(task.benchmark.perfCommand) : null;
  const command = parsedCommand?.ok ? parsedCommand.parsed : null;

  const { variants, repoDir } = await prepareVariants(
    task,
    opts.agents,
    jobDir,
    opts.source,
    opts.tamperPolicy,
  );
  const runnable = variants.filter((v) => v.hostDir !== null);
  const phases: PhaseRecord[] = [];
  let fingerprint: Record<string, string> = {};
  const sandboxes = new Map<string, Sandbox>();
  const setups = new Map<string, SetupRecord[]>();
  const setupFailures = new Map<string, { class: FailureClass; detail: string }>();
  let measuredVariants: PreparedVariant[] = [];
  const placed = new Map<string, { sb: Sandbox; dir: string }>();
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    for (const sb of sandboxes.values()) await sb.close();
    await releaseVariants(repoDir, jobDir).catch(() => undefined);
  };
  const imageOf = (v: PreparedVariant): string =>
    (v.kind === 'human' ? opts.images?.human : opts.images?.parent) ?? opts.image ?? '';
  try {
    const clientHost = variants[0]?.hostDir as string;
    /** One sandbox per image, all on the task's GPUs; each gets its variants and the client copy. */
    const sandboxFor = async (v: PreparedVariant): Promise<Sandbox> => {
      const image = imageOf(v);
      let sb = sandboxes.get(image);
      if (!sb) {
        sb = await executor.open({
          name: `${task.id}`,
          image: image || undefined,
          gpus:
            task.hardware.count > 0
              ? opts.gpuDevices?.length
                ? { devices: opts.gpuDevices }
                : { count: task.hardware.count }
              : undefined,
          mounts: offline?.mounts,
          // NCCL's buffers of tensor-parallel servers live in /dev/shm (Docker gives 64 MB)
          shmBytes: task.hardware.count > 0 ? GPU_SHM_BYTES : undefined,
          labels: { 'isobench.task': task.id },
        });
        sandboxes.set(image, sb);
        await sb.put(clientHost, `${sb.workdir}/client`);
        // the client copy runs as a checkout too (its package imported from it): it gets the same setup
        const prep = await runPrepare(
          task,
          sb,
          `${sb.workdir}/client`,
          join(jobDir, 'setup', `client-${sandboxes.size}`),
          offline?.env,
        );
        if (prep.failure) throw new InfraError(`${prep.failure.detail} (in the benchmark client's copy)`);
        if (sandboxes.size === 1) {
          await mkdir(join(jobDir, 'host'), { recursive: true });
          fingerprint = await readFingerprint(sb, join(jobDir, 'host'), {
            executor: executor.kind,
            ...opts.fingerprintExtra,
          });
        }
      }
      return sb;
    };
    placed.clear();
    for (const v of runnable) {
      const sb = await sandboxFor(v);
      const dir = `${sb.workdir}/variants/${variantSlug(v.id)}`;
      await sb.put(v.hostDir as string, dir);
      placed.set(v.id, { sb, dir });
      const ran = await runSetup(task, v, sb, dir, join(jobDir, 'setup', variantSlug(v.id)), offline?.env);
      setups.set(v.id, ran.records);
      if (ran.failure) setupFailures.set(v.id, ran.failure);
    }
    measuredVariants = runnable.filter((v) => !setupFailures.has(v.id));
    // the client's JSON result, where the untouched client copy can write one
    const clientSource = await readFile(join(clientHost, clientSourceFile(task)), 'utf8').catch(() => '');
    const jsonRequest = jsonResultRequest(kind, clientSource);
    if (jsonRequest)
      for (const sb of sandboxes.values()) await sb.writeFile(`${sb.workdir}/results/.keep`, '');
    // the correctness probes (harness code, never the agent's) and where their outputs go
    if (task.correctness || opts.accuracy)
      for (const sb of sandboxes.values()) {
        await sb.put(join(packageRoot(), 'harness', 'probes'), `${sb.workdir}/probes`);
        await sb.writeFile(`${sb.workdir}/probe-out/.keep`, '');
      }
    const gpu = task.hardware.count > 0;
    const rounds = [...Array(warmupRounds).fill(true), ...Array(repeats).fill(false)] as boolean[];
    let round = 0;
    for (const warmup of rounds) {
      round++;
      for (const v of measuredVariants) {
        const { sb, dir } = placed.get(v.id) as { sb: Sandbox; dir: string };
        const logDir = join(jobDir, 'phases', `${String(round).padStart(2, '0')}-${variantSlug(v.id)}`);
        await mkdir(logDir, { recursive: true });
        let rec: PhaseRecord | null = null;
        for (let attempt = 0; attempt <= (opts.infraRetries ?? 1); attempt++) {
          rec = await runPhase({
            sandbox: sb,
            task,
            command,
            variant: v.id,
            round,
            warmup,
            place: { variantDir: dir, clientDir: `${sb.workdir}/client`, logDir },
            probeAtStart: gpu ? () => readClocks(sb, logDir) : undefined,
            extraEnv: offline?.env,
            probe:
              task.correctness && round === rounds.length
                ? {
                    spec: task.correctness,
                    probeDir: `${sb.workdir}/probes`,
                    outDir: `${sb.workdir}/probe-out`,
                  }
                : undefined,
            jsonResult: jsonRequest
              ? {
                  request: jsonRequest,
                  dir: `${sb.workdir}/results`,
                  file: `${round}-${variantSlug(v.id)}-a${attempt}.json`,
                }
              : undefined,
          });
          if (rec.status === 'ok' || !isInfra(rec.status)) break;
        }
        const r = rec as PhaseRecord;
        await writeFileAtomic(join(logDir, 'phase.json'), `${JSON.stringify(r, null, 2)}\n`);
        phases.push(r);
        opts.onPhase?.(r);
      }
    }
  } catch (e) {
    await cleanup();
    throw e;
  }

  // the workload of a serving job: every variant must complete the same requests and tokens as the baseline
  const measured = phases.filter((p) => !p.warmup);
  const reference = measured.find((p) => p.variant === 'baseline' && p.status === 'ok');
  const checked = measured.map((p) => {
    if (p.status !== 'ok' || !reference || p.variant === 'baseline') return p;
    const off = WORKLOAD_COUNTS.filter(
      (m) => reference.metrics[m] && p.metrics[m] && reference.metrics[m]?.value !== p.metrics[m]?.value,
    );
    if (!off.length) return p;
    return {
      ...p,
      status: 'workload_mismatch' as const,
      detail: `not the baseline's workload: ${off.map((m) => `${m} ${p.metrics[m]?.value} (baseline ${reference.metrics[m]?.value})`).join(', ')}`,
    };
  });
  for (const [i, p] of checked.entries()) {
    if (p !== measured[i]) {
      const logDir = join(jobDir, 'phases', `${String(p.round).padStart(2, '0')}-${variantSlug(p.variant)}`);
      await writeFileAtomic(join(logDir, 'phase.json'), `${JSON.stringify(p, null, 2)}\n`);
    }
  }

  const better = primary.direction;
  const results: VariantResult[] = variants.map((v) => {
    const mine = checked.filter((p) => p.variant === v.id);
    const base = {
      id: v.id,
      kind: v.kind,
      agent: v.agent?.agent ?? null,
      model: v.agent?.model ?? null,
      patch: v.patch,
      tamper: v.tamper,
      setup: setups.get(v.id) ?? [],
      ...(v.notes?.length ? { notes: v.notes } : {}),
    };
    const early = v.failure ?? setupFailures.get(v.id);
    if (early)
      return {
        ...base,
        status: early.class,
        detail: early.detail,
        samples: [],
        summary: null,
        means: {},
      };
    const ok = mine.filter((p) => p.status === 'ok');
    const bad = mine.find((p) => p.status !== 'ok');
    const samples = ok.map((p) => p.metrics[primary.name]?.value).filter((x): x is number => x !== undefined);
    const means: Record<string, number> = {};
    for (const name of Object.keys(ok[0]?.metrics ?? {})) {
      const vals = ok.map((p) => p.metrics[name]?.value).filter((x): x is number => x !== undefined);
      if (vals.length === ok.length) means[name] = vals.reduce((a, b) => a + b, 0) / vals.length;
    }
    return {
      ...base,
      status: bad ? (bad.status as FailureClass) : 'ok',
      detail: bad ? `round ${bad.round}: ${bad.detail}` : '',
      samples,
      summary: samples.length ? summarize(samples) : null,
      means,
    };
  });
  const byId = new Map(results.map((r) => [r.id, r]));
  const baseline = byId.get('baseline');
  const human = byId.get('human');
  const baseOk = baseline?.status === 'ok' && baseline.samples.length > 0;
  const humanOk = human?.status === 'ok' && human.samples.length > 0;
  const humanVsBaseline =
    baseOk && humanOk ? bootstrapImprovement(baseline.samples, human.samples, better) : null;
  const validity = taskValidity(humanVsBaseline, baseOk ? baseline.summary : null);
  // a baseline or human that failed for the harness's reasons makes the job the harness's failure
  // (retried, never counted); otherwise the task does not hold here
  const infraOf = (v: VariantResult | undefined) =>
    v && v.status !== 'ok' && isInfra(v.status as FailureClass) ? v : null;
  const infraRef = infraOf(baseline) ?? infraOf(human);
  const failure: JobResult['failure'] = infraRef
    ? { class: 'infra_error', detail: `${infraRef.id}: ${infraRef.status}: ${infraRef.detail}` }
    : !baseOk
      ? { class: 'baseline_failed', detail: `${baseline?.status}: ${baseline?.detail}` }
      : !humanOk
        ? { class: 'human_failed', detail: `${human?.status}: ${human?.detail}` }
        : null;
  // outputs: every variant's probe (last measured round) against the baseline's, the human setting the tolerance
  const probeOf = (id: string): { outputs: ProbeOutput[] } | { failed: string } | null => {
    if (!task.correctness) return null;
    const rec = checked.filter((p) => p.variant === id && p.probe).pop()?.probe;
    if (!rec) return { failed: 'no probe ran (its last round did not complete)' };
    if (rec.status !== 'ok' || !rec.outputsPath) return { failed: rec.detail };
    const parsed = parseProbeOutputs(readFileSync(rec.outputsPath, 'utf8'));
    return parsed.ok ? { outputs: parsed.outputs } : { failed: `unreadable probe outputs: ${parsed.detail}` };
  };
  const baseProbe = probeOf('baseline');
  const humanProbe = probeOf('human');
  const baseOutputs = baseProbe && 'outputs' in baseProbe ? baseProbe.outputs : null;
  const humanCmp =
    baseOutputs && humanProbe && 'outputs' in humanProbe
      ? compareOutputs(baseOutputs, humanProbe.outputs)
      : null;
  const tolerance = baseOutputs ? calibrate(humanCmp, opts.equivalencePolicy) : null;
  const equivalenceOf = (id: string): Equivalence => {
    const none = { exactRate: null, firstDivergence: null, maxAbsDiff: null, examples: [], tolerance };
    if (!task.correctness)
      return { ...none, verdict: 'unchecked', reason: `${task.id} has no correctness probe` };
    if (!baseOutputs)
      return {
        ...none,
        verdict: 'unchecked',
        reason: `the baseline's probe failed: ${baseProbe && 'failed' in baseProbe ? baseProbe.failed : ''}`,
      };
    const mine = probeOf(id);
    if (!mine || 'failed' in mine)
      return {
        ...none,
        verdict: 'probe_failed',
        reason: mine && 'failed' in mine ? mine.failed : 'no probe',
      };
    return judgeEquivalence(compareOutputs(baseOutputs, mine.outputs), tolerance as Tolerance);
  };
  const agents: AgentJudgement[] = results
    .filter((r) => r.kind === 'agent')
    .map((r): AgentJudgement => {
      const none = {
        variant: r.id,
        agentVsBaseline: null,
        agentVsHuman: null,
        verdict: null,
        equivalence: null,
        credited: false,
        accuracy: null,
      };
      if (r.status !== 'ok') return { ...none, failure: r.status };
      if (!baseOk) return { ...none, failure: 'baseline_failed' };
      const vsB = bootstrapImprovement(baseline.samples, r.samples, better);
      const vsH = humanOk ? bootstrapImprovement(human.samples, r.samples, better) : null;
      const speed = vsB ? agentVerdict(vsB, vsH, policy) : null;
      const eq = equivalenceOf(r.id);
      const verdict =
        eq.verdict === 'diverged'
          ? {
              verdict: 'diverged' as const,
              reason: `outputs differ from the baseline's: ${eq.reason}${speed ? ` (speed alone: ${speed.verdict})` : ''}`,
            }
          : eq.verdict === 'probe_failed'
            ? { verdict: 'probe_failed' as const, reason: `the correctness probe failed: ${eq.reason}` }
            : speed;
      return {
        variant: r.id,
        agentVsBaseline: vsB,
        agentVsHuman: vsH,
        verdict,
        failure: null,
        equivalence: eq,
        credited: eq.verdict === 'equivalent' || eq.verdict === 'unchecked',
        accuracy: null,
      };
    });
  // the optional accuracy check, only for agents whose speed verdict shows a gain (to spare the GPU)
  if (opts.accuracy && kind === 'serving') {
    const gain = new Set(['beats_human', 'matches_human', 'below_human']);
    const qualifying = agents.filter((a) => a.credited && a.verdict && gain.has(a.verdict.verdict));
    if (qualifying.length) {
      const items = parseAccuracyDataset(readFileSync(opts.accuracy.dataset, 'utf8'), opts.accuracy.dataset);
      const baseEnv = { ...offline?.env, ...task.benchmark.env, PYTHONUNBUFFERED: '1' };
      const ask = async (id: string): Promise<AccuracyScore | string> => {
        const at = placed.get(id);
        if (!at) return `${id} has no tree`;
        const logDir = join(jobDir, 'accuracy', variantSlug(id));
        await mkdir(logDir, { recursive: true });
        const dataset = `${at.sb.workdir}/accuracy-dataset.jsonl`;
        await at.sb.put(opts.accuracy?.dataset as string, dataset);
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
          String(opts.accuracy?.maxTokens ?? 256),
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
        const outputs = readFileSync(join(logDir, 'outputs.jsonl'), 'utf8')
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l) as { id: string; text?: string });
        return scoreAccuracy(items, outputs);
      };
      const base = await ask('baseline');
      const tol = opts.accuracy.tolerancePts ?? 2;
      for (const [i, a] of agents.entries()) {
        if (!qualifying.includes(a)) continue;
        const mine = typeof base === 'string' ? base : await ask(a.variant);
        if (typeof mine === 'string' || typeof base === 'string') {
          agents[i] = {
            ...a,
            accuracy: null,
            verdict: {
              verdict: 'probe_failed',
              reason: `the accuracy check failed: ${typeof base === 'string' ? `baseline: ${base}` : mine}`,
            },
            credited: typeof base === 'string',
          };
          continue;
        }
        const deltaPts = mine.pct - base.pct;
        const result: AccuracyResult = {
          baseline: base,
          agent: mine,
          deltaPts,
          tolerancePts: tol,
          passed: deltaPts >= -tol,
          dataset: opts.accuracy.dataset,
        };
        agents[i] = result.passed
          ? { ...a, accuracy: result }
          : {
              ...a,
              accuracy: result,
              credited: false,
              verdict: {
                verdict: 'accuracy_dropped',
                reason: `accuracy ${mine.pct.toFixed(1)}% vs the baseline's ${base.pct.toFixed(1)}% (${deltaPts.toFixed(1)} points, tolerance ${tol}) (speed alone: ${a.verdict?.verdict})`,
              },
            };
      }
    }
  }
  await cleanup();
  const equivalence: JobResult['equivalence'] = {
    probe: task.correctness?.mode ?? null,
    tolerance,
    human: humanCmp ? summaryOf(humanCmp) : null,
    detail: !task.correctness
      ? 'no correctness probe: outputs unchecked'
      : !tolerance
        ? `the baseline's probe failed: ${baseProbe && 'failed' in baseProbe ? baseProbe.failed : ''}`
        : tolerance.detail,
  };
  const result: JobResult = {
    schemaVersion: BENCH_RECORD_VERSION,
    task: task.id,
    primaryMetric: { name: primary.name, unit: primary.unit, direction: primary.direction },
    repeats,
    order: measuredVariants.map((v) => v.id),
    variants: results,
    humanVsBaseline,
    validity,
    failure,
    agents,
    equivalence,
    fingerprint,
    executor: executor.kind,
    startedAt,
    durationMs: performance.now() - t0,
  };
  await writeFileAtomic(join(jobDir, 'job.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
