/**
 * OpenCode (`opencode-ai`), run headless: `opencode run --format json --auto PROMPT` in the
 * workspace, with a fresh HOME and a generated config (`OPENCODE_CONFIG`, the workspace's own
 * config ignored) that declares the model under its provider (the Anthropic provider: Messages; the
 * OpenAI one: Responses, or Chat Completions through its OpenAI-compatible provider), the base URL,
 * the key by reference to a variable, and the prices when given (OpenCode reports cost only for
 * priced models). OpenCode has no turn budget of its own in `run` and retries an unreachable API
 * for about a minute, so the adapter follows its JSON events (each `step_finish` is a turn with its
 * tokens and cost) and its warnings on stderr, and stops it at the turn or cost budget, or once the
 * network has failed for `networkGiveUpS`. The model and version come from `opencode export` of the
 * session, the agent's own record. Facts: shared/docs/AGENT-CLIS.md.
 */
import { mkdir, writeFile } from 'node:fs/promises';
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
export const OPENCODE_VERSION = '1.18.33';

const OptionsSchema = z.strictObject({
  /** whose API and key: anthropic (Messages) or openai */
  provider: z.enum(['anthropic', 'openai']),
  /** openai only: `responses` (OpenCode's OpenAI provider, the default) or `chat` (Chat Completions) */
  api: z.optional(z.enum(['responses', 'chat'])),
  /** the API base URL, with /v1 (default: the provider's own) */
  baseUrl: z.optional(z.string()),
  /** US dollars per million tokens, so OpenCode reports cost (and the cost budget can hold) */
  prices: z.optional(z.strictObject({ input: z.number(), output: z.number() })),
  /** give up (infra) after the network has failed this long, seconds (default 120) */
  networkGiveUpS: z.optional(z.number()),
  extraArgs: z.optional(z.array(z.string())),
});
type Options = Infer<typeof OptionsSchema>;

/** The variable the generated config reads the key from (never the config file itself). */
const KEY_VAR = 'ISOBENCH_OPENCODE_KEY';
/** What OpenCode logs when it cannot reach the model API. */
const NETWORK = /Cannot connect to API|Unable to connect|ECONNREFUSED|fetch failed|ENOTFOUND|ETIMEDOUT/i;

/** What `opencode run --format json` says. */
export interface OpenCodeStream {
  readonly events: AgentEvent[];
  readonly usage: Usage;
  readonly sessionId: string | null;
  /** the error event's name, message and HTTP status, if it ended with one */
  readonly error: { readonly name: string; readonly message: string; readonly status: number | null } | null;
  /** whether its last step finished with `stop` (the model ended its turn) */
  readonly finished: boolean;
}

/** A number at `o[a][b]…`, or 0. */
function at(o: unknown, ...path: string[]): number {
  let v: unknown = o;
  for (const k of path) v = isJsonObject(v) ? v[k] : undefined;
  return typeof v === 'number' ? v : 0;
}

/** One event of the stream as trajectory events. */
function eventsOf(o: Record<string, unknown>, part: Record<string, unknown> | null): AgentEvent[] {
  if (o.type === 'tool_use' && part) {
    const state = isJsonObject(part.state) ? part.state : {};
    return [
      { type: 'tool_call', tool: String(part.tool), text: JSON.stringify(state.input ?? {}) },
      {
        type: 'tool_result',
        tool: String(part.tool),
        text: `${state.status}: ${String(state.output ?? state.error ?? '')}`,
      },
    ];
  }
  if (o.type === 'text' && part) return [{ type: 'message', text: String(part.text ?? '') }];
  if (o.type === 'error') return [{ type: 'error', text: JSON.stringify(o.error) }];
  return [];
}

/** Reads the event stream (one JSON object per line; other lines are kept as info). */
export function readOpenCodeStream(text: string): OpenCodeStream {
  const events: AgentEvent[] = [];
  const sum = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, cost: 0, turns: 0, tools: 0 };
  let sessionId: string | null = null;
  let error: OpenCodeStream['error'] = null;
  let finished = false;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const o = jsonObject(line);
    if (!o) {
      events.push({ type: 'info', text: line });
      continue;
    }
    if (typeof o.sessionID === 'string') sessionId = o.sessionID;
    const part = isJsonObject(o.part) ? o.part : null;
    if (o.type === 'tool_use') sum.tools++;
    if (o.type === 'step_finish' && part) {
      sum.turns++;
      sum.input += at(part, 'tokens', 'input');
      sum.output += at(part, 'tokens', 'output');
      sum.cacheRead += at(part, 'tokens', 'cache', 'read');
      sum.cacheWrite += at(part, 'tokens', 'cache', 'write');
      sum.cost += at(part, 'cost');
      finished = part.reason === 'stop';
      // this turn's usage, for per-step metrics
      const turn = { inputTokens: at(part, 'tokens', 'input'), outputTokens: at(part, 'tokens', 'output') };
      events.push({
        type: 'usage',
        text: JSON.stringify({
          ...turn,
          cacheReadTokens: at(part, 'tokens', 'cache', 'read'),
          costUsd: at(part, 'cost'),
        }),
      });
    }
    if (o.type === 'error' && isJsonObject(o.error)) {
      const data = isJsonObject(o.error.data) ? o.error.data : {};
      const status = typeof data.statusCode === 'number' ? data.statusCode : null;
      error = { name: String(o.error.name ?? 'error'), message: String(data.message ?? ''), status };
    }
    events.push(...eventsOf(o, part));
  }
  return {
    events,
    sessionId,
    error,
    finished,
    usage: {
      ...NO_USAGE,
      inputTokens: sum.turns ? sum.input : null,
      outputTokens: sum.turns ? sum.output : null,
      cacheReadTokens: sum.turns ? sum.cacheRead : null,
      cacheWriteTokens: sum.turns ? sum.cacheWrite : null,
      // OpenCode reports 0 for a model it has no price for: unknown, not free
      costUsd: sum.cost > 0 ? sum.cost : null,
      turns: sum.turns,
      toolCalls: sum.tools,
    },
  };
}

/** Why the adapter stopped the CLI, if it did. */
type StoppedFor = 'turn_limit' | 'cost_limit' | 'infra' | null;

/** Follows the stream and stderr, stopping the CLI at the turn or cost budget or a network that stays down. */
function watchOpenCode(
  paths: { stdout: string; stderr: string },
  budgets: AgentRunInput['budgets'],
  giveUpMs: number,
  stopCli: () => void,
) {
  let turns = 0;
  let cost = 0;
  const network = failureClock(giveUpMs);
  let stoppedFor: StoppedFor = null;
  const stopFor = (why: Exclude<StoppedFor, null>) => {
    if (stoppedFor) return;
    stoppedFor = why;
    stopCli();
  };
  const out = followLines(paths.stdout, (line) => {
    const o = jsonObject(line);
    const part = isJsonObject(o?.part) ? o.part : null;
    if (o?.type !== 'step_finish' || !part) return;
    network.ok();
    turns++;
    cost += at(part, 'cost');
    if (budgets.maxCostUsd !== null && cost > budgets.maxCostUsd) stopFor('cost_limit');
    else if (part.reason !== 'stop' && turns >= budgets.maxTurns) stopFor('turn_limit');
  });
  const err = followLines(paths.stderr, (line) => {
    if (!NETWORK.test(line)) return;
    if (network.failed()) stopFor('infra');
  });
  return {
    stop: () => Promise.all([out.stop(), err.stop()]),
    stoppedFor: () => stoppedFor,
  };
}

/** The outcome from why the adapter stopped it, its exit and its stream. */
export function openCodeOutcome(
  stoppedFor: StoppedFor,
  r: { exitCode: number | null; timedOut: boolean },
  s: OpenCodeStream,
  budgets: AgentRunInput['budgets'],
): { kind: OutcomeKind; detail: string } {
  if (stoppedFor === 'turn_limit')
    return { kind: 'turn_limit', detail: `stopped at the ${budgets.maxTurns}-turn limit` };
  if (stoppedFor === 'cost_limit')
    return {
      kind: 'cost_limit',
      detail: `stopped at the $${budgets.maxCostUsd} cost limit ($${s.usage.costUsd ?? '?'})`,
    };
  if (stoppedFor === 'infra')
    return { kind: 'infra', detail: 'the model API could not be reached (no connection)' };
  if (r.timedOut)
    return { kind: 'timeout', detail: `ran past the ${budgets.timeMin}-minute budget and was killed` };
  const e = s.error;
  if (e) {
    const said = `${e.name}${e.status ? ` (HTTP ${e.status})` : ''}: ${e.message}`.slice(0, 300);
    if ((e.status !== null && (e.status === 401 || e.status === 403)) || AUTH_TEXT.test(e.message))
      return { kind: 'config_error', detail: `the model API refused the credentials: ${said}` };
    if ((e.status !== null && isInfraStatus(e.status)) || NETWORK.test(e.message))
      return { kind: 'infra', detail: `the model API failed: ${said}` };
    return { kind: 'crashed', detail: `ended with an error: ${said}` };
  }
  if (r.exitCode === 0 && s.finished)
    return { kind: 'completed', detail: `finished after ${s.usage.turns} turn(s)` };
  return { kind: 'crashed', detail: `exited with ${r.exitCode} before its model ended its turn` };
}

/** The provider entry of the generated config: the SDK package, base URL, key reference and the model. */
function providerOf(input: AgentRunInput, o: Options): { id: string; entry: Record<string, unknown> } {
  const chat = o.provider === 'openai' && o.api === 'chat';
  const id = chat ? 'isobench-chat' : o.provider;
  const model = { name: input.model, ...(o.prices ? { cost: o.prices } : {}) };
  return {
    id,
    entry: {
      ...(chat ? { npm: '@ai-sdk/openai-compatible', name: 'OpenAI-compatible (isobench)' } : {}),
      options: { ...(o.baseUrl ? { baseURL: o.baseUrl } : {}), apiKey: `{env:${KEY_VAR}}` },
      models: { [input.model]: model },
    },
  };
}

/** The agent's own record of the session: `opencode export` gives its version and the model that answered. */
async function sessionRecord(
  input: AgentRunInput,
  deps: AgentDeps,
  binary: string,
  env: Record<string, string>,
  sessionId: string | null,
): Promise<{ version: string | null; model: string | null }> {
  if (!sessionId) return { version: null, model: null };
  const stdoutPath = join(input.logDir, 'session-export.json');
  await deps.sandbox.exec([binary, 'export', sessionId], {
    cwd: input.workspace,
    env,
    timeoutMs: 60_000,
    stdoutPath,
    stderrPath: join(input.logDir, 'session-export.stderr.txt'),
  });
  const text = (await readTextIfThere(stdoutPath)) ?? '';
  const o = jsonObject(text.slice(Math.max(0, text.indexOf('{'))));
  const info = isJsonObject(o?.info) ? o.info : {};
  const messages: unknown[] = Array.isArray(o?.messages) ? o.messages : [];
  const models = messages
    .map((m) =>
      isJsonObject(m) && isJsonObject(m.info) && m.info.role === 'assistant' ? m.info.modelID : null,
    )
    .filter((m): m is string => typeof m === 'string');
  return { version: typeof info.version === 'string' ? info.version : null, model: models.at(-1) ?? null };
}

async function run(input: AgentRunInput, deps: AgentDeps): Promise<AgentOutcome> {
  // checked by the adapter's optionsSchema before run is called (src/agent/attempt.ts)
  const o = input.options as Options;
  if (!deps.binary) throw new Error('opencode: no binary (isobench agents install opencode)');
  const configDir = join(input.home, '.config', 'opencode');
  await mkdir(configDir, { recursive: true });
  const provider = providerOf(input, o);
  const config = {
    $schema: 'https://opencode.ai/config.json',
    autoupdate: false,
    share: 'disabled',
    model: `${provider.id}/${input.model}`,
    provider: { [provider.id]: provider.entry },
  };
  const configPath = join(configDir, 'isobench.json');
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
  const env: Record<string, string> = {
    HOME: input.home,
    OPENCODE_CONFIG: configPath,
    OPENCODE_DISABLE_PROJECT_CONFIG: '1',
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
    OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
    ...(input.apiKey ? { [KEY_VAR]: input.apiKey } : {}),
  };
  const paths = {
    stdout: join(input.logDir, 'agent.stdout.jsonl'),
    stderr: join(input.logDir, 'agent.stderr.txt'),
  };
  const argv = [
    deps.binary,
    ...['run', '--format', 'json', '--auto', '--print-logs', '--log-level', 'WARN'],
    ...(o.extraArgs ?? []),
    input.prompt,
  ];
  const bg = await deps.sandbox.start(argv, {
    cwd: input.workspace,
    env,
    timeoutMs: input.budgets.timeMin * 60_000,
    stdoutPath: paths.stdout,
    stderrPath: paths.stderr,
  });
  const giveUpMs = (o.networkGiveUpS ?? 120) * 1000;
  const watch = watchOpenCode(paths, input.budgets, giveUpMs, () => void bg.stop(3000));
  const r = await bg.done;
  await watch.stop();
  const s = readOpenCodeStream((await readTextIfThere(paths.stdout)) ?? '');
  const session = await sessionRecord(input, deps, deps.binary, env, s.sessionId);
  return {
    ...openCodeOutcome(watch.stoppedFor(), r, s, input.budgets),
    usage: s.usage,
    model: session.model,
    agentVersion: session.version,
    events: s.events,
    denials: [],
    exitCode: r.exitCode,
  };
}

/** The OpenCode adapter. */
export const adapter: AgentAdapter = {
  name: 'opencode',
  provider: null,
  install: { kind: 'npm', package: 'opencode-ai', version: OPENCODE_VERSION, bin: 'opencode' },
  optionsSchema: OptionsSchema,
  // it reports a cost for the configured model only at the prices given
  keepsCostBudget: (o) => o.prices !== undefined,
  run,
  smoke: {
    script: (e) => (step) => {
      const file = join(e.workspace, e.file);
      if (step === 0) return { tools: [{ name: 'read', input: { filePath: file } }] };
      if (step === 1)
        return { tools: [{ name: 'edit', input: { filePath: file, oldString: e.old, newString: e.new } }] };
      return { text: 'Done.' };
    },
    options: (url) => ({ provider: 'anthropic', baseUrl: `${url}/v1`, networkGiveUpS: 10 }),
  },
};
