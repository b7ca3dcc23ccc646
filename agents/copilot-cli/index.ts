/**
 * GitHub Copilot CLI (`@github/copilot`), run headless with a model of the user's own (BYOK):
 * `copilot -p PROMPT --output-format json --allow-all --no-ask-user` in the workspace, offline
 * (`COPILOT_OFFLINE`: no GitHub sign-in, telemetry, web tools, built-in MCP servers or updates), the
 * provider in `COPILOT_PROVIDER_TYPE` / `_WIRE_API` / `_BASE_URL` / `_API_KEY` (OpenAI Chat
 * Completions or Responses, Anthropic Messages), its state in a fresh home under a session id the
 * adapter chooses. Its JSON lines say each turn, tool call, retry and the session's error (with its
 * kind and HTTP status); the session's own event log (`session-state/<id>/events.jsonl`) holds a
 * usage record per model call, written as it goes, and the CLI's version. It has no turn budget of
 * its own, so the adapter stops it when a turn past the budget starts, and, given `retryGiveUpS`,
 * once its API calls have been failing that long. It reports no dollar cost for BYOK models.
 * Facts: shared/docs/AGENT-CLIS.md and `copilot help environment`.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { AUTH_TEXT } from '../../src/agent/credentials.js';
import type {
  AgentAdapter,
  AgentDeps,
  AgentEvent,
  AgentOutcome,
  AgentRunInput,
  OutcomeKind,
  Usage,
} from '../../src/agent/types.js';
import { isInfraStatus, NO_USAGE } from '../../src/agent/types.js';
import { failureClock, followLines } from '../../src/agent/watch.js';
import { readTextIfThere } from '../../src/util/if-there.js';
import { isJsonObject, jsonObject } from '../../src/util/json.js';
import { type Infer, z } from '../../src/util/zod.js';

/** The CLI version this adapter was tested with; installed on demand into the per-version cache. */
export const COPILOT_CLI_VERSION = '1.0.102';

const OptionsSchema = z.strictObject({
  /** whose API and key: openai (Chat Completions or Responses) or anthropic (Messages) */
  provider: z.enum(['openai', 'anthropic']),
  /** openai only: `chat` (Chat Completions, the default) or `responses` */
  api: z.optional(z.enum(['chat', 'responses'])),
  /** the API base URL (OpenAI: with /v1; Anthropic: without); default: the provider's public API */
  baseUrl: z.optional(z.string()),
  /** stop the CLI (infra) once its API calls have failed this long, seconds (default: its own retries, ~25 s) */
  retryGiveUpS: z.optional(z.number().check(z.positive())),
  /** more CLI arguments, appended */
  extraArgs: z.optional(z.array(z.string())),
});
type Options = Infer<typeof OptionsSchema>;

/** The providers' public APIs, for a run without a baseUrl. */
const PUBLIC_API = { openai: 'https://api.openai.com/v1', anthropic: 'https://api.anthropic.com' } as const;

/** The session's error line: its kind (`authentication`, `rate_limit`, `query`), status and message. */
interface SessionError {
  readonly errorType: string;
  readonly statusCode: number | null;
  readonly message: string;
}

/** What the JSON lines on stdout say. */
export interface CopilotStream {
  readonly events: AgentEvent[];
  readonly turns: number;
  readonly toolCalls: number;
  /** model calls that failed on the transport (no connection), not with an HTTP answer */
  readonly transportFailures: number;
  readonly error: SessionError | null;
  /** the result line's exit code, or null without one */
  readonly exitCode: number | null;
  readonly model: string | null;
}

/** One stdout line as trajectory events. */
function eventsOf(type: unknown, d: Record<string, unknown>): AgentEvent[] {
  if (type === 'assistant.message') {
    const calls: unknown[] = Array.isArray(d.toolRequests) ? d.toolRequests : [];
    const text =
      typeof d.content === 'string' && d.content ? [{ type: 'message' as const, text: d.content }] : [];
    return [
      ...text,
      ...calls.filter(isJsonObject).map(
        (c): AgentEvent => ({
          type: 'tool_call',
          tool: String(c.name),
          text: JSON.stringify(c.arguments ?? {}),
        }),
      ),
    ];
  }
  if (type === 'tool.execution_complete') {
    const r = isJsonObject(d.result) ? d.result.content : d.error;
    return [
      {
        type: 'tool_result',
        text: `${d.success ? 'success' : 'failure'}: ${typeof r === 'string' ? r : JSON.stringify(r ?? '')}`,
      },
    ];
  }
  if (type === 'session.error') return [{ type: 'error', text: `${d.errorType}: ${d.message}` }];
  return [];
}

/** Reads the CLI's JSON lines (other lines are kept as info). */
export function readCopilotStream(text: string): CopilotStream {
  const events: AgentEvent[] = [];
  let turns = 0;
  let toolCalls = 0;
  let transportFailures = 0;
  let error: SessionError | null = null;
  let exitCode: number | null = null;
  let model: string | null = null;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const o = jsonObject(line);
    if (!o) {
      events.push({ type: 'info', text: line });
      continue;
    }
    const d = isJsonObject(o.data) ? o.data : {};
    if (o.type === 'assistant.turn_start') turns++;
    if (o.type === 'assistant.message') {
      toolCalls += Array.isArray(d.toolRequests) ? d.toolRequests.length : 0;
      if (typeof d.model === 'string') model = d.model;
    }
    if (o.type === 'model.call_failure' && d.failureKind === 'transport') transportFailures++;
    if (o.type === 'session.error')
      error = {
        errorType: String(d.errorType ?? 'unknown'),
        statusCode: typeof d.statusCode === 'number' ? d.statusCode : null,
        message: String(d.message ?? ''),
      };
    if (o.type === 'result' && typeof o.exitCode === 'number') exitCode = o.exitCode;
    events.push(...eventsOf(o.type, d));
  }
  return { events, turns, toolCalls, transportFailures, error, exitCode, model };
}

/** The session's own record: its usage records summed, the CLI's version and the model that answered. */
export function readSessionEvents(text: string): {
  usage: Usage;
  version: string | null;
  model: string | null;
} {
  const usage = { ...NO_USAGE, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
  let version: string | null = null;
  let model: string | null = null;
  let records = 0;
  for (const line of text.split('\n')) {
    const o = jsonObject(line);
    const d = o && isJsonObject(o.data) ? o.data : null;
    if (o?.type === 'session.start' && typeof d?.copilotVersion === 'string') version = d.copilotVersion;
    const u = o?.type === 'session.usage_record' && isJsonObject(d?.usage) ? d.usage : null;
    if (!u) continue;
    records++;
    const n = (k: string) => (typeof u[k] === 'number' ? u[k] : 0);
    usage.inputTokens += n('inputTokens');
    usage.outputTokens += n('outputTokens');
    usage.cacheReadTokens += n('cacheReadTokens');
    usage.cacheWriteTokens += n('cacheWriteTokens');
    if (typeof u.model === 'string') model = u.model;
  }
  return { usage: records ? usage : NO_USAGE, version, model };
}

/** Why the adapter stopped the CLI, if it did. */
type StoppedFor =
  | { readonly kind: 'turn_limit' }
  | { readonly kind: 'infra'; readonly reason: string }
  | null;

/** Decides the outcome from why the adapter stopped it, the exit and the stream. */
export function copilotOutcome(
  stoppedFor: StoppedFor,
  exit: { exitCode: number | null; timedOut: boolean },
  s: CopilotStream,
  stderr: string,
  budgets: AgentRunInput['budgets'],
): { kind: OutcomeKind; detail: string } {
  if (stoppedFor?.kind === 'turn_limit')
    return {
      kind: 'turn_limit',
      detail: `stopped as turn ${budgets.maxTurns + 1} began (the ${budgets.maxTurns}-turn limit)`,
    };
  if (stoppedFor?.kind === 'infra')
    return { kind: 'infra', detail: `the model API kept failing (its retries: ${stoppedFor.reason})` };
  if (exit.timedOut)
    return { kind: 'timeout', detail: `ran past the ${budgets.timeMin}-minute budget and was killed` };
  const e = s.error;
  if (e) {
    const said = `${e.errorType}${e.statusCode ? ` (HTTP ${e.statusCode})` : ''}: ${e.message}`.slice(0, 300);
    if (
      e.errorType === 'authentication' ||
      e.statusCode === 401 ||
      e.statusCode === 403 ||
      AUTH_TEXT.test(e.message)
    )
      return { kind: 'config_error', detail: `the model API refused the credentials: ${said}` };
    if (
      e.errorType === 'rate_limit' ||
      (e.statusCode !== null && isInfraStatus(e.statusCode)) ||
      (e.statusCode === null && s.transportFailures > 0)
    )
      return { kind: 'infra', detail: `the model API failed: ${said}` };
    return { kind: 'crashed', detail: `ended with an error: ${said}` };
  }
  if (exit.exitCode === 0 && s.exitCode === 0)
    return { kind: 'completed', detail: `finished after ${s.turns} turn(s)` };
  const tail = stderr.trim().split('\n').slice(-3).join(' ').slice(0, 300);
  return {
    kind: 'crashed',
    detail: `exited with ${exit.exitCode}${s.exitCode === null ? ' without a result line' : ''}: ${tail}`,
  };
}

/** Follows the stream: stops the CLI as a turn past the budget starts, or once its retries have run `giveUpMs`. */
function watchCopilot(stdout: string, maxTurns: number, giveUpMs: number | null, stopCli: () => void) {
  let turns = 0;
  const failing = failureClock(giveUpMs);
  let stoppedFor: StoppedFor = null;
  const stop = (why: Exclude<StoppedFor, null>) => {
    if (stoppedFor) return;
    stoppedFor = why;
    stopCli();
  };
  let lastFailure = '';
  const out = followLines(stdout, (line) => {
    const o = jsonObject(line);
    const d = isJsonObject(o?.data) ? o.data : {};
    if (o?.type === 'assistant.turn_start' && ++turns > maxTurns) stop({ kind: 'turn_limit' });
    if (o?.type === 'assistant.message') failing.ok();
    if (o?.type === 'model.call_failure')
      lastFailure =
        typeof d.statusCode === 'number' ? `HTTP ${d.statusCode}` : String(d.errorMessage ?? d.failureKind);
    if (o?.type !== 'assistant.turn_retry') return;
    if (failing.failed()) stop({ kind: 'infra', reason: `${String(d.reason)}, last ${lastFailure}` });
  });
  return { stop: () => out.stop(), stoppedFor: () => stoppedFor };
}

/** The provider's variables (the key among them, for the CLI alone). */
function providerEnv(input: AgentRunInput, o: Options): Record<string, string> {
  return {
    COPILOT_PROVIDER_TYPE: o.provider,
    COPILOT_PROVIDER_BASE_URL: o.baseUrl ?? PUBLIC_API[o.provider],
    ...(o.provider === 'openai'
      ? { COPILOT_PROVIDER_WIRE_API: o.api === 'responses' ? 'responses' : 'completions' }
      : {}),
    COPILOT_MODEL: input.model,
    ...(input.apiKey ? { COPILOT_PROVIDER_API_KEY: input.apiKey } : {}),
  };
}

async function run(input: AgentRunInput, deps: AgentDeps): Promise<AgentOutcome> {
  // checked by the adapter's optionsSchema before run is called (src/agent/attempt.ts)
  const o = input.options as Options;
  if (!deps.binary) throw new Error('copilot-cli: no binary (isobench agents install copilot-cli)');
  const sessionId = randomUUID();
  const copilotHome = join(input.home, '.copilot');
  const env = {
    HOME: input.home,
    COPILOT_HOME: copilotHome,
    COPILOT_OFFLINE: 'true',
    ...providerEnv(input, o),
  };
  const argv = [
    deps.binary,
    ...['-p', input.prompt, '--output-format', 'json', '--allow-all', '--no-ask-user'],
    ...['--no-auto-update', '--disable-client-telemetry', '--disable-builtin-mcps'],
    ...['--session-id', sessionId, '--model', input.model, '--log-dir', join(input.logDir, 'copilot-logs')],
    ...(o.extraArgs ?? []),
  ];
  const paths = {
    stdout: join(input.logDir, 'agent.stdout.jsonl'),
    stderr: join(input.logDir, 'agent.stderr.txt'),
  };
  const bg = await deps.sandbox.start(argv, {
    cwd: input.workspace,
    env,
    timeoutMs: input.budgets.timeMin * 60_000,
    stdoutPath: paths.stdout,
    stderrPath: paths.stderr,
  });
  const giveUpMs = o.retryGiveUpS === undefined ? null : o.retryGiveUpS * 1000;
  const watch = watchCopilot(paths.stdout, input.budgets.maxTurns, giveUpMs, () => void bg.stop(3000));
  const r = await bg.done;
  await watch.stop();
  const s = readCopilotStream((await readTextIfThere(paths.stdout)) ?? '');
  const session = readSessionEvents(
    (await readTextIfThere(join(copilotHome, 'session-state', sessionId, 'events.jsonl'))) ?? '',
  );
  return {
    ...copilotOutcome(watch.stoppedFor(), r, s, (await readTextIfThere(paths.stderr)) ?? '', input.budgets),
    usage: { ...session.usage, turns: s.turns, toolCalls: s.toolCalls },
    model: session.model ?? s.model,
    agentVersion: session.version,
    events: s.events,
    denials: [],
    exitCode: r.exitCode,
  };
}

/** The Copilot CLI adapter. */
export const adapter: AgentAdapter = {
  name: 'copilot-cli',
  provider: null,
  install: { kind: 'npm', package: '@github/copilot', version: COPILOT_CLI_VERSION, bin: 'copilot' },
  optionsSchema: OptionsSchema,
  run,
  smoke: {
    script: (e) => (step) => {
      const file = join(e.workspace, e.file);
      if (step === 0) return { tools: [{ name: 'view', input: { path: file } }] };
      if (step === 1)
        return { tools: [{ name: 'edit', input: { path: file, old_str: e.old, new_str: e.new } }] };
      return { text: 'Done.' };
    },
    options: (url) => ({ provider: 'openai', baseUrl: `${url}/v1`, retryGiveUpS: 10 }),
  },
};
