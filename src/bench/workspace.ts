/**
 * The source trees of a bench job on the host: the parent commit (baseline, and the untouched copy
 * of the benchmark client every variant runs), the human commit, and the parent with each agent's
 * patch applied after the patch checks.
 */
import { execFileSync } from 'node:child_process';
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import type { BenchConfig } from '../store/config.js';
import { DEFAULT_TAMPER_POLICY, refuses, scanPatch, type TamperPolicy } from '../tamper/registry.js';
import { materializeDemoRepo } from '../task/demo.js';
import type { TaskSpec } from '../task/schema.js';
import { variantSlug } from '../util/slug.js';
import { applyPatch, checkPatch, isNative } from '../workspace/patch.js';
import { type AgentPatch, type PreparedVariant, REBUILT_BASELINE } from './types.js';

/** Where a task's repository comes from: the demo generator, or a local clone holding both commits. */
export type RepoSource = NonNullable<BenchConfig['source']>;

/**
 * Puts the parent's copy of a pinned client (`vllm/benchmarks/` of `vllm bench`) into a variant's
 * tree in place of its own, so every variant times its run with the same code; says whether the
 * variant's own copy differed.
 */
async function pinClient(task: TaskSpec, parentDir: string, dir: string): Promise<string | null> {
  const copy = task.benchmark.clientCopy;
  if (!copy.pinned) return null;
  const from = join(parentDir, copy.path);
  const to = join(dir, copy.path);
  let differed = true;
  try {
    execFileSync('diff', ['-rq', from, to], { stdio: 'ignore' });
    differed = false;
  } catch {
    // differs, or absent in the variant
  }
  await rm(to, { recursive: true, force: true });
  await cp(from, to, { recursive: true, verbatimSymlinks: true });
  return differed
    ? `the parent's ${copy.path} replaced this tree's own (which differed), so the timing code is the same for every variant`
    : `the parent's ${copy.path} pinned (this tree's own was the same)`;
}

/** The variant ids of agent patches, in order: `agent:<name>`, then `agent:<name>#2`, … for a name seen again. */
export function agentVariantIds(agents: ReadonlyArray<{ readonly agent: string }>): string[] {
  const seen = new Map<string, number>();
  return agents.map((a) => {
    const n = (seen.get(a.agent) ?? 0) + 1;
    seen.set(a.agent, n);
    return `agent:${a.agent}${n > 1 ? `#${n}` : ''}`;
  });
}

async function checkout(repo: string, commit: string, dest: string): Promise<void> {
  await rm(dest, { recursive: true, force: true });
  await simpleGit(repo).raw(['worktree', 'add', '--detach', '--force', dest, commit]);
}

/**
 * Prepares every variant's tree under `root` (`src/<variant>`), and writes each agent's patch and
 * apply log under `root/patches`.
 */
export async function prepareVariants(
  task: TaskSpec,
  agents: readonly AgentPatch[],
  root: string,
  source: RepoSource = {},
  tamperPolicy: TamperPolicy = DEFAULT_TAMPER_POLICY,
): Promise<{ variants: PreparedVariant[]; repoDir: string }> {
  await mkdir(join(root, 'src'), { recursive: true });
  await mkdir(join(root, 'patches'), { recursive: true });
  const repoDir = await repositoryOf(task, root, source);
  const baselineDir = join(root, 'src', 'baseline');
  const humanDir = join(root, 'src', 'human');
  await checkout(repoDir, task.commits.parent, baselineDir);
  await checkout(repoDir, task.commits.human, humanDir);
  const humanPin = await pinClient(task, baselineDir, humanDir);
  const none = { agent: null, failure: null, patch: null, tamper: [] };
  const variants: PreparedVariant[] = [
    { id: 'baseline', kind: 'baseline', hostDir: baselineDir, ...none },
    { id: 'human', kind: 'human', hostDir: humanDir, ...none, ...(humanPin ? { notes: [humanPin] } : {}) },
  ];
  const ids = agentVariantIds(agents);
  const place = { task, repoDir, root, baselineDir, tamperPolicy };
  // ids has one id per agent, in order (agentVariantIds maps the agents)
  for (const [i, a] of agents.entries()) variants.push(await agentVariant(place, ids[i] as string, a));
  if (variants.some((v) => v.reference === REBUILT_BASELINE))
    variants.push(await rebuiltBaseline(repoDir, task, join(root, 'src', variantSlug(REBUILT_BASELINE))));
  return { variants, repoDir };
}

/** The repository holding the task's commits: the demo's, generated under `root`, or the user's clone. */
async function repositoryOf(task: TaskSpec, root: string, source: RepoSource): Promise<string> {
  if (task.repo.demo) {
    const repoDir = join(root, 'repo');
    await rm(repoDir, { recursive: true, force: true });
    const repo = await materializeDemoRepo(task.repo.demo, repoDir);
    if (repo.parent !== task.commits.parent || repo.human !== task.commits.human)
      throw new Error(
        `demo ${task.repo.demo}: the generated repository has parent ${repo.parent} / human ${repo.human}, but ${task.id} names ${task.commits.parent} / ${task.commits.human}; re-run \`isobench tasks import --demo\``,
      );
    return repoDir;
  }
  if (source.clone) return source.clone;
  throw new Error(
    `${task.id}: no repository: pass a local clone of ${task.repo.url} (it must hold ${task.commits.parent} and ${task.commits.human})`,
  );
}

/** Where agents' variants are prepared. */
interface AgentPlace {
  readonly task: TaskSpec;
  readonly repoDir: string;
  readonly root: string;
  readonly baselineDir: string;
  readonly tamperPolicy: TamperPolicy;
}

/**
 * An agent's variant: its patch checked (shape, protected paths), scanned by the tamper rules,
 * applied to a checkout of the parent, the client pinned; or the first of those that refused it.
 */
async function agentVariant(at: AgentPlace, id: string, a: AgentPatch): Promise<PreparedVariant> {
  const { task, root } = at;
  const slug = variantSlug(id);
  const refused = (
    failure: PreparedVariant['failure'],
    more: Partial<PreparedVariant> = {},
  ): PreparedVariant => ({
    id,
    kind: 'agent',
    agent: a,
    hostDir: null,
    failure,
    patch: null,
    tamper: [],
    ...more,
  });
  await writeFile(join(root, 'patches', `${slug}.patch`), a.patch);
  const check = checkPatch(a.patch, { protectedPaths: task.protectedPaths });
  if (!check.ok) return refused({ class: check.failure, detail: check.detail });
  const files = check.files.map((f) => f.path);
  const tamper = scanPatch(a.patch, { protectedPaths: task.protectedPaths });
  if (refuses(tamper, at.tamperPolicy))
    return refused(
      {
        class: 'tamper_detected',
        detail: tamper
          .filter((f) => f.severity === 'fail')
          .map((f) => `${f.rule} at ${f.file}:${f.line}: ${f.message} (${f.evidence})`)
          .join('; '),
      },
      { patch: { method: 'none', files, native: check.native }, tamper },
    );
  const dir = join(root, 'src', slug);
  await checkout(at.repoDir, task.commits.parent, dir);
  const applied = await applyPatch(dir, a.patch);
  await writeFile(join(root, 'patches', `${slug}.apply.log`), applied.log);
  if (!applied.ok) {
    if (applied.rejects) await writeFile(join(root, 'patches', `${slug}.rej`), applied.rejects);
    return refused(
      { class: 'patch_apply_failed', detail: applied.detail },
      { patch: { method: 'none', files, native: check.native }, tamper },
    );
  }
  if (check.native && !task.setup?.build)
    return refused(
      {
        class: 'build_unsupported',
        detail: `the patch changes compiled sources (${files.filter(isNative).join(', ')}) and ${task.id} has no build step`,
      },
      { patch: { method: applied.method, files, native: true }, tamper },
    );
  const pinned = await pinClient(task, at.baselineDir, dir);
  return {
    id,
    kind: 'agent',
    agent: a,
    hostDir: dir,
    failure: null,
    patch: { method: applied.method, files, native: check.native },
    tamper,
    ...(pinned ? { notes: [pinned] } : {}),
    ...(check.native ? { reference: REBUILT_BASELINE } : {}),
  };
}

/** The parent again, to be built by the build step of native patches in the same image: their reference. */
async function rebuiltBaseline(repoDir: string, task: TaskSpec, dir: string): Promise<PreparedVariant> {
  await checkout(repoDir, task.commits.parent, dir);
  return {
    id: REBUILT_BASELINE,
    kind: 'baseline',
    agent: null,
    hostDir: dir,
    failure: null,
    patch: { method: 'none', files: [], native: true },
    tamper: [],
    notes: [
      'the parent rebuilt with the build step of native patches, in the parent image: what native agent patches are measured against (the baseline runs the CI-built wheel)',
    ],
  };
}

/** Removes the worktrees (the repository keeps no reference to them) and a generated demo repository. */
export async function releaseVariants(repoDir: string, root: string): Promise<void> {
  await rm(join(root, 'src'), { recursive: true, force: true });
  if (repoDir === join(root, 'repo')) await rm(repoDir, { recursive: true, force: true });
  else {
    // a note of a removed tree left in the mirror is pruned by the next job's prune
    await simpleGit(repoDir)
      .raw(['worktree', 'prune'])
      .catch(() => undefined);
  }
}

/** Copies a tree into a fresh folder (used for the untouched client copy). */
export async function copyTree(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await cp(from, to, { recursive: true, verbatimSymlinks: true });
}
