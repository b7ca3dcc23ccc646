/** `isobench prefetch`: fetch (on a host with network) or check what tasks need offline. */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fetchScript, missingFromCache } from '../prefetch/cache.js';
import { defaultTasksDir, findTask, loadTasks, noTaskMessage } from '../task/loader.js';
import type { TaskSpec } from '../task/schema.js';
import { columns, EXIT, out, outJson, UsageError } from './common.js';

/** `prefetch --tasks IDS --cache DIR [--check]`. */
export async function prefetchCmd(opts: {
  tasks?: string;
  cache: string;
  check?: boolean;
  json?: boolean;
  tasksDir?: string;
}): Promise<number> {
  const cache = resolve(opts.cache);
  const catalogue = await loadTasks(resolve(opts.tasksDir ?? defaultTasksDir()));
  let tasks: TaskSpec[];
  if (opts.tasks) {
    tasks = opts.tasks.split(',').map((k) => {
      const t = findTask(catalogue.tasks, k.trim());
      if (!t) throw new UsageError(noTaskMessage(k, catalogue.tasks, catalogue.dir));
      return t;
    });
  } else tasks = catalogue.tasks.filter((t) => t.benchmarkable.ok);
  if (!opts.check) {
    mkdirSync(cache, { recursive: true });
    const r = spawnSync('python3', ['-c', fetchScript(tasks, cache)], { stdio: 'inherit' });
    if (r.error) throw new UsageError(`cannot run python3 to fetch: ${r.error.message}`);
    if (r.status !== 0) out(`fetching ended with exit code ${r.status}; what is still missing follows`);
  }
  const report = tasks.map((t) => ({ task: t.id, missing: missingFromCache(t, cache) }));
  const missing = report.filter((r) => r.missing.length);
  if (opts.json) outJson({ schemaVersion: 1, cache, tasks: report });
  else {
    out(
      `prefetch cache ${cache}: ${tasks.length - missing.length} of ${tasks.length} task(s) ready to run offline`,
    );
    for (const line of columns(
      missing.flatMap((r) => r.missing.map((m) => [`  ${r.task}`, m.kind, m.id, m.expectedAt])),
    ))
      out(line);
  }
  return missing.length ? EXIT.findings : EXIT.ok;
}
