/**
 * The agent's patch, computed by the harness after the agent exits: everything in the workspace is
 * staged (ignored files stay out, as do the agent's scratch folders) and diffed against the parent
 * commit, whatever the agent did to HEAD, branches or the index meanwhile. The workspace is left as
 * the agent left it (the staging is undone). With the harness's own copy of the repository
 * (`gitDir`), nothing the agent did to the workspace's `.git` matters.
 */
import { gitIn } from './fresh.js';

/** Folders an agent may write freely; never part of its patch. */
export const SCRATCH_DIRS: readonly string[] = ['.isobench-scratch', '.bench_scratch'];

/** One file of a computed patch. */
export interface PatchStat {
  readonly path: string;
  /** lines added and removed; null for binary files */
  readonly added: number | null;
  readonly removed: number | null;
  readonly binary: boolean;
}

/** The harness-computed patch of a workspace. */
export interface ComputedPatch {
  /** `git diff --binary` of the workspace against the parent ('' when nothing changed) */
  readonly patch: string;
  readonly files: readonly PatchStat[];
  readonly added: number;
  readonly removed: number;
  /** files under a protected path (e.g. `benchmarks/`): the bench refuses such a patch */
  readonly protectedTouched: readonly string[];
}

/**
 * Stages the workspace at `dir` (minus `exclude` folders and ignored files), diffs it against `base`,
 * and unstages again. Rename detection is off (every file is a plain add, delete or change).
 */
export async function computePatch(
  dir: string,
  base: string,
  opts: {
    exclude?: readonly string[];
    protectedPaths?: readonly string[];
    /** the harness's copy of the workspace's repository (`freshWorkspace`'s baseGitDir) */
    gitDir?: string;
  } = {},
): Promise<ComputedPatch> {
  const git = gitIn(dir, opts.gitDir);
  const exclude = (opts.exclude ?? SCRATCH_DIRS).map((d) => `:(exclude)${d}`);
  await git.raw(['add', '-A', '--', '.', ...exclude]);
  try {
    const common = ['diff', '--cached', '--no-renames', '--no-color', '--no-ext-diff', '--no-textconv'];
    const patch = await git.raw([...common, '--binary', '--full-index', base, '--']);
    const numstat = await git.raw([...common, '--numstat', '-z', base, '--']);
    const files: PatchStat[] = [];
    // -z: "added\tremoved\tpath\0" per file, added/removed '-' for binary files
    for (const rec of numstat.split('\0')) {
      const [, added, removed, path] = /^(-|\d+)\t(-|\d+)\t([\s\S]+)$/.exec(rec.replace(/^\n/, '')) ?? [];
      if (path === undefined) continue;
      const binary = added === '-';
      files.push({
        path,
        added: binary ? null : Number(added),
        removed: binary ? null : Number(removed),
        binary,
      });
    }
    const protectedPaths = opts.protectedPaths ?? [];
    return {
      patch,
      files,
      added: files.reduce((n, f) => n + (f.added ?? 0), 0),
      removed: files.reduce((n, f) => n + (f.removed ?? 0), 0),
      protectedTouched: files
        .map((f) => f.path)
        .filter((p) =>
          protectedPaths.some(
            (q) => p === q.replace(/\/$/, '') || p.startsWith(q.endsWith('/') ? q : `${q}/`),
          ),
        ),
    };
  } finally {
    // the index only held the diff's intent-to-add entries; the workspace is thrown away after
    await git.raw(['reset', '-q']).catch(() => undefined);
  }
}
