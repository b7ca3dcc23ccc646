/**
 * Parser for `benchmarks/benchmark_prefix_caching.py`, which prints no summary: the figures are the
 * last progress-bar line (`est. speed input: X toks/s, output: Y toks/s`) and the `cost time` line
 * after the last `start generating` marker. Earlier markers (the warm-up) are ignored.
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
import type { ParseResult, Parser } from './types.js';

const MARKER = /^-+start generating-+$/;
const WARMUP = /^-+warm up-+$/;
const PROGRESS = new RegExp(
  `^Processed prompts:\\s+\\d+%\\|.*\\| (\\d+)/(\\d+) \\[.*est\\. speed input: ${NUM} toks/s, output: ${NUM} toks/s\\]$`,
);
const COST = new RegExp(`^cost time ${NUM}$`);

/** Parses a prefix-caching benchmark log. */
export function parsePrefixCaching(log: string): ParseResult {
  const lines = logLines(log);
  const { namespaces, warnings } = readNamespaces(lines);
  let markerIdx = -1;
  for (let i = 0; i < lines.length; i++) if (MARKER.test(lines[i]?.text ?? '')) markerIdx = i;
  const marker = lines[markerIdx];
  if (!marker) {
    const warm = lines.find((l) => WARMUP.test(l.text));
    if (warm) {
      return stoppedEarly(
        'prefix_caching',
        lines,
        `a warm-up section (line ${warm.no}) but no "start generating" marker after it`,
        excerptTail(lines),
        {},
        namespaces,
      );
    }
    return decideWithoutResult('prefix_caching', log, lines, '"start generating" section', namespaces);
  }
  let last: { line: LogLine; m: RegExpExecArray } | null = null;
  let cost: LogLine | null = null;
  let costValue = '';
  for (const l of lines.slice(markerIdx + 1)) {
    const p = PROGRESS.exec(l.text);
    if (p) last = { line: l, m: p };
    const c = COST.exec(l.text);
    if (c && !cost) {
      cost = l;
      costValue = c[1] ?? '';
    }
  }
  if (!last) {
    return stoppedEarly(
      'prefix_caching',
      lines,
      `no progress line with "est. speed" after the "start generating" marker on line ${marker.no}`,
      excerptTail(lines),
      {},
      namespaces,
    );
  }
  const done = Number(last.m[1]);
  const total = Number(last.m[2]);
  const c = new MetricCollector();
  c.add('input_throughput', last.m[3] ?? '', 'tok/s', 'higher', last.line.no);
  c.add('output_throughput', last.m[4] ?? '', 'tok/s', 'higher', last.line.no);
  if (cost) c.add('generation_time', costValue, 'ms', 'lower', cost.no, 1000);
  const metrics = c.metrics();
  const problem = c.problem();
  if (problem) {
    return failure(
      'prefix_caching',
      problem.reason,
      problem.detail,
      excerptAround(lines, problem.line),
      metrics,
      namespaces,
    );
  }
  if (done !== total) {
    return stoppedEarly(
      'prefix_caching',
      lines,
      `the last progress line (line ${last.line.no}) stops at ${done}/${total} prompts`,
      excerptAround(lines, last.line.no),
      metrics,
      namespaces,
    );
  }
  const notes = [...warnings];
  if (!cost) notes.push('no "cost time" line after the last progress line: the text may be cut off');
  return { ok: true, kind: 'prefix_caching', metrics, namespaces, warnings: notes, truncated: null };
}

/** The prefix-caching parser, as registered. */
export const prefixCachingParser: Parser = {
  kind: 'prefix_caching',
  scripts: ['benchmarks/benchmark_prefix_caching.py'],
  primaryMetric: 'output_throughput',
  parse: parsePrefixCaching,
};
