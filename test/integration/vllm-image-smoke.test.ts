/**
 * The smoke checks of a vLLM image, against a real Docker engine and a stand-in vLLM package whose
 * compiled extension is a real shared object linked against the CUDA driver library (libcuda.so.1),
 * as vLLM's are (tree 0027's cmake/utils.cmake links ${CUDA_CUDA_LIB}, tree 0025 CUDA::cuda_driver).
 * Without a GPU request no NVIDIA runtime puts libcuda.so.1 into the container, so loading the
 * extension fails there; the recipe's check without GPU must pass anyway, and the loading check
 * waits for a build that has GPUs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureImage, type ImageRecipe } from '../../src/executor/images.js';
import { vllmRecipe } from '../../src/executor/recipes.js';
import { BASE_IMAGE, HAVE_DOCKER } from '../support/docker.js';
import { makeEraRepo, makeUpstream } from '../support/vllm-era.js';

const root = mkdtempSync(join(tmpdir(), 'isobench-vllm-smoke-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A stand-in vllm package: __init__.py, and _C.abi3.so that needs libcuda.so.1 to load. */
function standInPackage(dir: string): void {
  const pkg = join(dir, 'vllm');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, '__init__.py'), '__version__ = "0.5.4+standin"\n');
  // the driver library exists only at link time (as on a build host without a GPU)
  const stub = join(root, 'stub');
  mkdirSync(stub, { recursive: true });
  writeFileSync(join(stub, 'cuda.c'), 'int cuInit(unsigned int flags) { return flags ? 1 : 0; }\n');
  execFileSync('gcc', [
    '-shared',
    '-fPIC',
    '-Wl,-soname,libcuda.so.1',
    '-o',
    join(stub, 'libcuda.so'),
    join(stub, 'cuda.c'),
  ]);
  writeFileSync(
    join(stub, 'ext.c'),
    'extern int cuInit(unsigned int);\nint standin_init(void) { return cuInit(0); }\n',
  );
  execFileSync('gcc', [
    '-shared',
    '-fPIC',
    '-o',
    join(pkg, '_C.abi3.so'),
    join(stub, 'ext.c'),
    `-L${stub}`,
    '-lcuda',
  ]);
}

describe.skipIf(!HAVE_DOCKER)('vLLM image smoke checks without a GPU', () => {
  let recipe: ImageRecipe;
  beforeAll(() => {
    const up = makeUpstream(join(root, 'upstream'));
    const tree = makeEraRepo(join(root, 'era'), '2024-08', up);
    const vllm = vllmRecipe(tree.parent, tree.dir, '2024-08-06T00:00:00Z');
    const pkgDir = join(root, 'pkg');
    standInPackage(pkgDir);
    // the demo family bakes a folder in at /opt/task/repo on PYTHONPATH: the stand-in package, with
    // the vLLM recipe's own checks (the one that needs its image's record of generated files aside)
    recipe = {
      family: 'demo',
      context: [{ from: pkgDir, to: 'repo' }],
      buildArgs: { BASE: BASE_IMAGE },
      smoke: vllm.smoke.filter((argv) => !argv.some((a) => a.endsWith('prepare.py'))),
      gpuSmoke: vllm.gpuSmoke,
    };
  });

  it('loading the compiled extension fails without the NVIDIA runtime, as vLLM’s does', async () => {
    const Docker = (await import('dockerode')).default;
    const image = await ensureImage(new Docker(), { ...recipe, smoke: [], gpuSmoke: [] }, join(root, 'logs'));
    const r = (() => {
      try {
        return {
          code: 0,
          out: execFileSync(
            'docker',
            ['run', '--rm', '--network', 'none', image.tag, 'python3', '-c', 'import vllm._C'],
            { encoding: 'utf8', stdio: 'pipe' },
          ),
        };
      } catch (e) {
        const err = e as { status: number; stderr: string };
        return { code: err.status, out: err.stderr };
      }
    })();
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/ImportError: libcuda\.so\.1: cannot open shared object file/);
  });

  it('the image passes its checks without a GPU; the loading check is recorded as not run', async () => {
    const Docker = (await import('dockerode')).default;
    const built = await ensureImage(new Docker(), recipe, join(root, 'logs'));
    expect(built.smoke.map((s) => [s.gpu, s.exitCode, s.skipped ?? null])).toEqual([
      [false, 0, null],
      [true, null, 'the build was given no GPU'],
    ]);
    expect(built.smoke[1]?.argv.join(' ')).toContain('vllm._C');
  });
});
