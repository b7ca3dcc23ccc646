/**
 * Fresh workspaces: per (task, agent, attempt) a new git repository whose tree is exactly the parent
 * commit and whose object store holds nothing else: the commit and the objects of its tree are packed
 * from the mirror (`rev-list --objects --no-walk | pack-objects`) into a new repository, the commit is
 * recorded as a shallow boundary (its parents are absent), and there is no remote, no alternates file
 * and no reflog of anything else. The human commit cannot be reached or even looked up from inside.
 * Every workspace is verified before an agent sees it. One pack and one checkout: about as fast as a
 * bare `git archive | tar -x` of the tree (test/bench/workspace.ts).
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { errorMessage } from '../util/errors.js';
import { statIfThere } from '../util/if-there.js';

/** The local branch a workspace is on. */
export const WORKSPACE_BRANCH = 'isobench';

/** How a workspace was made, and how long it took. */
export interface FreshWorkspace {
  readonly dir: string;
  /** the commit HEAD is at (the parent commit) */
  readonly head: string;
  readonly ms: number;
}

/** The workspace is not what it must be (a bug or a corrupt mirror): never handed to an agent. */
export class WorkspaceError extends Error {}

/** Identity for the git commands the harness runs in a workspace (never the user's). */
const GIT_ENV = {
  GIT_AUTHOR_NAME: 'isobench',
  GIT_AUTHOR_EMAIL: 'isobench@isobench.invalid',
  GIT_COMMITTER_NAME: 'isobench',
  GIT_COMMITTER_EMAIL: 'isobench@isobench.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_TERMINAL_PROMPT: '0',
};

/**
 * A simple-git client for `dir` that ignores the user's and the system's git configuration; with
 * `gitDir`, for the work tree `dir` and the repository at `gitDir` (the harness's own copy).
 */
export function gitIn(dir: string, gitDir?: string): { raw(args: readonly string[]): Promise<string> } {
  const config = ['commit.gpgsign=false'];
  const git = (
    gitDir
      ? simpleGit({ baseDir: dir, config, unsafe: { allowUnsafeConfigPaths: true } })
      : simpleGit({ baseDir: dir, config })
  ).env({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C',
    // no user configuration (aliases, filters, hooks paths) reaches these commands
    HOME: gitDir ?? join(dir, '.git'),
  });
  const prefix = gitDir ? [`--git-dir=${gitDir}`, `--work-tree=${dir}`] : [];
  return { raw: (args) => git.raw([...prefix, ...args]) };
}

/** Runs a command (with `input` on stdin), resolving to its stdout; a non-zero exit is a WorkspaceError. */
function run(cmd: string, args: readonly string[], cwd?: string, input?: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...GIT_ENV },
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      if (err.length < 4000) err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolvePromise(out)
        : reject(new WorkspaceError(`${cmd} ${args.join(' ')} exited ${code}: ${err.trim()}`)),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** The tree and parents of a commit, read from the mirror (a WorkspaceError when it is not there). */
async function readCommit(mirror: string, commit: string): Promise<{ tree: string; parents: string[] }> {
  let raw: string;
  try {
    raw = await simpleGit(mirror).raw(['cat-file', 'commit', commit]);
  } catch (e) {
    throw new WorkspaceError(
      `commit ${commit} is not in the repository ${mirror}: ${errorMessage(e).trim()}`,
    );
  }
  const header = raw.slice(0, raw.indexOf('\n\n'));
  const tree = /^tree ([0-9a-f]{40})$/m.exec(header)?.[1];
  if (!tree) throw new WorkspaceError(`commit ${commit} in ${mirror} has no tree line`);
  const parents = [...header.matchAll(/^parent ([0-9a-f]{40})$/gm)].flatMap((m) => m[1] ?? []);
  return { tree, parents };
}

/** Packs exactly the commit and its tree's objects from the mirror into the (new) repository at dest. */
async function packInto(mirror: string, commit: string, dest: string): Promise<void> {
  await run('bash', [
    '-c',
    'set -o pipefail; git --git-dir="$1" rev-list --objects --no-walk "$2" | git --git-dir="$1" pack-objects --stdout -q | git -C "$3" index-pack --stdin >/dev/null',
    'sh',
    mirror,
    commit,
    dest,
  ]);
}

/** Checks that a workspace is the parent commit, clean, with nothing of `forbidden` reachable or present. */
export async function verifyWorkspace(
  dir: string,
  commit: string,
  forbidden: readonly string[],
): Promise<void> {
  const git = gitIn(dir);
  const head = (await git.raw(['rev-parse', 'HEAD'])).trim();
  if (head !== commit) throw new WorkspaceError(`${dir}: HEAD is ${head}, expected the parent ${commit}`);
  const status = await git.raw(['status', '--porcelain', '--ignored=no']);
  if (status.trim())
    throw new WorkspaceError(`${dir}: not clean at the parent commit:\n${status.slice(0, 2000)}`);
  const remotes = (await git.raw(['remote'])).trim();
  if (remotes) throw new WorkspaceError(`${dir}: has remotes (${remotes})`);
  if (await statIfThere(join(dir, '.git', 'objects', 'info', 'alternates')))
    throw new WorkspaceError(`${dir}: borrows objects from another repository (alternates)`);
  const all = (await git.raw(['rev-list', '--all'])).split('\n').filter(Boolean);
  if (all.length !== 1 || all[0] !== commit)
    throw new WorkspaceError(`${dir}: history holds ${all.length} commits, expected only the parent`);
  for (const f of forbidden) {
    // cat-file -e fails exactly when the object cannot be looked up
    const found = await git
      .raw(['cat-file', '-e', `${f}^{object}`])
      .then(() => true)
      .catch(() => false);
    if (found) throw new WorkspaceError(`${dir}: commit ${f} can be looked up from the workspace`);
  }
}

/**
 * Makes `dest` (removed first) a fresh workspace at `commit` from the mirror, and verifies it: HEAD is
 * `commit`, the tree is clean, and none of `forbidden` (the human commit, anything after the parent)
 * can be looked up. Throws `WorkspaceError` when the result is not exactly that.
 */
export async function freshWorkspace(
  mirror: string,
  commit: string,
  dest: string,
  forbidden: readonly string[] = [],
  opts: { baseGitDir?: string } = {},
): Promise<FreshWorkspace> {
  const t0 = performance.now();
  const c = await readCommit(mirror, commit);
  await rm(dest, { recursive: true, force: true });
  await mkdir(dest, { recursive: true });
  const git = gitIn(dest);
  await git.raw(['init', '-q', '-b', WORKSPACE_BRANCH]);
  await packInto(mirror, commit, dest);
  // the commit's parents are absent: record it as a shallow boundary (git then treats it as a root)
  if (c.parents.length) await writeFile(join(dest, '.git', 'shallow'), `${commit}\n`);
  await git.raw(['update-ref', `refs/heads/${WORKSPACE_BRANCH}`, commit]);
  await git.raw(['reset', '-q', '--hard', commit]);
  await verifyWorkspace(dest, commit, forbidden);
  if (opts.baseGitDir) {
    // the harness's own copy of the repository, outside the workspace: the patch is computed with it,
    // whatever the agent does to the workspace's .git (commits, resets, excludes, deleting it)
    await rm(opts.baseGitDir, { recursive: true, force: true });
    await cp(join(dest, '.git'), opts.baseGitDir, { recursive: true });
  }
  return { dir: dest, head: commit, ms: performance.now() - t0 };
}
