/** The images of a task's two commits (parent and human), built from one recipe family. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { simpleGit } from 'simple-git';
import { materializeDemoRepo } from '../task/demo.js';
import type { TaskSpec } from '../task/schema.js';
import { type BuiltImage, ensureImage, type ImageRecipe, recipeTag, writeBuildContext } from './images.js';
import { demoRecipe, vllmRecipe } from './recipes.js';

/** A written build context: where, the tag it would get, and the `docker build` that builds it. */
export interface WrittenContext {
  readonly role: 'parent' | 'human';
  readonly commit: string;
  readonly dir: string;
  readonly tag: string;
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly network: boolean;
  readonly notes: readonly string[];
  readonly command: readonly string[];
}

async function recipesOf(
  task: TaskSpec,
  tmp: string,
  opts: { clone?: string; baseImage: string },
  each: (role: 'parent' | 'human', recipe: ImageRecipe) => Promise<void>,
): Promise<void> {
  let repo: string;
  if (task.repo.demo) repo = (await materializeDemoRepo(task.repo.demo, join(tmp, 'repo'))).dir;
  else if (opts.clone) repo = opts.clone;
  else throw new Error(`${task.id}: building its images needs a local clone of ${task.repo.url} (--repo)`);
  try {
    for (const role of ['parent', 'human'] as const) {
      const commit = task.commits[role];
      const tree = join(tmp, role);
      await simpleGit(repo).raw(['worktree', 'add', '--detach', '--force', tree, commit]);
      const date = task.commits.date ?? new Date().toISOString();
      await each(
        role,
        task.repo.demo ? demoRecipe(task, tree, opts.baseImage) : vllmRecipe(task, commit, tree, date),
      );
    }
  } finally {
    await rm(join(tmp, 'parent'), { recursive: true, force: true });
    await rm(join(tmp, 'human'), { recursive: true, force: true });
    await simpleGit(repo)
      .raw(['worktree', 'prune'])
      .catch(() => undefined);
  }
}

/**
 * Writes the build contexts of a task's two images under `dest/<role>/` without building them
 * (`images build --context-only`): what `docker build` would be given, to read or to build elsewhere.
 */
export async function writeTaskContexts(
  task: TaskSpec,
  opts: { clone?: string; baseImage: string; dest: string },
): Promise<WrittenContext[]> {
  const tmp = await mkdtemp(join(tmpdir(), 'isobench-images-'));
  const out: WrittenContext[] = [];
  try {
    await recipesOf(task, tmp, opts, async (role, recipe) => {
      const dir = join(opts.dest, role);
      await rm(dir, { recursive: true, force: true });
      await writeBuildContext(recipe, dir);
      const tag = await recipeTag(recipe);
      out.push({
        role,
        commit: task.commits[role],
        dir,
        tag,
        buildArgs: recipe.buildArgs,
        network: recipe.network === true,
        notes: recipe.notes ?? [],
        command: [
          'docker',
          'build',
          ...(recipe.network ? ['--network', 'host'] : ['--network', 'none']),
          ...Object.entries(recipe.buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
          '-t',
          tag,
          dir,
        ],
      });
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return out;
}

/** Builds (or finds) the parent's and the human's images of a task. */
export async function buildTaskImages(
  docker: Docker,
  task: TaskSpec,
  opts: { clone?: string; baseImage: string; logDir: string },
): Promise<{ parent: BuiltImage; human: BuiltImage }> {
  const tmp = await mkdtemp(join(tmpdir(), 'isobench-images-'));
  try {
    const out: Partial<Record<'parent' | 'human', BuiltImage>> = {};
    await recipesOf(task, tmp, opts, async (role, recipe) => {
      out[role] = await ensureImage(docker, recipe, opts.logDir);
    });
    return out as { parent: BuiltImage; human: BuiltImage };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
