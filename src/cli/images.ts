/** `isobench images build`: the per-commit images of tasks, built from their recipes and smoke-tested. */
import { join, resolve } from 'node:path';
import { InfraError } from '../executor/types.js';
import { defaultTasksDir, findTask, loadTasks } from '../task/loader.js';
import { EXIT, out, outJson, UsageError } from './common.js';

/** `images build --tasks IDS [--repo PATH] [--base IMAGE] [--log-dir DIR]`. */
export async function imagesBuildCmd(opts: {
  tasks: string;
  repo?: string;
  base?: string;
  logDir?: string;
  json?: boolean;
  tasksDir?: string;
}): Promise<number> {
  const catalogue = await loadTasks(resolve(opts.tasksDir ?? defaultTasksDir()));
  const { connectDocker, dockerAvailable } = await import('../executor/docker.js');
  const { buildTaskImages } = await import('../executor/task-images.js');
  const docker = await connectDocker();
  const ok = await dockerAvailable(docker);
  if (!ok.ok) throw new UsageError(`no Docker engine: ${ok.reason}`);
  const results: unknown[] = [];
  for (const key of opts.tasks.split(',').map((s) => s.trim())) {
    const task = findTask(catalogue.tasks, key);
    if (!task) throw new UsageError(`--tasks: no task '${key}'`);
    try {
      const r = await buildTaskImages(docker, task, {
        clone: opts.repo ? resolve(opts.repo) : undefined,
        baseImage: opts.base ?? 'isobench-base:bookworm',
        logDir: resolve(opts.logDir ?? join('results', 'images')),
      });
      results.push({ task: task.id, ...r });
      if (!opts.json) {
        for (const role of ['parent', 'human'] as const) {
          const b = r[role];
          out(
            `${task.id} ${role.padEnd(6)} ${b.tag} ${b.id.slice(0, 19)} ${b.built ? 'built' : 'existed'}; smoke: ${b.smoke.map((s) => `${s.argv.slice(0, 2).join(' ')} → ${s.exitCode}`).join(', ')}`,
          );
        }
      }
    } catch (e) {
      if (e instanceof InfraError) throw new UsageError(`${task.id}: ${e.message}`);
      throw e;
    }
  }
  if (opts.json) outJson({ schemaVersion: 1, images: results });
  return EXIT.ok;
}
