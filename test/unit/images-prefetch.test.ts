import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recipeTag } from '../../src/executor/images.js';
import { LocalExecutor } from '../../src/executor/local.js';
import { cudaImageOf, vllmInstallPlan, vllmRecipe, vllmVersionOf } from '../../src/executor/recipes.js';
import { fetchScript, missingFromCache, offlineSetup } from '../../src/prefetch/cache.js';
import { measureAndGradeJob } from '../../src/sched/grade-measurement.js';
import { loadTasks } from '../../src/task/loader.js';
import type { TaskSpec } from '../../src/task/schema.js';
import { admitsPython, vllmTreeFacts } from '../../src/task/vllm-tree.js';
import { TASKS_DIR } from '../support/fixtures.js';
import { ERAS, type Era, makeEraRepo, makeUpstream } from '../support/vllm-era.js';

const root = mkdtempSync(join(tmpdir(), 'isobench-img-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const task = async (id: string): Promise<TaskSpec> => {
  const t = (await loadTasks(TASKS_DIR)).tasks.find((x) => x.id === id);
  if (!t) throw new Error(id);
  return t;
};

describe('vLLM image recipes from the tree’s own facts, era by era', () => {
  const up = makeUpstream(join(root, 'upstream'));
  const trees = Object.fromEntries(
    ERAS.map((e) => [e, makeEraRepo(join(root, `era-${e}`), e, up)]),
  ) as unknown as Record<Era, { dir: string; parent: string }>;

  it('tries the commit’s own per-commit wheel (never a nightly), by era, and falls back to a source build', () => {
    const late = vllmRecipe(trees['2025-07'].parent, trees['2025-07'].dir, '2025-07-21T00:00:00Z');
    const plan = JSON.parse(late.files?.['isobench/plan.json'] as string);
    expect(plan.install).toEqual({
      method: 'wheel',
      candidates: [
        `https://wheels.vllm.ai/${trees['2025-07'].parent}/vllm-1.0.0.dev-cp38-abi3-manylinux1_x86_64.whl`,
        `https://vllm-wheels.s3.us-west-2.amazonaws.com/${trees['2025-07'].parent}/vllm-1.0.0.dev-cp38-abi3-manylinux1_x86_64.whl`,
      ],
      fallback: 'source',
    });
    expect(JSON.stringify(plan)).not.toContain('nightly');
    expect(late.buildArgs).not.toHaveProperty('EDITABLE');
    // summer 2024: the S3 bucket, named by the version in vllm/version.py first
    const summer = vllmInstallPlan(trees['2024-08'].parent, trees['2024-08'].dir, '2024-08-26').plan;
    expect(summer.install.method === 'wheel' && summer.install.candidates[0]).toBe(
      `https://vllm-wheels.s3.us-west-2.amazonaws.com/${trees['2024-08'].parent}/vllm-0.5.5-cp38-abi3-manylinux1_x86_64.whl`,
    );
    expect(vllmVersionOf(trees['2024-08'].dir)).toBe('0.5.5');
    expect(vllmInstallPlan(trees['2024-08'].parent, trees['2024-08'].dir, '2024-04-01').plan.install).toEqual(
      {
        method: 'source',
      },
    );
  });

  it('takes CUDA from the tree’s Dockerfile, and mirrors what CMake fetches for a CUDA build only', () => {
    const f = vllmTreeFacts(trees['2025-07'].dir);
    expect(f.dockerfile).toBe('docker/Dockerfile');
    expect(cudaImageOf(f)).toBe('nvidia/cuda:12.8.1-devel-ubuntu22.04');
    expect(cudaImageOf(vllmTreeFacts(trees['2024-10'].dir))).toBe('nvidia/cuda:12.4.1-devel-ubuntu22.04');
    expect(
      f.fetched.map(
        (d) => `${d.name}@${d.tag}${d.cpuOnly ? ' cpu' : ''}${d.envOverride ? ` [${d.envOverride}]` : ''}`,
      ),
    ).toEqual([
      'cutlass@v3.5.1 [VLLM_CUTLASS_SRC_DIR]',
      `vllm-flash-attn@${up.flashAttnCommit} [VLLM_FLASH_ATTN_SRC_DIR]`,
      'oneDNN@v3.6 cpu',
    ]);
    const { plan } = vllmInstallPlan(trees['2025-07'].parent, trees['2025-07'].dir, '2025-07-21');
    expect(plan.deps.map((d) => d.name)).toEqual(['cutlass', 'vllm-flash-attn']);
    expect(plan.requirementsBuild).toBe('requirements/build.txt');
  });

  it('knows each era’s version scheme, precompiled mode and generated files', () => {
    const facts = (e: Era) => vllmTreeFacts(trees[e].dir);
    expect(facts('2024-08').version).toEqual({ scheme: 'file', value: '0.5.5', file: 'vllm/version.py' });
    expect(facts('2024-08').precompiled).toEqual({ kind: 'flag-only' });
    expect(facts('2024-10').version).toEqual({ scheme: 'setuptools-scm', writeTo: 'vllm/_version.py' });
    expect(facts('2024-10').precompiled).toEqual({ kind: 'flag-only' });
    expect(facts('2024-12').precompiled).toMatchObject({
      kind: 'wheel-location',
      defaultWheel:
        'https://vllm-wheels.s3.us-west-2.amazonaws.com/nightly/vllm-1.0.0.dev-cp38-abi3-manylinux1_x86_64.whl',
      asksUpstream: false,
    });
    expect(facts('2025-07').precompiled).toMatchObject({ kind: 'wheel-location', asksUpstream: true });
    const gen = (e: Era) => vllmInstallPlan(trees[e].parent, trees[e].dir, '2025-01-01').plan.expect;
    expect(gen('2024-08')).toEqual({ required: ['vllm/_C*.so'], optional: ['vllm/commit_id.py'] });
    expect(gen('2024-10')).toEqual({
      required: ['vllm/_C*.so', 'vllm/vllm_flash_attn/__init__.py'],
      optional: ['vllm/vllm_flash_attn/vllm_flash_attn_c*.so', 'vllm/_version.py'],
    });
    expect(admitsPython('>=3.9,<3.13', '3.10')).toBe(true);
    expect(admitsPython('>=3.11', '3.10')).toBe(false);
  });

  it('tags a recipe by a hash of its Dockerfile, plan, scripts and context', async () => {
    const tree = trees['2024-10'].dir;
    const a = vllmRecipe(trees['2024-10'].parent, tree, '2025-05-01');
    const tag = await recipeTag(a);
    expect(tag).toMatch(/^isobench-vllm:[0-9a-f]{16}$/);
    expect(await recipeTag(a)).toBe(tag);
    expect(await recipeTag({ ...a, buildArgs: { ...a.buildArgs, CUDA_IMAGE: 'other' } })).not.toBe(tag);
    expect(
      await recipeTag({
        ...a,
        files: { ...a.files, 'isobench/plan.json': `${a.files?.['isobench/plan.json']} ` },
      }),
    ).not.toBe(tag);
    writeFileSync(join(tree, 'vllm/new.py'), 'x = 1\n');
    expect(await recipeTag(a)).not.toBe(tag);
  });
});

describe('prefetch cache', () => {
  it('lists what a task needs and the cache lacks, in the hub layout', async () => {
    const t = await task('vllm/015069b0');
    const cache = join(root, 'cache');
    expect(missingFromCache(t, cache).map((m) => m.kind)).toEqual(['model', 'tokenizer', 'dataset']);
    const snap = join(cache, 'hub/models--Qwen--Qwen2.5-7B-Instruct/snapshots/abc');
    mkdirSync(snap, { recursive: true });
    writeFileSync(join(snap, 'config.json'), '{}');
    // a config without the weights is not a model: offline, the server would have nothing to load
    expect(missingFromCache(t, cache).map((m) => m.kind)).toEqual(['model', 'tokenizer', 'dataset']);
    writeFileSync(
      join(snap, 'model.safetensors.index.json'),
      JSON.stringify({
        weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' },
      }),
    );
    writeFileSync(join(snap, 'model-00001-of-00002.safetensors'), '');
    expect(missingFromCache(t, cache).map((m) => m.kind)).toEqual(['model', 'tokenizer', 'dataset']);
    writeFileSync(join(snap, 'model-00002-of-00002.safetensors'), '');
    expect(missingFromCache(t, cache).map((m) => m.kind)).toEqual(['tokenizer', 'dataset']);
    writeFileSync(join(snap, 'tokenizer.json'), '{}');
    mkdirSync(join(cache, 'datasets'), { recursive: true });
    writeFileSync(join(cache, 'datasets/ShareGPT_V3_unfiltered_cleaned_split.json'), '[]');
    expect(missingFromCache(t, cache)).toEqual([]);
    const setup = offlineSetup(cache);
    expect(setup.env).toMatchObject({
      HF_HUB_OFFLINE: '1',
      TRANSFORMERS_OFFLINE: '1',
      HF_DATASETS_OFFLINE: '1',
    });
    expect(setup.mounts.every((m) => m.readOnly)).toBe(true);
  });

  it('takes a model that publishes only pytorch_model.bin (facebook/opt-125m): fetched and found', async () => {
    const t = await task('vllm/98f47f2a');
    expect(t.prefetch.models).toContain('facebook/opt-125m');
    const cache = join(root, 'cache-opt');
    const snap = join(cache, 'hub/models--facebook--opt-125m/snapshots/r1');
    mkdirSync(snap, { recursive: true });
    writeFileSync(join(snap, 'config.json'), '{}');
    writeFileSync(join(snap, 'tokenizer_config.json'), '{}');
    expect(missingFromCache(t, cache).map((m) => `${m.kind} ${m.id}`)).toContain('model facebook/opt-125m');
    writeFileSync(join(snap, 'pytorch_model.bin'), '');
    expect(missingFromCache(t, cache).map((m) => `${m.kind} ${m.id}`)).not.toContain(
      'model facebook/opt-125m',
    );
    // the fetch script, run against a stand-in hub client that keeps huggingface_hub's calls, asks for
    // the .bin where the repository has no safetensors, and for safetensors only where it has them
    const hub = join(root, 'fake-hub');
    mkdirSync(join(hub, 'huggingface_hub'), { recursive: true });
    writeFileSync(
      join(hub, 'huggingface_hub', '__init__.py'),
      [
        'import json, os',
        'FILES = {"facebook/opt-125m": ["config.json", "pytorch_model.bin", "tf_model.h5", "vocab.json"],',
        '         "Qwen/Qwen2.5-7B-Instruct": ["config.json", "model-00001-of-00004.safetensors", "tokenizer.json"]}',
        'class HfApi:',
        '    def list_repo_files(self, repo, repo_type=None):',
        '        return FILES.get(repo, ["config.json", "model.safetensors"])',
        'def snapshot_download(repo, allow_patterns=None, repo_type=None):',
        '    with open(os.environ["FAKE_HUB_LOG"], "a") as f:',
        '        f.write(json.dumps([repo, allow_patterns]) + "\\n")',
        'def hf_hub_download(repo, name, repo_type=None):',
        '    p = os.path.join(os.environ["FAKE_HUB_LOG"] + ".d", name)',
        '    os.makedirs(os.path.dirname(p), exist_ok=True)',
        '    open(p, "w").close()',
        '    return p',
      ].join('\n'),
    );
    const { spawnSync } = await import('node:child_process');
    const { readFileSync } = await import('node:fs');
    const log = join(root, 'fake-hub.log');
    const qwen = await task('vllm/015069b0');
    const r = spawnSync('python3', ['-c', fetchScript([t, qwen], join(root, 'fetched'))], {
      env: { ...process.env, PYTHONPATH: hub, FAKE_HUB_LOG: log },
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const asked = Object.fromEntries(
      readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as [string, string[]]),
    );
    expect(asked['facebook/opt-125m']).toEqual(expect.arrayContaining(['*.bin', '*.json']));
    expect(asked['facebook/opt-125m']).not.toContain('*.safetensors');
    expect(asked['Qwen/Qwen2.5-7B-Instruct']).toContain('*.safetensors');
    expect(asked['Qwen/Qwen2.5-7B-Instruct']).not.toContain('*.bin');
  });

  it('fails a job with prefetch_missing before anything runs', async () => {
    const t = await task('demo/cpu-latency');
    const needy: TaskSpec = { ...t, prefetch: { ...t.prefetch, models: ['org/not-there'] } };
    const job = await measureAndGradeJob({
      task: needy,
      agents: [],
      executor: new LocalExecutor(),
      jobDir: join(root, 'job'),
      cache: join(root, 'empty-cache'),
    });
    expect(job.failure).toMatchObject({ class: 'prefetch_missing' });
    expect(job.failure?.detail).toContain('model org/not-there');
    expect(job.variants).toEqual([]);
  });
});
