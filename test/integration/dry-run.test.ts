/**
 * `isobench run --dry-run` on a generated vLLM tree (the 2025-07 era of test/support/vllm-era.ts) and
 * on the demo: the exact argv the spec says, with what the harness adds listed apart; per-commit
 * images with their build arguments; nothing started, built or written.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DryTask } from '../../src/run/dry-run.js';
import { runCliSync } from '../support/cli.js';
import { PROJECT_ROOT } from '../support/shared-data.js';
import { makeEraRepo, makeUpstream } from '../support/vllm-era.js';

const root = mkdtempSync(join(tmpdir(), 'isobench-dry-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const isobench = (...args: string[]) => runCliSync(args, { cwd: root });

describe('isobench run --dry-run', () => {
  let repo: { dir: string; parent: string; human: string };
  const tasksDir = join(root, 'tasks');
  const server = [
    'python3',
    '-m',
    'vllm.entrypoints.openai.api_server',
    '--model',
    'facebook/opt-125m',
    '--port',
    '8000',
  ];
  const client = [
    'python',
    'benchmarks/benchmark_serving.py',
    '--model',
    'facebook/opt-125m',
    '--num-prompts',
    '100',
    '--port',
    '8000',
  ];
  const bench = [
    'vllm',
    'bench',
    'throughput',
    '--model',
    'facebook/opt-125m',
    '--input-len',
    '8',
    '--output-len',
    '8',
  ];
  beforeAll(() => {
    repo = makeEraRepo(join(root, 'repo'), '2025-07', makeUpstream(join(root, 'upstream')));
    for (const [id, from] of [
      ['serve', '58eee5f2'],
      ['bench', '0ec82edd'],
      ['rate', '015069b0'],
    ] as const) {
      const s = JSON.parse(readFileSync(join(PROJECT_ROOT, 'tasks', 'vllm', `${from}.json`), 'utf8'));
      s.id = `vllm/${id}`;
      s.commits = { ...s.commits, parent: repo.parent, human: repo.human };
      if (id === 'serve') {
        s.benchmark.server.argv = server;
        s.benchmark.client.argv = client;
      } else if (id === 'bench') s.benchmark.client.argv = bench;
      mkdirSync(join(tasksDir, id, 'vllm'), { recursive: true });
      writeFileSync(join(tasksDir, id, 'vllm', `${id}.json`), JSON.stringify(s));
    }
  }, 60_000);

  const dry = (id: string, ...extra: string[]) => {
    const r = isobench(
      'run',
      '--dry-run',
      '--json',
      '--tasks-dir',
      join(tasksDir, id),
      '--tasks',
      `vllm/${id}`,
      '--repo',
      repo.dir,
      '--executor',
      'docker',
      '--build-images',
      '--out',
      join(root, 'runs'),
      ...extra,
    );
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { tasks: DryTask[] }).tasks[0] as DryTask;
  };

  it('a serving task: the spec’s server and client argv exactly, the JSON result flags listed apart, per-commit images', () => {
    const t = dry('serve');
    expect(t.server?.argv).toEqual(server);
    expect(t.server?.appended).toEqual([]);
    expect(t.client.argv).toEqual(client);
    expect(t.client.appended).toEqual([
      {
        args: [
          '--save-result',
          '--result-dir',
          '/work/results',
          '--result-filename',
          '<round>-<variant>-a<attempt>.json',
        ],
        why: expect.stringContaining('--save-result'),
      },
    ]);
    expect(t.client.env.PYTHONPATH).toBe('/work/client');
    const images = t.images as unknown as Array<{
      role: string;
      tag: string;
      buildArgs: Record<string, string>;
      plan: { install: { method: string } };
    }>;
    expect(images.map((i) => i.role)).toEqual(['parent', 'human']);
    expect(images[0]?.buildArgs).toEqual({
      CUDA_IMAGE: 'nvidia/cuda:12.8.1-devel-ubuntu22.04',
      PYTHON: 'python3.10',
      VLLM_COMMIT: repo.parent,
    });
    expect(images[0]?.tag).toMatch(/^isobench-vllm:[0-9a-f]{16}$/);
    expect(images[0]?.tag).not.toBe(images[1]?.tag);
    expect(t.variants.map((v) => [v.id, v.image])).toEqual([
      ['baseline', images[0]?.tag],
      ['human', images[1]?.tag],
    ]);
    expect(t.gpus).toEqual({ count: 1, devices: 'any 1 free GPU(s), leased', shmBytes: 16 * 1024 ** 3 });
    expect(t.notes.join(' ')).toContain('no --cache: the job would fail prefetch_missing');
    // nothing was written, started or built
    expect(existsSync(join(root, 'runs'))).toBe(false);
    expect(
      spawnSync('git', ['-C', repo.dir, 'worktree', 'list'], { encoding: 'utf8' }).stdout.trim().split('\n'),
    ).toHaveLength(1);
  });

  it('the GPU time a job takes, bounded by its workload and its limits; native patches get the rebuilt parent', () => {
    // 015069b0's client: --request-rate 1 and the default 1000 prompts, 1000 s a phase at least
    const t = dry('rate');
    expect(t.gpuTime).toEqual({
      phases: 12,
      fewestPhases: 12,
      atLeastS: 12_000,
      atMostS: (t.timeouts.serverStartS + t.timeouts.benchmarkS) * 12,
      basis: '1000 prompts (the default) at 1 req/s: 1000 s a phase',
      // no earlier run in this runs folder recorded a serving start
      expected: null,
    });
    const text = isobench(
      'run',
      '--dry-run',
      '--tasks-dir',
      join(tasksDir, 'rate'),
      '--tasks',
      'vllm/rate',
      '--repo',
      repo.dir,
      '--repeats',
      '2',
      '--out',
      join(root, 'runs'),
    );
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /GPU time: 6 phases; at least 1 h 40 min \(1000 prompts \(the default\) at 1 req\/s/,
    );
    expect(text.stdout).toMatch(
      /GPU time of the 1 GPU task\(s\), in GPU-hours .*: at least 1 h 40 min, at most/,
    );
    // adaptive rounds: from the first look (2 rounds, no warm-up) to the most (6)
    const adaptive = isobench(
      'run',
      '--dry-run',
      '--tasks-dir',
      join(tasksDir, 'rate'),
      '--tasks',
      'vllm/rate',
      '--repo',
      repo.dir,
      '--rounds',
      '2..6',
      '--warmup',
      '0',
      '--out',
      join(root, 'runs'),
    );
    expect(adaptive.code, adaptive.stderr).toBe(0);
    expect(adaptive.stdout).toContain(
      'rounds: 0 warm-up + adaptive 2..6 measured (a look after each from round 2, pocock spending',
    );
    expect(adaptive.stdout).toMatch(/GPU time: 4 to 12 phases; at least 1 h 07 min \(1000 prompts/);
    // an agent patch to compiled sources: the parent rebuilt the same way is measured too
    const preds = join(root, 'native.jsonl');
    const patch = [
      'diff --git a/csrc/new_kernel.cu b/csrc/new_kernel.cu',
      'new file mode 100644',
      'index 0000000..e69de29',
      '--- /dev/null',
      '+++ b/csrc/new_kernel.cu',
      '@@ -0,0 +1 @@',
      '+// faster',
      '',
    ].join('\n');
    writeFileSync(
      preds,
      `${JSON.stringify({ instance_id: 'vllm/serve', model_name_or_path: 'm', model_patch: patch })}\n`,
    );
    const n = dry('serve', '--predictions', preds);
    expect(n.rounds.order).toEqual([
      'baseline',
      'human',
      expect.stringMatching(/^agent:/),
      'baseline-rebuilt',
    ]);
    expect(n.variants.find((v) => v.id === 'baseline-rebuilt')?.setup).toEqual(
      n.variants.find((v) => v.id.startsWith('agent:'))?.setup,
    );
    expect(n.gpuTime.phases).toBe(24);
    expect(n.gpuTime.atLeastS).toBe(0);
  });

  it('a `vllm bench` task: the pinned client copy, its JSON result from the subcommand’s module', () => {
    const t = dry(
      'bench',
      '--predictions',
      join(PROJECT_ROOT, 'harness/demo/predictions/example-agent.jsonl'),
    );
    expect(t.client.argv).toEqual(bench);
    expect(t.client.appended[0]?.args[0]).toBe('--output-json');
    expect(t.clientCopy).toMatchObject({ path: 'vllm/benchmarks', pinned: true });
    expect(t.variants.find((v) => v.id === 'human')?.notes.join(' ')).toContain(
      "the parent's vllm/benchmarks pinned in",
    );
  });

  it('the demo default, as text, and a vLLM task in the base image refused by a real run', () => {
    const r = isobench('run', '--dry-run', '--executor', 'local');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('== demo/cpu-serving (serving; local executor)');
    expect(r.stdout).toContain('variant agent:example-agent');
    const refused = isobench(
      'run',
      '--tasks-dir',
      join(tasksDir, 'serve'),
      '--tasks',
      'vllm/serve',
      '--repo',
      repo.dir,
      '--executor',
      'docker',
      '--out',
      join(root, 'runs'),
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('vLLM tasks run in their per-commit images: add --build-images');
  });
});
