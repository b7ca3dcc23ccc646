/**
 * Parser for the result block of `benchmarks/benchmark_serving.py` and `vllm bench serve`
 * (the same block in every version, with lines added over time).
 */
import {
  decideWithoutResult,
  excerptAround,
  excerptTail,
  failure,
  type LogLine,
  logLines,
  MetricCollector,
  NUM,
  stoppedEarly,
} from './lines.js';
import { readNamespaces } from './namespace.js';
import type { Direction, ParseResult, Parser, Unit } from './types.js';

const HEADER = /^=+ Serving Benchmark Result =+$/;
const RULE = /^=+$/;

interface LineRule {
  readonly re: RegExp;
  /** metric name; `$1` in the name is replaced by the first capture (percentile). */
  readonly name: (m: RegExpExecArray) => string;
  readonly unit: Unit;
  readonly direction: Direction;
  /** index of the value capture */
  readonly valueAt: number;
}

function line(label: string, name: string, unit: Unit, direction: Direction): LineRule {
  const escaped = label.replace(/[()/.]/g, (c) => `\\${c}`);
  return { re: new RegExp(`^${escaped}:\\s+${NUM}$`), name: () => name, unit, direction, valueAt: 1 };
}

const STAT_NAMES: Record<string, string> = { TTFT: 'ttft', TPOT: 'tpot', ITL: 'itl', E2EL: 'e2el' };

const RULES: readonly LineRule[] = [
  line('Successful requests', 'completed', 'requests', 'none'),
  line('Failed requests', 'failed', 'requests', 'none'),
  line('Benchmark duration (s)', 'duration', 's', 'none'),
  line('Total input tokens', 'total_input_tokens', 'tokens', 'none'),
  line('Total generated tokens', 'total_output_tokens', 'tokens', 'none'),
  line('Request throughput (req/s)', 'request_throughput', 'req/s', 'higher'),
  line('Request goodput (req/s)', 'request_goodput', 'req/s', 'higher'),
  line('Input token throughput (tok/s)', 'input_throughput', 'tok/s', 'higher'),
  line('Output token throughput (tok/s)', 'output_throughput', 'tok/s', 'higher'),
  line('Total Token throughput (tok/s)', 'total_token_throughput', 'tok/s', 'higher'),
  line('Peak output token throughput (tok/s)', 'peak_output_throughput', 'tok/s', 'higher'),
  line('Peak concurrent requests', 'peak_concurrent_requests', 'requests', 'none'),
  {
    re: new RegExp(`^(Mean|Median|Std) (TTFT|TPOT|ITL|E2EL) \\(ms\\):\\s+${NUM}$`),
    name: (m) => `${STAT_NAMES[m[2] ?? ''] ?? ''}_${(m[1] ?? '').toLowerCase()}`,
    unit: 'ms',
    direction: 'lower',
    valueAt: 3,
  },
  {
    re: new RegExp(`^P(\\d+(?:\\.\\d+)?) (TTFT|TPOT|ITL|E2EL) \\(ms\\):\\s+${NUM}$`),
    name: (m) => `${STAT_NAMES[m[2] ?? ''] ?? ''}_p${(m[1] ?? '').replace('.', '_')}`,
    unit: 'ms',
    direction: 'lower',
    valueAt: 3,
  },
];

/** First characters of every result line: a cheap test before the anchored patterns. */
const FIRST_CHARS = new Set('SFBTRIOPM');

/** Whether a line is one of the block's metric lines (for truncation checks). */
function ruleFor(text: string): { rule: LineRule; m: RegExpExecArray } | null {
  if (!FIRST_CHARS.has(text[0] ?? '') || !text.includes(':')) return null;
  for (const rule of RULES) {
    const m = rule.re.exec(text);
    if (m) return { rule, m };
  }
  return null;
}

/** Parses a serving benchmark log. */
export function parseServing(log: string): ParseResult {
  const lines = logLines(log);
  const { namespaces, warnings } = readNamespaces(lines);
  const collector = new MetricCollector();
  let headers = 0;
  let open: LogLine | null = null;
  let orphan: LogLine | null = null;
  for (const l of lines) {
    if (HEADER.test(l.text)) {
      headers++;
      open = l;
      continue;
    }
    if (open && RULE.test(l.text)) {
      open = null;
      continue;
    }
    const hit = ruleFor(l.text);
    if (!hit) continue;
    if (!open && headers === 0) {
      // a metric line before any header: the start of the block was cut off
      orphan ??= l;
      continue;
    }
    collector.add(
      hit.rule.name(hit.m),
      hit.m[hit.rule.valueAt] ?? '',
      hit.rule.unit,
      hit.rule.direction,
      l.no,
    );
  }
  const metrics = collector.metrics();
  const problem = collector.problem();
  if (problem)
    return failure(
      'serving',
      problem.reason,
      problem.detail,
      excerptAround(lines, problem.line),
      metrics,
      namespaces,
    );
  if (headers === 0) {
    if (orphan) {
      return failure(
        'serving',
        'truncated',
        `result lines without the "Serving Benchmark Result" header (first on line ${orphan.no}): the start of the block was cut off`,
        excerptAround(lines, orphan.no),
        {},
        namespaces,
      );
    }
    return decideWithoutResult('serving', log, lines, '"Serving Benchmark Result" block', namespaces);
  }
  if (!collector.has('ttft_mean')) {
    if (open) {
      return stoppedEarly(
        'serving',
        lines,
        `the result block that starts on line ${open.no} ends with the text, before "Mean TTFT (ms)"`,
        excerptTail(lines),
        metrics,
        namespaces,
      );
    }
    return failure(
      'serving',
      'incomplete',
      'the result block has no "Mean TTFT (ms)" line',
      excerptTail(lines),
      metrics,
      namespaces,
    );
  }
  const notes = [...warnings];
  if (open)
    notes.push(
      `the result block that starts on line ${open.no} has no closing rule: the text may be cut off`,
    );
  return { ok: true, kind: 'serving', metrics, namespaces, warnings: notes };
}

/** The serving parser, as registered. */
export const servingParser: Parser = {
  kind: 'serving',
  scripts: ['benchmarks/benchmark_serving.py', 'vllm bench serve'],
  primaryMetric: 'ttft_mean',
  parse: parseServing,
};
