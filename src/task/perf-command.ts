/**
 * Turns a published perf command (`python benchmarks/benchmark_serving.py --model M ...`,
 * `vllm bench serve ...`, latency, throughput, prefix caching) into a structured, validated form:
 * environment assignments, the benchmark script, and every option with the exact words it was
 * written with. Anything that is not a runnable, unambiguous command is reported as an issue with a
 * code; nothing is guessed or silently repaired.
 */
import type { BenchmarkKind } from '../parse/types.js';
import { type ShellWord, splitShellWords } from '../util/shell-words.js';
import {
  type Arity,
  destOf,
  ENGINE_OPTIONS,
  LATENCY_OPTIONS,
  OptionTable,
  PREFIX_CACHING_OPTIONS,
  SERVER_OPTIONS,
  SERVING_CLIENT_OPTIONS,
  SHARED_SERVING_OPTIONS,
  THROUGHPUT_OPTIONS,
} from './flags.js';

/** Why a perf command is not usable as written. */
export type CommandIssueCode =
  | 'empty'
  | 'shell_syntax'
  | 'unknown_script'
  | 'placeholder'
  | 'optional_syntax'
  | 'run_together'
  | 'unknown_option'
  | 'abbreviated_option'
  | 'missing_value'
  | 'bad_value'
  | 'repeated_option'
  | 'stray_argument'
  | 'local_model_path';

/** One problem with a perf command. */
export interface CommandIssue {
  readonly code: CommandIssueCode;
  readonly message: string;
  /** The word that shows the problem, as written. */
  readonly word?: string;
}

/** Things worth knowing about a command that is still usable. */
export interface CommandNote {
  readonly code: 'underscore_option' | 'negated_switch';
  readonly message: string;
}

/** Which process an option belongs to in a serving benchmark. Offline benchmarks have only `client`. */
export type OptionSide = 'client' | 'server' | 'both';

/** One option as written in the command. */
export interface ParsedOption {
  /** Canonical long name, e.g. `--tensor-parallel-size` for `-tp`. */
  readonly canonical: string;
  /** The argparse destination (`Namespace` field). */
  readonly dest: string;
  /** The exact words of the command that make up this option. */
  readonly words: readonly string[];
  /** The value: a string, a list for multi-value options, or a boolean for switches. */
  readonly value: string | readonly string[] | boolean;
  readonly side: OptionSide;
}

/** How the benchmark is launched. */
export type Launcher =
  | { readonly type: 'python'; readonly interpreter: string; readonly script: string }
  | { readonly type: 'vllm-cli'; readonly subcommand: 'serve' | 'latency' | 'throughput' };

/** A perf command that passed every syntactic check. */
export interface ParsedPerfCommand {
  readonly command: string;
  readonly env: Readonly<Record<string, string>>;
  readonly kind: BenchmarkKind;
  readonly launcher: Launcher;
  readonly options: readonly ParsedOption[];
  /** The `--model` value, or null when the script's default applies. */
  readonly model: string | null;
}

/** Result of parsing: never throws. */
export type PerfCommandResult =
  | { readonly ok: true; readonly parsed: ParsedPerfCommand; readonly notes: readonly CommandNote[] }
  | { readonly ok: false; readonly issues: readonly CommandIssue[]; readonly kind: BenchmarkKind | null };

const SCRIPTS: Readonly<Record<string, BenchmarkKind>> = {
  'benchmarks/benchmark_serving.py': 'serving',
  'benchmarks/benchmark_latency.py': 'latency',
  'benchmarks/benchmark_throughput.py': 'throughput',
  'benchmarks/benchmark_prefix_caching.py': 'prefix_caching',
};

const CLI_SUBCOMMANDS = {
  serve: 'serving',
  latency: 'latency',
  throughput: 'throughput',
} as const satisfies Record<string, BenchmarkKind>;

/** Whether `s` is a `vllm bench` subcommand above (its own keys only, never `constructor`). */
const isCliSubcommand = (s: string): s is keyof typeof CLI_SUBCOMMANDS => Object.hasOwn(CLI_SUBCOMMANDS, s);

const TABLES: Readonly<Record<BenchmarkKind, { table: OptionTable; client: OptionTable | null }>> = {
  serving: {
    table: new OptionTable(SERVING_CLIENT_OPTIONS, ENGINE_OPTIONS, SERVER_OPTIONS),
    client: new OptionTable(SERVING_CLIENT_OPTIONS),
  },
  latency: { table: new OptionTable(LATENCY_OPTIONS, ENGINE_OPTIONS), client: null },
  throughput: { table: new OptionTable(THROUGHPUT_OPTIONS, ENGINE_OPTIONS), client: null },
  prefix_caching: { table: new OptionTable(PREFIX_CACHING_OPTIONS, ENGINE_OPTIONS), client: null },
};

const ENV_ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;
const PLACEHOLDER = /^(?:[A-Z][A-Z0-9_]*|<[^>]*>|\{[^}]*\})$/;
const BOOL_WORD = /^(?:true|false)$/i;

function looksLikeOption(word: { text: string; quoted: boolean }): boolean {
  return !word.quoted && /^-[-A-Za-z]/.test(word.text);
}

/** Parses one perf command. */
export function parsePerfCommand(command: string): PerfCommandResult {
  const trimmed = command.trim();
  if (trimmed.length === 0)
    return { ok: false, kind: null, issues: [{ code: 'empty', message: 'the perf command is empty' }] };
  const split = splitShellWords(trimmed);
  if (!split.ok) {
    return {
      ok: false,
      kind: null,
      issues: [{ code: 'shell_syntax', message: `${split.error} at character ${split.offset + 1}` }],
    };
  }
  const words = split.words;
  const { env, next } = readEnv(words);
  const head = readLauncher(words, next);
  if (!head.ok) return { ok: false, kind: null, issues: [head.issue] };
  const { launcher, kind } = head;
  const { issues, notes, options } = readOptions(words, head.next, kind);
  const modelOpt = options.find((o) => o.canonical === '--model');
  const model = typeof modelOpt?.value === 'string' ? modelOpt.value : null;
  if (model && /^(?:\/|\.{1,2}\/|~)/.test(model)) {
    issues.push({
      code: 'local_model_path',
      message: `--model '${model}' is a path on the author's machine, not a model anyone else can fetch`,
      word: model,
    });
  }
  if (issues.length) return { ok: false, kind, issues };
  return { ok: true, parsed: { command: trimmed, env, kind, launcher, options, model }, notes };
}

/** The leading `NAME=value` assignments, and the index of the first word after them. */
function readEnv(words: readonly ShellWord[]): { env: Record<string, string>; next: number } {
  let i = 0;
  const env: Record<string, string> = {};
  while (i < words.length) {
    const w = words[i];
    const m = w && !w.quoted ? ENV_ASSIGNMENT.exec(w.text) : null;
    if (!m) break;
    env[m[1] ?? ''] = m[2] ?? '';
    i++;
  }
  return { env, next: i };
}

/** The program at `words[i]` (a python script or `vllm bench <sub>`), its benchmark kind, and where its options start. */
function readLauncher(
  words: readonly ShellWord[],
  i: number,
): { ok: true; launcher: Launcher; kind: BenchmarkKind; next: number } | { ok: false; issue: CommandIssue } {
  const head = words[i];
  if (!head) return { ok: false, issue: { code: 'empty', message: 'the perf command has no program' } };
  if (head.text === 'python' || head.text === 'python3') {
    const script = words[i + 1];
    if (!script)
      return { ok: false, issue: { code: 'unknown_script', message: `'${head.text}' without a script` } };
    const found = SCRIPTS[script.text];
    if (!found) return { ok: false, issue: unknownScript(script.text) };
    return {
      ok: true,
      launcher: { type: 'python', interpreter: head.text, script: script.text },
      kind: found,
      next: i + 2,
    };
  }
  if (head.text === 'vllm' && words[i + 1]?.text === 'bench') {
    const sub = words[i + 2]?.text ?? '';
    if (!isCliSubcommand(sub)) {
      return {
        ok: false,
        issue: {
          code: 'unknown_script',
          message: `'vllm bench ${sub}' is not a benchmark isobench can parse`,
          word: sub,
        },
      };
    }
    return {
      ok: true,
      launcher: { type: 'vllm-cli', subcommand: sub },
      kind: CLI_SUBCOMMANDS[sub],
      next: i + 3,
    };
  }
  return { ok: false, issue: unknownScript(head.text) };
}

/** The command's words and the index of the next one to read. */
interface Cursor {
  readonly words: readonly ShellWord[];
  i: number;
}

/** What an option's value readers give: its value and the words after the option word they used. */
interface ValueRead {
  readonly value: string | string[] | boolean;
  readonly extra: readonly string[];
}

/** Reads the options from `words[start]` on, against the option table of `kind`. */
function readOptions(
  words: readonly ShellWord[],
  start: number,
  kind: BenchmarkKind,
): { issues: CommandIssue[]; notes: CommandNote[]; options: ParsedOption[] } {
  const { table, client } = TABLES[kind];
  const issues: CommandIssue[] = [];
  const notes: CommandNote[] = [];
  const options: ParsedOption[] = [];
  const seen = new Map<string, string>();
  const cur: Cursor = { words, i: start };
  for (let w = words[cur.i]; w; w = words[cur.i]) {
    cur.i++;
    if (!w.quoted && /^\[-/.test(w.text)) {
      issues.push({
        code: 'optional_syntax',
        message: `'${w.text}' is documentation syntax for an optional part, not a runnable argument`,
        word: w.text,
      });
      while (cur.i <= words.length && !(words[cur.i - 1]?.text ?? '').endsWith(']')) cur.i++;
      continue;
    }
    if (!looksLikeOption(w)) {
      issues.push(notAnOption(w));
      continue;
    }
    const eq = w.text.indexOf('=');
    const inline = eq > 0 ? w.text.slice(eq + 1) : null;
    const { name, found } = lookupOption(eq > 0 ? w.text.slice(0, eq) : w.text, table, notes);
    if (!found) {
      issues.push(unknownOption(name, table, kind));
      // skip the value that probably belongs to it, so one mistake gives one issue
      const next = words[cur.i];
      if (inline === null && next && !looksLikeOption(next)) cur.i++;
      continue;
    }
    const { def, canonical, negated } = found;
    if (negated) notes.push({ code: 'negated_switch', message: `'${name}' turns ${canonical} off` });
    const read = readOptionValue(def.arity, name, w, inline, negated, cur, table);
    if ('code' in read) {
      issues.push(read);
      continue;
    }
    const used = [w.text, ...read.extra];
    const prev = seen.get(canonical);
    if (prev !== undefined) {
      issues.push({
        code: 'repeated_option',
        message: `${canonical} is given twice ('${prev}' and '${used.join(' ')}'); argparse would silently keep the last`,
        word: w.text,
      });
      continue;
    }
    seen.set(canonical, used.join(' '));
    options.push({
      canonical,
      dest: destOf(canonical),
      words: used,
      value: read.value,
      side: optionSide(kind, canonical, client),
    });
  }
  return { issues, notes, options };
}

/** The issue for a word that is not an option where an option is expected. */
function notAnOption(w: ShellWord): CommandIssue {
  return PLACEHOLDER.test(w.text) && !w.quoted
    ? { code: 'placeholder', message: `'${w.text}' is a placeholder, not a value`, word: w.text }
    : {
        code: 'stray_argument',
        message: `'${w.text}' is not an option and no option takes it as a value`,
        word: w.text,
      };
}

/** Looks up an option name, reading underscores as dashes (with a note) when only that form is known. */
function lookupOption(
  written: string,
  table: OptionTable,
  notes: CommandNote[],
): { name: string; found: ReturnType<OptionTable['lookup']> } {
  const found = table.lookup(written);
  if (!found && written.includes('_')) {
    const dashed = written.replaceAll('_', '-');
    const alt = table.lookup(dashed);
    if (alt) {
      notes.push({
        code: 'underscore_option',
        message: `'${written}' is read as '${dashed}' (vLLM's argument parser accepts underscores from ≈v0.5)`,
      });
      return { name: dashed, found: alt };
    }
  }
  return { name: written, found };
}

/** Reads the value of option word `w` as its arity says, advancing the cursor past the words it takes. */
function readOptionValue(
  arity: Arity,
  name: string,
  w: ShellWord,
  inline: string | null,
  negated: boolean,
  cur: Cursor,
  table: OptionTable,
): ValueRead | CommandIssue {
  switch (arity) {
    case 'value':
      return readOneValue(name, w, inline, cur, table);
    case 'switch':
      return readSwitch(name, w, inline, negated, cur);
    case 'values':
    case 'optional_values':
      return readValueList(name, w, inline, arity === 'values', cur);
  }
}

/** A one-value option: the text after `=`, else the next word, which must be a real value. */
function readOneValue(
  name: string,
  w: ShellWord,
  inline: string | null,
  cur: Cursor,
  table: OptionTable,
): ValueRead | CommandIssue {
  let value: string;
  const extra: string[] = [];
  if (inline !== null) value = inline;
  else {
    const next = cur.words[cur.i];
    if (!next || looksLikeOption(next))
      return { code: 'missing_value', message: `${name} needs a value`, word: w.text };
    value = next.text;
    extra.push(next.text);
    cur.i++;
    const glued = next.quoted ? null : /^(.+?)(--[A-Za-z][-A-Za-z0-9]*)$/.exec(next.text);
    if (glued && table.lookup(glued[2] ?? '')) {
      return {
        code: 'run_together',
        message: `'${next.text}' runs the value '${glued[1]}' and the option '${glued[2]}' together (a missing space)`,
        word: next.text,
      };
    }
    if (!next.quoted && PLACEHOLDER.test(next.text)) {
      return {
        code: 'placeholder',
        message: `${name} ${next.text}: '${next.text}' is a placeholder, not a value`,
        word: next.text,
      };
    }
  }
  if (value.length === 0)
    return { code: 'missing_value', message: `${name} has an empty value`, word: w.text };
  return { value, extra };
}

/** A switch: on (off when negated), or set by `=true|false` or a following true/false word. */
function readSwitch(
  name: string,
  w: ShellWord,
  inline: string | null,
  negated: boolean,
  cur: Cursor,
): ValueRead | CommandIssue {
  if (inline !== null) {
    if (!BOOL_WORD.test(inline)) {
      return {
        code: 'bad_value',
        message: `${name}=${inline}: a switch takes only true or false`,
        word: w.text,
      };
    }
    return { value: inline.toLowerCase() === 'true' ? !negated : negated, extra: [] };
  }
  const next = cur.words[cur.i];
  if (next && !next.quoted && BOOL_WORD.test(next.text)) {
    const t = next.text.toLowerCase() === 'true';
    cur.i++;
    return { value: negated ? !t : t, extra: [next.text] };
  }
  return { value: !negated, extra: [] };
}

/** A list option: the text after `=` and every following word up to the next option; `required`: at least one. */
function readValueList(
  name: string,
  w: ShellWord,
  inline: string | null,
  required: boolean,
  cur: Cursor,
): ValueRead | CommandIssue {
  const vals: string[] = inline !== null ? [inline] : [];
  const extra: string[] = [];
  for (let next = cur.words[cur.i]; next && !looksLikeOption(next); next = cur.words[cur.i]) {
    vals.push(next.text);
    extra.push(next.text);
    cur.i++;
  }
  if (required && vals.length === 0)
    return { code: 'missing_value', message: `${name} needs at least one value`, word: w.text };
  return { value: vals, extra };
}

/** Which process takes an option: offline benchmarks have only the client; serving splits client and server. */
function optionSide(kind: BenchmarkKind, canonical: string, client: OptionTable | null): OptionSide {
  return kind !== 'serving'
    ? 'client'
    : SHARED_SERVING_OPTIONS.has(canonical)
      ? 'both'
      : client?.lookup(canonical)
        ? 'client'
        : 'server';
}

function unknownScript(program: string): CommandIssue {
  let why =
    'not one of the benchmark scripts isobench can parse (benchmarks/benchmark_{serving,latency,throughput,prefix_caching}.py, vllm bench serve|latency|throughput)';
  if (program.startsWith('/'))
    why = "an absolute path on the author's machine; a task runs the repository's own benchmarks/ script";
  else if (/^benchmark\//.test(program))
    why = "in 'benchmark/' (singular), not the repository's 'benchmarks/' folder";
  else if (/\.py$/.test(program) && !program.includes('/'))
    why = 'a script outside benchmarks/, not one isobench has a parser for';
  return { code: 'unknown_script', message: `'${program}' is ${why}`, word: program };
}

function unknownOption(name: string, table: OptionTable, kind: BenchmarkKind): CommandIssue {
  const known = table.names();
  const glued = known
    .filter((k) => name.startsWith(k) && name.length > k.length)
    .sort((a, b) => b.length - a.length)[0];
  if (glued) {
    const rest = name.slice(glued.length);
    if (
      /^(?:\d|-|[A-Za-z])/.test(rest) &&
      (/^\d/.test(rest) || rest.includes('--') || rest.startsWith('-'))
    ) {
      return {
        code: 'run_together',
        message: `'${name}' runs '${glued}' and '${rest}' together (a missing space)`,
        word: name,
      };
    }
  }
  const longer = known.filter((k) => k.startsWith(name) && k !== name);
  if (longer.length) {
    return {
      code: 'abbreviated_option',
      message: `'${name}' abbreviates ${longer.join(' or ')}; a task spells options out`,
      word: name,
    };
  }
  const script = kind === 'serving' ? 'benchmark_serving.py nor the vLLM server' : `benchmark_${kind}.py`;
  return { code: 'unknown_option', message: `'${name}' is not an option of ${script}`, word: name };
}
