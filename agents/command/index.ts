/**
 * Any command-line agent, described by a spec file (`agents/<name>/agent.json`) instead of code: its
 * command template, the environment it gets, where its key goes, how to read its usage, and which
 * outputs mean the API failed. Placeholders in the command and env: {prompt}, {prompt_file},
 * {workspace}, {task}, {model}, {home}, {log_dir}, {max_turns}, {base_url}. The format is described
 * field by field in agents/README.md.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { AUTH_TEXT } from '../../src/agent/credentials.js';
import type {
  AgentAdapter,
  AgentDeps,
  AgentOutcome,
  AgentRunInput,
  OutcomeKind,
  SmokeDriver,
  Usage,
} from '../../src/agent/types.js';
import { NO_USAGE } from '../../src/agent/types.js';
import { errorMessage } from '../../src/util/errors.js';
import { readTextIfThere } from '../../src/util/if-there.js';
import { didYouMean } from '../../src/util/suggest.js';
import { type Infer, z } from '../../src/util/zod.js';

/** The version of the command-agent spec format. */
export const COMMAND_SPEC_VERSION = 1;

const UsageFields = z.strictObject({
  inputTokens: z.optional(z.string()),
  outputTokens: z.optional(z.string()),
  cacheReadTokens: z.optional(z.string()),
  costUsd: z.optional(z.string()),
  turns: z.optional(z.string()),
  toolCalls: z.optional(z.string()),
  model: z.optional(z.string()),
  version: z.optional(z.string()),
});

/** A command agent's spec file. */
export const CommandSpecSchema = z.strictObject({
  schemaVersion: z.literal(COMMAND_SPEC_VERSION),
  name: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lowercase agent name')),
  description: z.optional(z.string()),
  /** argv template; words starting with ./ name files beside the spec file */
  command: z.array(z.string()).check(z.minLength(1, 'expected a command')),
  /** whose key it gets, and the variable it reads it from */
  provider: z.nullable(z.enum(['anthropic', 'openai'])),
  keyEnv: z.optional(z.string()),
  /** the variable it reads the base URL from (set when the run gives one) */
  baseUrlEnv: z.optional(z.string()),
  /** fixed environment (templates allowed) */
  env: z.optional(z.record(z.string(), z.string())),
  /** variables copied from isobench's own environment when set (never API keys of other providers) */
  passEnv: z.optional(z.array(z.string())),
  /** exit codes that mean it finished (default [0]) */
  successExitCodes: z.optional(z.array(z.number())),
  /** regular expressions over stdout+stderr meaning the model API failed (default: 429, 5xx, connection) */
  infraPatterns: z.optional(z.array(z.string())),
  /** regular expressions meaning the credentials were refused or missing (default: 401, 403, Unauthorized, …) */
  authPatterns: z.optional(z.array(z.string())),
  /** regular expressions meaning it stopped at its step limit */
  turnLimitPatterns: z.optional(z.array(z.string())),
  /** usage: JSON lines on stdout (summed, or the last value), or one JSON file; fields are dotted paths */
  usage: z.optional(
    z.strictObject({
      source: z.enum(['stdout-jsonl', 'file']),
      file: z.optional(z.string()),
      aggregate: z.optional(z.enum(['sum', 'last'])),
      fields: UsageFields,
    }),
  ),
  /** the pinned version, recorded when the agent reports none */
  version: z.optional(z.string()),
  /**
   * how the scripted model drives one edit through it (`agents doctor`, `agents try`, no key): its
   * edit tool, that tool's arguments ({file}, {old}, {new}, {workspace} filled), the tool that ends
   * it (else a plain answer does), and the base URL it is given ({server} filled; "{server}/v1" for
   * OpenAI-style clients)
   */
  scriptedEdit: z.optional(
    z.strictObject({
      tool: z.string(),
      arguments: z.record(z.string(), z.string()),
      finishTool: z.optional(z.string()),
      baseUrl: z.optional(z.string()),
    }),
  ),
});
/** A command agent spec. */
export type CommandSpec = Infer<typeof CommandSpecSchema>;

/** The placeholders a command or env template may use. */
export const PLACEHOLDERS = [
  'prompt',
  'prompt_file',
  'workspace',
  'task',
  'model',
  'home',
  'log_dir',
  'max_turns',
  'base_url',
] as const;

/** Whether a template's `{name}` is a placeholder. */
function isPlaceholder(name: string): boolean {
  return PLACEHOLDERS.some((p) => p === name);
}

/** A spec problem, named by its field, said the way a person fixes it. */
function specIssue(i: { path: PropertyKey[]; message: string; code?: string; keys?: string[] }): string {
  const field = i.path.map(String).join('.') || '(root)';
  if (i.code === 'unrecognized_keys' && i.keys) {
    const known = Object.keys(CommandSpecSchema.shape);
    return i.keys
      .map(
        (k) => `${i.path.length ? `${field}.` : ''}${k}: not a field of an agent spec${didYouMean(k, known)}`,
      )
      .join('; ');
  }
  if (field === 'provider')
    return 'provider: required: "anthropic" or "openai" (whose key it gets), or null for an agent that needs no key from isobench';
  return `${field}: ${/received undefined/.test(i.message) ? `required (${i.message})` : i.message}`;
}

/** Whether an executable of this name is in a folder of PATH. */
function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => {
    try {
      accessSync(join(d, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** What a valid spec still gets wrong: files beside it that are not there, unknown placeholders. */
function specProblems(spec: CommandSpec, dir: string): string[] {
  const problems: string[] = [];
  const [first] = spec.command;
  if (first !== undefined && !first.includes('/') && !first.includes('{') && !onPath(first))
    problems.push(
      `command[0]: '${first}' is not on PATH (${process.env.PATH ?? ''}): install it, or give its path`,
    );
  spec.command.forEach((w, i) => {
    if (w.startsWith('./') && !existsSync(join(dir, w)))
      problems.push(`command[${i}]: ${w} does not exist beside the spec (${join(dir, w)})`);
  });
  const templates: Array<[string, string]> = [
    ...spec.command.map((w, i): [string, string] => [`command[${i}]`, w]),
    ...Object.entries(spec.env ?? {}).map(([k, v]): [string, string] => [`env.${k}`, v]),
  ];
  for (const [field, t] of templates)
    for (const [, name = ''] of t.matchAll(/\{(\w+)\}/g))
      if (!isPlaceholder(name))
        problems.push(
          `${field}: {${name}} is not a placeholder${didYouMean(name, [...PLACEHOLDERS])} (they are ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')})`,
        );
  return problems;
}

/**
 * Reads and validates a spec file; an error names the file and every field that is wrong (unknown
 * keys with the field meant, files the command names that are not beside it, unknown placeholders).
 */
export async function loadCommandSpec(path: string): Promise<CommandSpec & { dir: string }> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: ${errorMessage(e)}`);
  }
  const r = CommandSpecSchema.safeParse(data);
  if (!r.success)
    throw new Error(
      `${path}: ${[...r.error.issues]
        // unknown keys first: a misspelt key is usually why a required one is missing
        .sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'))
        .map((i) => specIssue(i))
        .join('; ')}`,
    );
  const dir = dirname(resolve(path));
  const problems = specProblems(r.data, dir);
  if (problems.length) throw new Error(`${path}: ${problems.join('; ')}`);
  return { ...r.data, dir };
}

const DEFAULT_INFRA = [
  '\\b429\\b',
  'rate.?limit',
  '\\b5\\d\\d\\b.*(error|status)',
  '\\b(error|status|HTTP)\\b\\D{0,20}\\b5\\d\\d\\b',
  'ECONNREFUSED',
  'Connection (error|refused)',
];

function fill(t: string, vars: Record<string, string>): string {
  return t.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
}

function at(o: unknown, path: string): unknown {
  let cur = o;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    // what `cur[k]` reads, of an object or an array (`choices.0`, `items.length`)
    cur = Reflect.get(cur, k);
  }
  return cur;
}

/** Reads usage per the spec from stdout or a file. */
export function readUsage(
  spec: CommandSpec,
  text: string,
): { usage: Usage; model: string | null; version: string | null } {
  const u = spec.usage;
  if (!u) return { usage: NO_USAGE, model: null, version: null };
  const objects: unknown[] = [];
  if (u.source === 'file') {
    try {
      objects.push(JSON.parse(text));
    } catch {
      // no usable usage file
    }
  } else
    for (const line of text.split('\n')) {
      try {
        objects.push(JSON.parse(line));
      } catch {
        // not a JSON line
      }
    }
  const numeric = [
    'inputTokens',
    'outputTokens',
    'cacheReadTokens',
    'costUsd',
    'turns',
    'toolCalls',
  ] as const;
  const out: { [F in (typeof numeric)[number]]?: number | null } = {};
  for (const f of numeric) {
    const path = u.fields[f];
    if (!path) continue;
    const values = objects.map((o) => at(o, path)).filter((v): v is number => typeof v === 'number');
    const lastValue = values.at(-1);
    out[f] =
      lastValue === undefined
        ? null
        : (u.aggregate ?? 'sum') === 'sum'
          ? values.reduce((a, b) => a + b, 0)
          : lastValue;
  }
  const last = (path?: string) => {
    if (!path) return null;
    const vs = objects.map((o) => at(o, path)).filter((v): v is string => typeof v === 'string');
    return vs[vs.length - 1] ?? null;
  };
  return {
    usage: { ...NO_USAGE, ...out },
    model: last(u.fields.model),
    version: last(u.fields.version),
  };
}

/** The placeholders a spec's command, env and usage file may use, for one attempt. */
function placeholders(
  input: AgentRunInput,
  promptFile: string,
  baseUrl: string | undefined,
): Record<string, string> {
  return {
    prompt: input.prompt,
    prompt_file: promptFile,
    workspace: input.workspace,
    task: input.task,
    model: input.model,
    home: input.home,
    log_dir: input.logDir,
    max_turns: String(input.budgets.maxTurns),
    base_url: baseUrl ?? '',
  };
}

/** The agent's environment: HOME, the passed variables (never a key, token or secret), the spec's, the key and base URL. */
function commandEnv(
  spec: CommandSpec,
  input: AgentRunInput,
  vars: Record<string, string>,
  baseUrl: string | undefined,
): Record<string, string> {
  const env: Record<string, string> = { HOME: input.home };
  for (const k of spec.passEnv ?? []) {
    const v = process.env[k];
    if (v !== undefined && !/KEY|TOKEN|SECRET/i.test(k)) env[k] = v;
  }
  for (const [k, v] of Object.entries(spec.env ?? {})) env[k] = fill(v, vars);
  if (spec.keyEnv && input.apiKey) env[spec.keyEnv] = input.apiKey;
  if (spec.baseUrlEnv && baseUrl) env[spec.baseUrlEnv] = baseUrl;
  return env;
}

/** The outcome by the spec's patterns over the agent's output: timeout, turn limit, credentials, infra, completed or crashed. */
function commandOutcome(
  spec: CommandSpec,
  r: { exitCode: number | null; timedOut: boolean },
  stdout: string,
  stderr: string,
  timeMin: number,
): { kind: OutcomeKind; detail: string } {
  const all = `${stdout}\n${stderr}`;
  const matching = (patterns: readonly string[]) => patterns.find((p) => new RegExp(p, 'im').test(all));
  const infra = matching(spec.infraPatterns ?? DEFAULT_INFRA);
  const auth = spec.authPatterns ? matching(spec.authPatterns) : AUTH_TEXT.exec(all)?.[0];
  const turnLimit = matching(spec.turnLimitPatterns ?? []);
  const ok = (spec.successExitCodes ?? [0]).includes(r.exitCode ?? -1);
  const tail = (s: string) => s.trim().split('\n').slice(-3).join(' ').slice(0, 300);
  if (r.timedOut) return { kind: 'timeout', detail: `ran past the ${timeMin}-minute budget and was killed` };
  if (turnLimit)
    return { kind: 'turn_limit', detail: `its output matches the turn-limit pattern /${turnLimit}/` };
  if (!ok && auth)
    return { kind: 'config_error', detail: `the model API refused the credentials (${auth}): ${tail(all)}` };
  if (!ok && infra) return { kind: 'infra', detail: `the model API failed (/${infra}/): ${tail(all)}` };
  if (ok) return { kind: 'completed', detail: `exited with ${r.exitCode}` };
  return { kind: 'crashed', detail: `exited with ${r.exitCode}: ${tail(stderr || stdout)}` };
}

/** Runs the spec's command for one attempt and reads its outcome and usage. */
async function runCommand(
  spec: CommandSpec & { dir: string },
  input: AgentRunInput,
  deps: AgentDeps,
): Promise<AgentOutcome> {
  // checked by optionsSchema (commandAdapter) before run is called: a string where given
  const baseUrl = typeof input.options.baseUrl === 'string' ? input.options.baseUrl : undefined;
  const promptFile = join(input.home, 'prompt.txt');
  await writeFile(promptFile, input.prompt);
  const vars = placeholders(input, promptFile, baseUrl);
  // words starting with ./ are files shipped beside the spec
  const argv = spec.command.map((w) => (w.startsWith('./') ? join(spec.dir, w) : fill(w, vars)));
  const stdoutPath = join(input.logDir, 'agent.stdout.txt');
  const stderrPath = join(input.logDir, 'agent.stderr.txt');
  const r = await deps.sandbox.exec(argv, {
    cwd: input.workspace,
    env: commandEnv(spec, input, vars, baseUrl),
    timeoutMs: input.budgets.timeMin * 60_000,
    stdoutPath,
    stderrPath,
  });
  // an output the agent never wrote reads as empty
  const stdout = (await readTextIfThere(stdoutPath)) ?? '';
  const stderr = (await readTextIfThere(stderrPath)) ?? '';
  const usageText =
    spec.usage?.source === 'file'
      ? ((await readTextIfThere(fill(spec.usage.file ?? '', vars))) ?? '')
      : stdout;
  const read = readUsage(spec, usageText);
  return {
    ...commandOutcome(spec, r, stdout, stderr, input.budgets.timeMin),
    usage: read.usage,
    model: read.model,
    agentVersion: read.version ?? spec.version ?? null,
    events: stdout ? [{ type: 'info', text: stdout }] : [],
    denials: [],
    exitCode: r.exitCode,
  };
}

/** The adapter for one spec. */
export function commandAdapter(spec: CommandSpec & { dir: string }): AgentAdapter {
  return {
    name: spec.name,
    provider: spec.provider,
    install: { kind: 'none' },
    optionsSchema: z.strictObject({ baseUrl: z.optional(z.string()) }),
    run: (input, deps) => runCommand(spec, input, deps),
    smoke: smokeOf(spec),
  };
}

/**
 * How the scripted model drives the agent: through the edit tool its spec declares, then its finish
 * tool; without `scriptedEdit`, the model only answers in words (the check then shows that the agent
 * runs headless, reaches the model and ends, but asks it for no edit).
 */
function smokeOf(spec: CommandSpec): SmokeDriver {
  const s = spec.scriptedEdit;
  return {
    script: (edit) => (step) => {
      if (!s)
        return { text: 'The scripted model of isobench makes no edit (the spec declares no scriptedEdit).' };
      if (step > 0) return s.finishTool ? { tools: [{ name: s.finishTool, input: {} }] } : { text: 'done' };
      const vars = { file: edit.file, old: edit.old, new: edit.new, workspace: edit.workspace };
      const input = Object.fromEntries(Object.entries(s.arguments).map(([k, v]) => [k, fill(v, vars)]));
      return { tools: [{ name: s.tool, input }] };
    },
    options: (url) => ({ baseUrl: fill(s?.baseUrl ?? '{server}', { server: url }) }),
  };
}
