/**
 * What a run is asked to measure: the tasks (checked benchmarkable, their commits in the clone), the
 * predictions' patches and the agents it starts itself, read from its options before any work.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AgentPatch } from '../bench/types.js';
import type { AgentSpec } from '../store/config.js';
import { defaultTasksDir, findTask, loadTasks, noTaskMessage } from '../task/loader.js';
import type { TaskSpec } from '../task/schema.js';
import { UsageError } from '../util/errors.js';
import { packageRoot } from '../util/package-root.js';
import { agentSpecs } from './agent-specs.js';
import type { RunCliOptions } from './options.js';

/** The embedded default: the two CPU demo tasks and the example agent's patches. */
export const DEFAULT_TASKS = ['demo/cpu-serving', 'demo/cpu-latency'];
export const DEFAULT_PREDICTIONS = () => [
  join(packageRoot(), 'harness/demo/predictions/example-agent.jsonl'),
];

/** The tasks, the predictions' patches and the agents a run is asked for. */
export interface RunInputs {
  readonly tasks: TaskSpec[];
  readonly patches: Map<string, AgentPatch[]>;
  readonly agents: AgentSpec[];
  /** predictions that could not be used (each told to `onProblem`) */
  readonly problems: number;
}

/**
 * A rehearsal's inputs: the tasks without their GPUs (the stand-in engine needs none, and the
 * measurement record says what really ran), the rest as given.
 */
export function rehearsalInputs(inputs: RunInputs): RunInputs {
  return { ...inputs, tasks: inputs.tasks.map((t) => ({ ...t, hardware: { gpu: 'none', count: 0 } })) };
}

/** Reads the catalogue, the predictions and the agents; refuses tasks that cannot run. */
export async function runInputs(opts: RunCliOptions, onProblem: (line: string) => void): Promise<RunInputs> {
  if (opts.accuracy && !existsSync(resolve(opts.accuracy)))
    throw new UsageError(`--accuracy: ${opts.accuracy} does not exist`);
  const catalogue = await loadTasks(resolve(opts.tasksDir ?? defaultTasksDir()));
  for (const p of catalogue.problems)
    onProblem(`task catalogue: ${p.file}${p.field ? ` (${p.field})` : ''}: ${p.message}`);
  const { readPredictions } = await import('../../agents/replay/index.js');
  const agents = opts.agents ? await agentSpecs(opts) : [];
  const predictionFiles = opts.predictions?.length
    ? opts.predictions.map((p) => resolve(p))
    : agents.length
      ? []
      : DEFAULT_PREDICTIONS();
  const patches = new Map<string, AgentPatch[]>();
  let problems = 0;
  for (const file of predictionFiles) {
    const read = readPredictions(file, catalogue.tasks, opts.agent);
    for (const p of read.problems) {
      problems++;
      onProblem(p);
    }
    for (const e of read.entries) {
      const list = patches.get(e.task.id) ?? [];
      list.push({
        agent: e.agent,
        model: e.model,
        patch: e.patch,
        source: e.source,
        ...(e.effort ? { effort: e.effort } : {}),
      });
      patches.set(e.task.id, list);
    }
  }
  const wanted = opts.tasks
    ? opts.tasks
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s)
    : opts.predictions?.length
      ? [...patches.keys()]
      : DEFAULT_TASKS;
  const tasks: TaskSpec[] = [];
  for (const key of wanted) {
    const t = findTask(catalogue.tasks, key) ?? null;
    if (!t) throw new UsageError(noTaskMessage(key, catalogue.tasks, catalogue.dir));
    if (!t.benchmarkable.ok)
      throw new UsageError(
        `${t.id} is not benchmarkable (${t.benchmarkable.reason}): ${t.benchmarkable.detail}`,
      );
    tasks.push(t);
  }
  if (tasks.length === 0)
    throw new UsageError('no tasks to run: give --tasks, or predictions that name tasks');
  const { cloneProblems } = await import('../workspace/clone.js');
  const cloneBad = await cloneProblems(opts.repo ? resolve(opts.repo) : undefined, tasks);
  if (cloneBad.length) throw new UsageError(cloneBad.join('\n'));
  return { tasks, patches, agents, problems };
}
