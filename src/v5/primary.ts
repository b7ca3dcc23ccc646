/**
 * The primary metric of a published row: what the leaderboard compares agent and human on.
 * serving → mean TTFT; standalone → latency_avg for benchmark_latency.py, throughput for
 * benchmark_throughput.py; prefix_caching → throughput (output tokens/s). Rows whose mode is missing
 * are placed by the script their perf command runs.
 */
import type { BenchmarkKind } from '../parse/types.js';
import type { V5Metric, V5Row } from './schema.js';

/** The benchmark kind a perf command runs, read from its script name only (no validation). */
export function kindOfCommand(command: string | null | undefined): BenchmarkKind | null {
  if (!command) return null;
  if (/benchmark_serving\.py|vllm bench serve\b/.test(command)) return 'serving';
  if (/benchmark_latency\.py|vllm bench latency\b/.test(command)) return 'latency';
  if (/benchmark_throughput(?:_cache)?\.py|vllm bench throughput\b/.test(command)) return 'throughput';
  if (/benchmark_prefix_caching\.py/.test(command)) return 'prefix_caching';
  return null;
}

/** The v5 metric each benchmark kind is graded on. */
export const PRIMARY_V5_METRIC: Readonly<Record<BenchmarkKind, V5Metric>> = {
  serving: 'ttft_mean',
  latency: 'latency_avg',
  throughput: 'throughput',
  prefix_caching: 'throughput',
};

/** The v5 metrics a benchmark kind's output can fill; other metric columns are not applicable to it. */
export const V5_METRICS_OF_KIND: Readonly<Record<BenchmarkKind, readonly V5Metric[]>> = {
  serving: [
    'ttft_mean',
    'ttft_median',
    'ttft_p99',
    'tpot_mean',
    'tpot_median',
    'tpot_p99',
    'itl_mean',
    'itl_median',
    'itl_p99',
    'throughput',
  ],
  latency: ['latency_avg'],
  throughput: ['throughput'],
  prefix_caching: ['throughput'],
};

/** Where a row's primary metric comes from, or why it has none. */
export type PrimaryChoice = { ok: true; metric: V5Metric; basis: string } | { ok: false; reason: string };

/** The primary metric of a row (by mode, then by the perf command's script). */
export function primaryMetricOf(
  row: Pick<V5Row, 'benchmark_mode' | 'perf_command' | 'agent_latency_avg' | 'agent_throughput'>,
  fallbackCommand?: string | null,
): PrimaryChoice {
  const mode = row.benchmark_mode || null;
  const kind = kindOfCommand(row.perf_command) ?? kindOfCommand(fallbackCommand);
  if (mode === 'serving') return { ok: true, metric: 'ttft_mean', basis: 'benchmark_mode serving' };
  if (mode === 'prefix_caching')
    return { ok: true, metric: 'throughput', basis: 'benchmark_mode prefix_caching' };
  if (mode === 'standalone') {
    if (kind === 'latency')
      return { ok: true, metric: 'latency_avg', basis: 'standalone, benchmark_latency.py' };
    if (kind === 'throughput' || kind === 'prefix_caching') {
      return { ok: true, metric: 'throughput', basis: `standalone, ${kind} script` };
    }
    // The card's rule for standalone rows whose command names another script: "throughput OR latency_avg".
    const metric =
      row.agent_latency_avg !== null || row.agent_throughput === null ? 'latency_avg' : 'throughput';
    return {
      ok: true,
      metric,
      basis: `standalone but the perf command runs ${kind ?? 'no known script'}: the card's "throughput or latency_avg" rule picks ${metric}`,
    };
  }
  if (kind)
    return {
      ok: true,
      metric: PRIMARY_V5_METRIC[kind],
      basis: `no benchmark_mode; the perf command runs a ${kind} benchmark`,
    };
  return {
    ok: false,
    reason: mode
      ? `unknown benchmark_mode '${mode}'`
      : 'no benchmark_mode and no perf command to place the row',
  };
}
