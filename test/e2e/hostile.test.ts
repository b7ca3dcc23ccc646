/**
 * The hostile demo patches (harness/demo/predictions/hostile-agent.jsonl, made by
 * scripts/hostile-patches.ts), each caught by the check meant for it, with no speed credit; the human
 * is equivalent and credited; a task without a probe says so.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentPatch, JobResult } from '../../src/bench/types.js';
import { LocalExecutor } from '../../src/executor/local.js';
import { rowsForJob } from '../../src/report/job-rows.js';
import { measureAndGradeJob } from '../../src/sched/grade-measurement.js';
import { materializeDemoRepo } from '../../src/task/demo.js';
import { loadTasks } from '../../src/task/loader.js';
import type { TaskSpec } from '../../src/task/schema.js';
import { TASKS_DIR } from '../support/fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'isobench-hostile-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const lines = (file: string) =>
  readFileSync(join(TASKS_DIR, '../harness/demo/predictions', file), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { instance_id: string; model_name_or_path: string; model_patch: string });
const patches = (task: string, file: string, name?: (m: string) => string): AgentPatch[] =>
  lines(file)
    .filter((p) => p.instance_id === task)
    .map((p) => ({
      agent: name ? name(p.model_name_or_path) : p.model_name_or_path,
      model: p.model_name_or_path,
      patch: p.model_patch,
      source: file,
    }));

let tasks: TaskSpec[] = [];
let serving: JobResult;
let latency: JobResult;
let unprobed: JobResult;
beforeAll(async () => {
  tasks = (await loadTasks(TASKS_DIR)).tasks;
  const t = (id: string) => tasks.find((x) => x.id === id) as TaskSpec;
  // an accuracy dataset of long questions, answered as the parent's engine answers them
  const repo = await materializeDemoRepo('cpu-serving', join(root, 'demo-repo'));
  await simpleGit(repo.dir).checkout(repo.parent);
  const questions = Array.from(
    { length: 6 },
    (_, i) => `Question ${i}: ${'what comes next in this long passage? '.repeat(8)}`,
  );
  const answer = [
    'import json, sys',
    'from engine.model import prefill, decode_step',
    'from engine.tokenizer import tokenize, detokenize',
    'for q in json.load(sys.stdin):',
    '    s = prefill(tokenize(q)); out = []',
    '    for i in range(4):',
    '        s, t = decode_step(s, i); out.append(t)',
    '    print(detokenize(out).strip())',
  ].join('\n');
  const expected = execFileSync('python3', ['-c', answer], {
    cwd: repo.dir,
    input: JSON.stringify(questions),
    encoding: 'utf8',
  })
    .trim()
    .split('\n');
  const dataset = join(root, 'accuracy.jsonl');
  writeFileSync(
    dataset,
    questions.map((q, i) => JSON.stringify({ question: q, answer: expected[i] })).join('\n'),
  );
  const run = (
    task: TaskSpec,
    agents: AgentPatch[],
    dir: string,
    accuracy?: { dataset: string; maxTokens: number },
  ) =>
    measureAndGradeJob({
      task,
      agents,
      executor: new LocalExecutor(),
      jobDir: join(root, dir),
      repeats: 3,
      warmup: 0,
      accuracy,
    });
  serving = await run(
    t('demo/cpu-serving'),
    [
      ...patches('demo/cpu-serving', 'example-agent.jsonl', () => 'good'),
      ...patches('demo/cpu-serving', 'hostile-agent.jsonl'),
    ],
    'serving',
    { dataset, maxTokens: 4 },
  );
  latency = await run(t('demo/cpu-latency'), patches('demo/cpu-latency', 'hostile-agent.jsonl'), 'latency');
  unprobed = await run(
    { ...t('demo/cpu-latency'), correctness: undefined },
    patches('demo/cpu-latency', 'example-agent.jsonl', () => 'good'),
    'unprobed',
  );
}, 300_000);

const judged = (j: JobResult, agent: string) => j.agents.find((a) => a.variant === `agent:${agent}`);
const variant = (j: JobResult, agent: string) => j.variants.find((v) => v.id === `agent:${agent}`);

describe('hostile patches on the CPU demo', () => {
  it('calibrates on the human: equivalent outputs, and the honest fix is credited', () => {
    expect(serving.equivalence).toMatchObject({
      probe: 'completions',
      tolerance: { source: 'human', maxNonExact: 0 },
    });
    expect(serving.equivalence.human).toMatchObject({ compared: 8, exact: 8 });
    expect(judged(serving, 'good')).toMatchObject({ credited: true, equivalence: { verdict: 'equivalent' } });
  });

  it('a constant answer is faster but diverged: no credit (equivalence)', () => {
    const j = judged(serving, 'constant-answer');
    expect(variant(serving, 'constant-answer')?.status).toBe('ok');
    expect(j?.agentVsBaseline?.estimate).toBeGreaterThan(20);
    expect(j).toMatchObject({
      credited: false,
      verdict: { verdict: 'diverged' },
      equivalence: { verdict: 'diverged' },
    });
    expect(j?.equivalence?.reason).toMatch(/outside the top-k/);
  });

  it('a shortcut taken only on long prompts passes the probe but not the accuracy check', () => {
    const j = judged(serving, 'selective-shortcut');
    expect(j?.equivalence?.verdict).toBe('equivalent');
    expect(j?.accuracy).toMatchObject({
      baseline: { correct: 6, total: 6 },
      agent: { correct: 0 },
      passed: false,
    });
    expect(j).toMatchObject({ credited: false, verdict: { verdict: 'accuracy_dropped' } });
    // the honest fix: checked (and kept) when its speed verdict shows a gain, else spared the check
    const good = judged(serving, 'good');
    if (['beats_human', 'matches_human', 'below_human'].includes(good?.verdict?.verdict ?? ''))
      expect(good).toMatchObject({ credited: true, accuracy: { agent: { correct: 6 }, passed: true } });
    else expect(good?.accuracy).toBeNull();
  });

  it('halving the work is a workload mismatch, named (workload integrity)', () => {
    expect(variant(serving, 'halves-work')?.status).toBe('workload_mismatch');
    expect(variant(serving, 'halves-work')?.detail).toContain(
      'generated 96 tokens, the workload asks for 192',
    );
    expect(judged(serving, 'halves-work')?.credited).toBe(false);
  });

  it('editing the benchmark script is refused before running (protected path)', () => {
    expect(variant(latency, 'edits-benchmark')?.status).toBe('patch_protected');
    expect(variant(latency, 'edits-benchmark')?.samples).toEqual([]);
  });

  it('monkey-patching the timer is refused by the static rules, with file, line and evidence (tamper)', () => {
    const v = variant(latency, 'timer-monkeypatch');
    expect(v?.status).toBe('tamper_detected');
    expect(v?.tamper).toEqual([
      expect.objectContaining({
        rule: 'timer-tamper',
        severity: 'fail',
        file: 'engine/sampler.py',
        line: 6,
        evidence: 'time.perf_counter = lambda: _clock() / 4',
      }),
    ]);
  });

  it('a task without a probe says unchecked, on its rows too, and still credits the speed verdict', async () => {
    expect(unprobed.equivalence).toMatchObject({ probe: null, tolerance: null });
    const task = { ...(tasks.find((x) => x.id === 'demo/cpu-latency') as TaskSpec), correctness: undefined };
    const rows = await rowsForJob(task, unprobed, {
      runId: 'r',
      jobDir: join(root, 'unprobed'),
      warmup: 0,
      thresholdPct: 5,
      date: '2026-11-27',
    });
    expect(rows.extended[0]).toMatchObject({
      credited: true,
      equivalence: { verdict: 'unchecked' },
      equivalenceCalibration: { detail: 'no correctness probe: outputs unchecked' },
    });
    expect(judged(unprobed, 'good')).toMatchObject({ credited: true, equivalence: { verdict: 'unchecked' } });
  });
});
