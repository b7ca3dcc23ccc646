import { join } from 'node:path';
import { AUTH_TEXT, isAuthStatus } from '../../src/agent/credentials.js';
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
import { readTextIfThere } from '../../src/util/if-there.js';
import { isJsonObject, jsonObject } from '../../src/util/json.js';
import { type Infer, z } from '../../src/util/zod.js';

/** The CLI version this adapter was tested with; installed on demand into the per-version cache. */
export const CLAUDE_CODE_VERSION = '2.1.332';

const OptionsSchema = z.strictObject({
  /** the Anthropic API base URL (no /v1); default: the CLI's own */
  baseUrl: z.optional(z.string()),
  /** CLAUDE_CODE_MAX_RETRIES inside the CLI (the harness retries infra failures itself) */
  maxRetries: z.optional(z.number()),
  /** `--bare`: only Bash, Edit and Read, small requests */
  bare: z.optional(z.boolean()),
  /** more CLI arguments, appended */
  extraArgs: z.optional(z.array(z.string())),
});
type Options = Infer<typeof OptionsSchema>;

interface ResultLine {
  type: 'result';
  subtype?: string;
  is_error?: boolean;
  num_turns?: number;
  total_cost_usd?: number;
  result?: string;
  api_error_status?: number | null;
  terminal_reason?: string;
  usage?: {
    input_tokens?: number;
    output_tokens?: number;
    cache_read_input_tokens?: number;
    cache_creation_input_tokens?: number;
  };
  modelUsage?: Record<string, unknown>;
  permission_denials?: Array<{ tool_name?: string; tool_input?: unknown }>;
}

/** What the stream-json output says. */
export interface ClaudeStream {
  readonly version: string | null;
  readonly model: string | null;
  readonly result: ResultLine | null;
  readonly events: AgentEvent[];
  readonly toolCalls: number;
  readonly apiErrors: string[];
}

/**
 * Reads Claude Code's stream-json output (one JSON object per line; other lines are kept as info).
 * Qwen Code writes the same format, its version under `qwen_code_version` (`versionKey`).
 */
export function readClaudeStream(text: string, versionKey = 'claude_code_version'): ClaudeStream {
  let version: string | null = null;
  let model: string | null = null;
  let result: ResultLine | null = null;
  let toolCalls = 0;
  const events: AgentEvent[] = [];
  const apiErrors: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const o = jsonObject(line);
    if (!o) {
      events.push({ type: 'info', text: line });
      continue;
    }
    if (o.type === 'system' && o.subtype === 'init') {
      const v = o[versionKey];
      version = typeof v === 'string' ? v : version;
      model = typeof o.model === 'string' ? o.model : model;
    } else if (o.type === 'assistant' || o.type === 'user') {
      const msg = isJsonObject(o.message) ? o.message : undefined;
      if (o.type === 'assistant' && typeof msg?.model === 'string') model = msg.model;
      if (o.type === 'assistant' && o.error) apiErrors.push(String(o.error));
      const content: unknown[] = Array.isArray(msg?.content) ? msg.content : [];
      for (const b of content) {
        if (!isJsonObject(b)) continue;
        if (b.type === 'text') {
          const t = String(b.text ?? '');
          events.push({ type: 'message', text: t });
          if (/^API Error/.test(t)) apiErrors.push(t);
        } else if (b.type === 'tool_use') {
          toolCalls++;
          events.push({ type: 'tool_call', tool: String(b.name), text: JSON.stringify(b.input) });
        } else if (b.type === 'tool_result') {
          const c = b.content;
          events.push({ type: 'tool_result', text: typeof c === 'string' ? c : JSON.stringify(c) });
        }
      }
    } else if (o.type === 'result') {
      // the CLI's own result line, typed as it writes it; every field is optional and read with a fallback
      result = o as unknown as ResultLine;
    }
  }
  return { version, model, result, events, toolCalls, apiErrors };
}

/** Whether an error text means the API or the network failed, not the agent. */
export function isInfraError(text: string): boolean {
  return /\b(429|rate.?limit|overloaded|529|503|502|500|Connection error|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|fetch failed|Unable to connect)\b/i.test(
    text,
  );
}

function usageOf(s: ClaudeStream): Usage {
  const u = s.result?.usage;
  return {
    ...NO_USAGE,
    inputTokens: u?.input_tokens ?? null,
    outputTokens: u?.output_tokens ?? null,
    cacheReadTokens: u?.cache_read_input_tokens ?? null,
    cacheWriteTokens: u?.cache_creation_input_tokens ?? null,
    costUsd: s.result?.total_cost_usd ?? null,
    turns: s.result?.num_turns ?? null,
    toolCalls: s.toolCalls,
  };
}

/** Decides the outcome from the exit, the result line and stderr. */
export function claudeOutcome(
  s: ClaudeStream,
  exit: { exitCode: number | null; timedOut: boolean },
  stderr: string,
  budgets: AgentRunInput['budgets'],
): { kind: OutcomeKind; detail: string } {
  const r = s.result;
  if (exit.timedOut)
    return { kind: 'timeout', detail: `ran past the ${budgets.timeMin}-minute budget and was killed` };
  if (r?.subtype === 'error_max_turns')
    return {
      kind: 'turn_limit',
      detail: `stopped at the ${budgets.maxTurns}-turn limit (${r.num_turns ?? '?'} turns)`,
    };
  if (r?.subtype === 'error_max_budget_usd' || /budget/i.test(r?.terminal_reason ?? ''))
    return {
      kind: 'cost_limit',
      detail: `stopped at the $${budgets.maxCostUsd} cost limit ($${r?.total_cost_usd ?? '?'})`,
    };
  const apiStatus = r?.api_error_status;
  const errorText = [r?.is_error ? String(r?.result ?? '') : '', ...s.apiErrors, stderr].join('\n');
  const failed = r?.is_error || exit.exitCode !== 0;
  if ((apiStatus && isAuthStatus(apiStatus)) || (failed && AUTH_TEXT.test(errorText)))
    return {
      kind: 'config_error',
      detail: `the model API refused the credentials${apiStatus ? ` (HTTP ${apiStatus})` : ''}: ${(s.apiErrors[0] ?? r?.result ?? stderr).toString().trim().slice(0, 300)}`,
    };
  if (
    (apiStatus && isInfraStatus(apiStatus)) ||
    ((r?.is_error || exit.exitCode !== 0) && isInfraError(errorText))
  )
    return {
      kind: 'infra',
      detail: `the model API failed${apiStatus ? ` (HTTP ${apiStatus})` : ''}: ${(s.apiErrors[0] ?? r?.result ?? stderr).toString().trim().slice(0, 300)}`,
    };
  if (exit.exitCode === 0 && r && !r.is_error)
    return { kind: 'completed', detail: `finished after ${r.num_turns ?? '?'} turns` };
  if (!r)
    return {
      kind: 'crashed',
      detail: `exited with ${exit.exitCode} without a result line: ${stderr.trim().split('\n').slice(-3).join(' ').slice(0, 300)}`,
    };
  return {
    kind: 'crashed',
    detail: `ended with ${r.subtype ?? 'an error'}: ${String(r.result ?? '').slice(0, 300)}`,
  };
}

async function run(input: AgentRunInput, deps: AgentDeps): Promise<AgentOutcome> {
  // checked by the adapter's optionsSchema before run is called (src/agent/attempt.ts)
  const o = input.options as Options;
  if (!deps.binary) throw new Error('claude-code: no binary (isobench agents install claude-code)');
  const argv = [
    deps.binary,
    '-p',
    input.prompt,
    '--output-format',
    'stream-json',
    '--verbose',
    '--dangerously-skip-permissions',
    '--max-turns',
    String(input.budgets.maxTurns),
    '--model',
    input.model,
    ...(input.budgets.maxCostUsd !== null ? ['--max-budget-usd', String(input.budgets.maxCostUsd)] : []),
    ...(o.bare ? ['--bare'] : []),
    ...(o.extraArgs ?? []),
  ];
  const env: Record<string, string> = {
    HOME: input.home,
    CLAUDE_CONFIG_DIR: join(input.home, '.claude'),
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    // the harness runs as root in containers; the workspace is the sandbox
    IS_SANDBOX: '1',
    CLAUDE_CODE_MAX_RETRIES: String(o.maxRetries ?? 2),
    ...(o.baseUrl ? { ANTHROPIC_BASE_URL: o.baseUrl } : {}),
    ...(input.apiKey ? { ANTHROPIC_API_KEY: input.apiKey } : {}),
  };
  const stdoutPath = join(input.logDir, 'agent.stdout.jsonl');
  const stderrPath = join(input.logDir, 'agent.stderr.txt');
  const r = await deps.sandbox.exec(argv, {
    cwd: input.workspace,
    env,
    timeoutMs: input.budgets.timeMin * 60_000,
    stdoutPath,
    stderrPath,
  });
  const stream = readClaudeStream((await readTextIfThere(stdoutPath)) ?? '');
  const stderr = (await readTextIfThere(stderrPath)) ?? '';
  const decided = claudeOutcome(stream, r, stderr, input.budgets);
  return {
    ...decided,
    usage: usageOf(stream),
    model: stream.model,
    agentVersion: stream.version,
    events: stream.events,
    denials: (stream.result?.permission_denials ?? []).map(
      (d) => `${d.tool_name}: ${JSON.stringify(d.tool_input)}`,
    ),
    exitCode: r.exitCode,
  };
}

/** The Claude Code adapter. */
export const adapter: AgentAdapter = {
  name: 'claude-code',
  provider: 'anthropic',
  install: { kind: 'npm', package: '@anthropic-ai/claude-code', version: CLAUDE_CODE_VERSION, bin: 'claude' },
  optionsSchema: OptionsSchema,
  // --max-budget-usd, at its own cost
  keepsCostBudget: () => true,
  run,
  smoke: {
    script: (e) => (step) => {
      const file = join(e.workspace, e.file);
      if (step === 0) return { tools: [{ name: 'Read', input: { file_path: file } }] };
      if (step === 1)
        return {
          tools: [{ name: 'Edit', input: { file_path: file, old_string: e.old, new_string: e.new } }],
        };
      return { text: 'Done.' };
    },
    options: (url) => ({ baseUrl: url, maxRetries: 0 }),
  },
};
