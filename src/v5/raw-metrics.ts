/**
 * Reads the v5 metric values out of a stored raw benchmark output, with the strict parsers: which
 * benchmark produced the text, what each v5 metric column should hold, and the echoed workload.
 */

import { PARSERS } from '../parse/registry.js';
import type { BenchmarkKind, EchoedNamespace, ParseResult } from '../parse/types.js';
import { V5_METRICS_OF_KIND } from './primary.js';
import { V5_METRICS, type V5Metric } from './schema.js';

/** Which v5 metric column each parser metric fills. */
export const V5_FROM_PARSED: Readonly<Record<BenchmarkKind, Partial<Record<V5Metric, string>>>> = {
  serving: {
    ttft_mean: 'ttft_mean',
    ttft_median: 'ttft_median',
    ttft_p99: 'ttft_p99',
    tpot_mean: 'tpot_mean',
    tpot_median: 'tpot_median',
    tpot_p99: 'tpot_p99',
    itl_mean: 'itl_mean',
    itl_median: 'itl_median',
    itl_p99: 'itl_p99',
    throughput: 'output_throughput',
  },
  latency: { latency_avg: 'latency_avg' },
  throughput: { throughput: 'total_token_throughput' },
  prefix_caching: { throughput: 'output_throughput' },
};

/** The markers that identify each benchmark's output, checked in this order. */
const MARKERS: ReadonlyArray<[BenchmarkKind, RegExp]> = [
  ['serving', /^=+ Serving Benchmark Result =+\s*$|^(?:Mean|Median|P\d+) TTFT \(ms\):/m],
  ['prefix_caching', /^-+(?:start generating|warm up)-+\s*$/m],
  ['latency', /^Avg latency: .* seconds\s*$|^\d+% percentile latency: /m],
  ['throughput', /^Throughput: .* requests\/s, /m],
];

/** The benchmark whose output this text is, from its result lines; null when it shows none. */
export function detectKind(raw: string): BenchmarkKind | null {
  for (const [kind, re] of MARKERS) if (re.test(raw)) return kind;
  return null;
}

/** What a raw output says about the v5 metric columns. */
export interface RawReading {
  readonly kind: BenchmarkKind;
  /** true when the text shows the output of this kind (false: kind assumed from the perf command) */
  readonly detected: boolean;
  readonly parse: ParseResult;
  /** v5 metric → value, for the metrics the output holds */
  readonly values: Partial<Record<V5Metric, number>>;
  /** the v5 metrics this kind of benchmark can fill at all */
  readonly applicable: readonly V5Metric[];
  readonly namespaces: readonly EchoedNamespace[];
}

/** Parses a raw output; `assumed` is the kind from the perf command, used when the text shows none. */
export function readRaw(raw: string, assumed: BenchmarkKind | null): RawReading | null {
  const found = detectKind(raw);
  const kind = found ?? assumed;
  if (!kind) return null;
  const parse = PARSERS[kind].parse(raw);
  const values: Partial<Record<V5Metric, number>> = {};
  if (parse.ok) {
    // in V5_METRICS order, which each kind's entries of V5_FROM_PARSED follow
    for (const col of V5_METRICS) {
      const name = V5_FROM_PARSED[kind][col];
      const m = name === undefined ? undefined : parse.metrics[name];
      if (m) values[col] = m.value;
    }
  }
  return {
    kind,
    detected: found !== null,
    parse,
    values,
    applicable: V5_METRICS_OF_KIND[kind],
    namespaces: parse.namespaces,
  };
}

/**
 * Whether a raw output that gave no result was cut off: the parser says so, or the text stops
 * mid-line at one of the release's two cut lengths (the first 3000 or the last 5000 characters).
 */
export function rawLooksTruncated(raw: string, parse: ParseResult): boolean {
  if (parse.ok) return false;
  return parse.reason === 'truncated' || (!raw.endsWith('\n') && (raw.length === 3000 || raw.length >= 4960));
}
