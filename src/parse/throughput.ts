/** Parser for `benchmarks/benchmark_throughput.py` and `vllm bench throughput`. */
import { decideWithoutResult, excerptAround, failure, logLines, MetricCollector, NUM } from './lines.js';
import { readNamespaces } from './namespace.js';
import type { ParseResult, Parser } from './types.js';

/** Old format (to ≈v0.6): `Throughput: X requests/s, Y tokens/s` where Y counts prompt and output tokens. */
const OLD = new RegExp(`^Throughput: ${NUM} requests/s, ${NUM} tokens/s$`);
/** New format: `Throughput: X requests/s, Y total tokens/s, Z output tokens/s`. */
const NEW = new RegExp(`^Throughput: ${NUM} requests/s, ${NUM} total tokens/s, ${NUM} output tokens/s$`);
const PROMPT_TOKENS = new RegExp(`^Total num prompt tokens:\\s+${NUM}$`);
const OUTPUT_TOKENS = new RegExp(`^Total num output tokens:\\s+${NUM}$`);

/** Parses a throughput benchmark log. */
export function parseThroughput(log: string): ParseResult {
  const lines = logLines(log);
  const { namespaces, warnings } = readNamespaces(lines);
  const c = new MetricCollector();
  let format: 'old' | 'new' | null = null;
  for (const l of lines) {
    const n = NEW.exec(l.text);
    if (n) {
      format = 'new';
      c.add('request_throughput', n[1] ?? '', 'req/s', 'higher', l.no);
      c.add('total_token_throughput', n[2] ?? '', 'tok/s', 'higher', l.no);
      c.add('output_throughput', n[3] ?? '', 'tok/s', 'higher', l.no);
      continue;
    }
    const o = OLD.exec(l.text);
    if (o) {
      format = 'old';
      c.add('request_throughput', o[1] ?? '', 'req/s', 'higher', l.no);
      c.add('total_token_throughput', o[2] ?? '', 'tok/s', 'higher', l.no);
      continue;
    }
    const p = PROMPT_TOKENS.exec(l.text);
    if (p) {
      c.add('total_input_tokens', p[1] ?? '', 'tokens', 'none', l.no);
      continue;
    }
    const t = OUTPUT_TOKENS.exec(l.text);
    if (t) c.add('total_output_tokens', t[1] ?? '', 'tokens', 'none', l.no);
  }
  const metrics = c.metrics();
  const problem = c.problem();
  if (problem) {
    return failure(
      'throughput',
      problem.reason,
      problem.detail,
      excerptAround(lines, problem.line),
      metrics,
      namespaces,
    );
  }
  if (format === null)
    return decideWithoutResult('throughput', log, lines, '"Throughput: ..." line', namespaces);
  const notes = [...warnings];
  if (format === 'old')
    notes.push('old output format: "tokens/s" counts prompt and output tokens; no output-only figure');
  return { ok: true, kind: 'throughput', metrics, namespaces, warnings: notes, truncated: null };
}

/** The throughput parser, as registered. */
export const throughputParser: Parser = {
  kind: 'throughput',
  scripts: ['benchmarks/benchmark_throughput.py', 'vllm bench throughput'],
  primaryMetric: 'total_token_throughput',
  parse: parseThroughput,
};
