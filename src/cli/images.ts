/**
 * `isobench images build|list|prune`: the per-commit images of tasks, built from their recipes and
 * smoke-tested, and the cache's disk budget (least recently used go first).
 */
import { join, resolve } from 'node:path';
import { InfraError } from '../executor/types.js';
import { defaultTasksDir, findTask, loadTasks, noTaskMessage } from '../task/loader.js';
import { errorMessage } from '../util/errors.js';
import { shellLine } from '../util/shell-words.js';
import { variantSlug } from '../util/slug.js';
import { columns, EXIT, out, outJson, UsageError } from './common.js';

/** `images build --tasks IDS [--repo PATH] [--base IMAGE] [--log-dir DIR]`. */
export async function imagesBuildCmd(opts: {
  tasks: string;
  repo?: string;
  base?: string;
  logDir?: string;
  json?: boolean;
  tasksDir?: string;
  contextOnly?: string;
}): Promise<number> {
  const catalogue = await loadTasks(resolve(opts.tasksDir ?? defaultTasksDir()));
  const tasks = opts.tasks.split(',').map((s) => s.trim());
  const picked = tasks.map((key) => {
    const task = findTask(catalogue.tasks, key);
    if (!task) throw new UsageError(noTaskMessage(key, catalogue.tasks, catalogue.dir));
    return task;
  });
  const { cloneProblems } = await import('../workspace/clone.js');
  const cloneBad = await cloneProblems(opts.repo ? resolve(opts.repo) : undefined, picked);
  if (cloneBad.length) throw new UsageError(cloneBad.join('\n'));
  if (opts.contextOnly) {
    const { writeTaskContexts } = await import('../executor/task-images.js');
    const dest = resolve(opts.contextOnly);
    const written: unknown[] = [];
    for (const task of picked) {
      const contexts = await writeTaskContexts(task, {
        clone: opts.repo ? resolve(opts.repo) : undefined,
        baseImage: opts.base ?? 'isobench-base:bookworm',
        dest: join(dest, variantSlug(task.id)),
      });
      written.push({ task: task.id, contexts });
      if (!opts.json)
        for (const c of contexts) {
          out(`${task.id} ${c.role.padEnd(6)} ${c.tag}  ${c.dir}`);
          out(`  ${shellLine(c.command)}`);
        }
    }
    if (opts.json) outJson({ schemaVersion: 1, contextOnly: true, tasks: written });
    return EXIT.ok;
  }
  const { connectDocker, dockerAvailable } = await import('../executor/docker.js');
  const { buildTaskImages } = await import('../executor/task-images.js');
  const docker = await connectDocker();
  const ok = await dockerAvailable(docker);
  if (!ok.ok) throw new UsageError(`no Docker engine: ${ok.reason}`);
  const results: unknown[] = [];
  // the images' GPU checks (vLLM's compiled extensions loaded) run on this host's GPUs, where it has any
  const { detectGpus } = await import('../sched/slots.js');
  const gpus = await detectGpus();
  for (const task of picked) {
    try {
      const r = await buildTaskImages(docker, task, {
        clone: opts.repo ? resolve(opts.repo) : undefined,
        baseImage: opts.base ?? 'isobench-base:bookworm',
        logDir: resolve(opts.logDir ?? join('results', 'images')),
        gpus,
      });
      results.push({ task: task.id, ...r });
      if (!opts.json) {
        for (const role of ['parent', 'human'] as const) {
          const b = r[role];
          out(
            `${task.id} ${role.padEnd(6)} ${b.tag} ${b.id.slice(0, 19)} ${b.built ? 'built' : 'existed'}; smoke: ${b.smoke.map((s) => `${s.gpu ? 'GPU ' : ''}${s.argv.slice(0, 2).join(' ')} → ${s.skipped ? `not run (${s.skipped})` : s.exitCode}`).join(', ')}`,
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
async function docker() {
  const { connectDocker, dockerAvailable } = await import('../executor/docker.js');
  const d = await connectDocker();
  const up = await dockerAvailable(d);
  if (!up.ok) throw new UsageError(`no Docker engine: ${up.reason}`);
  return d;
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

/** `isobench images list`. */
export async function imagesList(opts: { cacheRoot?: string; json?: boolean }): Promise<number> {
  const { cachedImages } = await import('../executor/image-cache.js');
  const imgs = await cachedImages(await docker(), opts.cacheRoot);
  if (opts.json) outJson({ schemaVersion: 1, images: imgs });
  else {
    for (const l of columns([
      ['TAG', 'OWN SIZE', 'LAST USED', 'IN USE'],
      ...imgs.map((i) => [
        i.tags.join(',') || i.id.slice(7, 19),
        mib(i.bytes),
        i.lastUsed,
        i.inUse ? 'yes' : '',
      ]),
    ]))
      out(l);
    out(`${imgs.length} image(s), ${mib(imgs.reduce((n, i) => n + i.bytes, 0))} of their own`);
  }
  return EXIT.ok;
}

/** `isobench images prune --budget SIZE`. */
export async function imagesPrune(opts: {
  budget: string;
  cacheRoot?: string;
  dryRun?: boolean;
  json?: boolean;
}): Promise<number> {
  const { parseBytes, pruneImages } = await import('../executor/image-cache.js');
  let budgetBytes: number;
  try {
    budgetBytes = parseBytes(opts.budget);
  } catch (e) {
    throw new UsageError(`--budget: ${errorMessage(e)}`);
  }
  const r = await pruneImages(await docker(), { budgetBytes, root: opts.cacheRoot, dryRun: opts.dryRun });
  if (opts.json) outJson({ schemaVersion: 1, ...r });
  else {
    for (const i of r.removed)
      out(
        `${opts.dryRun ? 'would remove' : 'removed'} ${i.tags.join(',') || i.id} (${mib(i.bytes)}, last used ${i.lastUsed})`,
      );
    out(`${mib(r.before)} -> ${mib(r.after)} (budget ${mib(budgetBytes)}); ${r.kept.length} image(s) kept`);
    if (r.after > budgetBytes) out('still over the budget: the rest are in use by containers');
  }
  return EXIT.ok;
}
