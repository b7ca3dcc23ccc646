/** The images of a task's two commits (parent and human), built from one recipe family. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { simpleGit } from 'simple-git';
import { materializeDemoRepo } from '../task/demo.js';
import type { TaskSpec } from '../task/schema.js';
import { type BuiltImage, ensureImage } from './images.js';
import { demoRecipe, vllmRecipe } from './recipes.js';

/** Builds (or finds) the parent's and the human's images of a task. */
export async function buildTaskImages(
  docker: Docker,
  task: TaskSpec,
  opts: { clone?: string; baseImage: string; logDir: string },
): Promise<{ parent: BuiltImage; human: BuiltImage }> {
  const tmp = await mkdtemp(join(tmpdir(), 'isobench-images-'));
  try {
    let repo: string;
    if (task.repo.demo) repo = (await materializeDemoRepo(task.repo.demo, join(tmp, 'repo'))).dir;
    else if (opts.clone) repo = opts.clone;
    else throw new Error(`${task.id}: building its images needs a local clone of ${task.repo.url} (--repo)`);
    const out: Partial<Record<'parent' | 'human', BuiltImage>> = {};
    for (const role of ['parent', 'human'] as const) {
      const commit = task.commits[role];
      const tree = join(tmp, role);
      await simpleGit(repo).raw(['worktree', 'add', '--detach', '--force', tree, commit]);
      const date = task.commits.date ?? new Date().toISOString();
      const recipe = task.repo.demo
        ? demoRecipe(task, tree, opts.baseImage)
        : vllmRecipe(task, commit, tree, date);
      out[role] = await ensureImage(docker, recipe, opts.logDir);
    }
    await simpleGit(repo)
      .raw(['worktree', 'prune'])
      .catch(() => undefined);
    return out as { parent: BuiltImage; human: BuiltImage };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
