/**
 * Qwen Code (`@qwen-code/qwen-code`), run headless: `qwen -p PROMPT --output-format stream-json --yolo`
 * in the workspace, with a fresh HOME whose `.qwen/settings.json` turns off usage statistics,
 * telemetry and updates and the CLI's own rate-limit retries, `--max-session-turns` as the turn
 * budget (the CLI exits 53 at it, without a result line) and `--auth-type` naming the API: OpenAI
 * Chat Completions or Responses (`OPENAI_BASE_URL`, `OPENAI_API_KEY`) or Anthropic Messages
 * (`ANTHROPIC_BASE_URL`, `ANTHROPIC_API_KEY`). Its stream is Claude Code's stream-json (read by the
 * same reader), its version on the init line. It retries a failing API seven times over about 77 s
 * and logs each retry only to its debug log, so the adapter runs it with `--debug` under a session id
 * it chooses, follows that log, and, given `retryGiveUpS`, stops it once the API has failed that long
 * without an answer in between. It reports no cost. Facts: shared/docs/AGENT-CLIS.md.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AUTH_TEXT } from '../../src/agent/credentials.js';
import type {
  AgentAdapter,
  AgentDeps,
  AgentOutcome,
  AgentRunInput,
  OutcomeKind,
  Usage,
} from '../../src/agent/types.js';
import { NO_USAGE } from '../../src/agent/types.js';
import { failureClock, followLines } from '../../src/agent/watch.js';
import { readTextIfThere } from '../../src/util/if-there.js';
import { isJsonObject, jsonObject } from '../../src/util/json.js';
import { type Infer, z } from '../../src/util/zod.js';
import { type ClaudeStream, isInfraError, readClaudeStream } from '../claude-code/index.js';

/** The CLI version this adapter was tested with; installed on demand into the per-version cache. */
export const QWEN_CODE_VERSION = '0.24.4';

const OptionsSchema = z.strictObject({
  /** whose API and key: openai (Chat Completions or Responses) or anthropic (Messages) */
  provider: z.enum(['openai', 'anthropic']),
  /** openai only: `chat` (Chat Completions, the default) or `responses` */
  api: z.optional(z.enum(['chat', 'responses'])),
  /** the API base URL (OpenAI: with /v1; Anthropic: without); default: the provider's own */
  baseUrl: z.optional(z.string()),
  /** stop the CLI (infra) once its API calls have failed this long, seconds (default: its own ~77 s of retries) */
  retryGiveUpS: z.optional(z.number().check(z.positive())),
  /** more CLI arguments, appended */
  extraArgs: z.optional(z.array(z.string())),
});
type Options = Infer<typeof OptionsSchema>;

/** The exit code with which the CLI stops at `--max-session-turns`. */
const TURN_LIMIT_EXIT = 53;
/** A retry the CLI logs to its debug log (one per failed API call it will repeat). */
const RETRY = /\[RETRY\] Attempt \d+ failed/;

/** The usage and turns of the assistant lines, for a run that ended without a result line. */
function assistantTotals(text: string): { usage: Usage; turns: number } {
  const usage = { ...NO_USAGE, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0 };
  let turns = 0;
  for (const line of text.split('\n')) {
    const o = jsonObject(line);
    const u = o?.type === 'assistant' && isJsonObject(o.message) ? o.message.usage : null;
    if (!isJsonObject(u)) continue;
    turns++;
    const n = (k: string) => (typeof u[k] === 'number' ? u[k] : 0);
    usage.inputTokens += n('input_tokens');
    usage.outputTokens += n('output_tokens');
    usage.cacheReadTokens += n('cache_read_input_tokens');
  }
  return { usage, turns };
}

/** Usage from the result line, else summed over the assistant lines (the turn limit writes none). */
export function qwenUsage(s: ClaudeStream, text: string): Usage {
  const r = s.result;
  if (!r) {
    const t = assistantTotals(text);
    return { ...t.usage, turns: t.turns, toolCalls: s.toolCalls };
  }
  return {
    ...NO_USAGE,
    inputTokens: r.usage?.input_tokens ?? null,
    outputTokens: r.usage?.output_tokens ?? null,
    cacheReadTokens: r.usage?.cache_read_input_tokens ?? null,
    turns: r.num_turns ?? null,
    toolCalls: s.toolCalls,
  };
}

/** The result line's error message (`[API Error: 429 ...]`), or ''. */
function resultError(s: ClaudeStream): string {
  // the result line as the CLI writes it: Qwen Code puts its error under `error.message`
  const e = (s.result as { error?: { message?: unknown } } | null)?.error;
  return typeof e?.message === 'string' ? e.message : '';
}

/** Decides the outcome from why the adapter stopped it, the exit, the stream and stderr. */
export function qwenOutcome(
  s: ClaudeStream,
  exit: { exitCode: number | null; timedOut: boolean },
  stderr: string,
  gaveUp: string | null,
  budgets: AgentRunInput['budgets'],
): { kind: OutcomeKind; detail: string } {
  if (gaveUp) return { kind: 'infra', detail: `the model API kept failing: ${gaveUp.slice(0, 300)}` };
  if (exit.timedOut)
    return { kind: 'timeout', detail: `ran past the ${budgets.timeMin}-minute budget and was killed` };
  if (exit.exitCode === TURN_LIMIT_EXIT || /Reached max session turns/.test(stderr))
    return {
      kind: 'turn_limit',
      detail: `stopped at the ${budgets.maxTurns}-turn limit (--max-session-turns)`,
    };
  const r = s.result;
  if (exit.exitCode === 0 && r && !r.is_error)
    return { kind: 'completed', detail: `finished after ${r.num_turns ?? '?'} turns` };
  const said = (resultError(s) || s.apiErrors[0] || stderr.trim().split('\n').slice(-3).join(' ')).trim();
  if (/API Error: (401|403)\b|Missing API key/.test(said) || AUTH_TEXT.test(said))
    return { kind: 'config_error', detail: `the model API refused the credentials: ${said.slice(0, 300)}` };
  if (/API Error: (408|429|5\d\d)\b/.test(said) || isInfraError(said))
    return { kind: 'infra', detail: `the model API failed: ${said.slice(0, 300)}` };
  if (!r)
    return {
      kind: 'crashed',
      detail: `exited with ${exit.exitCode} without a result line: ${said.slice(0, 300)}`,
    };
  return { kind: 'crashed', detail: `ended with ${r.subtype ?? 'an error'}: ${said.slice(0, 300)}` };
}

/** Follows the debug log and the stream: the first failing retry since the last answer, and whether to give up. */
function watchRetries(
  paths: { stdout: string; debug: string },
  giveUpMs: number | null,
  stopCli: () => void,
) {
  const failing = failureClock(giveUpMs);
  let gaveUp: string | null = null;
  const out = followLines(paths.stdout, (line) => {
    if (jsonObject(line)?.type === 'assistant') failing.ok();
  });
  const debug = followLines(paths.debug, (line) => {
    if (!RETRY.test(line) || gaveUp) return;
    if (failing.failed()) {
      gaveUp = line.slice(line.indexOf('[RETRY]'));
      stopCli();
    }
  });
  return { stop: () => Promise.all([out.stop(), debug.stop()]), gaveUp: () => gaveUp };
}

/** The settings the CLI reads from its fresh home. */
const SETTINGS = {
  privacy: { usageStatisticsEnabled: false },
  telemetry: { enabled: false },
  general: { enableAutoUpdate: false },
  // the harness retries infra failures itself
  model: { generationConfig: { maxRetries: 0 } },
};

/** The API's flag, base-URL and key variables. */
function apiEnv(input: AgentRunInput, o: Options): { authType: string; env: Record<string, string> } {
  if (o.provider === 'anthropic')
    return {
      authType: 'anthropic',
      env: {
        ...(o.baseUrl ? { ANTHROPIC_BASE_URL: o.baseUrl } : {}),
        ...(input.apiKey ? { ANTHROPIC_API_KEY: input.apiKey } : {}),
      },
    };
  return {
    authType: o.api === 'responses' ? 'openai-responses' : 'openai',
    env: {
      ...(o.baseUrl ? { OPENAI_BASE_URL: o.baseUrl } : {}),
      ...(input.apiKey ? { OPENAI_API_KEY: input.apiKey } : {}),
    },
  };
}

async function run(input: AgentRunInput, deps: AgentDeps): Promise<AgentOutcome> {
  // checked by the adapter's optionsSchema before run is called (src/agent/attempt.ts)
  const o = input.options as Options;
  if (!deps.binary) throw new Error('qwen-code: no binary (isobench agents install qwen-code)');
  await mkdir(join(input.home, '.qwen'), { recursive: true });
  await writeFile(join(input.home, '.qwen', 'settings.json'), `${JSON.stringify(SETTINGS, null, 2)}\n`);
  const api = apiEnv(input, o);
  const sessionId = randomUUID();
  const argv = [
    deps.binary,
    ...['-p', input.prompt, '--output-format', 'stream-json', '--yolo', '--debug'],
    ...['--session-id', sessionId, '--auth-type', api.authType, '--model', input.model],
    ...['--max-session-turns', String(input.budgets.maxTurns)],
    ...(o.extraArgs ?? []),
  ];
  const env = {
    HOME: input.home,
    QWEN_USAGE_STATISTICS_ENABLED: 'false',
    QWEN_TELEMETRY_ENABLED: 'false',
    QWEN_CODE_SUPPRESS_YOLO_WARNING: '1',
    ...api.env,
  };
  const paths = {
    stdout: join(input.logDir, 'agent.stdout.jsonl'),
    stderr: join(input.logDir, 'agent.stderr.txt'),
    debug: join(input.home, '.qwen', 'debug', `${sessionId}.txt`),
  };
  const bg = await deps.sandbox.start(argv, {
    cwd: input.workspace,
    env,
    timeoutMs: input.budgets.timeMin * 60_000,
    stdoutPath: paths.stdout,
    stderrPath: paths.stderr,
  });
  const giveUpMs = o.retryGiveUpS === undefined ? null : o.retryGiveUpS * 1000;
  const watch = watchRetries(paths, giveUpMs, () => void bg.stop(3000));
  const r = await bg.done;
  await watch.stop();
  const text = (await readTextIfThere(paths.stdout)) ?? '';
  const s = readClaudeStream(text, 'qwen_code_version');
  const stderr = (await readTextIfThere(paths.stderr)) ?? '';
  return {
    ...qwenOutcome(s, r, stderr, watch.gaveUp(), input.budgets),
    usage: qwenUsage(s, text),
    model: s.model,
    agentVersion: s.version,
    events: s.events,
    denials: [],
    exitCode: r.exitCode,
  };
}

/** The Qwen Code adapter. */
export const adapter: AgentAdapter = {
  name: 'qwen-code',
  provider: null,
  install: { kind: 'npm', package: '@qwen-code/qwen-code', version: QWEN_CODE_VERSION, bin: 'qwen' },
  optionsSchema: OptionsSchema,
  run,
  smoke: {
    script: (e) => (step) => {
      const file = join(e.workspace, e.file);
      if (step === 0) return { tools: [{ name: 'read_file', input: { file_path: file } }] };
      if (step === 1)
        return {
          tools: [{ name: 'edit', input: { file_path: file, old_string: e.old, new_string: e.new } }],
        };
      return { text: 'Done.' };
    },
    options: (url) => ({ provider: 'openai', baseUrl: `${url}/v1`, retryGiveUpS: 10 }),
  },
};
