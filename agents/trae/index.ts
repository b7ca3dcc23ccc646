/**
 * TRAE agent (`trae-cli run`), installed by hand (Python ≥ 3.12): the adapter writes its config file
 * (JSON, which is YAML) into the agent's fresh home, gives the task as a file, and judges the outcome
 * from the trajectory, never from the exit code (0 even when the run failed). Usage is summed over
 * the trajectory's LLM interactions; the model is the one it recorded. Facts: shared/docs/AGENT-CLIS.md.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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
import { errorMessage } from '../../src/util/errors.js';
import { readTextIfThere } from '../../src/util/if-there.js';
import { parseJson } from '../../src/util/json.js';
import { type Infer, z } from '../../src/util/zod.js';

/** The TRAE agent release this adapter follows (installed by hand; see the install instructions). */
export const TRAE_VERSION = 'trae-agent@0.1.0';

const OptionsSchema = z.strictObject({
  /** the provider TRAE talks to */
  provider: z.enum(['openai', 'anthropic']),
  baseUrl: z.optional(z.string()),
  maxTokens: z.optional(z.number()),
  temperature: z.optional(z.number()),
  /** retries inside TRAE (default 0: the harness retries infra failures itself) */
  maxRetries: z.optional(z.number()),
});
type Options = Infer<typeof OptionsSchema>;

const TEXT = z.optional(z.nullable(z.string()));
const TOKENS = z.optional(z.nullable(z.number()));

/** The fields of TRAE's trajectory file the adapter reads (its output, checked; the rest is kept). */
const TrajectorySchema = z.looseObject({
  model: z.optional(z.string()),
  success: z.optional(z.boolean()),
  final_result: TEXT,
  llm_interactions: z.optional(
    z.array(
      z.looseObject({
        response: z.optional(
          z.nullable(
            z.looseObject({
              usage: z.optional(
                z.nullable(
                  z.looseObject({
                    input_tokens: TOKENS,
                    output_tokens: TOKENS,
                    cache_read_input_tokens: TOKENS,
                    cache_creation_input_tokens: TOKENS,
                  }),
                ),
              ),
            }),
          ),
        ),
      }),
    ),
  ),
  agent_steps: z.optional(
    z.array(
      z.looseObject({
        error: TEXT,
        tool_calls: z.optional(z.nullable(z.array(z.looseObject({ name: TEXT })))),
        tool_results: z.optional(z.nullable(z.array(z.looseObject({ result: TEXT })))),
        llm_response: z.optional(z.nullable(z.looseObject({ content: TEXT }))),
      }),
    ),
  ),
});
type Trajectory = Infer<typeof TrajectorySchema>;

/** The trajectory file, checked; or why there is none to judge from. */
async function readTrajectory(file: string): Promise<{ t: Trajectory } | { missing: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { missing: 'wrote no trajectory' };
  }
  let raw: unknown;
  try {
    raw = parseJson(text);
  } catch (e) {
    return { missing: `wrote a trajectory that is not JSON (${errorMessage(e)})` };
  }
  const r = TrajectorySchema.safeParse(raw);
  if (r.success) return { t: r.data };
  const issue = r.error.issues[0];
  return {
    missing: `wrote a trajectory not of TRAE's form (${issue?.path.join('.') || 'the file'}: ${issue?.message})`,
  };
}

const AUTH = /Error code: (401|403)\b|authentication_error|invalid[ _-]api[ _-]key|incorrect api key/i;
const INFRA =
  /Error code: (408|429|5\d\d)\b|Connection error|rate limit|insufficient_quota|overloaded|timed out/i;

/** Reads a TRAE trajectory and decides the outcome from it (exported for the real trajectories' test). */
export function judgeTrajectory(
  t: Trajectory,
  budgets: { maxTurns: number },
): { kind: OutcomeKind; detail: string; usage: Usage; events: AgentEvent[] } {
  const events: AgentEvent[] = [];
  let input = 0;
  let output = 0;
  let cacheRead = 0;
  let cacheWrite = 0;
  for (const i of t.llm_interactions ?? []) {
    const u = i.response?.usage ?? {};
    input += u.input_tokens ?? 0;
    output += u.output_tokens ?? 0;
    cacheRead += u.cache_read_input_tokens ?? 0;
    cacheWrite += u.cache_creation_input_tokens ?? 0;
  }
  let toolCalls = 0;
  const errors: string[] = [];
  for (const s of t.agent_steps ?? []) {
    if (s.llm_response?.content) events.push({ type: 'message', text: s.llm_response.content });
    for (const c of s.tool_calls ?? []) {
      toolCalls++;
      events.push({ type: 'tool_call', tool: String(c.name), text: JSON.stringify(c.arguments) });
    }
    for (const r of s.tool_results ?? []) events.push({ type: 'tool_result', text: String(r.result ?? '') });
    if (s.error) {
      errors.push(s.error);
      events.push({ type: 'error', text: s.error });
    }
  }
  const steps = t.agent_steps?.length ?? 0;
  const usage: Usage = {
    ...NO_USAGE,
    inputTokens: input,
    outputTokens: output,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    turns: steps,
    toolCalls,
  };
  const infra = errors.find((e) => INFRA.test(e));
  const auth = errors.find((e) => AUTH.test(e));
  if (t.success === true)
    return { kind: 'completed', detail: `finished after ${steps} step(s)`, usage, events };
  if (auth)
    return {
      kind: 'config_error',
      detail: `the model API refused the credentials: ${auth.slice(0, 300)}`,
      usage,
      events,
    };
  if (infra) return { kind: 'infra', detail: `the model API failed: ${infra.slice(0, 300)}`, usage, events };
  if (/maximum steps/i.test(t.final_result ?? '') || steps >= budgets.maxTurns)
    return {
      kind: 'turn_limit',
      detail: `stopped at the ${budgets.maxTurns}-step limit: ${t.final_result ?? ''}`.trim(),
      usage,
      events,
    };
  return {
    kind: 'crashed',
    detail: `did not finish: ${(errors[0] ?? t.final_result ?? 'no error recorded').slice(0, 300)}`,
    usage,
    events,
  };
}

/** TRAE's config: one agent with the step budget and its tools, the isobench provider (key and base URL), the model. */
function traeConfig(input: AgentRunInput, o: Options) {
  return {
    agents: {
      trae_agent: {
        model: 'isobench_model',
        max_steps: input.budgets.maxTurns,
        enable_lakeview: false,
        tools: ['bash', 'str_replace_based_edit_tool', 'sequentialthinking', 'task_done'],
      },
    },
    model_providers: {
      isobench: {
        provider: o.provider,
        api_key: input.apiKey ?? '',
        ...(o.baseUrl ? { base_url: o.baseUrl } : {}),
      },
    },
    models: {
      isobench_model: {
        model_provider: 'isobench',
        model: input.model,
        max_tokens: o.maxTokens ?? 8192,
        temperature: o.temperature ?? 0.5,
        top_p: 1,
        top_k: 0,
        max_retries: o.maxRetries ?? 0,
        parallel_tool_calls: true,
      },
    },
  };
}

async function run(input: AgentRunInput, deps: AgentDeps): Promise<AgentOutcome> {
  // checked by the adapter's optionsSchema before run is called (src/agent/attempt.ts)
  const o = input.options as Options;
  if (!deps.binary)
    throw new Error('trae: no trae-cli (install it by hand; see isobench agents doctor trae)');
  // the key is in this file: it lives in the agent's home, which the attempt removes
  const configPath = join(input.home, 'trae_config.yaml');
  const taskPath = join(input.home, 'task.txt');
  const trajectoryPath = join(input.logDir, 'trajectory.json');
  await writeFile(configPath, `${JSON.stringify(traeConfig(input, o), null, 2)}\n`, { mode: 0o600 });
  await writeFile(taskPath, input.prompt);
  const argv = [
    deps.binary,
    'run',
    '--file',
    taskPath,
    '--working-dir',
    input.workspace,
    '--config-file',
    configPath,
    '--trajectory-file',
    trajectoryPath,
    '--max-steps',
    String(input.budgets.maxTurns),
  ];
  const r = await deps.sandbox.exec(argv, {
    cwd: input.workspace,
    env: { HOME: input.home },
    timeoutMs: input.budgets.timeMin * 60_000,
    stdoutPath: join(input.logDir, 'agent.stdout.txt'),
    stderrPath: join(input.logDir, 'agent.stderr.txt'),
  });
  const read = await readTrajectory(trajectoryPath);
  const t = 't' in read ? read.t : null;
  const base = { model: t?.model ?? null, agentVersion: TRAE_VERSION, denials: [], exitCode: r.exitCode };
  if (r.timedOut)
    return {
      ...base,
      ...(t ? judgeTrajectory(t, input.budgets) : { usage: NO_USAGE, events: [] }),
      kind: 'timeout',
      detail: `ran past the ${input.budgets.timeMin}-minute budget and was killed`,
    };
  if (!t) {
    const err = ((await readTextIfThere(join(input.logDir, 'agent.stderr.txt'))) ?? '').trim();
    return {
      ...base,
      kind: 'crashed',
      detail: `${'missing' in read ? read.missing : 'wrote no trajectory'} (exit ${r.exitCode}): ${err.slice(-300)}`,
      usage: NO_USAGE,
      events: [],
    };
  }
  return { ...base, ...judgeTrajectory(t, input.budgets) };
}

/** The TRAE adapter. */
export const adapter: AgentAdapter = {
  name: 'trae',
  provider: null,
  install: {
    kind: 'manual',
    bin: 'trae-cli',
    version: TRAE_VERSION,
    instructions:
      'Install TRAE agent with Python 3.12+: `uv tool install git+https://github.com/bytedance/trae-agent` (or clone it and `uv sync --all-extras`), so that `trae-cli` is on PATH; or pass its path with --binary.',
  },
  optionsSchema: OptionsSchema,
  run,
  smoke: {
    script: (e) => (step) =>
      step === 0
        ? {
            tools: [
              {
                name: 'str_replace_based_edit_tool',
                input: { command: 'str_replace', path: e.file, old_str: e.old, new_str: e.new },
              },
            ],
          }
        : { tools: [{ name: 'task_done', input: {} }] },
    options: (url) => ({ provider: 'openai', baseUrl: `${url}/v1` }),
  },
};
