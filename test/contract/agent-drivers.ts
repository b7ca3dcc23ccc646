/**
 * The drivers of the agent contract suite (agent-contract.ts): one entry per agent that agents/index.ts
 * knows (each adapter in ADAPTERS and each shipped command-agent spec). A driver says how to find or
 * install the agent, how to point it at the scripted model server (one variant per API it speaks),
 * and how each abstract scenario is said as model turns in the agent's own tool vocabulary; plus the
 * few numbers only the agent can know (its usage for the scripted edit, its time to start). Adding
 * an agent: one entry here (the compiler and the suite both refuse an agent without one).
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import type { AdapterName } from '../../agents/index.js';
import { NATIVE_VERSION } from '../../agents/native/index.js';
import { ensureInstalled } from '../../src/agent/install.js';
import type { ScriptedApi, ScriptStep } from '../../src/agent/scripted-server.js';
import type { AgentAdapter, Usage } from '../../src/agent/types.js';

/** The edit a scenario asks for. */
export interface ContractEdit {
  /** the attempt's workspace, absolute (for agents whose tools take absolute paths) */
  readonly workspace: string;
  /** relative to the workspace */
  readonly file: string;
  /** a line of the file, and what it becomes */
  readonly old: string;
  readonly new: string;
}

/** One way of running the agent: a provider and API it talks to the scripted server. */
export interface DriverVariant {
  readonly label: string;
  /** the API every main call must come in on */
  readonly api: ScriptedApi;
  /** the adapter's options pointing it at the server (`url`: the server's root) */
  options(url: string): Record<string, unknown>;
}

/** What the agent is and what the attempt must record for it. */
export interface Installed {
  readonly binary: string | null;
  /** the version the attempt must record: the agent's own report (never passed to it as a fallback) */
  readonly version: string;
}

/** An agent's entry in the contract. */
export interface AgentDriver {
  /** finds or installs the agent; throws (never skips) when it cannot */
  install(adapter: AgentAdapter): Promise<Installed>;
  readonly variants: readonly DriverVariant[];
  /** the model label to ask for (default `scripted-model`); the agent must report it back */
  readonly model?: string;
  /** the model's turns making `e` (then ending); the agent must make exactly these main calls */
  edit(e: ContractEdit): ScriptStep[];
  /**
   * the usage the agent reports for its `edit` (asymmetric matchers allowed), costUsd included:
   * null for an agent that reports no cost there
   */
  readonly editUsage: { readonly [K in keyof Usage]?: unknown };
  /** text its stored trajectory holds after the edit (its edit tool's name, say) */
  readonly editTrajectory: string;
  /** a harmless turn that never finishes (repeated until a budget ends the agent) */
  loop(e: ContractEdit): ScriptStep;
  /**
   * how it gets stuck: `shell`, a command that starts a background child, writes the child's pid to
   * `pidFile` and waits; `model`, its model call never returns (an agent without a command tool).
   * `timeMin`: a time budget long enough for it to start and make its first call.
   */
  readonly stuck:
    | { readonly via: 'shell'; readonly timeMin: number; step(pidFile: string): ScriptStep }
    | { readonly via: 'model'; readonly timeMin: number };
  /** turns putting `key` into a new or changed workspace file (by its shell where it has one), then ending */
  leak(key: string, e: ContractEdit): ScriptStep[];
  /**
   * the cost budget, for an agent that reports cost: the limit, options that make it count (prices)
   * and, where it is exact, the cost it stops at. null: it reports none (its edit's costUsd is null)
   */
  readonly cost: {
    readonly maxCostUsd: number;
    readonly options?: Record<string, unknown>;
    readonly usd?: number;
  } | null;
}

const positive = expect.toSatisfy((n: unknown) => typeof n === 'number' && n > 0, 'a positive number');
// a long command (Claude Code refuses plain `sleep` in its Bash tool)
const WAIT = `python3 -c 'import time; time.sleep(300)'`;
/** The agent's install (its pinned version, or `binary`) and the version it reports. */
async function pinned(adapter: AgentAdapter, binary?: string): Promise<Installed> {
  const i = await ensureInstalled(adapter, binary ? { binary } : {});
  return { binary: i.binary, version: i.version as string };
}
const anthropic = (url: string) => url;
const openai = (url: string) => `${url}/v1`;

/**
 * The three APIs of a CLI configured by `provider` (openai, anthropic) and `api` (chat, responses),
 * with `extra` options in each.
 */
const threeApis = (extra: Record<string, unknown>): DriverVariant[] => [
  {
    label: 'OpenAI Chat Completions',
    api: 'openai-chat',
    options: (url) => ({ provider: 'openai', baseUrl: openai(url), ...extra }),
  },
  {
    label: 'OpenAI Responses',
    api: 'openai-responses',
    options: (url) => ({ provider: 'openai', api: 'responses', baseUrl: openai(url), ...extra }),
  },
  {
    label: 'Anthropic Messages',
    api: 'anthropic',
    options: (url) => ({ provider: 'anthropic', baseUrl: anthropic(url), ...extra }),
  },
];

const claudeCode: AgentDriver = {
  install: (adapter) => pinned(adapter),
  variants: [
    {
      label: 'Anthropic Messages',
      api: 'anthropic',
      options: (url) => ({ baseUrl: anthropic(url), maxRetries: 0 }),
    },
  ],
  // a model it knows the list price of: it reports cost
  model: 'claude-sonnet-4-5',
  edit: (e) => {
    const file = join(e.workspace, e.file);
    return [
      { tools: [{ name: 'Read', input: { file_path: file } }] },
      { tools: [{ name: 'Edit', input: { file_path: file, old_string: e.old, new_string: e.new } }] },
      { text: 'Done: annotated top_k.' },
    ];
  },
  editUsage: { turns: 3, toolCalls: 2, costUsd: positive },
  editTrajectory: '"tool":"Edit"',
  loop: (e) => ({ tools: [{ name: 'Read', input: { file_path: join(e.workspace, e.file) } }] }),
  stuck: {
    via: 'shell',
    timeMin: 0.15,
    step: (pidFile) => ({
      tools: [
        {
          name: 'Bash',
          input: { command: `${WAIT} & echo $! > ${pidFile}; ${WAIT}`, description: 'long benchmark' },
        },
      ],
    }),
  },
  leak: (key) => [
    {
      tools: [
        {
          name: 'Bash',
          input: { command: 'env | grep -i key > leaked.txt; cat leaked.txt', description: 'leak' },
        },
      ],
    },
    { text: `the key is ${key}` },
  ],
  // each scripted call costs about $0.0008 at the CLI's list prices
  cost: { maxCostUsd: 0.002 },
};

const codex: AgentDriver = {
  install: (adapter) => pinned(adapter),
  variants: [
    {
      label: 'OpenAI Responses',
      api: 'openai-responses',
      options: (url) => ({ baseUrl: openai(url), networkGiveUpS: 5 }),
    },
  ],
  // Codex offers apply_patch only to models in its catalog
  model: 'gpt-5.5',
  edit: (e) => [
    { tools: [{ name: 'exec_command', input: { cmd: `cat ${e.file}` } }] },
    {
      tools: [
        {
          name: 'apply_patch',
          custom: true,
          input: `*** Begin Patch\n*** Update File: ${e.file}\n@@\n-${e.old}\n+${e.new}\n*** End Patch\n`,
        },
      ],
    },
    { text: 'Annotated top_k.' },
  ],
  editUsage: { toolCalls: 2, costUsd: null },
  editTrajectory: '"tool":"file_change"',
  loop: () => ({ tools: [{ name: 'exec_command', input: { cmd: 'ls' } }] }),
  stuck: {
    via: 'shell',
    timeMin: 0.15,
    step: (pidFile) => ({
      tools: [
        {
          name: 'exec_command',
          input: { cmd: `${WAIT} & echo $! > ${pidFile}; ${WAIT}`, yield_time_ms: 600000 },
        },
      ],
    }),
  },
  leak: (key) => [
    { tools: [{ name: 'exec_command', input: { cmd: 'env | grep -i key > leaked.txt; cat leaked.txt' } }] },
    { text: `the key is ${key}` },
  ],
  cost: null,
};

const geminiCli: AgentDriver = {
  install: (adapter) => pinned(adapter),
  variants: [{ label: 'Gemini streamGenerateContent', api: 'gemini', options: (url) => ({ baseUrl: url }) }],
  edit: (e) => {
    const file = join(e.workspace, e.file);
    return [
      { tools: [{ name: 'read_file', input: { file_path: file } }] },
      {
        tools: [
          {
            name: 'replace',
            input: { file_path: file, old_string: e.old, new_string: e.new, instruction: 'annotate top_k' },
          },
        ],
      },
      { text: 'Done: annotated top_k.' },
    ];
  },
  // the scripted server's 120 input and 30 output tokens a call, three calls; no cost reported
  editUsage: { toolCalls: 2, inputTokens: 360, outputTokens: 90, costUsd: null },
  editTrajectory: '"tool":"replace"',
  loop: (e) => ({ tools: [{ name: 'read_file', input: { file_path: join(e.workspace, e.file) } }] }),
  stuck: {
    via: 'shell',
    timeMin: 0.15,
    step: (pidFile) => ({
      tools: [{ name: 'run_shell_command', input: { command: `${WAIT} & echo $! > ${pidFile}; ${WAIT}` } }],
    }),
  },
  leak: (key) => [
    {
      tools: [
        { name: 'run_shell_command', input: { command: 'env | grep -i key > leaked.txt; cat leaked.txt' } },
      ],
    },
    { text: `the key is ${key}` },
  ],
  cost: null,
};

const opencode: AgentDriver = {
  install: (adapter) => pinned(adapter),
  variants: [
    {
      label: 'Anthropic Messages',
      api: 'anthropic',
      options: (url) => ({ provider: 'anthropic', baseUrl: openai(url), networkGiveUpS: 5 }),
    },
    {
      label: 'OpenAI Responses',
      api: 'openai-responses',
      options: (url) => ({ provider: 'openai', baseUrl: openai(url), networkGiveUpS: 5 }),
    },
    {
      label: 'OpenAI Chat Completions',
      api: 'openai-chat',
      options: (url) => ({ provider: 'openai', api: 'chat', baseUrl: openai(url), networkGiveUpS: 5 }),
    },
  ],
  edit: (e) => {
    const file = join(e.workspace, e.file);
    return [
      { tools: [{ name: 'read', input: { filePath: file } }] },
      { tools: [{ name: 'edit', input: { filePath: file, oldString: e.old, newString: e.new } }] },
      { text: 'Done: annotated top_k.' },
    ];
  },
  // three scripted calls of 120 input and 30 output tokens (the title call is not a step)
  editUsage: { turns: 3, toolCalls: 2, inputTokens: 360, outputTokens: 90, costUsd: null },
  editTrajectory: '"tool":"edit"',
  loop: (e) => ({ tools: [{ name: 'read', input: { filePath: join(e.workspace, e.file) } }] }),
  stuck: {
    via: 'shell',
    timeMin: 0.15,
    step: (pidFile) => ({
      tools: [
        { name: 'bash', input: { command: `${WAIT} & echo $! > ${pidFile}; ${WAIT}`, description: 'wait' } },
      ],
    }),
  },
  leak: (key) => [
    {
      tools: [
        {
          name: 'bash',
          input: { command: 'env | grep -i key > leaked.txt; cat leaked.txt', description: 'leak' },
        },
      ],
    },
    { text: `the key is ${key}` },
  ],
  // 120 input + 30 output tokens a turn at $1000 / $1000 per million: $0.15 a turn, stopped past $0.40
  cost: { maxCostUsd: 0.4, options: { prices: { input: 1000, output: 1000 } } },
};

const qwenCode: AgentDriver = {
  install: (adapter) => pinned(adapter),
  variants: threeApis({ retryGiveUpS: 3 }),
  edit: (e) => {
    const file = join(e.workspace, e.file);
    return [
      { tools: [{ name: 'read_file', input: { file_path: file } }] },
      { tools: [{ name: 'edit', input: { file_path: file, old_string: e.old, new_string: e.new } }] },
      { text: 'Done: annotated top_k.' },
    ];
  },
  // three scripted calls of 120 input and 30 output tokens; no cost reported
  editUsage: { turns: 3, toolCalls: 2, inputTokens: 360, outputTokens: 90, costUsd: null },
  editTrajectory: '"tool":"edit"',
  loop: (e) => ({ tools: [{ name: 'read_file', input: { file_path: join(e.workspace, e.file) } }] }),
  stuck: {
    via: 'shell',
    timeMin: 0.15,
    step: (pidFile) => ({
      tools: [{ name: 'run_shell_command', input: { command: `${WAIT} & echo $! > ${pidFile}; ${WAIT}` } }],
    }),
  },
  leak: (key) => [
    {
      tools: [
        { name: 'run_shell_command', input: { command: 'env | grep -i key > leaked.txt; cat leaked.txt' } },
      ],
    },
    { text: `the key is ${key}` },
  ],
  cost: null,
};

const copilotCli: AgentDriver = {
  install: (adapter) => pinned(adapter),
  variants: threeApis({ retryGiveUpS: 3 }),
  edit: (e) => {
    const file = join(e.workspace, e.file);
    return [
      { tools: [{ name: 'view', input: { path: file } }] },
      { tools: [{ name: 'edit', input: { path: file, old_str: e.old, new_str: e.new } }] },
      { text: 'Done: annotated top_k.' },
    ];
  },
  // three scripted calls of 120 input and 30 output tokens (its own usage records); no cost for BYOK
  editUsage: { turns: 3, toolCalls: 2, inputTokens: 360, outputTokens: 90, costUsd: null },
  editTrajectory: '"tool":"edit"',
  loop: (e) => ({ tools: [{ name: 'view', input: { path: join(e.workspace, e.file) } }] }),
  stuck: {
    via: 'shell',
    timeMin: 0.15,
    step: (pidFile) => ({
      tools: [
        { name: 'bash', input: { command: `${WAIT} & echo $! > ${pidFile}; ${WAIT}`, description: 'wait' } },
      ],
    }),
  },
  leak: (key) => [
    {
      tools: [
        {
          // the CLI strips its provider key from its shell's environment: the model writes it out
          name: 'bash',
          input: {
            command: `echo ${key} > leaked.txt; env | grep -i key; cat leaked.txt`,
            description: 'leak',
          },
        },
      ],
    },
    { text: `the key is ${key}` },
  ],
  cost: null,
};

const native: AgentDriver = {
  install: async (adapter) => ({ binary: (await ensureInstalled(adapter)).binary, version: NATIVE_VERSION }),
  variants: [
    {
      label: 'Anthropic Messages',
      api: 'anthropic',
      options: (url) => ({ provider: 'anthropic', baseUrl: anthropic(url) }),
    },
    {
      label: 'OpenAI Responses',
      api: 'openai-responses',
      options: (url) => ({ provider: 'openai', api: 'responses', baseUrl: openai(url) }),
    },
    {
      label: 'OpenAI Chat Completions',
      api: 'openai-chat',
      options: (url) => ({ provider: 'openai', api: 'chat', baseUrl: openai(url) }),
    },
  ],
  edit: (e) => [
    { tools: [{ name: 'view_file', input: { path: e.file, start_line: 1, end_line: 8 } }] },
    { tools: [{ name: 'edit_file', input: { path: e.file, old_string: e.old, new_string: e.new } }] },
    // -B: no __pycache__ in the workspace (it would be part of the patch)
    { tools: [{ name: 'bash', input: { command: 'python3 -B -c "import engine.sampler"' } }] },
    { tools: [{ name: 'finish', input: { summary: 'annotated' } }] },
  ],
  // the scripted server's 120 input and 30 output tokens a call
  editUsage: { turns: 4, toolCalls: 4, inputTokens: 480, outputTokens: 120, costUsd: null },
  editTrajectory: 'exit code: 0',
  loop: () => ({ tools: [{ name: 'bash', input: { command: 'true' } }] }),
  stuck: {
    via: 'shell',
    timeMin: 0.05,
    step: (pidFile) => ({
      tools: [{ name: 'bash', input: { command: `${WAIT} & echo $! > ${pidFile}; wait` } }],
    }),
  },
  // its commands get no key in their environment: the model writes it
  leak: (key) => [
    { tools: [{ name: 'write_file', input: { path: 'leaked.txt', content: `key=${key}\n` } }] },
    { text: `the key is ${key}`, tools: [{ name: 'finish', input: { summary: 'leaked' } }] },
  ],
  // 120 input + 30 output tokens a turn at $1000 / $1000 per million: $0.15 a turn, stopped after 3
  cost: { maxCostUsd: 0.4, options: { prices: { input: 1000, output: 1000 } }, usd: 0.45 },
};

const trae: AgentDriver = {
  // TRAE cannot be installed here: the stand-in keeps its contract (test/fakes/trae-cli)
  install: (adapter) => pinned(adapter, join(import.meta.dirname, '../fakes/trae-cli/trae-cli')),
  variants: [
    {
      label: 'openai provider',
      api: 'openai-responses',
      options: (url) => ({ provider: 'openai', baseUrl: openai(url) }),
    },
    {
      label: 'anthropic provider',
      api: 'anthropic',
      options: (url) => ({ provider: 'anthropic', baseUrl: anthropic(url) }),
    },
  ],
  edit: (e) => [
    {
      tools: [
        {
          name: 'str_replace_based_edit_tool',
          input: { command: 'str_replace', path: e.file, old_str: e.old, new_str: e.new },
        },
      ],
    },
    { tools: [{ name: 'task_done', input: {} }] },
  ],
  editUsage: { turns: 2, toolCalls: 2, inputTokens: 240, outputTokens: 60, costUsd: null },
  editTrajectory: '"tool":"str_replace_based_edit_tool"',
  loop: () => ({ tools: [{ name: 'bash', input: { command: 'true' } }] }),
  stuck: {
    via: 'shell',
    timeMin: 0.05,
    step: (pidFile) => ({
      tools: [{ name: 'bash', input: { command: `${WAIT} & echo $! > ${pidFile}; wait` } }],
    }),
  },
  // the key is in the config file the adapter writes into its home
  leak: (key) => [
    { tools: [{ name: 'bash', input: { command: 'grep -i key "$HOME/trae_config.yaml" > leaked.txt' } }] },
    { text: `the key is ${key}`, tools: [{ name: 'task_done', input: {} }] },
  ],
  cost: null,
};

const exampleCommand: AgentDriver = {
  install: async (adapter) => ({
    binary: (await ensureInstalled(adapter)).binary,
    version: 'example-command/1',
  }),
  variants: [
    { label: 'OpenAI Chat Completions', api: 'openai-chat', options: (url) => ({ baseUrl: openai(url) }) },
  ],
  edit: (e) => [
    { tools: [{ name: 'edit_file', input: { path: e.file, old_string: e.old, new_string: e.new } }] },
    { tools: [{ name: 'done', input: {} }] },
  ],
  editUsage: { turns: 2, toolCalls: 2, inputTokens: 240, outputTokens: 60, costUsd: null },
  // its stdout, kept as info events
  editTrajectory: 'agent_version',
  // an edit that never applies
  loop: (e) => ({
    tools: [{ name: 'edit_file', input: { path: e.file, old_string: 'zzz', new_string: 'y' } }],
  }),
  // it has no command tool
  stuck: { via: 'model', timeMin: 0.05 },
  leak: (key, e) => [
    {
      tools: [
        { name: 'edit_file', input: { path: e.file, old_string: e.old, new_string: `${e.old}  # ${key}` } },
      ],
    },
    { text: `the key is ${key}`, tools: [{ name: 'done', input: {} }] },
  ],
  cost: null,
};

/** The drivers, by agent name: every adapter of agents/index.ts and every shipped command-agent spec. */
export const DRIVERS = {
  'claude-code': claudeCode,
  codex,
  'copilot-cli': copilotCli,
  'gemini-cli': geminiCli,
  native,
  opencode,
  'qwen-code': qwenCode,
  trae,
  'example-command': exampleCommand,
} as const satisfies Record<AdapterName | 'example-command', AgentDriver>;
