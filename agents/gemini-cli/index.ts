/**
 * Gemini CLI (`@google/gemini-cli`), run headless: `gemini -p PROMPT --output-format stream-json
 * --approval-mode yolo` in the workspace, with a fresh HOME whose `.gemini/settings.json` presets the
 * API-key auth (auto-detection breaks with a custom URL), sets the turn budget
 * (`model.maxSessionTurns`: the CLI exits 53 at it), one API attempt (the harness retries infra
 * failures itself), and turns off usage statistics and updates. `GOOGLE_GEMINI_BASE_URL` points it
 * at the model API (Gemini `streamGenerateContent`), `GEMINI_API_KEY` holds only this agent's key, and
 * `TMPDIR` is inside the home, so the error reports the CLI writes there are read (their error
 * class tells a quota refusal from the rest) and never left behind. Usage, tool calls and the model
 * the API answered as come from the stream's `result` line; the version from `gemini --version`.
 * The CLI reports no cost. Facts: shared/docs/AGENT-CLIS.md.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
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
import { NO_USAGE } from '../../src/agent/types.js';
import { readTextIfThere } from '../../src/util/if-there.js';
import { isJsonObject, jsonObject } from '../../src/util/json.js';
import { type Infer, z } from '../../src/util/zod.js';

/** The CLI version this adapter was tested with; installed on demand into the per-version cache. */
export const GEMINI_CLI_VERSION = '0.61.0';

const OptionsSchema = z.strictObject({
  /** the Gemini API base URL (no /v1beta); default: the CLI's own */
  baseUrl: z.optional(z.string()),
  /** API attempts per request inside the CLI (default 1: the harness retries infra failures itself) */
  maxAttempts: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(10))),
  /** more CLI arguments, appended */
  extraArgs: z.optional(z.array(z.string())),
});
type Options = Infer<typeof OptionsSchema>;

/** The exit code with which the CLI stops at `model.maxSessionTurns`. */
const TURN_LIMIT_EXIT = 53;

/** What the stream-json output says. */
export interface GeminiStream {
  readonly events: AgentEvent[];
  readonly toolCalls: number;
  /** the `result` line's status (`success`, `error`), or null without one */
  readonly status: string | null;
  /** the `result` line's error: its type and message */
  readonly error: { readonly type: string; readonly message: string } | null;
  readonly usage: Usage;
  /** the model the API answered as (the result's per-model stats), else the one the init line asked for */
  readonly model: string | null;
}

/** A number field of an object, or null. */
function num(o: unknown, field: string): number | null {
  const n = isJsonObject(o) ? o[field] : undefined;
  return typeof n === 'number' ? n : null;
}

/** One stream line as trajectory events (tool calls, results, messages, errors). */
function eventsOf(o: Record<string, unknown>): AgentEvent[] {
  if (o.type === 'tool_use')
    return [{ type: 'tool_call', tool: String(o.tool_name), text: JSON.stringify(o.parameters ?? {}) }];
  if (o.type === 'tool_result') {
    const text = typeof o.output === 'string' ? o.output : JSON.stringify(o.error ?? o.output ?? '');
    return [{ type: 'tool_result', text: `${o.status ?? ''}: ${text}` }];
  }
  if (o.type === 'message' && o.role === 'assistant') return [{ type: 'message', text: String(o.content) }];
  if (o.type === 'error') return [{ type: 'error', text: String(o.message ?? JSON.stringify(o)) }];
  return [];
}

/** Reads Gemini CLI's stream-json output (one JSON object per line; other lines are kept as info). */
export function readGeminiStream(text: string): GeminiStream {
  const events: AgentEvent[] = [];
  let toolCalls = 0;
  let asked: string | null = null;
  let result: Record<string, unknown> | null = null;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const o = jsonObject(line);
    if (!o) {
      events.push({ type: 'info', text: line });
      continue;
    }
    if (o.type === 'init' && typeof o.model === 'string') asked = o.model;
    if (o.type === 'tool_use') toolCalls++;
    if (o.type === 'result') result = o;
    events.push(...eventsOf(o));
  }
  const stats = isJsonObject(result?.stats) ? result.stats : null;
  const models = isJsonObject(stats?.models) ? Object.keys(stats.models) : [];
  const err = isJsonObject(result?.error) ? result.error : null;
  if (err) events.push({ type: 'error', text: `${err.type}: ${err.message}` });
  return {
    events,
    toolCalls,
    status: typeof result?.status === 'string' ? result.status : null,
    error: err ? { type: String(err.type ?? 'unknown'), message: String(err.message ?? '') } : null,
    usage: {
      ...NO_USAGE,
      inputTokens: num(stats, 'input_tokens'),
      outputTokens: num(stats, 'output_tokens'),
      cacheReadTokens: num(stats, 'cached'),
      toolCalls: stats ? (num(stats, 'tool_calls') ?? toolCalls) : toolCalls,
    },
    model: models.length === 1 ? (models[0] ?? null) : (asked ?? models[0] ?? null),
  };
}

/** The error classes of the reports the CLI wrote (`gemini-client-error-*.json` in its TMPDIR). */
export async function errorReportClasses(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]); // no reports: no folder
  const classes: string[] = [];
  for (const n of names.filter((x) => x.startsWith('gemini-client-error-')).sort()) {
    const o = jsonObject(await readFile(join(dir, n), 'utf8'));
    const stack = isJsonObject(o?.error) ? String(o.error.stack ?? '') : '';
    const cls = /^(\w+):/.exec(stack)?.[1];
    if (cls) classes.push(cls);
  }
  return classes;
}

/** Whether a failure's text or the CLI's error classes say the API or the network failed. */
function infraCause(text: string, classes: readonly string[]): string | null {
  const quota = classes.find((c) => /QuotaError$/.test(c));
  if (quota) return `a rate limit or quota (HTTP 429, 499 or 503: the CLI's ${quota})`;
  if (/\b(429|500|502|503|504)\b|RESOURCE_EXHAUSTED|UNAVAILABLE|"status":"INTERNAL"/.test(text))
    return 'a server error or rate limit';
  if (/fetch failed|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|socket hang up/i.test(text))
    return 'no connection';
  return null;
}

/** Decides the outcome from the exit, the stream and its error reports. */
export function geminiOutcome(
  s: GeminiStream,
  exit: { exitCode: number | null; timedOut: boolean },
  stderr: string,
  classes: readonly string[],
  budgets: AgentRunInput['budgets'],
): { kind: OutcomeKind; detail: string } {
  if (exit.timedOut)
    return { kind: 'timeout', detail: `ran past the ${budgets.timeMin}-minute budget and was killed` };
  if (exit.exitCode === TURN_LIMIT_EXIT || s.error?.type === 'FatalTurnLimitedError')
    return {
      kind: 'turn_limit',
      detail: `stopped at the ${budgets.maxTurns}-turn limit (model.maxSessionTurns)`,
    };
  if (exit.exitCode === 0 && s.status === 'success')
    return { kind: 'completed', detail: `finished after ${s.toolCalls} tool call(s)` };
  const said = s.error
    ? `${s.error.type}: ${s.error.message}`
    : stderr.trim().split('\n').slice(-3).join(' ');
  const text = `${said}\n${stderr}`;
  if (/\b(401|403)\b|UNAUTHENTICATED|PERMISSION_DENIED|API key not valid/.test(said) || AUTH_TEXT.test(said))
    return { kind: 'config_error', detail: `the model API refused the credentials: ${said.slice(0, 300)}` };
  const infra = infraCause(text, classes);
  if (infra) return { kind: 'infra', detail: `the model API failed (${infra}): ${said.slice(0, 300)}` };
  if (!s.status)
    return {
      kind: 'crashed',
      detail: `exited with ${exit.exitCode} without a result line: ${said.slice(0, 300)}`,
    };
  return { kind: 'crashed', detail: `ended with an error (exit ${exit.exitCode}): ${said.slice(0, 300)}` };
}

/** The settings the CLI reads from its fresh home. */
function settingsOf(input: AgentRunInput, o: Options): Record<string, unknown> {
  return {
    security: { auth: { selectedType: 'gemini-api-key' } },
    model: { maxSessionTurns: input.budgets.maxTurns },
    general: {
      maxAttempts: o.maxAttempts ?? 1,
      enableAutoUpdate: false,
      enableAutoUpdateNotification: false,
    },
    privacy: { usageStatisticsEnabled: false },
  };
}

/** `gemini --version`, as the CLI prints it, or null. */
async function versionOf(input: AgentRunInput, deps: AgentDeps, binary: string, env: Record<string, string>) {
  const stdoutPath = join(input.logDir, 'version.stdout.txt');
  const r = await deps.sandbox.exec([binary, '--version'], {
    cwd: input.workspace,
    env,
    timeoutMs: 60_000,
    stdoutPath,
    stderrPath: join(input.logDir, 'version.stderr.txt'),
  });
  const v = ((await readTextIfThere(stdoutPath)) ?? '').trim();
  return r.exitCode === 0 && /^\d+\.\d+\.\d+\S*$/.test(v) ? v : null;
}

async function run(input: AgentRunInput, deps: AgentDeps): Promise<AgentOutcome> {
  // checked by the adapter's optionsSchema before run is called (src/agent/attempt.ts)
  const o = input.options as Options;
  if (!deps.binary) throw new Error('gemini-cli: no binary (isobench agents install gemini-cli)');
  const tmp = join(input.home, 'tmp');
  await mkdir(join(input.home, '.gemini'), { recursive: true });
  await mkdir(tmp, { recursive: true });
  await writeFile(
    join(input.home, '.gemini', 'settings.json'),
    JSON.stringify(settingsOf(input, o), null, 2),
  );
  const env: Record<string, string> = {
    HOME: input.home,
    TMPDIR: tmp,
    GEMINI_CLI_TRUST_WORKSPACE: 'true',
    ...(o.baseUrl ? { GOOGLE_GEMINI_BASE_URL: o.baseUrl } : {}),
    ...(input.apiKey ? { GEMINI_API_KEY: input.apiKey } : {}),
  };
  const agentVersion = await versionOf(input, deps, deps.binary, env);
  const argv = [
    deps.binary,
    ...['-p', input.prompt, '--output-format', 'stream-json', '--approval-mode', 'yolo'],
    ...['--model', input.model],
    ...(o.extraArgs ?? []),
  ];
  const stdoutPath = join(input.logDir, 'agent.stdout.jsonl');
  const stderrPath = join(input.logDir, 'agent.stderr.txt');
  const r = await deps.sandbox.exec(argv, {
    cwd: input.workspace,
    env,
    timeoutMs: input.budgets.timeMin * 60_000,
    stdoutPath,
    stderrPath,
  });
  const s = readGeminiStream((await readTextIfThere(stdoutPath)) ?? '');
  const stderr = (await readTextIfThere(stderrPath)) ?? '';
  const classes = await errorReportClasses(tmp);
  return {
    ...geminiOutcome(s, r, stderr, classes, input.budgets),
    usage: s.usage,
    model: s.model,
    agentVersion,
    events: s.events,
    denials: [],
    exitCode: r.exitCode,
  };
}

/** The Gemini CLI adapter. */
export const adapter: AgentAdapter = {
  name: 'gemini-cli',
  provider: 'google',
  install: { kind: 'npm', package: '@google/gemini-cli', version: GEMINI_CLI_VERSION, bin: 'gemini' },
  optionsSchema: OptionsSchema,
  run,
  smoke: {
    script: (e) => (step) => {
      const file = join(e.workspace, e.file);
      if (step === 0) return { tools: [{ name: 'read_file', input: { file_path: file } }] };
      if (step === 1)
        return {
          tools: [
            {
              name: 'replace',
              input: { file_path: file, old_string: e.old, new_string: e.new, instruction: 'the edit' },
            },
          ],
        };
      return { text: 'Done.' };
    },
    options: (url) => ({ baseUrl: url }),
  },
};
