/**
 * Loads task specs from a folder tree (`<dir>/<family>/<short>.json`). A malformed file never stops
 * the others from loading: each problem names the file, the field path and what was expected.
 */
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { errorMessage, UsageError } from '../util/errors.js';
import { packageRoot } from '../util/package-root.js';
import { didYouMean } from '../util/suggest.js';
import type { Infer, Schema } from '../util/zod.js';
import { migrateTask } from './migrate.js';
import { type TaskSpec, TaskSpecSchema, type TaskSummary, TaskSummarySchema } from './schema.js';

/** One problem with one task file. */
export interface TaskFileProblem {
  readonly file: string;
  /** dotted field path inside the file, or null for the whole file */
  readonly field: string | null;
  readonly message: string;
}

/** The loaded catalogue. */
export interface TaskCatalogue {
  readonly dir: string;
  readonly tasks: TaskSpec[];
  readonly problems: TaskFileProblem[];
}

/** The task folder shipped with isobench (`tasks/` beside `dist/` or `src/`). */
export function defaultTasksDir(): string {
  return join(packageRoot(), 'tasks');
}

async function listJson(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new Error(`cannot read the task folder ${dir}: ${errorMessage(e)}`);
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listJson(p)));
    else if (e.isFile() && e.name.endsWith('.json')) out.push(p);
  }
  return out;
}

/** Loads every `*.json` under `dir` (recursively), fully validated. */
export async function loadTasks(dir: string): Promise<TaskCatalogue> {
  return loadWith(dir, parseTaskFile);
}

/** Loads only the fields other verbs consult ({@link TaskSummarySchema}), validating just those. */
export async function loadTaskSummaries(
  dir: string,
): Promise<{ dir: string; tasks: TaskSummary[]; problems: TaskFileProblem[] }> {
  return loadWith(dir, parseTaskSummary);
}

type FileParser<T> = (
  file: string,
  text: string,
) => { ok: true; task: T } | { ok: false; problems: TaskFileProblem[] };

async function loadWith<T extends TaskSummary>(
  dir: string,
  parse: FileParser<T>,
): Promise<{ dir: string; tasks: T[]; problems: TaskFileProblem[] }> {
  const files = await listJson(dir);
  const tasks: T[] = [];
  const problems: TaskFileProblem[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const shown = relative(process.cwd(), file) || file;
    // small files, read synchronously: much faster than one awaited read per file for a short-lived CLI
    const res = parse(shown, readFileSync(file, 'utf8'));
    if (!res.ok) {
      problems.push(...res.problems);
      continue;
    }
    const expected = relative(dir, file)
      .split(sep)
      .join('/')
      .replace(/\.json$/, '');
    if (res.task.id !== expected) {
      problems.push({
        file: shown,
        field: 'id',
        message: `expected '${expected}' (the file's path under the task folder), got '${res.task.id}'`,
      });
      continue;
    }
    const dup = seen.get(res.task.commits.human);
    if (dup) {
      problems.push({ file: shown, field: 'commits.human', message: `the same human commit as ${dup}` });
      continue;
    }
    seen.set(res.task.commits.human, shown);
    tasks.push(res.task);
  }
  return { dir, tasks, problems };
}

type ParsedFile<T> = { ok: true; task: T } | { ok: false; problems: TaskFileProblem[] };

/** JSON, then the version upgrade, then the schema; every problem names the file and field. */
function parseAgainst<S extends Schema>(schema: S, file: string, text: string): ParsedFile<Infer<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return {
      ok: false,
      problems: [{ file, field: null, message: `not valid JSON: ${errorMessage(e)}` }],
    };
  }
  const migrated = migrateTask(raw);
  if (!migrated.ok)
    return { ok: false, problems: [{ file, field: 'schemaVersion', message: migrated.message }] };
  const res = schema.safeParse(migrated.value);
  if (!res.success) {
    return {
      ok: false,
      problems: res.error.issues.map((i) => ({
        file,
        field: i.path.map(String).join('.') || null,
        message: i.message,
      })),
    };
  }
  return { ok: true, task: res.data };
}

/** Parses one task file, checking only the summary fields. */
export function parseTaskSummary(file: string, text: string): ParsedFile<TaskSummary> {
  return parseAgainst(TaskSummarySchema, file, text);
}

/** Parses and validates the text of one task file. */
export function parseTaskFile(file: string, text: string): ParsedFile<TaskSpec> {
  const res = parseAgainst(TaskSpecSchema, file, text);
  if (!res.ok) return res;
  const t = res.task;
  const short = t.id.split('/')[1] ?? '';
  if (/^[0-9a-f]{8}$/.test(short) && !t.commits.human.startsWith(short)) {
    return {
      ok: false,
      problems: [
        { file, field: 'commits.human', message: `expected a hash starting with the id's '${short}'` },
      ],
    };
  }
  return { ok: true, task: t };
}

/**
 * Finds a task by any of the ids people and tools use (the one resolver of the house): its id
 * (`vllm/015069b0`), its short id (`015069b0`), a prefix of its human commit (7 to 40 hex digits),
 * the original harness's instance id (`vllm__repo-<parent or human hash>`, the folder path before it
 * ignored) and a SWE-bench-style id (`vllm-project__vllm-<parent or human hash>`).
 */
export function findTask(tasks: readonly TaskSpec[], key: string): TaskSpec | undefined {
  const k = key.trim();
  const either = (t: TaskSpec, hash: string) =>
    t.commits.parent.startsWith(hash) || t.commits.human.startsWith(hash);
  const [, repo, hash] = /^(?:.*\/)?([\w.-]+)__repo-([0-9a-f]{7,40})$/.exec(k) ?? [];
  if (repo !== undefined && hash !== undefined) {
    return tasks.find((t) => t.repo.name.split('/').pop() === repo && either(t, hash));
  }
  const swe = /^[\w.-]+__[\w.-]+-([0-9a-f]{7,40})$/.exec(k)?.[1];
  return tasks.find(
    (t) =>
      t.id === k ||
      t.id.split('/')[1] === k ||
      (/^[0-9a-f]{7,40}$/.test(k) && t.commits.human.startsWith(k)) ||
      (swe !== undefined && either(t, swe)),
  );
}

/** The tasks a comma-separated `--tasks` list names, in its order; a key that names none is a usage error. */
export function tasksNamed(tasks: readonly TaskSpec[], dir: string, list: string): TaskSpec[] {
  const keys = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return keys.map((k) => {
    const t = findTask(tasks, k);
    if (!t) throw new UsageError(noTaskMessage(k, tasks, dir));
    return t;
  });
}

/** The error for a task key that names no task: where it looked, and the nearest id. */
export function noTaskMessage(
  key: string,
  tasks: readonly TaskSpec[],
  dir: string,
  what = '--tasks',
): string {
  return `${what}: '${key.trim()}' names no task in ${dir}${didYouMean(
    key.trim(),
    tasks.map((t) => t.id),
  )} (ids look like vllm/015069b0 or demo/cpu-latency; a short or full commit hash works too; isobench tasks list shows them)`;
}
