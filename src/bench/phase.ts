/**
 * One phase: one measurement of one variant. Serving tasks start the server with the task's server
 * argv, wait for readiness (a bound port is not readiness: `/health` must answer), run the client,
 * then stop the server and wait for the port to be free; offline tasks run the command. The argv
 * really run, the arguments the benchmark echoed, full logs, exit status, timings and metrics are
 * recorded, and every failure gets its class.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecResult, Sandbox } from '../executor/types.js';
import type { FailureClass } from '../grade/taxonomy.js';
import { disagreements, type JsonResultRequest, parseJsonResult } from '../parse/json-result.js';
import { parserFor } from '../parse/registry.js';
import type { EchoedNamespace, ParseResult } from '../parse/types.js';
import type { ParsedPerfCommand } from '../task/perf-command.js';
import type { Correctness, TaskSpec } from '../task/schema.js';
import { errorMessage, isKnownInfra, isMissingFile } from '../util/errors.js';
import { compareWorkload } from '../v5/workload.js';
import { logTail, processRecord } from './process.js';
import { startServer, stopServer } from './server.js';
import type { ClientRunRecord, PhaseRecord, ProbeRecord, ProcessRecord } from './types.js';
import { BENCH_RECORD_VERSION } from './types.js';

/** Where a phase's variant and client live inside the sandbox. */
export interface PhasePlace {
  /** the variant's source tree inside the sandbox */
  readonly variantDir: string;
  /** the untouched copy of the parent's tree the client runs from */
  readonly clientDir: string;
  /** host folder for this phase's logs */
  readonly logDir: string;
}

/** What the phase runner needs besides the place. */
export interface PhaseInput {
  readonly sandbox: Sandbox;
  readonly task: TaskSpec;
  /** the task's perf command, parsed (for the workload check), or null when it cannot be */
  readonly command: ParsedPerfCommand | null;
  readonly variant: string;
  readonly round: number;
  readonly warmup: boolean;
  readonly place: PhasePlace;
  /** read at the start of the phase, e.g. GPU clocks */
  readonly probeAtStart?: () => Promise<Record<string, string>>;
  /** waits, before anything runs, until the GPU memory of earlier phases is released: null, or why not (infra) */
  readonly awaitGpu?: () => Promise<string | null>;
  /** what every process of the phase starts from (the job plan's: offline switches, the task's env, unbuffered Python) */
  readonly env: Readonly<Record<string, string>>;
  /** the client's JSON result: how to ask for it, and where it goes inside the sandbox */
  readonly jsonResult?: { readonly request: JsonResultRequest; readonly dir: string; readonly file: string };
  /** run the task's correctness probe in this phase (the last measured round), on the same server */
  readonly probe?: { readonly spec: Correctness; readonly probeDir: string; readonly outDir: string };
  /** client runs on each server start (serving tasks; default 1): the phase's metrics are their mean */
  readonly clientRuns?: number;
}

/** Where client run `run` of a phase writes: the first run the plain names, later ones numbered. */
export function runFiles(run: number): { stdout: string; stderr: string; json: string } {
  const n = run === 1 ? '' : `-${run}`;
  return { stdout: `client${n}.stdout`, stderr: `client${n}.stderr`, json: `result${n}.json` };
}

/** The served model name a probe asks for: --served-model-name, --model, else the task's. */
export function servedModel(argv: readonly string[], fallback: string): string {
  for (const flag of ['--served-model-name', '--model']) {
    const i = argv.indexOf(flag);
    const value = i >= 0 ? argv[i + 1] : undefined;
    if (value) return value;
    const eq = argv.find((a) => a.startsWith(`${flag}=`));
    if (eq) return eq.slice(flag.length + 1);
  }
  return fallback;
}

/** Runs the correctness probe inside the sandbox and brings its outputs to the phase's logs. */
async function runProbe(
  sandbox: Sandbox,
  probe: NonNullable<PhaseInput['probe']>,
  ctx: {
    variantDir: string;
    logDir: string;
    port: number;
    model: string;
    env: Readonly<Record<string, string>>;
    tag: string;
    timeoutMs: number;
  },
): Promise<ProbeRecord> {
  const out = `${probe.outDir}/probe-${ctx.tag}.jsonl`;
  let argv: string[];
  let env = ctx.env;
  if (probe.spec.mode === 'completions') {
    const prompts = `${probe.outDir}/probe-prompts.json`;
    await sandbox.writeFile(prompts, JSON.stringify(probe.spec.prompts));
    argv = [
      'python3',
      `${probe.probeDir}/completions.py`,
      '--port',
      String(ctx.port),
      '--model',
      ctx.model,
      '--prompts',
      prompts,
      '--max-tokens',
      String(probe.spec.maxTokens),
      '--logprobs',
      String(probe.spec.logprobs),
      '--seed',
      String(probe.spec.seed),
      '--out',
      out,
    ];
  } else {
    argv = ['python3', `${probe.probeDir}/${probe.spec.script}`, ...probe.spec.args, '--out', out];
    env = { ...env, PYTHONPATH: ctx.variantDir };
  }
  const r = await sandbox.exec(argv, {
    cwd: ctx.variantDir,
    env,
    timeoutMs: ctx.timeoutMs,
    stdoutPath: join(ctx.logDir, 'probe.log'),
    stderrPath: join(ctx.logDir, 'probe.log'),
  });
  const proc = processRecord(argv, ctx.variantDir, env, r);
  if (r.timedOut || r.exitCode !== 0)
    return {
      status: 'probe_failed',
      detail: `the probe ${r.timedOut ? 'timed out' : `exited with ${r.exitCode}`}:\n${await logTail(join(ctx.logDir, 'probe.log'))}`,
      outputsPath: null,
      process: proc,
    };
  const host = join(ctx.logDir, 'probe.jsonl');
  try {
    await sandbox.get(out, host);
  } catch (e) {
    if (!isMissingFile(e) && !isKnownInfra(e)) throw e;
    return {
      status: 'probe_failed',
      detail: `the probe wrote no outputs: ${errorMessage(e)}`,
      outputsPath: null,
      process: proc,
    };
  }
  return { status: 'ok', detail: '', outputsPath: host, process: proc };
}

function showArgs(ns: EchoedNamespace | undefined): Record<string, string> | null {
  if (!ns) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of ns.args) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

type Metric = { value: number; unit: string; direction: string };

/**
 * The metrics of a client's stdout, or why there are none (`problem` is '' when they are usable). A
 * block read from a cut text is for published outputs: a run's own stdout is stored whole, so a block
 * without its start is not graded.
 */
export function readStdout(
  kind: NonNullable<TaskSpec['benchmark']['kind']>,
  stdout: string,
): { parsed: ParseResult; fromStdout: Record<string, Metric>; problem: string } {
  const parsed = parserFor(kind).parse(stdout);
  const fromStdout: Record<string, Metric> = {};
  if (!parsed.ok) return { parsed, fromStdout, problem: `${parsed.reason}: ${parsed.detail}` };
  if (parsed.truncated)
    return {
      parsed,
      fromStdout,
      problem: `truncated: ${parsed.truncated}; the client's own stdout is stored whole, so a block without its start is not graded`,
    };
  for (const [k, m] of Object.entries(parsed.metrics))
    fromStdout[k] = { value: m.value, unit: m.unit, direction: m.direction };
  return { parsed, fromStdout, problem: '' };
}

/**
 * The phase's metrics: from the client's JSON result when it wrote one (checked against the stdout
 * block), else from its stdout; stdout-only metrics are kept beside the JSON's. `metrics` is null
 * when neither holds a result (`problem` says why).
 */
async function readMetrics(
  sandbox: Sandbox,
  kind: NonNullable<TaskSpec['benchmark']['kind']>,
  logDir: string,
  json: PhaseInput['jsonResult'],
  run: number,
): Promise<{
  metrics: Record<string, Metric> | null;
  problem: string;
  ns: EchoedNamespace | undefined;
  effectiveArgs: Record<string, string> | null;
  result: PhaseRecord['result'];
}> {
  const files = runFiles(run);
  const stdout = readFileSync(join(logDir, files.stdout), 'utf8');
  const { parsed, fromStdout, problem: stdoutProblem } = readStdout(kind, stdout);
  const usable = stdoutProblem === '';
  const ns = parsed.namespaces.find((n) => n.source === 'bare');
  const effectiveArgs = showArgs(ns);
  const notes: string[] = [];
  let fromJson: Record<string, Metric> | null = null;
  let jsonPath: string | null = null;
  if (json) {
    const host = join(logDir, files.json);
    try {
      await sandbox.get(`${json.dir}/${jsonFileOf(json.file, run)}`, host);
      jsonPath = host;
      const r = parseJsonResult(kind, readFileSync(host, 'utf8'));
      if (r.ok) fromJson = { ...r.metrics };
      else notes.push(`the JSON result (${json.request.flag}) is unusable: ${r.detail}`);
    } catch (e) {
      if (!isMissingFile(e) && !isKnownInfra(e)) throw e;
      notes.push(`the client wrote no JSON result (${json.request.flag}): ${errorMessage(e)}`);
    }
    if (fromJson && usable) {
      const off = disagreements(fromJson, fromStdout);
      if (off.length) notes.push(`the JSON result and the stdout block disagree: ${off.join('; ')}`);
    }
    if (fromJson && !usable) notes.push(`metrics from the JSON result; stdout: ${stdoutProblem}`);
  }
  const result = {
    source: fromJson ? ('json' as const) : usable ? ('stdout' as const) : ('none' as const),
    jsonPath,
    notes,
  };
  const ok = usable || fromJson;
  return {
    metrics: ok ? { ...fromStdout, ...fromJson } : null,
    problem: stdoutProblem,
    ns,
    effectiveArgs,
    result,
  };
}

/**
 * Whether the run did the task's workload: the arguments it echoed against the task's command, and
 * the counts every run of it must report (requests completed, tokens generated); null when it did.
 */
function workloadProblem(
  input: PhaseInput,
  ns: EchoedNamespace | undefined,
  metrics: Record<string, Metric>,
): { detail: string; differences: PhaseRecord['workloadDifferences'] } | null {
  const differences =
    input.command && ns
      ? compareWorkload(input.command, ns).differences.map((d) => ({
          option: d.option,
          expected: d.expected,
          actual: d.actual,
        }))
      : [];
  if (differences.length)
    return {
      detail: `the run used other arguments than the task: ${differences.map((d) => `${d.option} ran as ${d.actual}`).join('; ')}`,
      differences,
    };
  const expected = input.task.benchmark.expect;
  const short: string[] = [];
  if (
    expected?.completed !== undefined &&
    metrics.completed &&
    metrics.completed.value !== expected.completed
  )
    short.push(`completed ${metrics.completed.value} requests, the workload asks for ${expected.completed}`);
  if (
    expected?.totalOutputTokens !== undefined &&
    metrics.total_output_tokens &&
    metrics.total_output_tokens.value !== expected.totalOutputTokens
  )
    short.push(
      `generated ${metrics.total_output_tokens.value} tokens, the workload asks for ${expected.totalOutputTokens}`,
    );
  return short.length
    ? { detail: `the run did other work than the task specifies: ${short.join('; ')}`, differences: [] }
    : null;
}

/**
 * Where an offline client's stderr goes: its own file, except for the prefix-caching script, whose
 * figures are the engine's progress bar (tqdm, on stderr: \`Processed prompts: ... est. speed input:
 * ...\`) read after the \`start generating\` marker it prints on stdout, so both go to one file, in
 * the order they were written.
 */
const STDERR_OF: Record<NonNullable<TaskSpec['benchmark']['kind']>, string> = {
  serving: 'client.stderr',
  latency: 'client.stderr',
  throughput: 'client.stderr',
  prefix_caching: 'client.stdout',
};

/** What names a phase record. */
function phaseHead(input: PhaseInput, startedAt: string) {
  return {
    schemaVersion: BENCH_RECORD_VERSION,
    task: input.task.id,
    variant: input.variant,
    round: input.round,
    warmup: input.warmup,
    startedAt,
  } as const;
}

/** What a phase has run so far: its processes' records and the time its commands took. */
interface PhaseState {
  readonly input: PhaseInput;
  readonly wallStart: number;
  readonly startedAt: string;
  atStart: Record<string, string>;
  server: ProcessRecord | null;
  client: ProcessRecord | null;
  /** every client run's process, in order (one for an offline phase) */
  clients: ProcessRecord[];
  probe: ProbeRecord | null;
  commandsMs: number;
}

/** A failure of the phase's commands: its class and why. */
type Failed = { readonly status: FailureClass; readonly detail: string };

/** The phase's record, as it ended. */
function phaseRecord(
  st: PhaseState,
  status: 'ok' | FailureClass,
  detail: string,
  extra: Partial<PhaseRecord> = {},
): PhaseRecord {
  const wallMs = performance.now() - st.wallStart;
  return {
    ...phaseHead(st.input, st.startedAt),
    status,
    detail,
    server: st.server,
    client: st.client,
    metrics: {},
    effectiveArgs: null,
    workloadDifferences: [],
    wallMs,
    overheadMs: Math.max(0, wallMs - st.commandsMs),
    atStart: st.atStart,
    result: { source: 'none', jsonPath: null, notes: [] },
    probe: st.probe,
    runs: [],
    ...extra,
  };
}

/** The JSON result's file name for client run `run` (the first run the job's name, later ones numbered). */
function jsonFileOf(file: string, run: number): string {
  return run === 1 ? file : file.replace(/(\.json)?$/, `-r${run}$1`);
}

/** The client's argv for run `run`: the task's, and the JSON result's flags when the job asks for one. */
function clientArgvOf(input: PhaseInput, run = 1): string[] {
  const json = input.jsonResult;
  return [
    ...(input.task.benchmark.client?.argv ?? []),
    ...(json ? json.request.argv(json.dir, jsonFileOf(json.file, run)) : []),
  ];
}

/** The probe's place in this phase. */
function probeAt(st: PhaseState, port: number, model: string) {
  const { input } = st;
  return {
    variantDir: input.place.variantDir,
    logDir: input.place.logDir,
    port,
    model,
    env: input.env,
    tag: `${input.round}-${input.variant.replace(/[^\w.-]+/g, '_')}`,
    timeoutMs: input.task.timeouts.benchmarkS * 1000,
  };
}

/**
 * The phase's client runs on its server, one after another, until one fails or the server is gone;
 * the last run's result.
 */
async function clientRuns(
  st: PhaseState,
  env: Readonly<Record<string, string>>,
  serverUp: () => boolean,
): Promise<ExecResult> {
  const { sandbox, task, place } = st.input;
  const runs = st.input.clientRuns ?? 1;
  let last: ExecResult | null = null;
  for (let run = 1; run <= runs; run++) {
    const argv = clientArgvOf(st.input, run);
    const files = runFiles(run);
    last = await sandbox.exec(argv, {
      cwd: place.clientDir,
      env,
      timeoutMs: task.timeouts.benchmarkS * 1000,
      stdoutPath: join(place.logDir, files.stdout),
      stderrPath: join(place.logDir, files.stderr),
    });
    st.clients.push(processRecord(argv, place.clientDir, env, last));
    st.client ??= st.clients[0] ?? null;
    if (last.timedOut || last.exitCode !== 0 || !serverUp()) break;
  }
  // runs is at least 1 (the configuration's schema), so the loop ran
  if (!last) throw new Error('a phase ran no client');
  return last;
}

/** A serving phase: the server from the variant's tree, the client from the client copy, the probe on the same server. */
async function servingCommands(st: PhaseState): Promise<Failed | null> {
  const { input } = st;
  const { sandbox, task, place } = input;
  const started = await startServer(sandbox, task, place.variantDir, place.logDir, input.env);
  if (!started.ok) {
    st.server = started.record;
    st.commandsMs += started.ms;
    return { status: started.status, detail: started.detail };
  }
  const { port, argv: serverArgv, env, bg } = started;
  const t0 = performance.now() - started.ms;
  // the client's own package code (benchmark_serving.py's vllm imports, `vllm bench serve`) is the parent's copy
  const clientEnv = { ...input.env, PYTHONPATH: place.clientDir };
  try {
    const c = await clientRuns(st, clientEnv, () => bg.running());
    if (input.probe && c.exitCode === 0 && !c.timedOut && bg.running())
      st.probe = await runProbe(
        sandbox,
        input.probe,
        probeAt(st, port, servedModel(serverArgv, task.benchmark.model ?? 'model')),
      );
    const serverAlive = bg.running();
    const stopped = await stopServer(sandbox, bg, port, place.logDir, () => {
      st.commandsMs += performance.now() - t0;
    });
    st.server = processRecord(serverArgv, place.variantDir, env, stopped);
    if (c.timedOut)
      return {
        status: 'bench_timeout',
        detail: `the benchmark client ran past ${task.timeouts.benchmarkS}s and was killed`,
      };
    if (!serverAlive)
      return {
        status: 'server_crash',
        detail: `the server exited (code ${stopped.exitCode}) during the benchmark:\n${await logTail(join(place.logDir, 'server.log'))}`,
      };
    if (c.exitCode !== 0)
      return {
        status: 'bench_error',
        detail: `the benchmark client exited with ${c.exitCode}:\n${await logTail(c.stderrPath)}`,
      };
    return null;
  } finally {
    // a server still up here is one an exception left behind: stopped, best effort (the exception is what counts)
    if (bg.running()) await bg.stop(1000).catch(() => undefined);
  }
}

/** A latency or throughput phase: the client from the client copy, importing the variant's tree. */
async function offlineCommands(
  st: PhaseState,
  kind: Exclude<NonNullable<TaskSpec['benchmark']['kind']>, 'serving'>,
): Promise<Failed | null> {
  const { input } = st;
  const { sandbox, task, place } = input;
  const clientArgv = clientArgvOf(input);
  const env = { ...input.env, PYTHONPATH: place.variantDir };
  const t0 = performance.now();
  const c = await sandbox.exec(clientArgv, {
    cwd: place.clientDir,
    env,
    timeoutMs: task.timeouts.benchmarkS * 1000,
    stdoutPath: join(place.logDir, 'client.stdout'),
    stderrPath: join(place.logDir, STDERR_OF[kind]),
  });
  st.commandsMs += performance.now() - t0;
  st.client = processRecord(clientArgv, place.clientDir, env, c);
  st.clients = [st.client];
  if (input.probe && c.exitCode === 0 && !c.timedOut)
    st.probe = await runProbe(sandbox, input.probe, probeAt(st, 0, task.benchmark.model ?? 'model'));
  if (c.timedOut)
    return {
      status: 'bench_timeout',
      detail: `the benchmark ran past ${task.timeouts.benchmarkS}s and was killed`,
    };
  if (c.exitCode === 0) return null;
  const err = await logTail(c.stderrPath);
  const importFailed = /^(?:ModuleNotFoundError|ImportError|SyntaxError|IndentationError)\b/m.test(err);
  return {
    status: importFailed ? 'import_failed' : 'bench_error',
    detail: `the benchmark exited with ${c.exitCode}:\n${err}`,
  };
}

/** Runs one phase. Failures of the benchmark are values in the record; exceptions mean the executor broke. */
export async function runPhase(input: PhaseInput): Promise<PhaseRecord> {
  const st: PhaseState = {
    input,
    wallStart: performance.now(),
    startedAt: new Date().toISOString(),
    atStart: {},
    server: null,
    client: null,
    clients: [],
    probe: null,
    commandsMs: 0,
  };
  st.atStart = input.probeAtStart ? await input.probeAtStart() : {};
  const { task } = input;
  const kind = task.benchmark.kind;
  if (!kind || !task.benchmark.client?.argv.length)
    return phaseRecord(st, 'infra_error', `${task.id} has no runnable benchmark`);
  const held = input.awaitGpu ? await input.awaitGpu() : null;
  if (held) return phaseRecord(st, 'infra_error', held);
  try {
    const failed = kind === 'serving' ? await servingCommands(st) : await offlineCommands(st, kind);
    if (failed && st.clients.length > 1) return phaseRecord(st, ...(await failedRuns(st, kind, failed)));
    if (failed) return phaseRecord(st, failed.status, failed.detail);
  } catch (e) {
    // only the executor's and the host's known failures are the phase's infra_error; anything else is
    // a bug of the harness and ends the job (recorded as a harness error)
    if (!isKnownInfra(e)) throw e;
    return phaseRecord(st, 'infra_error', `the executor failed: ${errorMessage(e)}`);
  }
  return phaseRecord(st, ...(await phaseOutcome(st, kind)));
}

/** What a phase's or a client run's output says. */
type Outcome = [status: 'ok' | FailureClass, detail: string, extra: Partial<PhaseRecord>];

/** What client run `run`'s output says: its metrics checked against the workload, or why they cannot be used. */
async function runOutcome(
  st: PhaseState,
  kind: NonNullable<TaskSpec['benchmark']['kind']>,
  run: number,
): Promise<Outcome> {
  const { input } = st;
  const read = await readMetrics(input.sandbox, kind, input.place.logDir, input.jsonResult, run);
  const { effectiveArgs, result } = read;
  if (!read.metrics) return ['no_metrics', read.problem, { effectiveArgs, result }];
  const metrics = read.metrics;
  const work = workloadProblem(input, read.ns, metrics);
  const found = { metrics, effectiveArgs, result };
  if (work) return ['workload_mismatch', work.detail, { ...found, workloadDifferences: work.differences }];
  const primary = input.task.benchmark.primaryMetric?.name ?? parserFor(kind).primaryMetric;
  if (!metrics[primary]) return ['no_metrics', `the output has no ${primary}`, found];
  return ['ok', '', found];
}

/** Each metric's mean over the runs, where every run has it. */
function meanMetrics(all: ReadonlyArray<PhaseRecord['metrics']>): PhaseRecord['metrics'] {
  const out: Record<string, PhaseRecord['metrics'][string]> = {};
  for (const [name, first] of Object.entries(all[0] ?? {})) {
    const values = all.map((m) => m[name]?.value).filter((v): v is number => v !== undefined);
    if (values.length === all.length)
      out[name] = { ...first, value: values.reduce((a, b) => a + b, 0) / values.length };
  }
  return out;
}

/** A phase whose last client run failed after earlier ones: each run's record, the last with the failure. */
async function failedRuns(
  st: PhaseState,
  kind: NonNullable<TaskSpec['benchmark']['kind']>,
  failed: Failed,
): Promise<Outcome> {
  const runs = await runRecords(st, kind, st.clients.length - 1);
  const client = st.clients.at(-1);
  const run = st.clients.length;
  if (client)
    runs.push({
      run,
      status: failed.status,
      detail: failed.detail,
      client,
      metrics: {},
      effectiveArgs: null,
      workloadDifferences: [],
      result: { source: 'none', jsonPath: null, notes: [] },
    });
  return [failed.status, `client run ${run} of ${st.input.clientRuns ?? 1}: ${failed.detail}`, { runs }];
}

/** The records of the phase's first `count` client runs, each with its output's outcome. */
async function runRecords(
  st: PhaseState,
  kind: NonNullable<TaskSpec['benchmark']['kind']>,
  count: number,
): Promise<ClientRunRecord[]> {
  const runs: ClientRunRecord[] = [];
  for (const [i, client] of st.clients.slice(0, count).entries()) {
    const [status, detail, extra] = await runOutcome(st, kind, i + 1);
    runs.push({
      run: i + 1,
      status,
      detail,
      client,
      metrics: extra.metrics ?? {},
      effectiveArgs: extra.effectiveArgs ?? null,
      workloadDifferences: extra.workloadDifferences ?? [],
      result: extra.result ?? { source: 'none', jsonPath: null, notes: [] },
    });
  }
  return runs;
}

/**
 * What the phase's output says: one client run's outcome, or (several) each run's, the phase ok
 * when every run is, its metrics their mean, its status and detail the first failed run's.
 */
async function phaseOutcome(
  st: PhaseState,
  kind: NonNullable<TaskSpec['benchmark']['kind']>,
): Promise<Outcome> {
  if (st.clients.length <= 1) return runOutcome(st, kind, 1);
  const runs = await runRecords(st, kind, st.clients.length);
  const first = runs[0];
  const bad = runs.find((r) => r.status !== 'ok');
  const extra: Partial<PhaseRecord> = {
    metrics: bad ? {} : meanMetrics(runs.map((r) => r.metrics)),
    effectiveArgs: first?.effectiveArgs ?? null,
    workloadDifferences: bad?.workloadDifferences ?? [],
    result: first?.result ?? { source: 'none', jsonPath: null, notes: [] },
    runs,
  };
  return bad
    ? [bad.status, `client run ${bad.run} of ${runs.length}: ${bad.detail}`, extra]
    : ['ok', '', extra];
}
