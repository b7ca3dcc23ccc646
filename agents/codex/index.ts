/**
 * Codex CLI (`@openai/codex`), run headless: `codex exec --json` in the workspace with a fresh
 * CODEX_HOME, a custom provider (Responses API) whose key variable holds only this agent's key, no
 * analytics, plugins or updates, and stdin at /dev/null. Codex has no turn limit of its own and
 * retries an unreachable server forever, so the adapter follows its event stream and stops it at the
 * step budget (`turn_limit`) or after the network has been failing for `networkGiveUpS` (`infra`).
 * Usage comes from `turn.completed` events; the CLI version and the model from the session record
 * Codex writes in its home. Facts: shared/docs/AGENT-CLIS.md.
 */
import { mkdir, readFile } from 'node:fs/promises';
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
import { failureClock, followLines } from '../../src/agent/watch.js';
import { entriesIfThere, readTextIfThere } from '../../src/util/if-there.js';
import { isJsonObject, jsonObject } from '../../src/util/json.js';
import { type Infer, z } from '../../src/util/zod.js';

/** The CLI version this adapter was tested with. */
export const CODEX_VERSION = '0.171.0';

const OptionsSchema = z.strictObject({
  /** the Responses API base URL, with /v1 (default https://api.openai.com/v1) */
  baseUrl: z.optional(z.string()),
  /** retries inside the CLI per request (default 0: the harness retries infra failures itself) */
  maxRetries: z.optional(z.number()),
  /** give up (infra) after the network has failed this long, seconds (default 120) */
  networkGiveUpS: z.optional(z.number()),
  extraArgs: z.optional(z.array(z.string())),
});
type Options = Infer<typeof OptionsSchema>;

const TOOL_ITEMS = new Set(['command_execution', 'file_change', 'mcp_tool_call', 'web_search']);
const KEY_VAR = 'ISOBENCH_OPENAI_KEY';

/** What Codex's --json stream says. */
export interface CodexStream {
  readonly events: AgentEvent[];
  readonly toolCalls: number;
  readonly usage: Usage;
  readonly completed: boolean;
  readonly failed: string | null;
  readonly errors: string[];
}

/** A token count of a `turn.completed` event's usage (0 when it has none). */
function tokens(usage: unknown, field: string): number {
  const n = isJsonObject(usage) ? usage[field] : undefined;
  return typeof n === 'number' ? n : 0;
}

/** Reads the `codex exec --json` event stream. */
export function readCodexStream(text: string): CodexStream {
  const events: AgentEvent[] = [];
  const errors: string[] = [];
  let toolCalls = 0;
  let completed = false;
  let failed: string | null = null;
  let input = 0;
  let cached = 0;
  let output = 0;
  let turns = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const o = jsonObject(line);
    if (!o) {
      events.push({ type: 'info', text: line });
      continue;
    }
    const item = isJsonObject(o.item) ? o.item : undefined;
    if (o.type === 'item.completed' && item) {
      const t = String(item.type);
      if (TOOL_ITEMS.has(t)) {
        toolCalls++;
        events.push({
          type: 'tool_call',
          tool: t,
          text: JSON.stringify(item.command ?? item.changes ?? item),
        });
        if (item.aggregated_output !== undefined)
          events.push({ type: 'tool_result', tool: t, text: String(item.aggregated_output) });
      } else if (t === 'agent_message') events.push({ type: 'message', text: String(item.text ?? '') });
      else if (t === 'error') events.push({ type: 'error', text: String(item.message ?? '') });
    } else if (o.type === 'turn.completed') {
      completed = true;
      turns++;
      const u = o.usage;
      input += tokens(u, 'input_tokens');
      cached += tokens(u, 'cached_input_tokens');
      output += tokens(u, 'output_tokens');
      events.push({ type: 'usage', text: JSON.stringify(u ?? {}) });
    } else if (o.type === 'turn.failed') {
      failed = String((isJsonObject(o.error) ? o.error.message : undefined) ?? 'turn failed');
      events.push({ type: 'error', text: failed });
    } else if (o.type === 'error') {
      errors.push(String(o.message ?? ''));
      events.push({ type: 'error', text: String(o.message ?? '') });
    }
  }
  return {
    events,
    toolCalls,
    completed,
    failed,
    errors,
    usage: {
      ...NO_USAGE,
      inputTokens: completed ? input : null,
      cacheReadTokens: completed ? cached : null,
      outputTokens: completed ? output : null,
      turns: completed ? toolCalls + turns : null,
      toolCalls,
    },
  };
}

const NETWORK =
  /Reconnecting|waiting for network|Connection failed|error sending request|stream disconnected/i;
/** The model API failed for infrastructure reasons (the statuses of isInfraStatus; 401/403 are AUTH_TEXT's; any other 4xx is the request's). */
const API = /\b(408|429|5\d\d)\b|Too Many Requests|rate limit/i;

/** The CLI version and model Codex recorded in its session file (CODEX_HOME/sessions/.../rollout-*.jsonl). */
export async function readCodexSession(
  codexHome: string,
): Promise<{ version: string | null; model: string | null }> {
  const files: string[] = [];
  const walk = async (d: string) => {
    for (const e of await entriesIfThere(d)) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (/^rollout-.*\.jsonl$/.test(e.name)) files.push(p);
    }
  };
  await walk(join(codexHome, 'sessions'));
  let version: string | null = null;
  let model: string | null = null;
  for (const f of files.sort()) {
    for (const line of (await readFile(f, 'utf8')).split('\n')) {
      if (!line.includes('"session_meta"') && !line.includes('"turn_context"')) continue;
      // a partial last line is no object: ignored
      const o = jsonObject(line);
      const payload = o && isJsonObject(o.payload) ? o.payload : null;
      if (o?.type === 'session_meta' && typeof payload?.cli_version === 'string')
        version = payload.cli_version;
      if (o?.type === 'turn_context' && typeof payload?.model === 'string') model = payload.model;
    }
  }
  return { version, model };
}

/** The `codex exec` command line: JSON events, the model, no approvals or sandbox, the isobench provider. */
function codexArgv(input: AgentRunInput, binary: string, o: Options): string[] {
  const base = o.baseUrl ?? 'https://api.openai.com/v1';
  const retries = o.maxRetries ?? 0;
  const provider = `model_providers.isobench={name="isobench",base_url=${JSON.stringify(base)},env_key="${KEY_VAR}",wire_api="responses",request_max_retries=${retries},stream_max_retries=${retries}}`;
  return [
    binary,
    'exec',
    '--json',
    '-m',
    input.model,
    '--dangerously-bypass-approvals-and-sandbox',
    '--skip-git-repo-check',
    '-C',
    input.workspace,
    '-c',
    'model_provider=isobench',
    '-c',
    provider,
    '-c',
    'analytics.enabled=false',
    '--disable',
    'plugins',
    '--disable',
    'remote_plugin',
    '--disable',
    'in_app_updates',
    ...(o.extraArgs ?? []),
    input.prompt,
  ];
}

/** Why the adapter stopped Codex itself, if it did. */
type StoppedFor = 'turn_limit' | 'infra' | null;

/**
 * Follows the event stream while Codex runs and stops it at the step budget, or once the network
 * has failed for `giveUpMs`; `stoppedFor()` says which, after `stop()`.
 */
function watchCodex(stdoutPath: string, maxTurns: number, giveUpMs: number, stopCli: () => void) {
  let steps = 0;
  const network = failureClock(giveUpMs);
  let stoppedFor: StoppedFor = null;
  const stopFor = (why: Exclude<StoppedFor, null>) => {
    stoppedFor = why;
    stopCli();
  };
  const watcher = followLines(stdoutPath, (line) => {
    const o = stoppedFor ? null : jsonObject(line);
    if (!o) return;
    const item = isJsonObject(o.item) ? o.item : undefined;
    if (o.type === 'item.completed' && TOOL_ITEMS.has(String(item?.type))) {
      steps++;
      network.ok();
      if (steps >= maxTurns) stopFor('turn_limit');
    } else if (o.type === 'error' && NETWORK.test(String(o.message))) {
      if (network.failed()) stopFor('infra');
    }
  });
  return { stop: () => watcher.stop(), stoppedFor: () => stoppedFor };
}

/** The outcome of a Codex run from why it stopped, its exit, its stream and its stderr. */
function codexOutcome(
  stoppedFor: StoppedFor,
  r: { exitCode: number | null; timedOut: boolean },
  s: CodexStream,
  stderr: string,
  budgets: AgentRunInput['budgets'],
): { kind: OutcomeKind; detail: string } {
  const lastError = s.failed ?? s.errors[s.errors.length - 1] ?? stderr.trim().split('\n').slice(-1)[0] ?? '';
  if (stoppedFor === 'turn_limit')
    return { kind: 'turn_limit', detail: `stopped at the ${budgets.maxTurns}-step limit` };
  if (
    stoppedFor === 'infra' ||
    (r.timedOut && s.errors.length && s.errors.every((x) => NETWORK.test(x)) && !s.toolCalls)
  )
    return { kind: 'infra', detail: `the model API could not be reached: ${lastError.slice(0, 300)}` };
  if (r.timedOut)
    return { kind: 'timeout', detail: `ran past the ${budgets.timeMin}-minute budget and was killed` };
  if (s.failed || r.exitCode !== 0) {
    const text = `${s.failed ?? ''}\n${s.errors.join('\n')}\n${stderr}`;
    const kind = AUTH_TEXT.test(text)
      ? 'config_error'
      : API.test(text) || NETWORK.test(text)
        ? 'infra'
        : 'crashed';
    const what =
      kind === 'config_error'
        ? 'the model API refused the credentials'
        : kind === 'infra'
          ? 'the model API failed'
          : `exited with ${r.exitCode}`;
    return { kind, detail: `${what}: ${lastError.slice(0, 300)}` };
  }
  if (s.completed) return { kind: 'completed', detail: `finished after ${s.toolCalls} tool call(s)` };
  return { kind: 'crashed', detail: `exited without completing its turn: ${lastError.slice(0, 300)}` };
}

async function run(input: AgentRunInput, deps: AgentDeps): Promise<AgentOutcome> {
  // checked by the adapter's optionsSchema before run is called (src/agent/attempt.ts)
  const o = input.options as Options;
  if (!deps.binary) throw new Error('codex: no binary (isobench agents install codex)');
  const codexHome = join(input.home, '.codex');
  await mkdir(codexHome, { recursive: true });
  const env: Record<string, string> = {
    HOME: input.home,
    CODEX_HOME: codexHome,
    ...(input.apiKey ? { [KEY_VAR]: input.apiKey } : {}),
  };
  const stdoutPath = join(input.logDir, 'agent.stdout.jsonl');
  const stderrPath = join(input.logDir, 'agent.stderr.txt');
  const bg = await deps.sandbox.start(codexArgv(input, deps.binary, o), {
    cwd: input.workspace,
    env,
    timeoutMs: input.budgets.timeMin * 60_000,
    stdoutPath,
    stderrPath,
  });
  const giveUpMs = (o.networkGiveUpS ?? 120) * 1000;
  const watch = watchCodex(stdoutPath, input.budgets.maxTurns, giveUpMs, () => void bg.stop(3000));
  const r = await bg.done;
  await watch.stop();
  // a run that wrote nothing has no stream or stderr file: read as empty
  const s = readCodexStream((await readTextIfThere(stdoutPath)) ?? '');
  const stderr = (await readTextIfThere(stderrPath)) ?? '';
  const session = await readCodexSession(codexHome);
  return {
    ...codexOutcome(watch.stoppedFor(), r, s, stderr, input.budgets),
    usage: s.usage,
    model: session.model,
    agentVersion: session.version,
    events: s.events,
    denials: [],
    exitCode: r.exitCode,
  };
}

/** The Codex CLI adapter. */
export const adapter: AgentAdapter = {
  name: 'codex',
  provider: 'openai',
  install: { kind: 'npm', package: '@openai/codex', version: CODEX_VERSION, bin: 'codex' },
  optionsSchema: OptionsSchema,
  run,
  smoke: {
    // Codex offers apply_patch only to models in its catalog
    model: 'gpt-5.5',
    script: (e) => (step) =>
      step === 0
        ? {
            tools: [
              {
                name: 'apply_patch',
                custom: true,
                input: `*** Begin Patch\n*** Update File: ${e.file}\n@@\n-${e.old}\n+${e.new}\n*** End Patch\n`,
              },
            ],
          }
        : { text: 'Done.' },
    options: (url) => ({ baseUrl: `${url}/v1`, networkGiveUpS: 10 }),
  },
};
