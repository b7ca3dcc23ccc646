/** The images of a task's two commits (parent and human), built from one recipe family. */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { TaskSpec } from '../task/schema.js';
import { withCommitTrees } from '../workspace/clone.js';
import { type BuiltImage, ensureImage, type ImageRecipe, recipeTag, writeBuildContext } from './images.js';
import { recipeFor } from './recipes.js';
import type { RecipeMode } from './types.js';

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
  opts: { clone?: string; baseImage: string; mode?: RecipeMode },
  each: (role: 'parent' | 'human', recipe: ImageRecipe) => Promise<void>,
): Promise<void> {
  await withCommitTrees(task, opts.clone, async (trees) => {
    for (const role of ['parent', 'human'] as const)
      await each(role, recipeFor(task, role, trees[role], opts.baseImage, opts.mode));
  });
}

/**
 * Writes the build contexts of a task's two images under `dest/<role>/` without building them
 * (`images build --context-only`): what `docker build` would be given, to read or to build elsewhere.
 */
export async function writeTaskContexts(
  task: TaskSpec,
  opts: { clone?: string; baseImage: string; dest: string },
): Promise<WrittenContext[]> {
  const out: WrittenContext[] = [];
  await recipesOf(task, opts, async (role, recipe) => {
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
  return out;
}

/** Builds (or finds) the parent's and the human's images of a task. */
export async function buildTaskImages(
  docker: Docker,
  task: TaskSpec,
  opts: { clone?: string; baseImage: string; logDir: string; gpus?: readonly string[]; mode?: RecipeMode },
): Promise<{ parent: BuiltImage; human: BuiltImage }> {
  const out: Partial<Record<'parent' | 'human', BuiltImage>> = {};
  await recipesOf(task, opts, async (role, recipe) => {
    out[role] = await ensureImage(docker, recipe, opts.logDir, { gpus: opts.gpus });
  });
  const { parent, human } = out;
  if (!parent || !human) throw new Error(`task ${task.id}: the images of both commits were not built`);
  return { parent, human };
}
