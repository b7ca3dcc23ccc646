/**
 * The replay agent: patches that already exist, from SWE-bench-style predictions JSONL
 * (`instance_id`, `model_name_or_path`, `model_patch`), a folder of `<task>.patch` / `.diff` files,
 * or a folder of ISO-Bench agent runs (`<short>/prediction.jsonl`). Each patch is matched to a task
 * by task id (`demo/cpu-serving`, `vllm/015069b0`), short or full commit hash, or the SWE-bench
 * instance id (`vllm-project__vllm-<parent hash prefix>`), or the original ISO-Bench harness's
 * `<path>/vllm__repo-<parent hash prefix>`. Bad lines are reported with their file and line; the rest
 * are used.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { type AttemptEffort, AttemptEffortSchema } from '../../src/store/config.js';
import { findTask } from '../../src/task/loader.js';
import type { TaskSpec } from '../../src/task/schema.js';
import { errorMessage } from '../../src/util/errors.js';
import { isJsonObject, parseJson } from '../../src/util/json.js';

/** One replayed patch. */
export interface ReplayEntry {
  readonly task: TaskSpec;
  readonly agent: string;
  readonly model: string;
  readonly patch: string;
  /** file and line the patch came from */
  readonly source: string;
  /** the attempt's effort, when the line carries it (`isobench solve`'s predictions, version 2) */
  readonly effort?: AttemptEffort;
}

/** The result of reading predictions. */
export interface ReplayRead {
  readonly entries: ReplayEntry[];
  /** problems, each naming the file (and line) */
  readonly problems: string[];
}

function readJsonl(
  file: string,
  tasks: readonly TaskSpec[],
  agent: string | undefined,
  out: ReplayRead,
): void {
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const where = `${file}:${i + 1}`;
    let v: unknown;
    try {
      v = parseJson(line);
    } catch (e) {
      out.problems.push(`${where}: not JSON (${errorMessage(e)})`);
      return;
    }
    if (!isJsonObject(v)) {
      out.problems.push(`${where}: not a JSON object`);
      return;
    }
    const p = v;
    const id = p.instance_id;
    const patch = p.model_patch;
    if (typeof id !== 'string' || !id) {
      out.problems.push(`${where}: no instance_id`);
      return;
    }
    if (typeof patch !== 'string') {
      out.problems.push(`${where}: model_patch is not a string`);
      return;
    }
    const task = findTask(tasks, id) ?? null;
    if (!task) {
      out.problems.push(`${where}: instance_id '${id}' names no task in the catalogue`);
      return;
    }
    const model =
      typeof p.model_name_or_path === 'string' && p.model_name_or_path ? p.model_name_or_path : 'unknown';
    const name = agent ?? (typeof p.agent === 'string' ? p.agent : basename(file, extname(file)));
    let effort: AttemptEffort | undefined;
    if (p.effort !== undefined) {
      const e = AttemptEffortSchema.safeParse(p.effort);
      if (!e.success) {
        const i = e.error.issues[0];
        out.problems.push(`${where}: effort.${i?.path.join('.') || '(root)'}: ${i?.message}`);
        return;
      }
      effort = e.data;
    }
    out.entries.push({ task, agent: name, model, patch, source: where, ...(effort ? { effort } : {}) });
  });
}

/** Reads predictions from a JSONL file or a folder. `agent` names the agent when the files do not. */
export function readPredictions(path: string, tasks: readonly TaskSpec[], agent?: string): ReplayRead {
  const out: ReplayRead = { entries: [], problems: [] };
  if (!existsSync(path)) {
    out.problems.push(`${path}: no such file or folder`);
    return out;
  }
  if (statSync(path).isFile()) {
    readJsonl(path, tasks, agent, out);
    return out;
  }
  for (const name of readdirSync(path).sort()) {
    const p = join(path, name);
    if (statSync(p).isDirectory()) {
      const pred = join(p, 'prediction.jsonl');
      if (existsSync(pred)) readJsonl(pred, tasks, agent ?? basename(path), out);
      continue;
    }
    if (name.endsWith('.jsonl')) {
      readJsonl(p, tasks, agent, out);
      continue;
    }
    if (name.endsWith('.patch') || name.endsWith('.diff')) {
      const key = name.replace(/\.(patch|diff)$/, '').replace(/__/g, '/');
      const task = findTask(tasks, key) ?? null;
      if (!task) {
        out.problems.push(`${p}: '${key}' names no task in the catalogue`);
        continue;
      }
      out.entries.push({
        task,
        agent: agent ?? basename(path),
        model: 'unknown',
        patch: readFileSync(p, 'utf8'),
        source: p,
      });
    }
  }
  return out;
}
