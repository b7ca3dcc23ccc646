/**
 * The user's clone of a task's repository, checked before anything is spent on it: it must exist,
 * be a git repository, and hold every commit the tasks name (parent and human). A missing commit is
 * bad input named with the task, the commit and the clone, never a raw git error found late and
 * retried as infrastructure. And the two commits of a task checked out for reading.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { materializeDemoRepo } from '../task/demo.js';
import type { TaskSpec } from '../task/schema.js';

/** The problems of a clone for some tasks (empty when every commit is there). */
export async function cloneProblems(
  clone: string | undefined,
  tasks: readonly TaskSpec[],
  roles: ReadonlyArray<'parent' | 'human'> = ['parent', 'human'],
): Promise<string[]> {
  const real = tasks.filter((t) => !t.repo.demo);
  if (real.length === 0) return [];
  if (!clone)
    return [
      `${real.map((t) => t.id).join(', ')}: ${real.length === 1 ? 'needs' : 'need'} a local clone of ${real[0]?.repo.url} (--repo CLONE)`,
    ];
  if (!existsSync(clone)) return [`--repo ${clone}: no such folder`];
  const git = simpleGit(clone);
  // git refusing to look at the folder is as much 'not a repository' as git saying so
  if (!(await git.checkIsRepo().catch(() => false))) return [`--repo ${clone}: not a git repository`];
  const problems: string[] = [];
  for (const t of real) {
    for (const role of roles) {
      const sha = t.commits[role];
      // rev-parse rather than cat-file -e: a commit given by a replace ref (git replace) counts too
      const ok = await git
        .raw(['rev-parse', '--verify', '--quiet', `${sha}^{commit}`])
        .then((o) => o.trim().length > 0)
        .catch(() => false);
      if (!ok)
        problems.push(
          `${t.id}: the clone ${clone} has no commit ${sha} (the task's ${role}); fetch it (git -C ${clone} fetch origin ${sha}) or clone ${t.repo.url} in full`,
        );
    }
  }
  return problems;
}

/** A task's two commits checked out side by side, for reading (never for running). */
export interface CommitTrees {
  readonly parent: string;
  readonly human: string;
}

/**
 * Checks out a task's parent and human commit as worktrees in a temporary folder (demo tasks: of the
 * repository generated from harness/demo; others: of `clone`), calls `fn` with them, then removes
 * the folder and prunes the worktrees from the clone, whatever `fn` did.
 */
export async function withCommitTrees<T>(
  task: TaskSpec,
  clone: string | undefined,
  fn: (trees: CommitTrees) => Promise<T>,
): Promise<T> {
  const tmp = await mkdtemp(join(tmpdir(), 'isobench-trees-'));
  let repo: string | undefined;
  try {
    if (task.repo.demo) repo = (await materializeDemoRepo(task.repo.demo, join(tmp, 'repo'))).dir;
    else if (clone) repo = clone;
    else throw new Error(`${task.id}: needs a local clone of ${task.repo.url} (--repo)`);
    const trees = { parent: join(tmp, 'parent'), human: join(tmp, 'human') };
    for (const role of ['parent', 'human'] as const)
      await simpleGit(repo).raw(['worktree', 'add', '--detach', '--force', trees[role], task.commits[role]]);
    return await fn(trees);
  } finally {
    await rm(tmp, { recursive: true, force: true });
    if (repo && !task.repo.demo)
      // a note of a removed tree left in the clone is pruned by the next check
      await simpleGit(repo)
        .raw(['worktree', 'prune'])
        .catch(() => undefined);
  }
}
