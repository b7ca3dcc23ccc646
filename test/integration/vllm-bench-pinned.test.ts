/**
 * A `vllm bench` task runs benchmark code from inside the package each variant supplies
 * (`vllm/benchmarks/`): a real bench job on the generated 2025-07 tree (test/support/vllm-era.ts),
 * local executor, shows the parent's copy pinned into every variant (the human commit changed its
 * own), the JSON result asked for from the subcommand's module, and a patch to the timing code
 * refused as protected.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobResult } from '../../src/bench/types.js';
import { LocalExecutor } from '../../src/executor/local.js';
import { measureAndGradeJob } from '../../src/sched/grade-measurement.js';
import type { TaskSpec } from '../../src/task/schema.js';
import { PROJECT_ROOT } from '../support/shared-data.js';
import { makeEraRepo, makeUpstream } from '../support/vllm-era.js';

const root = mkdtempSync(join(tmpdir(), 'isobench-vllm-bench-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const diff = (path: string, from: string, to: string) =>
  `diff --git a/${path} b/${path}\n--- a/${path}\n+++ b/${path}\n@@ -1 +1 @@\n-${from}\n+${to}\n`;

describe('vllm bench: the parent’s vllm/benchmarks for every variant', () => {
  let job: JobResult;
  let jobDir: string;
  beforeAll(async () => {
    const repo = makeEraRepo(join(root, 'repo'), '2025-07', makeUpstream(join(root, 'upstream')));
    // the `vllm` console script an installed vLLM puts on PATH; it imports the package from PYTHONPATH
    const bin = join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'vllm'),
      '#!/usr/bin/env python3\nfrom vllm.entrypoints.cli.main import main\nmain()\n',
    );
    chmodSync(join(bin, 'vllm'), 0o755);
    const base = JSON.parse(readFileSync(join(PROJECT_ROOT, 'tasks/vllm/0ec82edd.json'), 'utf8')) as TaskSpec;
    const task: TaskSpec = {
      ...base,
      commits: { ...base.commits, parent: repo.parent, human: repo.human },
      benchmark: {
        ...base.benchmark,
        perfCommand: null,
        client: {
          argv: [
            'vllm',
            'bench',
            'throughput',
            '--model',
            'm',
            '--input-len',
            '8',
            '--output-len',
            '8',
            '--num-prompts',
            '20',
          ],
        },
      },
      prefetch: { models: [], tokenizers: [], datasets: [] },
      hardware: { gpu: 'H100', count: 0 },
      correctness: undefined,
      // the stand-in needs no generated files: no image, no prepare step
      setup: undefined,
    };
    jobDir = join(root, 'job');
    job = await measureAndGradeJob({
      task,
      agents: [
        {
          agent: 'timer',
          model: 'm',
          source: 'test',
          patch: diff(
            'vllm/benchmarks/throughput.py',
            'import json',
            'import json  # the agent edits the timing code',
          ),
        },
        {
          agent: 'engine',
          model: 'm',
          source: 'test',
          patch: diff(
            'vllm/engine/speed.py',
            'def generate(n, input_len, output_len):',
            'def generate(n, input_len, output_len):  # agent',
          ),
        },
      ],
      executor: new LocalExecutor({
        root: join(root, 'sandboxes'),
        baseEnv: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      }),
      jobDir,
      repeats: 1,
      warmup: 0,
      source: { clone: repo.dir },
    });
  }, 120_000);

  const client = (variant: string) =>
    readFileSync(join(jobDir, 'phases', `01-${variant}`, 'client.stdout'), 'utf8');

  it('the human’s own vllm/benchmarks (changed by its commit) is replaced by the parent’s, and says so', () => {
    const human = job.variants.find((v) => v.id === 'human');
    expect(human?.status, human?.detail).toBe('ok');
    expect(client('human')).toContain('benchmark code: parent');
    expect(human?.notes?.[0]).toContain(
      "the parent's vllm/benchmarks replaced this tree's own (which differed)",
    );
    expect(client('baseline')).toContain('benchmark code: parent');
  });

  it('a patch to the timing code is refused (protected); one to the engine runs with the parent’s timing code', () => {
    expect(job.variants.find((v) => v.id === 'agent:timer')).toMatchObject({ status: 'patch_protected' });
    const engine = job.variants.find((v) => v.id === 'agent:engine');
    expect(engine?.status, engine?.detail).toBe('ok');
    expect(client('agent_engine')).toContain('benchmark code: parent');
  });

  it('the JSON result is asked of the subcommand’s module and read', () => {
    const phase = JSON.parse(readFileSync(join(jobDir, 'phases', '01-baseline', 'phase.json'), 'utf8'));
    expect(phase.client.argv).toContain('--output-json');
    expect(phase.result.source).toBe('json');
    expect(phase.metrics.total_token_throughput.value).toBeGreaterThan(0);
  });
});
