/** Parser for `benchmarks/benchmark_latency.py` and `vllm bench latency` (stdout, seconds converted to ms). */
import {
  decideWithoutResult,
  excerptAround,
  failure,
  logLines,
  MetricCollector,
  NUM,
  stoppedEarly,
} from './lines.js';
import { readNamespaces } from './namespace.js';
import type { ParseResult, Parser } from './types.js';

const AVG = new RegExp(`^Avg latency: ${NUM} seconds$`);
const PCT = new RegExp(`^(\\d+(?:\\.\\d+)?)% percentile latency: ${NUM} seconds$`);

/** Parses a latency benchmark log. Values are reported in milliseconds (the script prints seconds). */
export function parseLatency(log: string): ParseResult {
  const lines = logLines(log);
  const { namespaces, warnings } = readNamespaces(lines);
  const c = new MetricCollector();
  let firstPct: number | null = null;
  for (const l of lines) {
    const avg = AVG.exec(l.text);
    if (avg) {
      c.add('latency_avg', avg[1] ?? '', 'ms', 'lower', l.no, 1000);
      continue;
    }
    const pct = PCT.exec(l.text);
    if (pct) {
      firstPct ??= l.no;
      c.add(`latency_p${(pct[1] ?? '').replace('.', '_')}`, pct[2] ?? '', 'ms', 'lower', l.no, 1000);
    }
  }
  const metrics = c.metrics();
  const problem = c.problem();
  if (problem)
    return failure(
      'latency',
      problem.reason,
      problem.detail,
      excerptAround(lines, problem.line),
      metrics,
      namespaces,
    );
  if (!c.has('latency_avg')) {
    if (firstPct !== null) {
      return stoppedEarly(
        'latency',
        lines,
        `percentile lines (from line ${firstPct}) without the "Avg latency" line before them: the start was cut off`,
        excerptAround(lines, firstPct),
        metrics,
        namespaces,
      );
    }
    return decideWithoutResult('latency', log, lines, '"Avg latency: X seconds" line', namespaces);
  }
  return { ok: true, kind: 'latency', metrics, namespaces, warnings, truncated: null };
}

/** The latency parser, as registered. */
export const latencyParser: Parser = {
  kind: 'latency',
  scripts: ['benchmarks/benchmark_latency.py', 'vllm bench latency'],
  primaryMetric: 'latency_avg',
  parse: parseLatency,
};
