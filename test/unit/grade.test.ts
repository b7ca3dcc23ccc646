import { describe, expect, it } from 'vitest';
import { logLines } from '../../src/parse/lines.js';
import { readNamespaces } from '../../src/parse/namespace.js';
import { auditRows } from '../../src/published/audit.js';
import { regradeRows } from '../../src/published/table-regrade.js';
import { parsePerfCommand } from '../../src/task/perf-command.js';
import { classifyPublishedRow } from '../../src/v5/classify.js';
import { derivedValue, improvementPct, recomputeDerived } from '../../src/v5/formulas.js';
import { computeLeaderboard } from '../../src/v5/leaderboard.js';
import { primaryMetricOf } from '../../src/v5/primary.js';
import { V5_COLUMNS, type V5Row } from '../../src/v5/schema.js';
import { compareWorkload } from '../../src/v5/workload.js';

/** A row with every column null, then the given values. */
function row(values: Partial<V5Row>): V5Row {
  return { ...(Object.fromEntries(V5_COLUMNS.map((c) => [c, null])) as V5Row), ...values };
}

const SERVING_RAW = `Namespace(backend='vllm', model='m', num_prompts=100, random_input_len=512, seed=0)
============ Serving Benchmark Result ============
Successful requests:                     100
Output token throughput (tok/s):         124.10
Mean TTFT (ms):                          20.00
Median TTFT (ms):                        19.00
P99 TTFT (ms):                           40.00
==================================================
`;

describe('improvement formulas', () => {
  it('is percent over the reference, positive = better, in both directions', () => {
    expect(improvementPct(100, 80, 'lower')).toBe(20);
    expect(improvementPct(100, 125, 'lower')).toBe(-25);
    expect(improvementPct(100, 125, 'higher')).toBe(25);
    expect(improvementPct(200, 150, 'higher')).toBe(-25);
    // exactly the published float expression
    expect(improvementPct(10.47, 13.48, 'lower')).toBe(((10.47 - 13.48) / 10.47) * 100);
  });

  it('gives null without a positive reference or a non-zero value', () => {
    expect(improvementPct(null, 1, 'lower')).toBeNull();
    expect(improvementPct(1, null, 'lower')).toBeNull();
    expect(improvementPct(0, 1, 'lower')).toBeNull();
    expect(improvementPct(-5, 1, 'higher')).toBeNull();
    expect(improvementPct(5, 0, 'higher')).toBeNull();
    expect(improvementPct(5, Number.NaN, 'higher')).toBeNull();
  });

  it('derives the three column families from the right reference', () => {
    const r = row({
      baseline_ttft_mean: 100,
      human_ttft_mean: 80,
      agent_ttft_mean: 90,
      baseline_throughput: 10,
      human_throughput: 12,
      agent_throughput: 15,
    });
    expect(derivedValue(r, 'human_improvement', 'ttft_mean')).toBe(20);
    expect(derivedValue(r, 'agent_improvement', 'ttft_mean')).toBe(10);
    expect(derivedValue(r, 'agent_vs_human', 'ttft_mean')).toBe(-12.5);
    expect(derivedValue(r, 'agent_vs_human', 'throughput')).toBe(25);
    const all = recomputeDerived(r);
    expect(all).toHaveLength(21);
    expect(
      all
        .filter((d) => d.value !== null)
        .map((d) => d.column)
        .sort(),
    ).toEqual(
      [
        'agent_improvement_throughput',
        'agent_improvement_ttft_mean',
        'agent_vs_human_throughput',
        'agent_vs_human_ttft_mean',
        'human_improvement_throughput',
        'human_improvement_ttft_mean',
      ].sort(),
    );
  });
});

describe('the published classification', () => {
  it('picks the primary metric by mode and script', () => {
    expect(primaryMetricOf(row({ benchmark_mode: 'serving' }))).toMatchObject({
      ok: true,
      metric: 'ttft_mean',
    });
    expect(primaryMetricOf(row({ benchmark_mode: 'prefix_caching' }))).toMatchObject({
      metric: 'throughput',
    });
    expect(
      primaryMetricOf(
        row({
          benchmark_mode: 'standalone',
          perf_command: 'python benchmarks/benchmark_latency.py --model m',
        }),
      ),
    ).toMatchObject({ metric: 'latency_avg' });
    expect(
      primaryMetricOf(
        row({
          benchmark_mode: 'standalone',
          perf_command: 'python benchmarks/benchmark_throughput.py --model m',
        }),
      ),
    ).toMatchObject({ metric: 'throughput' });
    expect(
      primaryMetricOf(row({ benchmark_mode: null }), 'python benchmarks/benchmark_serving.py --model m'),
    ).toMatchObject({ metric: 'ttft_mean' });
    expect(primaryMetricOf(row({}))).toMatchObject({ ok: false });
    expect(primaryMetricOf(row({ benchmark_mode: 'weird' }))).toEqual({
      ok: false,
      reason: "unknown benchmark_mode 'weird'",
    });
  });

  it('tells patch failure, wrong metric, missing human metric and valid apart', () => {
    const base = { benchmark_mode: 'serving' } as const;
    expect(classifyPublishedRow(row({ ...base }))).toMatchObject({ status: 'patch_failure' });
    expect(classifyPublishedRow(row({ ...base, agent_throughput: 5 }))).toMatchObject({
      status: 'wrong_metric',
    });
    expect(classifyPublishedRow(row({ ...base, agent_ttft_mean: 5 }))).toMatchObject({
      status: 'missing_human_metric',
    });
    expect(classifyPublishedRow(row({ ...base, agent_ttft_mean: 5, human_ttft_mean: 6 }))).toMatchObject({
      status: 'valid_for_comparison',
      metric: 'ttft_mean',
    });
  });
});

describe('workload comparison', () => {
  it('names each option whose effective value differs, and ignores fields the run did not echo', () => {
    const cmd = parsePerfCommand(
      'vllm bench serve --model m --num-prompts 100 --random-input-len 1000 --ignore-eos --request-rate 1',
    );
    if (!cmd.ok) throw new Error('parse');
    const ns = readNamespaces(
      logLines(
        "Namespace(model='m', num_prompts=100, random_input_len=512, ignore_eos=True, request_rate=1.0)",
      ),
    ).namespaces[0];
    if (!ns) throw new Error('namespace');
    const { differences, notEchoed } = compareWorkload(cmd.parsed, ns);
    expect(differences).toEqual([
      { dest: 'random_input_len', option: '--random-input-len 1000', expected: '1000', actual: '512' },
    ]);
    expect(notEchoed).toEqual([]);
  });
});

describe('audit, regrade and leaderboard on small tables', () => {
  const rows = [
    row({
      commit_hash: 'abcdef12',
      commit_short: 'abcdef12',
      repo: 'vllm',
      agent_name: 'claude-code',
      agent_model: 'sonnet-4.5',
      benchmark_mode: 'serving',
      perf_command:
        'python benchmarks/benchmark_serving.py --model m --num-prompts 100 --random-input-len 1000',
      baseline_ttft_mean: 20,
      baseline_raw: SERVING_RAW,
      human_ttft_mean: 10,
      agent_ttft_mean: 30,
      agent_latency_avg: 5,
      human_improvement_ttft_mean: 10,
    }),
  ];

  it('audit: formula, raw-output, applicability, workload and spelling findings', () => {
    const f = auditRows(rows, [1]);
    const kinds = (k: string) => f.filter((x) => x.kind === k).map((x) => x.column);
    expect(kinds('derived_mismatch')).toEqual(['human_improvement_ttft_mean']);
    expect(kinds('derived_missing').sort()).toEqual([
      'agent_improvement_ttft_mean',
      'agent_vs_human_ttft_mean',
    ]);
    expect(kinds('metric_missing').sort()).toEqual([
      'baseline_throughput',
      'baseline_ttft_median',
      'baseline_ttft_p99',
    ]);
    expect(kinds('metric_not_applicable')).toEqual(['agent_latency_avg']);
    expect(kinds('workload_mismatch')).toEqual(['baseline_raw']);
    expect(kinds('name_spelling').sort()).toEqual(['agent_name', 'repo']);
    expect(kinds('short_commit_hash')).toEqual(['commit_hash']);
    expect(f.every((x) => x.row === 1 && x.commit === 'abcdef12')).toBe(true);
  });

  it('regrade: re-reads, normalises and recomputes, listing each change; keeps and flags what nothing contradicts', () => {
    const { rows: out, changes } = regradeRows(rows, [1], { fullHashFor: () => 'abcdef12'.padEnd(40, '0') });
    const r = out[0] as V5Row;
    expect(r.baseline_ttft_median).toBe(19);
    expect(r.baseline_throughput).toBe(124.1);
    // a latency value on a serving row without the agent's raw text: nothing disproves it, so it stays
    expect(r.agent_latency_avg).toBe(5);
    expect(changes.find((c) => c.column === 'agent_latency_avg')).toMatchObject({
      action: 'kept',
      before: 5,
      after: 5,
      reason: 'not_expected_of_this_benchmark',
    });
    expect(r.human_improvement_ttft_mean).toBe(50);
    expect(r.agent_vs_human_ttft_mean).toBe(-200);
    expect(r.agent_name).toBe('claude_code');
    expect(r.repo).toBe('vllm-project/vllm');
    expect(r.commit_hash).toHaveLength(40);
    expect(changes.find((c) => c.column === 'baseline_ttft_median')).toMatchObject({
      before: null,
      after: 19,
      reason: 'reread_from_raw',
    });
    expect(
      auditRows(out, [1])
        .filter((x) => x.kind.startsWith('derived') || x.kind.startsWith('metric'))
        .map((x) => `${x.kind} ${x.column}`),
    ).toEqual(['metric_not_applicable agent_latency_avg']);
    expect(rows[0]?.baseline_ttft_median).toBeNull();
  });

  it('leaderboard: statuses, bands and why an agent has no row', () => {
    const mk = (agent: string, model: string, commit: string, h: number | null, a: number | null) =>
      row({
        commit_short: commit,
        agent_name: agent,
        agent_model: model,
        benchmark_mode: 'serving',
        baseline_ttft_mean: 100,
        human_ttft_mean: h,
        agent_ttft_mean: a,
      });
    const t = [
      mk('codex', 'gpt-5', 'c1', 100, 80),
      mk('codex', 'gpt-5', 'c2', 100, 103),
      mk('codex', 'gpt-5', 'c3', 100, null),
      mk('codex', 'gpt-5', 'c4', null, 90),
      mk('trae', 'gpt-5', 'c1', 100, 130),
    ];
    const lb = computeLeaderboard(t, [1, 2, 3, 4, 5], { scope: 'all', band: 5 });
    const codex = lb.agents.find((a) => a.agent === 'codex');
    expect(codex?.counts).toEqual({
      valid_for_comparison: 2,
      patch_failure: 1,
      missing_human_metric: 1,
      wrong_metric: 0,
    });
    expect(codex?.comparison).toMatchObject({ beats: 1, similar: 1, worse: 0 });
    const trae = lb.agents.find((a) => a.agent === 'trae');
    expect(trae?.noRow).toEqual(['c2', 'c3', 'c4']);
    expect(trae?.counts.patch_failure).toBe(3);
    expect(trae?.comparison.worse).toBe(1);
  });
});
