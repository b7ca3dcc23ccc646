/**
 * Which image recipe a task's commits get. Demo tasks: the debootstrap base with the repository at
 * the commit. vLLM tasks: vLLM at the commit from its own per-commit wheel, installed as built (never
 * an editable install over it, which drops the wheel's compiled files or fetches today's nightly
 * ones), else from source; the CUDA of the tree's own Dockerfile; Python packages resolved as of the commit's date; the
 * sources CMake fetches mirrored in for offline rebuilds; the generated files recorded so that each
 * variant's tree gets them linked. The decisions come from the tree's own files
 * (src/task/vllm-tree.ts) and are written into the recipe's notes and its plan.json. Facts:
 * shared/docs/VLLM.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskSpec } from '../task/schema.js';
import { type VllmTreeFacts, vllmTreeFacts } from '../task/vllm-tree.js';
import { packageRoot } from '../util/package-root.js';
import type { ImageRecipe } from './images.js';
import type { RecipeMode } from './types.js';

/** The recipe of a demo task at a commit whose tree is at `tree`. */
export function demoRecipe(task: TaskSpec, tree: string, baseImage: string): ImageRecipe {
  const client = task.benchmark.client?.argv ?? [];
  return {
    family: 'demo',
    context: [{ from: tree, to: 'repo' }],
    buildArgs: { BASE: baseImage },
    smoke: [
      ['python3', '-c', 'import sys; sys.path.insert(0, "/opt/task/repo"); import engine'],
      [client[0] ?? 'python3', client[1] ?? '--version', '--help'],
    ],
    notes: [`demo ${task.repo.demo}: ${baseImage} with the repository baked in at /opt/task/repo`],
  };
}

/** Per-commit wheels exist for commits on main from about July 2024 (shared/docs/VLLM.md). */
const WHEELS_FROM = '2024-07-01';
/** From ≈late September 2024 they are on wheels.vllm.ai under a placeholder name; before, on S3 with the version. */
const WHEELS_VLLM_AI_FROM = '2024-09-25';
/**
 * How long after a commit the packages its image resolves may have been uploaded (ms): the day the
 * commit's own CI resolved them. Every index install of the image is cut off there (pip's
 * \`--uploaded-prior-to\`, pip >= 26.0), so a 2024 tree gets the numpy, outlines, transformers,
 * mistral_common, openai and fastapi of 2024, not today's.
 */
const RESOLVE_GRACE_MS = 24 * 3600 * 1000;

/** The instant an image of a commit dated \`date\` resolves its Python packages as of (ISO 8601, UTC). */
export function resolveAsOf(date: string): string {
  const t = Date.parse(date.length === 10 ? `${date}T00:00:00Z` : date);
  if (Number.isNaN(t)) throw new Error(`not a date: ${JSON.stringify(date)}`);
  return new Date(t + RESOLVE_GRACE_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The smoke check of a vLLM image without a GPU: vllm imports (it only warns without a driver) and
 * its compiled extension vllm._C is installed, found without being loaded (loading it needs
 * libcuda.so.1, which only the NVIDIA runtime provides).
 */
export const VLLM_SMOKE_NO_GPU = [
  'import importlib.util, vllm',
  "spec = importlib.util.find_spec('vllm._C')",
  "assert spec is not None and spec.origin and spec.origin.endswith('.so'), 'vllm._C is not installed: %r' % (spec,)",
  'print(vllm.__version__, spec.origin)',
].join('\n');

/** How vLLM's CUDA sources are compiled in the images: for the H100 (sm_90, PTX for what comes after), two nvcc threads a job. */
const BUILD = { cudaArchList: '9.0+PTX', nvccThreads: 2, gbPerJob: 8 } as const;

/** The Python every vLLM image runs (Ubuntu 22.04's own; the wheels are abi3 and every era admits it). */
export const VLLM_IMAGE_PYTHON = '3.10';
/** What the benchmark clients import beyond vLLM's own requirements (datasets, PIL, pandas, aiohttp). */
const CLIENT_PACKAGES = ['pandas', 'datasets', 'pillow', 'aiohttp'];
/** The files of the recipe's in-image scripts (harness/images/vllm/), copied into every vLLM image. */
const SCRIPTS = ['install.py', 'prepare.py', 'rebuild.py'];
/** Where the image keeps them and its records. */
export const VLLM_IMAGE_ROOT = '/opt/isobench/vllm';

/** The version string in `vllm/version.py` (or `vllm/__init__.py`) of a checked-out tree, for the 2024 wheel names. */
export function vllmVersionOf(tree: string): string | null {
  const v = vllmTreeFacts(tree).version;
  return v.scheme === 'file' ? v.value : null;
}

/** How the image installs vLLM at the commit (written into the build context as plan.json, read by install.py). */
export interface VllmInstallPlan {
  readonly schemaVersion: 1;
  readonly commit: string;
  readonly install:
    | { readonly method: 'wheel'; readonly candidates: readonly string[]; readonly fallback: 'source' }
    | { readonly method: 'source' };
  /** handed to setuptools-scm where the tree finds its version with it and no wheel says it */
  readonly pretendVersion: string | null;
  readonly constraints: 'constraints.txt';
  /** every install from an index takes only what was uploaded before this instant (null: no cutoff) */
  readonly resolveAsOf: string | null;
  /**
   * how a source build or a native rebuild compiles: for the measuring GPU's architecture only (all
   * of them would take hours) and with bounded parallelism; MAX_JOBS is decided at build time from
   * the machine's cores and memory (about 8 GB a compile job), never unbounded
   */
  readonly build: { readonly cudaArchList: string; readonly nvccThreads: number; readonly gbPerJob: number };
  readonly requirementsBuild: string | null;
  readonly requirementsCuda: string | null;
  readonly extraPackages: readonly string[];
  /** the sources CMake fetches for a CUDA build, mirrored into the image for offline rebuilds */
  readonly deps: ReadonlyArray<{ readonly name: string; readonly repository: string; readonly tag: string }>;
  /** files (globs, relative to site-packages) the install must have produced for the commit */
  readonly expect: { readonly required: readonly string[]; readonly optional: readonly string[] };
}

/** The per-commit wheel URLs to try, most likely first, for a commit of `day` (YYYY-MM-DD). */
export function wheelCandidates(commit: string, day: string, fileVersion: string | null): string[] {
  const placeholder = `vllm-1.0.0.dev-cp38-abi3-manylinux1_x86_64.whl`;
  const vllmAi = `https://wheels.vllm.ai/${commit}/${placeholder}`;
  const s3 = `https://vllm-wheels.s3.us-west-2.amazonaws.com/${commit}`;
  const versioned = fileVersion ? [`${s3}/vllm-${fileVersion}-cp38-abi3-manylinux1_x86_64.whl`] : [];
  if (day < WHEELS_FROM) return [];
  if (day >= WHEELS_VLLM_AI_FROM) return [vllmAi, `${s3}/${placeholder}`, ...versioned];
  return [...versioned, `${s3}/${placeholder}`, vllmAi];
}

/** The files a build of the commit puts into the package that a checkout lacks, as globs. */
function expectedGenerated(f: VllmTreeFacts): { required: string[]; optional: string[] } {
  const so = (mod: string) => `${mod.replaceAll('.', '/')}*.so`;
  const required = f.extensions.includes('vllm._C') ? [so('vllm._C')] : [];
  const optional = f.extensions.filter((e) => e !== 'vllm._C').map(so);
  if (f.flashAttnPython) required.push('vllm/vllm_flash_attn/__init__.py');
  if (f.version.scheme === 'setuptools-scm' && f.version.writeTo) optional.push(f.version.writeTo);
  if (f.commitIdFile) optional.push('vllm/commit_id.py');
  return { required, optional };
}

/** The install plan of vLLM at `commit`, from the facts of its tree (checked out at `tree`) and its date. */
export function vllmInstallPlan(
  commit: string,
  tree: string,
  date: string,
): { plan: VllmInstallPlan; facts: VllmTreeFacts } {
  const facts = vllmTreeFacts(tree);
  const day = date.slice(0, 10);
  const candidates = wheelCandidates(
    commit,
    day,
    facts.version.scheme === 'file' ? facts.version.value : null,
  );
  const plan: VllmInstallPlan = {
    schemaVersion: 1,
    commit,
    install: candidates.length ? { method: 'wheel', candidates, fallback: 'source' } : { method: 'source' },
    pretendVersion:
      facts.version.scheme === 'setuptools-scm'
        ? `0.0.0.dev0+g${commit.slice(0, 9)}`
        : facts.version.scheme === 'file'
          ? facts.version.value
          : null,
    constraints: 'constraints.txt',
    resolveAsOf: resolveAsOf(date),
    build: BUILD,
    requirementsBuild: facts.requirementsBuild,
    requirementsCuda: facts.requirementsCuda,
    extraPackages: CLIENT_PACKAGES,
    deps: facts.fetched
      .filter((d) => !d.cpuOnly)
      .filter((d, i, all) => all.findIndex((x) => x.repository === d.repository && x.tag === d.tag) === i)
      .map((d) => ({ name: d.name, repository: d.repository, tag: d.tag })),
    expect: expectedGenerated(facts),
  };
  return { plan, facts };
}

/** The plan, the (empty) constraints file and the in-image scripts every vLLM image's context holds under isobench/. */
function planFiles(plan: VllmInstallPlan): Record<string, string> {
  const files: Record<string, string> = {
    'isobench/plan.json': `${JSON.stringify(plan, null, 2)}\n`,
    'isobench/constraints.txt': '',
  };
  for (const s of SCRIPTS)
    files[`isobench/${s}`] = readFileSync(join(packageRoot(), 'harness', 'images', 'vllm', s), 'utf8');
  return files;
}

/** The CUDA base image of a tree: its own Dockerfile's CUDA on Ubuntu 22.04 (where Python 3.10 is the system's). */
export function cudaImageOf(facts: VllmTreeFacts): string {
  const v = facts.dockerCuda ?? (facts.mainCuda ? `${facts.mainCuda}.1` : '12.4.1');
  const full = v.split('.').length === 2 ? `${v}.0` : v;
  return `nvidia/cuda:${full}-devel-ubuntu22.04`;
}

/** The recipe of vLLM at `commit` (its tree checked out at `tree`, dated `date`). */
export function vllmRecipe(commit: string, tree: string, date: string): ImageRecipe {
  const { plan, facts } = vllmInstallPlan(commit, tree, date);
  const notes: string[] = [];
  if (plan.install.method === 'wheel')
    notes.push(
      `the commit's own per-commit wheel, installed as built (no editable install: its compiled files are the commit's), tried in order: ${plan.install.candidates.join(', ')}; a source build if none answers`,
    );
  else notes.push(`no per-commit wheels before ${WHEELS_FROM}: built from source (25-90 minutes)`);
  const cuda = cudaImageOf(facts);
  notes.push(
    `CUDA base ${cuda}: the tree's own Dockerfile has CUDA ${facts.dockerCuda ?? '?'} (its wheels ${facts.mainCuda ?? '?'})`,
  );
  if (facts.version.scheme === 'setuptools-scm')
    notes.push(
      'the tree takes its version from setuptools-scm, which needs git: rebuilds get the installed version as SETUPTOOLS_SCM_PRETEND_VERSION',
    );
  if (plan.deps.length)
    notes.push(
      `CMake fetches ${plan.deps.map((d) => `${d.name}@${d.tag.slice(0, 12)}`).join(', ')}: mirrored into the image so a native rebuild runs offline`,
    );
  notes.push(
    `generated files each variant's tree gets linked: ${[...plan.expect.required, ...plan.expect.optional].join(', ') || 'none known'}`,
  );
  notes.push(
    `Python packages resolved as of ${plan.resolveAsOf} (pip --uploaded-prior-to): the dependencies of the commit's date, not today's`,
  );
  const files = planFiles(plan);
  return {
    family: 'vllm',
    context: [{ from: tree, to: 'repo' }],
    files,
    buildArgs: {
      CUDA_IMAGE: cuda,
      PYTHON: `python${VLLM_IMAGE_PYTHON}`,
      VLLM_COMMIT: commit,
    },
    // without a GPU request there is no libcuda.so.1, which vLLM's compiled extensions link: the
    // check without GPU finds them without loading them; loading them is the GPU check
    smoke: [
      ['python3', '-c', VLLM_SMOKE_NO_GPU],
      [
        'python3',
        `${VLLM_IMAGE_ROOT}/prepare.py`,
        '--tree',
        '/tmp',
        '--record',
        `${VLLM_IMAGE_ROOT}/generated.json`,
      ],
    ],
    gpuSmoke: [['python3', '-c', 'import vllm, vllm._C; print(vllm.__version__)']],
    network: true,
    notes,
  };
}

/** The stand-in engine's files (harness/rehearse/), as the rehearsal image's context has them. */
function standInFiles(): Record<string, string> {
  const root = join(packageRoot(), 'harness');
  const files: Record<string, string> = {};
  const put = (to: string, ...from: string[]) => {
    files[`rehearse/${to}`] = readFileSync(join(root, ...from), 'utf8');
  };
  for (const f of readdirSync(join(root, 'rehearse', 'isobench_standin'))
    .filter((x) => x.endsWith('.py'))
    .sort())
    put(`isobench_standin/${f}`, 'rehearse', 'isobench_standin', f);
  // the stand-ins of tasks verify, which the engine's import hook reuses
  put('isobench_standin/argv_check.py', 'verify', 'argv_check.py');
  put('isobench_standin.pth', 'rehearse', 'isobench_standin.pth');
  put('vllm', 'rehearse', 'vllm');
  put('install_standin.py', 'rehearse', 'install_standin.py');
  return files;
}

/**
 * The rehearsal recipe of vLLM at \`commit\` (\`isobench run --rehearse\`): the real recipe's plan,
 * scripts and record step on the rehearsal base, with the stand-in engine in place of the CUDA image
 * and the wheel. \`speedup\` makes this commit's stand-in engine that much faster (the human's image:
 * a gain for the grade to find).
 */
export function rehearsalRecipe(
  commit: string,
  tree: string,
  date: string,
  base: string,
  speedup: number,
): ImageRecipe {
  const { plan } = vllmInstallPlan(commit, tree, date);
  const files = { ...planFiles(plan), ...standInFiles() };
  return {
    family: 'rehearse',
    context: [{ from: tree, to: 'repo' }],
    files,
    buildArgs: { BASE: base, VLLM_COMMIT: commit, STANDIN_SPEEDUP: String(speedup) },
    smoke: [
      ['python3', '-c', 'import vllm, isobench_standin; print(vllm.__file__)'],
      [
        'python3',
        `${VLLM_IMAGE_ROOT}/prepare.py`,
        '--tree',
        '/tmp',
        '--record',
        `${VLLM_IMAGE_ROOT}/generated.json`,
      ],
    ],
    notes: [
      `a rehearsal image: ${base} with the stand-in engine in place of vLLM's runtime (harness/rehearse/), the tree installed with stand-ins for its compiled parts (${plan.expect.required.join(', ') || 'none'}); no GPU, no network`,
      `the stand-in engine runs ${speedup}x its default speed in this image`,
    ],
  };
}

/** The recipe of a task's commit (`role`) whose tree is checked out at `tree`. */
export function recipeFor(
  task: TaskSpec,
  role: 'parent' | 'human',
  tree: string,
  baseImage: string,
  mode: RecipeMode = { kind: 'real' },
): ImageRecipe {
  const date = task.commits.date ?? new Date().toISOString();
  if (task.repo.demo) return demoRecipe(task, tree, baseImage);
  if (mode.kind === 'rehearse')
    return rehearsalRecipe(
      task.commits[role],
      tree,
      date,
      baseImage,
      role === 'human' ? mode.humanSpeedup : 1,
    );
  return vllmRecipe(task.commits[role], tree, date);
}
