/**
 * The vLLM image recipe, run for real on generated trees of each era (test/support/vllm-era.ts):
 * the commit's wheel built as upstream CI builds it, then the recipe's install.py (install, deps,
 * record) into a Python environment standing for the image, prepare.py linking the generated files
 * into a fresh checkout, and rebuild.py rebuilding a native patch offline. "Online" means git reaches
 * the local upstream repositories through a config; offline, only the image's mirrors answer.
 *
 * Each finding of the issue that this covers is reproduced first with what the old recipe did
 * (an editable install over the wheel; linking only .so files; `setup.py build_ext --inplace` with no
 * version and no mirrors), then shown fixed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vllmInstallPlan } from '../../src/executor/recipes.js';
import { vllmTreeFacts } from '../../src/task/vllm-tree.js';
import { PROJECT_ROOT } from '../support/shared-data.js';
import { ERAS, type Era, git, makeEraRepo, makeUpstream, type Upstream } from '../support/vllm-era.js';

const PY = '/usr/bin/python3';
const SCRIPTS = join(PROJECT_ROOT, 'harness', 'images', 'vllm');
const root = mkdtempSync(join(tmpdir(), 'isobench-vllm-image-'));
// the root holds built trees and layer exports: removing it takes a while on a busy host
afterAll(() => {
  if (!process.env.ISOBENCH_KEEP_TMP) rmSync(root, { recursive: true, force: true });
}, 120_000);

let up: Upstream;
let fakeBin: string;
beforeAll(() => {
  // the host must have what a vLLM build of these eras uses: setuptools, setuptools-scm, wheel, cmake, a C compiler
  const check = spawnSync(PY, ['-c', 'import setuptools, setuptools_scm, wheel'], { encoding: 'utf8' });
  if (check.status !== 0)
    throw new Error(
      `${PY} lacks setuptools/setuptools-scm/wheel (apt-get install python3-setuptools-scm python3-wheel python3-venv): ${check.stderr}`,
    );
  up = makeUpstream(join(root, 'upstream'));
  // the image's CUDA compiler: only looked for, never run by the stand-in build
  fakeBin = join(root, 'bin');
  mkdirSync(fakeBin);
  writeFileSync(join(fakeBin, 'nvcc'), '#!/bin/sh\necho "Cuda compilation tools, release 12.4, V12.4.131"\n');
  chmodSync(join(fakeBin, 'nvcc'), 0o755);
});

const base = {
  ...process.env,
  PIP_NO_INDEX: '1',
  PIP_DISABLE_PIP_VERSION_CHECK: '1',
  PYTHONDONTWRITEBYTECODE: '1',
};
const online = () => ({
  ...base,
  GIT_CONFIG_SYSTEM: up.onlineConfig,
  GIT_CONFIG_NOSYSTEM: '0',
  GIT_CONFIG_GLOBAL: '/dev/null',
});
const offline = (gitconfig: string) => ({
  ...base,
  GIT_CONFIG_SYSTEM: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '0',
  GIT_CONFIG_GLOBAL: gitconfig,
  PATH: `${fakeBin}:${process.env.PATH}`,
});

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv }) {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A variant's tree as the sandbox has it: the commit's files, no .git. */
function checkout(repo: string, commit: string, dest: string): string {
  mkdirSync(dest, { recursive: true });
  execFileSync('sh', ['-c', `git -C '${repo}' archive ${commit} | tar -x -C '${dest}'`]);
  return dest;
}

/** Files under `dir/vllm`, relative to `dir`, no caches. */
function packageFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === '__pycache__') continue;
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(join(d, e.name), r);
      else out.push(r);
    }
  };
  walk(join(dir, 'vllm'), 'vllm');
  return out.sort();
}

interface Image {
  era: Era;
  repo: { dir: string; parent: string; human: string };
  venv: string;
  python: string;
  rootDir: string;
  source: string;
  gitconfig: string;
  version: string;
}

/** The commit's wheel as upstream CI builds it (git at hand, network on), then the recipe's install into a fresh environment. */
function buildImage(era: Era): Image {
  const dir = join(root, era);
  const repo = makeEraRepo(join(dir, 'repo'), era, up);
  const facts = vllmTreeFacts(repo.dir);
  const scm = facts.version.scheme === 'setuptools-scm';
  const version = scm ? `0.6.4.dev7+g${repo.parent.slice(0, 9)}` : '0.5.5';
  const ci = join(dir, 'ci');
  git(repo.dir, 'worktree', 'add', '-q', '--detach', ci, repo.parent);
  const wheel = run(
    PY,
    ['-m', 'pip', 'wheel', '-q', '--no-deps', '--no-build-isolation', '-w', join(dir, 'dist'), ci],
    {
      env: { ...online(), ...(scm ? { SETUPTOOLS_SCM_PRETEND_VERSION: version } : {}) },
    },
  );
  if (wheel.status !== 0) throw new Error(`building the ${era} wheel failed:\n${wheel.out}`);
  const wheelFile = join(
    dir,
    'dist',
    readdirSync(join(dir, 'dist')).find((f) => f.endsWith('.whl')) as string,
  );
  // the image: COPY repo /opt/vllm (no .git), the recipe's files in its root, a Python environment
  const source = join(dir, 'image', 'opt-vllm');
  mkdirSync(source, { recursive: true });
  execFileSync('sh', ['-c', `git -C '${repo.dir}' archive ${repo.parent} | tar -x -C '${source}'`]);
  const rootDir = join(dir, 'image', 'opt-isobench-vllm');
  mkdirSync(rootDir, { recursive: true });
  for (const s of ['install.py', 'prepare.py', 'rebuild.py']) cpSync(join(SCRIPTS, s), join(rootDir, s));
  const { plan } = vllmInstallPlan(repo.parent, source, '2025-01-01');
  // the network the recipe would use: the commit's wheel is the local file; no extra packages
  const local = {
    ...plan,
    install: { method: 'wheel', candidates: [wheelFile], fallback: 'source' },
    extraPackages: [],
    // no index here (PIP_NO_INDEX, local wheels) and Debian 12's pip predates --uploaded-prior-to:
    // the date cutoff has its own test (vllm-install.test.ts)
    resolveAsOf: null,
  };
  writeFileSync(join(rootDir, 'plan.json'), JSON.stringify(local));
  writeFileSync(join(rootDir, 'constraints.txt'), '');
  const venv = join(dir, 'image', 'venv');
  execFileSync(PY, ['-m', 'venv', '--system-site-packages', venv]);
  const python = join(venv, 'bin', 'python');
  const gitconfig = join(rootDir, 'gitconfig');
  writeFileSync(gitconfig, '');
  for (const phase of ['install', 'deps', 'record']) {
    const r = run(
      python,
      [
        join(rootDir, 'install.py'),
        '--phase',
        phase,
        '--root',
        rootDir,
        '--source',
        source,
        '--python',
        python,
        '--gitconfig',
        'global',
      ],
      { env: { ...online(), GIT_CONFIG_GLOBAL: gitconfig } },
    );
    if (r.status !== 0) throw new Error(`install.py --phase ${phase} (${era}) failed:\n${r.out}`);
  }
  return { era, repo, venv, python, rootDir, source, gitconfig, version };
}

describe.each(ERAS)('the vLLM recipe on a %s tree', (era) => {
  let img: Image;
  beforeAll(() => {
    img = buildImage(era);
  }, 240_000);
  const fa = era !== '2024-08';
  const scm = era !== '2024-08';

  it('records the files the commit’s build generates, from its own wheel (never a nightly)', () => {
    const rec = JSON.parse(readFileSync(join(img.rootDir, 'generated.json'), 'utf8')) as {
      files: string[];
      version: string;
    };
    expect(rec.files).toContain('vllm/_C.abi3.so');
    if (fa)
      expect(rec.files).toEqual(
        expect.arrayContaining([
          'vllm/vllm_flash_attn/__init__.py',
          'vllm/vllm_flash_attn/flash_attn_interface.py',
          'vllm/vllm_flash_attn/vllm_flash_attn_c.abi3.so',
        ]),
      );
    if (scm) expect(rec.files).toContain('vllm/_version.py');
    else expect(rec.files).toContain('vllm/commit_id.py');
    // nothing the commit tracks is "generated"
    for (const f of rec.files) expect(existsSync(join(img.source, f))).toBe(false);
    expect(rec.version).toBe(img.version);
    expect(readFileSync(join(img.rootDir, 'version.txt'), 'utf8').trim()).toBe(img.version);
  });

  it('a checkout gets every generated file linked: its vllm imports whole (only .so files linked, it does not)', () => {
    const tree = checkout(img.repo.dir, img.repo.parent, join(root, era, 'variant'));
    const importAll = `import vllm${fa ? '; from vllm.vllm_flash_attn import flash_attn_varlen_func' : ''}; print(vllm.__version__)`;
    // what the old prepare step did: the .so files only
    const soOnly = join(root, era, 'so-only');
    cpSync(tree, soOnly, { recursive: true });
    const rec = JSON.parse(readFileSync(join(img.rootDir, 'generated.json'), 'utf8')) as {
      package: string;
      files: string[];
    };
    for (const f of rec.files.filter((x) => x.endsWith('.so'))) {
      mkdirSync(join(soOnly, f, '..'), { recursive: true });
      symlinkSync(join(rec.package, f), join(soOnly, f));
    }
    const before = run(img.python, ['-c', importAll], { cwd: '/', env: { ...base, PYTHONPATH: soOnly } });
    if (fa)
      expect(before.out).toMatch(
        /ImportError: cannot import name 'flash_attn_varlen_func' from 'vllm\.vllm_flash_attn'/,
      );
    else expect(before.status).toBe(0);

    const prep = run(
      img.python,
      [join(img.rootDir, 'prepare.py'), '--record', join(img.rootDir, 'generated.json')],
      {
        cwd: tree,
        env: base,
      },
    );
    expect(prep.status, prep.out).toBe(0);
    expect(prep.out).toContain(`linked ${rec.files.length} generated files from ${rec.package}`);
    const after = run(img.python, ['-c', importAll], { cwd: '/', env: { ...base, PYTHONPATH: tree } });
    expect(after.status, after.out).toBe(0);
    expect(after.out.trim()).toBe(img.version);
    // the checkout's own files stay its own
    expect(lstatSync(join(tree, 'vllm/__init__.py')).isSymbolicLink()).toBe(false);
    expect(lstatSync(join(tree, 'vllm/_C.abi3.so')).isSymbolicLink()).toBe(true);
  });

  it('the old recipe’s editable install over the wheel fails or drops the commit’s compiled files', () => {
    const src = join(root, era, 'editable-src');
    cpSync(img.source, src, { recursive: true });
    const venv = join(root, era, 'editable-venv');
    execFileSync(PY, ['-m', 'venv', '--system-site-packages', venv]);
    const py = join(venv, 'bin', 'python');
    const r = run(py, ['-m', 'pip', 'install', '--no-deps', '--no-build-isolation', '-e', src], {
      env: {
        ...base,
        VLLM_USE_PRECOMPILED: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_SYSTEM: '/dev/null',
      },
    });
    if (scm) {
      // finding 1: no .git in the build context and no version given
      expect(r.status).not.toBe(0);
      expect(r.out).toMatch(/LookupError|unable to detect version/);
      // with a version, the precompiled path of 2024-12 on downloads today's nightly; earlier it installs no .so at all
      const v = run(py, ['-m', 'pip', 'install', '--no-deps', '--no-build-isolation', '-e', src], {
        env: { ...base, VLLM_USE_PRECOMPILED: '1', SETUPTOOLS_SCM_PRETEND_VERSION: img.version },
      });
      if (era === '2024-12' || era === '2025-07') {
        expect(v.status).not.toBe(0);
        expect(v.out).toMatch(
          /Downloading wheel from https:\/\/(?:vllm-wheels\.s3[^ ]*|wheels\.vllm\.ai)\/nightly\//,
        );
      } else {
        expect(v.status, v.out).toBe(0);
        expect(packageFiles(src).filter((f) => f.endsWith('.so'))).toEqual([]);
      }
    } else {
      expect(r.status, r.out).toBe(0);
      expect(packageFiles(src).filter((f) => f.endsWith('.so'))).toEqual([]);
    }
  });

  it('a native patch is rebuilt offline from the image’s mirrors; without them it is the environment’s failure', () => {
    const tree = checkout(img.repo.dir, img.repo.parent, join(root, era, 'native'));
    writeFileSync(
      join(tree, 'csrc/ops.c'),
      '#include "cutlass/version.h"\nint ops_standin(void) { return CUTLASS_STANDIN_VERSION + 1; }\nint agent_was_here(void) { return 7; }\n',
    );
    // the old build step, as the task ran it: no version for setuptools-scm, no mirrors
    const old = run(img.python, ['setup.py', 'build_ext', '--inplace'], {
      cwd: tree,
      env: { ...base, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_SYSTEM: '/dev/null' },
    });
    expect(old.status).not.toBe(0);
    expect(old.out).toMatch(
      scm
        ? /LookupError|unable to detect version/
        : /unable to access 'https:\/\/github\.com\/nvidia\/cutlass\.git|Failed to clone|fatal/,
    );
    rmSync(join(tree, 'build'), { recursive: true, force: true });

    // the rebuild, offline, with no mirrors: the environment's failure (exit 75), never the agent's
    const bare = run(img.python, [join(img.rootDir, 'rebuild.py'), '--root', img.rootDir], {
      cwd: tree,
      env: offline('/dev/null'),
    });
    expect(bare.status, bare.out).toBe(75);
    expect(bare.out).toMatch(
      /isobench rebuild: environment: (?:network access was needed|a source CMake fetches is missing)/,
    );
    rmSync(join(tree, 'build'), { recursive: true, force: true });

    const r = run(img.python, [join(img.rootDir, 'rebuild.py'), '--root', img.rootDir], {
      cwd: tree,
      env: offline(img.gitconfig),
    });
    expect(r.status, r.out).toBe(0);
    if (scm) expect(r.out).toContain(`SETUPTOOLS_SCM_PRETEND_VERSION=${img.version}`);
    // the H100's architecture only and bounded parallelism, as the image's own source build
    expect(r.out).toMatch(/compile: TORCH_CUDA_ARCH_LIST=9\.0\+PTX MAX_JOBS=[1-9]\d* NVCC_THREADS=2/);
    const so = join(tree, 'vllm/_C.abi3.so');
    expect(lstatSync(so).isSymbolicLink()).toBe(false);
    expect(execFileSync('nm', ['-D', so], { encoding: 'utf8' })).toContain('agent_was_here');
    if (fa) expect(existsSync(join(tree, 'vllm/vllm_flash_attn/__init__.py'))).toBe(true);
    const imp = run(
      img.python,
      ['-c', `import vllm${fa ? ', vllm.vllm_flash_attn' : ''}; print(vllm.__version__)`],
      {
        cwd: '/',
        env: { ...base, PYTHONPATH: tree },
      },
    );
    expect(imp.status, imp.out).toBe(0);
  }, 120_000);

  it('a patch that does not compile is the agent’s build failure, not the environment’s', () => {
    const tree = checkout(img.repo.dir, img.repo.parent, join(root, era, 'broken'));
    writeFileSync(join(tree, 'csrc/ops.c'), 'int ops_standin(void) { return undefined_symbol_here }\n');
    const r = run(img.python, [join(img.rootDir, 'rebuild.py'), '--root', img.rootDir], {
      cwd: tree,
      env: offline(img.gitconfig),
    });
    expect(r.status).not.toBe(0);
    expect(r.status).not.toBe(75);
    expect(r.out).toContain('the build of the patched tree exited with');
  }, 120_000);
});

describe('the recipe’s wheel step without network', () => {
  it('fails at once, saying so, when no wheel URL answers (never a 25-90 minute source build that needs the network too)', () => {
    const rootDir = join(root, 'no-network');
    const source = join(rootDir, 'source');
    mkdirSync(join(source, 'vllm'), { recursive: true });
    writeFileSync(join(source, 'vllm', '__init__.py'), '');
    writeFileSync(
      join(rootDir, 'plan.json'),
      JSON.stringify({
        schemaVersion: 1,
        install: {
          method: 'wheel',
          candidates: ['http://127.0.0.1:9/vllm.whl', 'http://127.0.0.1:9/other.whl'],
          fallback: 'source',
        },
        extraPackages: [],
      }),
    );
    writeFileSync(join(rootDir, 'constraints.txt'), '');
    const r = run(
      PY,
      [join(SCRIPTS, 'install.py'), '--phase', 'install', '--root', rootDir, '--source', source],
      { env: base },
    );
    expect(r.status).toBe(1);
    expect(r.out).toContain('unreachable: http://127.0.0.1:9/vllm.whl');
    expect(r.out).toContain('isobench install: no network: none of the per-commit wheel URLs answered');
    expect(r.out).not.toContain('--no-build-isolation');
  });
});
