/**
 * Synthetic extended rows (schema v4) for report scale tests and the report benchmark: seeded, so a
 * test and the benchmark see the same rows. Every field the report reads varies: agents, models,
 * modes, verdicts, failures, intervals, equivalence, tamper findings, judge answers, cost and tokens.
 */
import { rng } from '../../src/grade/stats.js';
import type { ExtendedRow } from '../../src/report/job-rows.js';

const AGENTS: Array<[string, string, number]> = [
  ['claude-code', 'claude-sonnet-4.5', 0.9],
  ['codex', 'gpt-5', 0.6],
  ['trae', 'claude-sonnet-4.5', 0.4],
  ['trae', 'gpt-5', 0.3],
  ['native', 'claude-opus-4', 1.4],
];
const MODES: Array<[string, string, string, 'lower' | 'higher']> = [
  ['serving', 'serving', 'ttft_mean', 'lower'],
  ['standalone', 'latency', 'latency_avg', 'lower'],
  ['standalone', 'throughput', 'throughput', 'higher'],
  ['prefix_caching', 'prefix_caching', 'output_throughput', 'higher'],
];
const FAILURES = [
  'patch_apply_failed',
  'server_crash',
  'bench_timeout',
  'no_metrics',
  'tamper_detected',
  'patch_empty',
];
const TARGETING = ['same', 'related', 'different', 'none'] as const;
const APPROACH = ['similar', 'valid_alternative', 'partial', 'ineffective'] as const;

/** `n` rows over `n / 5` tasks (so every agent has about one row per task). */
export function syntheticRows(n: number, seed = 1): ExtendedRow[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const rows: ExtendedRow[] = [];
  for (let i = 0; i < n; i++) {
    const [agent, model, price] = AGENTS[i % AGENTS.length] as [string, string, number];
    const taskNo = Math.floor(i / AGENTS.length);
    const [v5Mode, kind, metric, direction] = MODES[taskNo % MODES.length] as (typeof MODES)[number];
    const failed = r() < 0.22;
    const failure = failed ? pick(FAILURES) : null;
    const est = (r() - 0.6) * 40;
    const half = 0.5 + r() * 6;
    const equivalence = failed ? null : r() < 0.08 ? 'diverged' : 'equivalent';
    const credited = !failed && equivalence === 'equivalent';
    const verdict = failed
      ? null
      : equivalence === 'diverged'
        ? 'diverged'
        : est - half > 5
          ? 'beats_human'
          : Math.abs(est) + half <= 5
            ? 'matches_human'
            : est + half < -5
              ? 'below_human'
              : 'inconclusive';
    const judged = r() < 0.9;
    const targeting = pick(TARGETING);
    const hard = credited && (verdict === 'beats_human' || verdict === 'matches_human');
    const onTarget = targeting === 'same' || targeting === 'related';
    const tamper =
      r() < 0.05
        ? [
            {
              rule: 'timer-monkeypatch',
              severity: 'fail' as const,
              file: 'vllm/utils.py',
              line: 12,
              evidence: 'time.perf_counter = …',
              message: 'replaces the clock',
            },
          ]
        : [];
    const inTok = Math.floor(20_000 + r() * 400_000);
    const outTok = Math.floor(2_000 + r() * 40_000);
    const mean = 100 + r() * 50;
    const task = `vllm/s${String(taskNo).padStart(5, '0')}`;
    const attempt = 1 + (Math.floor(r() * 10) < 2 ? 1 : 0);
    const interval = (e: number) => ({ estimate: e, lo: e - half, hi: e + half, level: 0.95 });
    const summary = (m: number) => ({ n: 5, mean: m, sd: m * 0.01, cvPct: 1, min: m * 0.98, max: m * 1.02 });
    rows.push({
      schemaVersion: 5,
      runId: 'synthetic',
      task,
      benchmark: { kind, v5Mode },
      agent,
      model,
      variant: `agent:${agent}`,
      jobPath: `jobs/${task.replace('/', '_')}_a${attempt}`,
      design: { maxRounds: 5, clientRuns: 1, adaptive: null },
      stop: { reason: 'fixed', rounds: 5, detail: 'fixed rounds', looks: [] },
      primaryMetric: { name: metric, unit: direction === 'lower' ? 'ms' : 'tok/s', direction },
      repeats: 5,
      variants: {
        baseline: { status: 'ok', detail: '', summary: summary(mean), samples: [] },
        human: { status: 'ok', detail: '', summary: summary(mean * 0.8), samples: [] },
        agent: failed
          ? { status: failure as string, detail: 'synthetic failure', summary: null, samples: [] }
          : { status: 'ok', detail: '', summary: summary(mean * 0.8 * (1 - est / 100)), samples: [] },
      },
      humanVsBaseline: interval(20),
      agentVsBaseline: failed ? null : interval(20 + est),
      agentVsHuman: failed ? null : interval(est),
      verdict,
      verdictReason: verdict ? `vs human ${est.toFixed(1)}% (synthetic)` : null,
      taskValidHere: r() < 0.92,
      taskValidity: 'synthetic',
      failureClass: failure,
      patch: null,
      tamper,
      equivalence: equivalence
        ? ({
            verdict: equivalence,
            reason: 'synthetic',
            exactRate: 1,
            firstDivergence: null,
            maxAbsDiff: 0,
            examples: [],
            tolerance: null,
          } as ExtendedRow['equivalence'])
        : null,
      equivalenceCalibration: { probe: null, tolerance: null, human: null, detail: 'synthetic' },
      credited,
      accuracy: null,
      fingerprint: { gpu: 'NVIDIA H100 80GB HBM3' },
      executor: 'docker',
      thresholdPct: 5,
      effort: {
        attempt,
        outcome: 'completed',
        costUsd: ((inTok * 3 + outTok * 15) / 1e6) * price,
        inputTokens: inTok,
        outputTokens: outTok,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        turns: Math.floor(5 + r() * 80),
        toolCalls: Math.floor(5 + r() * 120),
        wallMs: Math.floor(60_000 + r() * 3_000_000),
        infraRetries: 0,
        agentVersion: '1.0.0',
        modelReported: model,
        path: `agents/${agent}/${task.replace('/', '_')}/${attempt}`,
      },
      judge: judged
        ? {
            status: 'judged',
            answer: { targeting, approach: pick(APPROACH), reason: 'synthetic judgement' },
            cached: false,
            rubricVersion: 1,
            model: 'judge',
          }
        : { status: 'judge_failed', detail: 'HTTP 500 (synthetic)', rubricVersion: 1, model: 'judge' },
      quadrant: judged
        ? hard
          ? onTarget
            ? 'true_success'
            : 'lucky_win'
          : onTarget
            ? 'good_intent'
            : 'failure'
        : null,
    });
  }
  return rows;
}
