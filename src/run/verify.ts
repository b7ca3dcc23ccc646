/**
 * `isobench tasks verify`: the preflight a user runs before GPU time, per task, at its parent (and
 * human) commit in the user's clone:
 * - the commits are there;
 * - the client argv is parsed by that commit's own benchmark script's parser and the server argv by
 *   its own server parser (harness/verify/argv_check.py: the tree's Python with every third-party
 *   import stood in for, no GPU, no network), and every option's value landed where the spec meant
 *   (argparse takes an unknown `--dataset` as an abbreviation of `--dataset-path` where that is the
 *   only match);
 * - the image recipe's decisions checked against the tree (src/task/vllm-tree.ts): the wheels it
 *   will try or the source build, the version setuptools-scm will be handed, the Python the tree
 *   admits, the CUDA of its Dockerfile (and whether the GPU host's driver runs it), the requirements
 *   files, the sources CMake fetches;
 * - the generated files the setup step must link into each variant's tree;
 * - the client copy every variant runs (pinned and protected where it lives in the package) and
 *   whether it can write a JSON result;
 * - the models, tokenizers and datasets against the prefetch cache, when one is given.
 * Nothing is built, served or downloaded.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { clientSourceFile } from '../bench/setup.js';
import { cudaOfImage, driverRuns, minDriverFor } from '../executor/cuda-driver.js';
import { cudaImageOf, VLLM_IMAGE_PYTHON, vllmInstallPlan } from '../executor/recipes.js';
import { jsonResultRequest } from '../parse/json-result.js';
import { missingFromCache } from '../prefetch/cache.js';
import type { TaskSpec } from '../task/schema.js';
import { admitsPython } from '../task/vllm-tree.js';
import { parseJson } from '../util/json.js';
import { packageRoot } from '../util/package-root.js';
import { z } from '../util/zod.js';
import { cloneProblems, withCommitTrees } from '../workspace/clone.js';

/** The version of the verify report format. */
export const VERIFY_VERSION = 1;

/** One check of one task. */
export interface VerifyCheck {
  readonly name: string;
  /** which commit's tree it looked at */
  readonly at: 'parent' | 'human' | 'task';
  readonly status: 'pass' | 'warn' | 'fail';
  readonly detail: string;
  /** what the check read (the parsed arguments, the install plan), for --json */
  readonly data?: unknown;
}

/** The verdict on one task. */
export interface TaskVerdict {
  readonly task: string;
  /** `not_benchmarkable`: the catalogue says why; its checks are run where they can be, for information */
  readonly verdict: 'pass' | 'fail' | 'not_benchmarkable';
  readonly commits: { readonly parent: string; readonly human: string };
  readonly checks: readonly VerifyCheck[];
}

/** How to verify. */
export interface VerifyOptions {
  /** the user's clone of the task's repository */
  readonly clone: string;
  /** the Python that runs the parsers (3.10 or later; default `python3`) */
  readonly python?: string;
  /** the prefetch cache to check the models against */
  readonly cache?: string;
  /** seconds one parse may take (default 180) */
  readonly timeoutS?: number;
  /** the NVIDIA driver of the GPU host the images will run on (this host's, or given), checked against each image's CUDA */
  readonly driver?: string;
}

/** The result of parsing an argv with a tree's own parser. */
export type ArgvParse =
  | {
      readonly ok: true;
      readonly args: Readonly<Record<string, unknown>>;
      readonly stoodIn: readonly string[];
    }
  | {
      readonly ok: false;
      readonly stage: string;
      readonly error: string;
      readonly stoodIn: readonly string[];
    };

/** The checker's last stdout line (harness/verify/argv_check.py): its output, checked, not stored. */
const ArgvParseSchema = z.union([
  z.object({ ok: z.literal(true), args: z.looseObject({}), stoodIn: z.array(z.string()) }),
  z.object({ ok: z.literal(false), stage: z.string(), error: z.string(), stoodIn: z.array(z.string()) }),
]);

/** How argv_check.py is asked to parse an argv: which program of the tree it is. */
export function argvTarget(argv: readonly string[]): { mode: string[]; rest: string[] } | null {
  const [first, second, third] = argv;
  if (first === 'vllm') return { mode: ['--vllm-cli'], rest: argv.slice(1) };
  if (first && /^python(?:3(?:\.\d+)?)?$/.test(first)) {
    if (second === '-m' && third) return { mode: ['--module', third], rest: argv.slice(3) };
    if (second?.endsWith('.py')) return { mode: ['--script', second], rest: argv.slice(2) };
  }
  return null;
}

/** Parses `argv` with the parser of the program it runs, in the tree at `tree`. */
export async function parseWithTree(
  tree: string,
  argv: readonly string[],
  opts: { python?: string; timeoutS?: number } = {},
): Promise<ArgvParse> {
  const target = argvTarget(argv);
  if (!target)
    return {
      ok: false,
      stage: 'launcher',
      error: `cannot tell which program '${argv[0]}' runs`,
      stoodIn: [],
    };
  const script = join(packageRoot(), 'harness', 'verify', 'argv_check.py');
  const args = ['-O', script, '--tree', tree, ...target.mode, '--', ...target.rest];
  return new Promise((done) => {
    const child = spawn(opts.python ?? 'python3', args, {
      cwd: tree,
      env: { ...process.env, PYTHONHASHSEED: '0', PYTHONDONTWRITEBYTECODE: '1', PYTHONPATH: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), (opts.timeoutS ?? 180) * 1000);
    child.on('error', (e) => {
      clearTimeout(timer);
      done({ ok: false, stage: 'python', error: `${opts.python ?? 'python3'}: ${e.message}`, stoodIn: [] });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      let raw: unknown = null;
      try {
        raw = parseJson(last);
      } catch {
        raw = null;
      }
      const r = ArgvParseSchema.safeParse(raw);
      if (r.success) return done(r.data);
      const issue = r.error.issues[0];
      done({
        ok: false,
        stage: 'checker',
        error:
          raw === null
            ? `the parser check ended with ${code} and no result: ${stderr.trim().split('\n').slice(-5).join(' / ')}`
            : `the parser check ended with ${code} and a result not of its form (${issue?.path.join('.') || 'the result'}: ${issue?.message}): ${last.slice(0, 200)}`,
        stoodIn: [],
      });
    });
  });
}

/** The options of an argv with their values (`--x v`, `--x=v`; a flag alone is `true`). */
export function optionValues(rest: readonly string[]): Array<{ option: string; value: string | true }> {
  const out: Array<{ option: string; value: string | true }> = [];
  for (let i = 0; i < rest.length; i++) {
    // i < rest.length: the loop's bound
    const w = rest[i] as string;
    if (!w.startsWith('-') || /^-\d/.test(w)) continue;
    const eq = w.indexOf('=');
    if (eq > 0) {
      out.push({ option: w.slice(0, eq), value: w.slice(eq + 1) });
      continue;
    }
    const next = rest[i + 1];
    if (next !== undefined && (!next.startsWith('-') || /^-\d/.test(next))) {
      out.push({ option: w, value: next });
      i++;
    } else out.push({ option: w, value: true });
  }
  return out;
}

function same(parsed: unknown, value: string | true): boolean {
  if (value === true) return parsed === true;
  if (Array.isArray(parsed)) return parsed.map(String).includes(value);
  if (typeof parsed === 'number') return Number(value) === parsed;
  return String(parsed) === value;
}

/** Where each option's value landed in the parsed namespace: where the spec meant, or elsewhere. */
export function landed(
  rest: readonly string[],
  args: Readonly<Record<string, unknown>>,
): { ok: string[]; elsewhere: string[]; unseen: string[] } {
  const ok: string[] = [];
  const elsewhere: string[] = [];
  const unseen: string[] = [];
  for (const { option, value } of optionValues(rest)) {
    if (!option.startsWith('--')) {
      // a short option (-tp 4): its value must be somewhere
      if (value === true || Object.values(args).some((v) => same(v, value))) ok.push(option);
      else unseen.push(`${option} ${value}`);
      continue;
    }
    const dest = option.slice(2).replaceAll('-', '_');
    if (dest in args) {
      if (same(args[dest], value)) ok.push(option);
      else
        unseen.push(
          `${option} ${value === true ? '' : value} (parsed as ${JSON.stringify(args[dest])})`.trim(),
        );
      continue;
    }
    // argparse takes a unique prefix of an option for the option (allow_abbrev): `--dataset` as `--dataset-path`
    const prefixed = Object.entries(args).find(([k, v]) => k.startsWith(dest) && same(v, value))?.[0];
    const where =
      prefixed ?? (value === true ? undefined : Object.entries(args).find(([, v]) => same(v, value))?.[0]);
    if (where) elsewhere.push(`${option} was taken as --${where.replaceAll('_', '-')}`);
    else unseen.push(`${option}${value === true ? '' : ` ${value}`} (no such destination)`);
  }
  return { ok, elsewhere, unseen };
}

async function parseCheck(
  name: string,
  at: 'parent' | 'human',
  tree: string,
  argv: readonly string[],
  opts: VerifyOptions,
): Promise<VerifyCheck> {
  const r = await parseWithTree(tree, argv, opts);
  const target = argvTarget(argv);
  const program =
    target?.mode
      .join(' ')
      .replace(/^--(script|module) /, '')
      .replace('--vllm-cli', 'vllm') ?? argv[0];
  if (!r.ok)
    return {
      name,
      at,
      status: 'fail',
      detail: `${program} of the ${at} does not take the argv (${r.stage}): ${r.error.trim().split('\n').slice(-3).join(' / ')}`,
      data: r,
    };
  const where = landed(target?.rest ?? [], r.args);
  if (where.elsewhere.length || where.unseen.length)
    return {
      name,
      at,
      status: 'fail',
      detail: `${program} of the ${at} parses the argv, but not as meant: ${[...where.elsewhere, ...where.unseen].join('; ')}`,
      data: r,
    };
  return {
    name,
    at,
    status: 'pass',
    detail: `${program} of the ${at} parses the argv; all ${where.ok.length} option(s) land where meant`,
    data: { args: r.args, stoodIn: r.stoodIn },
  };
}

/** Whether the GPU host's driver starts the image's CUDA (a CUDA 12.8 image needs R570). */
function driverCheck(at: 'parent' | 'human', image: string, driver: string | undefined): VerifyCheck {
  const cuda = cudaOfImage(image);
  if (!driver)
    return {
      name: 'driver',
      at,
      status: 'warn',
      detail: `not checked: no NVIDIA driver on this host (--driver VERSION checks against the GPU host's); ${image} needs ${cuda ? (minDriverFor(cuda) ?? '?') : '?'} or later`,
    };
  const runs = cuda
    ? driverRuns(driver, cuda)
    : { ok: false as const, detail: `no CUDA version in ${image}` };
  return {
    name: 'driver',
    at,
    status: runs.ok ? 'pass' : 'fail',
    detail: runs.ok ? `driver ${driver} runs ${image}` : `${image}: ${runs.detail}`,
  };
}

function recipeChecks(
  task: TaskSpec,
  at: 'parent' | 'human',
  tree: string,
  driver: string | undefined,
): VerifyCheck[] {
  const commit = task.commits[at];
  const { plan, facts } = vllmInstallPlan(commit, tree, task.commits.date ?? new Date().toISOString());
  const out: VerifyCheck[] = [];
  const install =
    plan.install.method === 'wheel'
      ? `the commit's own wheel, installed as built (tried: ${plan.install.candidates.length} URL(s); a source build if none answers)`
      : 'a source build (no per-commit wheels before July 2024)';
  out.push({
    name: 'install',
    at,
    status: plan.install.method === 'source' && !facts.requirementsCuda ? 'fail' : 'pass',
    detail:
      plan.install.method === 'source' && !facts.requirementsCuda
        ? `${install}, but the tree has no requirements file for a CUDA install`
        : `${install}; requirements ${facts.requirementsCuda ?? '-'}, build requirements ${facts.requirementsBuild ?? 'none (rebuilds use the image as it is)'}`,
    data: plan,
  });
  const v = facts.version;
  out.push({
    name: 'version',
    at,
    status: v.scheme === 'unknown' ? 'warn' : 'pass',
    detail:
      v.scheme === 'setuptools-scm'
        ? `setuptools-scm (writes ${v.writeTo ?? 'no file'}): a tree without .git has no version, so rebuilds are handed the installed version (SETUPTOOLS_SCM_PRETEND_VERSION)${plan.install.method === 'source' ? `; the source build ${plan.pretendVersion}` : ''}`
        : v.scheme === 'file'
          ? `${v.file} says ${v.value}`
          : 'no version scheme found in setup.py',
  });
  const py = admitsPython(facts.pythonRequires, VLLM_IMAGE_PYTHON);
  out.push({
    name: 'python',
    at,
    status: py ? 'pass' : 'fail',
    detail: `the image runs Python ${VLLM_IMAGE_PYTHON}; the tree requires ${facts.pythonRequires ?? 'nothing stated'} (its own Dockerfile uses ${facts.dockerPython ?? 'its base image’s'})`,
  });
  out.push({
    name: 'cuda',
    at,
    status: facts.dockerCuda ? 'pass' : 'warn',
    detail: `${cudaImageOf(facts)} (the tree's Dockerfile ${facts.dockerfile ?? 'absent'}: CUDA ${facts.dockerCuda ?? '?'}; its wheels ${facts.mainCuda ?? '?'}; torch ${facts.torch ?? '?'})`,
  });
  out.push(driverCheck(at, cudaImageOf(facts), driver));
  const unresolved = plan.deps.filter((d) => d.tag.includes('${') || d.repository.includes('${'));
  out.push({
    name: 'fetched-sources',
    at,
    status: unresolved.length ? 'fail' : 'pass',
    detail: unresolved.length
      ? `CMake fetches sources whose tag could not be resolved: ${unresolved.map((d) => `${d.name} ${d.tag}`).join(', ')}`
      : plan.deps.length
        ? `mirrored into the image for offline rebuilds: ${plan.deps.map((d) => `${d.name} ${d.repository} @ ${d.tag}`).join('; ')}`
        : 'CMake fetches nothing',
  });
  const vllmC = facts.extensions.includes('vllm._C');
  out.push({
    name: 'generated-files',
    at,
    status: vllmC ? 'pass' : 'warn',
    detail: `linked into each variant's tree from the image: ${[...plan.expect.required, ...plan.expect.optional].join(', ') || 'none known'}${facts.precompiled.kind === 'wheel-location' ? `; the tree's VLLM_USE_PRECOMPILED would download ${facts.precompiled.asksUpstream ? 'a wheel resolved from upstream main over the network' : facts.precompiled.defaultWheel}, so the recipe never uses it` : ''}`,
  });
  return out;
}

function clientChecks(task: TaskSpec, parentTree: string): VerifyCheck[] {
  const copy = task.benchmark.clientCopy;
  const at = join(parentTree, copy.path);
  const out: VerifyCheck[] = [];
  const exists = existsSync(at);
  out.push({
    name: 'client-copy',
    at: 'parent',
    status: exists ? 'pass' : 'fail',
    detail: exists
      ? `the parent's ${copy.path} (${statSync(at).isDirectory() ? 'folder' : 'file'}) runs for every variant${copy.pinned ? ', pinned into each tree' : ''}`
      : `the parent has no ${copy.path}`,
  });
  if (copy.pinned) {
    const protectedOk = task.protectedPaths.some((p) => `${copy.path}/`.startsWith(p));
    out.push({
      name: 'client-pinned',
      at: 'task',
      status: protectedOk ? 'pass' : 'fail',
      detail: protectedOk
        ? `${copy.path}/ is protected: a patch to the timing code is refused`
        : `${copy.path} is pinned but not among the protected paths (${task.protectedPaths.join(', ')})`,
    });
  }
  const kind = task.benchmark.kind;
  if (kind && exists) {
    const file = clientSourceFile(task);
    let source = '';
    try {
      source = readFileSync(join(parentTree, file), 'utf8');
    } catch {
      // a folder copy without the subcommand's module
    }
    const req = jsonResultRequest(kind, source);
    out.push({
      name: 'json-result',
      at: 'parent',
      status: req || kind === 'prefix_caching' ? 'pass' : 'warn',
      detail: req
        ? `the client writes its result as JSON (${req.flag}, from ${file}), read at full precision`
        : `the client (${file}) has no JSON result option: metrics come from its stdout`,
    });
  }
  return out;
}

/** Verifies one task against the clone. */
export async function verifyTask(task: TaskSpec, opts: VerifyOptions): Promise<TaskVerdict> {
  const checks: VerifyCheck[] = [];
  const verdict = (): TaskVerdict => ({
    task: task.id,
    verdict: !task.benchmarkable.ok
      ? 'not_benchmarkable'
      : checks.some((c) => c.status === 'fail')
        ? 'fail'
        : 'pass',
    commits: { parent: task.commits.parent, human: task.commits.human },
    checks,
  });
  if (!task.benchmarkable.ok) {
    checks.push({
      name: 'benchmarkable',
      at: 'task',
      status: 'warn',
      detail: `not benchmarkable (${task.benchmarkable.reason}): ${task.benchmarkable.detail}`,
    });
    if (!task.benchmark.client) return verdict();
  }
  const missing = await cloneProblems(opts.clone, [task]);
  if (missing.length) {
    for (const m of missing) checks.push({ name: 'commits', at: 'task', status: 'fail', detail: m });
    return verdict();
  }
  checks.push({
    name: 'commits',
    at: 'task',
    status: 'pass',
    detail: `the clone holds the parent and the human commit`,
  });
  await withCommitTrees(task, opts.clone, async (trees) => {
    const client = task.benchmark.client?.argv;
    if (client) checks.push(await parseCheck('client-argv', 'parent', trees.parent, client, opts));
    const server = task.benchmark.server?.argv;
    if (server)
      for (const at of ['parent', 'human'] as const)
        checks.push(await parseCheck('server-argv', at, trees[at], server, opts));
    for (const at of ['parent', 'human'] as const)
      checks.push(...recipeChecks(task, at, trees[at], opts.driver));
    checks.push(...clientChecks(task, trees.parent));
    const needs = [
      ...task.prefetch.models,
      ...task.prefetch.tokenizers,
      ...task.prefetch.datasets.map((d) => d.file),
    ];
    if (opts.cache) {
      const lacking = missingFromCache(task, opts.cache);
      checks.push({
        name: 'prefetch',
        at: 'task',
        status: lacking.length ? 'fail' : 'pass',
        detail: lacking.length
          ? `missing from ${opts.cache}: ${lacking.map((m) => `${m.kind} ${m.id}`).join(', ')} (isobench prefetch --cache ${opts.cache} --tasks ${task.id})`
          : `${needs.length} item(s) in ${opts.cache}`,
      });
    } else
      checks.push({
        name: 'prefetch',
        at: 'task',
        status: 'warn',
        detail: `not checked (no --cache): the task needs ${[...new Set(needs)].join(', ') || 'nothing'}`,
      });
  });
  return verdict();
}
