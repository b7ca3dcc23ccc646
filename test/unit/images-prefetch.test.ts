import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBenchJob } from '../../src/bench/job.js';
import { recipeTag } from '../../src/executor/images.js';
import { LocalExecutor } from '../../src/executor/local.js';
import { vllmRecipe, vllmVersionOf } from '../../src/executor/recipes.js';
import { missingFromCache, offlineSetup } from '../../src/prefetch/cache.js';
import { loadTasks } from '../../src/task/loader.js';
import type { TaskSpec } from '../../src/task/schema.js';
import { TASKS_DIR } from '../support/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'isobench-img-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const task = async (id: string): Promise<TaskSpec> => {
  const t = (await loadTasks(TASKS_DIR)).tasks.find((x) => x.id === id);
  if (!t) throw new Error(id);
  return t;
};

describe('vLLM image recipes by era', () => {
  const tree = join(root, 'tree');
  mkdirSync(join(tree, 'vllm'), { recursive: true });
  writeFileSync(join(tree, 'vllm/version.py'), '__version__ = "0.5.4"\n');

  it('uses the wheels.vllm.ai per-commit wheel, CUDA and pins of 2025, and an editable install', async () => {
    const t = await task('vllm/015069b0');
    const r = vllmRecipe(t, t.commits.parent, tree, '2025-05-01T00:00:00Z');
    expect(r.buildArgs).toMatchObject({
      INSTALL: 'wheel',
      WHEEL_URL: `https://wheels.vllm.ai/${t.commits.parent}/vllm-1.0.0.dev-cp38-abi3-manylinux1_x86_64.whl`,
      CUDA_IMAGE: 'nvidia/cuda:12.4.1-devel-ubuntu22.04',
      EDITABLE: '1',
    });
    expect(r.files?.['constraints.txt']).toBe('transformers<4.52\n');
    expect(r.smoke[1]).toEqual(['python3', 'benchmarks/benchmark_serving.py', '--help']);
    expect(r.notes?.join(' ')).toContain('wheels.vllm.ai');
  });

  it('uses the S3 wheel with the version of vllm/version.py in summer 2024, no editable install', async () => {
    const t = await task('vllm/2deb029d');
    const r = vllmRecipe(t, t.commits.parent, tree, '2024-08-26T00:00:00Z');
    expect(r.buildArgs.WHEEL_URL).toBe(
      `https://vllm-wheels.s3.us-west-2.amazonaws.com/${t.commits.parent}/vllm-0.5.4-cp38-abi3-manylinux1_x86_64.whl`,
    );
    expect(r.buildArgs.EDITABLE).toBe('0');
    expect(r.buildArgs.CUDA_IMAGE).toBe('nvidia/cuda:12.1.1-devel-ubuntu22.04');
    expect(vllmVersionOf(tree)).toBe('0.5.4');
  });

  it('builds from source before July 2024, and uses CUDA 12.8 from mid 2025', async () => {
    const t = await task('vllm/015069b0');
    expect(vllmRecipe(t, t.commits.parent, tree, '2024-04-01').buildArgs).toMatchObject({
      INSTALL: 'source',
      WHEEL_URL: '',
    });
    expect(vllmRecipe(t, t.commits.parent, tree, '2025-07-20').buildArgs.CUDA_IMAGE).toBe(
      'nvidia/cuda:12.8.1-devel-ubuntu22.04',
    );
  });

  it('tags a recipe by a hash of its Dockerfile, arguments and context', async () => {
    const t = await task('vllm/015069b0');
    const a = vllmRecipe(t, t.commits.parent, tree, '2025-05-01');
    const tag = await recipeTag(a);
    expect(tag).toMatch(/^isobench-vllm:[0-9a-f]{16}$/);
    expect(await recipeTag(a)).toBe(tag);
    expect(await recipeTag({ ...a, buildArgs: { ...a.buildArgs, EDITABLE: '0' } })).not.toBe(tag);
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

  it('fails a job with prefetch_missing before anything runs', async () => {
    const t = await task('demo/cpu-latency');
    const needy: TaskSpec = { ...t, prefetch: { ...t.prefetch, models: ['org/not-there'] } };
    const job = await runBenchJob({
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
