/**
 * The repository cache: one bare mirror per repository under `<cache>/repos/`, cloned once from a
 * URL or a local clone and fetched again only when a commit a task needs is missing. Workspaces are
 * made from it (`fresh.ts`), never from the user's clone.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { simpleGit } from 'simple-git';
import { materializeDemoRepo } from '../task/demo.js';
import type { TaskSpec } from '../task/schema.js';
import { errorMessage } from '../util/errors.js';
import { statIfThere } from '../util/if-there.js';
import { WorkspaceError } from './fresh.js';

/** The cache root: `$ISOBENCH_CACHE`, else `~/.cache/isobench`. */
export function defaultCacheRoot(): string {
  return resolve(process.env.ISOBENCH_CACHE ?? join(homedir(), '.cache', 'isobench'));
}

/** Where the mirror of repository `owner/name` lives. */
export function mirrorPath(root: string, name: string): string {
  return join(root, 'repos', `${name.replace(/[^\w.-]+/g, '__')}.git`);
}

async function has(mirror: string, commit: string): Promise<boolean> {
  return simpleGit(mirror)
    .raw(['cat-file', '-e', `${commit}^{commit}`])
    .then(
      () => true,
      () => false,
    );
}

/** A mirror, and what was done to have it. */
export interface Mirror {
  readonly dir: string;
  readonly created: boolean;
  readonly fetched: boolean;
}

/**
 * The mirror of `name`, cloned from `source` (URL or local path) if absent, fetched if one of `need`
 * is missing. Throws a WorkspaceError naming the commits still missing after that. Safe when two
 * processes create the same mirror at once (clone to a temporary name, then rename).
 */
export async function ensureMirror(opts: {
  readonly name: string;
  readonly source: string;
  readonly root?: string;
  readonly need?: readonly string[];
}): Promise<Mirror> {
  const dir = mirrorPath(opts.root ?? defaultCacheRoot(), opts.name);
  const need = opts.need ?? [];
  let created = false;
  let fetched = false;
  if (!(await statIfThere(dir))) {
    await mkdir(join(dir, '..'), { recursive: true });
    // unique per call: two attempts of one process may start in the same millisecond
    const tmp = `${dir}.tmp-${process.pid}-${randomUUID().slice(0, 8)}`;
    try {
      await simpleGit().raw(['clone', '--mirror', '--quiet', opts.source, tmp]);
      // lets a workspace fetch one commit by hash (the fallback of fresh.ts)
      await simpleGit(tmp).raw(['config', 'uploadpack.allowAnySHA1InWant', 'true']);
      await rename(tmp, dir).catch(async (e) => {
        if (!(await stat(dir).catch(() => null))) throw e; // someone else made it meanwhile: use theirs
      });
      created = true;
    } catch (e) {
      throw new WorkspaceError(`cannot mirror ${opts.name} from ${opts.source}: ${errorMessage(e).trim()}`);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  const missing = async () => {
    const out: string[] = [];
    for (const c of need) if (!(await has(dir, c))) out.push(c);
    return out;
  };
  if ((await missing()).length && !created) {
    await simpleGit(dir)
      .raw(['fetch', '--quiet', '--prune', 'origin', '+refs/*:refs/*'])
      .catch((e: Error) => {
        throw new WorkspaceError(`cannot update the mirror ${dir}: ${e.message.trim()}`);
      });
    fetched = true;
  }
  const still = await missing();
  if (still.length)
    throw new WorkspaceError(
      `${opts.name}: the mirror ${dir} (from ${opts.source}) lacks commit(s) ${still.join(', ')}`,
    );
  return { dir, created, fetched };
}

/**
 * The mirror of a task's repository: demo tasks are generated (then mirrored), others come from
 * `clone` (a local clone) or the task's URL.
 */
export async function mirrorForTask(
  task: TaskSpec,
  opts: { root?: string; clone?: string } = {},
): Promise<Mirror> {
  // concurrent calls for one mirror in this process share one making of it (other processes are
  // kept apart by the temporary name and the rename)
  const key = `${mirrorPath(opts.root ?? defaultCacheRoot(), task.repo.name)}\u0000${task.commits.parent}\u0000${task.commits.human}`;
  const pending = inFlight.get(key);
  if (pending) return pending.then((m) => ({ ...m, created: false, fetched: false }));
  const p = makeMirrorForTask(task, opts).finally(() => inFlight.delete(key));
  inFlight.set(key, p);
  return p;
}

const inFlight = new Map<string, Promise<Mirror>>();

async function makeMirrorForTask(task: TaskSpec, opts: { root?: string; clone?: string }): Promise<Mirror> {
  const root = opts.root ?? defaultCacheRoot();
  const need = [task.commits.parent, task.commits.human];
  if (task.repo.demo) {
    const dir = mirrorPath(root, task.repo.name);
    if (await statIfThere(dir)) {
      if ((await has(dir, task.commits.parent)) && (await has(dir, task.commits.human)))
        return { dir, created: false, fetched: false };
      // generated by another version of the demo: make it again
      await rm(dir, { recursive: true, force: true });
    }
    const src = join(root, 'demo-src', `${task.repo.demo}-${process.pid}-${randomUUID().slice(0, 8)}`);
    try {
      await materializeDemoRepo(task.repo.demo, src);
      return await ensureMirror({ name: task.repo.name, source: src, root, need });
    } finally {
      await rm(src, { recursive: true, force: true });
    }
  }
  return ensureMirror({ name: task.repo.name, source: opts.clone ?? task.repo.url, root, need });
}
