import { join, resolve } from 'node:path';
import type { RunConfig } from '../store/config.js';
import { readStored } from '../store/read.js';
import { StoredRecordError } from '../store/schema.js';
import { errorMessage } from '../util/errors.js';
import { namesIfThere } from '../util/if-there.js';
import { didYouMean } from '../util/suggest.js';

/** Flags that belong to one invocation, never to the run's recorded arguments. */
const ONE_OFF_FLAGS = new Set(['--retry-infra', '--rerun-changed']);
/** Flags with a value that belong to one invocation. */
const ONE_OFF_VALUED = new Set(['--resume', '--run-id']);

/** The arguments a run records: what was given, less the flags of this one invocation. */
export function argsToRecord(argv: readonly string[]): string[] {
  const kept: string[] = [];
  const words = argv[Symbol.iterator]();
  for (const a of words) {
    if (ONE_OFF_FLAGS.has(a)) continue;
    if (ONE_OFF_VALUED.has(a)) {
      words.next(); // its value
      continue;
    }
    if ([...ONE_OFF_VALUED].some((f) => a.startsWith(`${f}=`))) continue;
    kept.push(a);
  }
  return kept;
}

/** How many values an option takes: none (a switch), one, or many (`<path...>`, up to the next option). */
export type Arity = (flag: string) => 'none' | 'one' | 'many';

/** The arguments split into options, each with its values (positional words stand alone). */
function optionGroups(
  args: readonly string[],
  arity: Arity,
): Array<{ flag: string | null; words: string[] }> {
  const groups: Array<{ flag: string | null; words: string[] }> = [];
  // the last option's words while it takes the next word: one, or many up to the next option
  let taking: { words: string[]; n: 'one' | 'many' } | null = null;
  for (const a of args) {
    if (taking && (taking.n === 'one' || !a.startsWith('-'))) {
      taking.words.push(a);
      if (taking.n === 'one') taking = null;
      continue;
    }
    taking = null;
    if (!a.startsWith('--')) {
      groups.push({ flag: null, words: [a] });
      continue;
    }
    const flag = a.includes('=') ? a.slice(0, a.indexOf('=')) : a;
    const words = [a];
    const n = a.includes('=') ? 'none' : arity(flag);
    if (n !== 'none') taking = { words, n };
    groups.push({ flag, words });
  }
  return groups;
}

/**
 * The arguments of a resumed run: the recorded ones, where an option given again replaces the
 * recorded one (every value of it: `--predictions A` replaces `--predictions B C`), then the rest of
 * what was given; so that arguments recorded by a resume never pile up.
 */
export function mergeArgs(recorded: readonly string[], given: readonly string[], arity: Arity): string[] {
  const now = optionGroups(given, arity);
  const replaced = new Set(now.map((g) => g.flag).filter((f): f is string => f !== null));
  const kept = optionGroups(recorded, arity).filter((g) => g.flag === null || !replaced.has(g.flag));
  return [...kept, ...now].flatMap((g) => g.words);
}

/** The results root a run lives under: `--out`, else ./results/runs. */
export function runsRoot(out: string | undefined): string {
  return resolve(out ?? join(process.cwd(), 'results', 'runs'));
}

/** run.json of run `id` under `out`; an error names the folder, and the nearest run ids when there is none. */
async function recordOf(id: string, out: string | undefined) {
  const root = runsRoot(out);
  const file = join(root, id, 'run.json');
  try {
    return await readStored('run', file);
  } catch (e) {
    if (!(e instanceof StoredRecordError) || e.problem !== 'cannot be read: ENOENT') throw e;
    const ids = await namesIfThere(root);
    const runs = ids.filter((d) => !d.startsWith('.'));
    throw new Error(
      `no run '${id}' under ${root} (${file} does not exist)${runs.length ? didYouMean(id, runs) : '; that folder holds no runs (give --out for runs elsewhere)'}`,
    );
  }
}

/** Flags renamed since runs recorded them (by what they retry), as a resume of such a run reads them. */
const RENAMED_FLAGS: Readonly<Record<string, string>> = {
  '--infra-retries': '--job-retries',
  '--retry-backoff-s': '--job-retry-backoff-s',
  '--agent-infra-retries': '--attempt-retries',
  '--agent-backoff-s': '--attempt-retry-backoff-s',
};

/** A recorded argument under its flag's present name (`--flag` or `--flag=value`). */
export function renamedFlag(arg: string): string {
  const eq = arg.indexOf('=');
  const flag = eq < 0 ? arg : arg.slice(0, eq);
  const now = RENAMED_FLAGS[flag];
  return now === undefined ? arg : `${now}${eq < 0 ? '' : arg.slice(eq)}`;
}

/** The arguments run `id` was started with, less the flags of one invocation. */
export async function readRecordedArgs(id: string, out: string | undefined): Promise<string[]> {
  return argsToRecord((await recordOf(id, out)).args).map(renamedFlag);
}

/** The configuration run `id` resolved and recorded (absent in records older than payload version 2). */
export async function readRecordedConfig(id: string, out: string | undefined): Promise<RunConfig | null> {
  return (await recordOf(id, out)).config ?? null;
}

/**
 * `isobench run --resume RUN_ID [--out DIR] …`: the command line with the recorded arguments of that
 * run and its id (the jobs it finished are read back, the others run). What is given after --resume
 * replaces or adds to them; `--resume RUN_ID` itself stays, so that the run knows it continues a
 * recorded one and reuses what that run resolved. `argv` is the process's (node, script, verb, …).
 */
export async function resumedArgv(argv: readonly string[], arity: Arity): Promise<string[]> {
  const i = argv.indexOf('--resume');
  const id = argv[i + 1];
  if (!id || id.startsWith('-'))
    throw new Error('--resume needs a run id (the folder name under results/runs)');
  const o = argv.indexOf('--out');
  let recorded: string[];
  try {
    recorded = await readRecordedArgs(id, o > 0 ? argv[o + 1] : undefined);
  } catch (e) {
    throw new Error(`--resume ${id}: ${errorMessage(e)}`);
  }
  const given = argv.slice(3).filter((_, j) => j + 3 !== i && j + 3 !== i + 1);
  const base = recorded[0] === 'run' ? recorded.slice(1) : recorded;
  return [...argv.slice(0, 3), ...mergeArgs(base, given, arity), '--resume', id, '--run-id', id];
}
