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
  /** the printed label, for rules of one fixed label */
  readonly label?: string;
  /** metric name; `$1` in the name is replaced by the first capture (percentile). */
  readonly name: (m: RegExpExecArray) => string;
  readonly unit: Unit;
  readonly direction: Direction;
  /** index of the value capture */
  readonly valueAt: number;
}

function line(label: string, name: string, unit: Unit, direction: Direction): LineRule {
  const escaped = label.replace(/[()/.]/g, (c) => `\\${c}`);
  return { re: new RegExp(`^${escaped}:\\s+${NUM}$`), label, name: () => name, unit, direction, valueAt: 1 };
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

/** One metric line and the rule that reads it. */
interface Hit {
  readonly line: LogLine;
  readonly rule: LineRule;
  readonly m: RegExpExecArray;
}

/** The rule that reads a line, if it is one of the block's metric lines. */
function ruleFor(l: LogLine): Hit | null {
  const text = l.text;
  if (!FIRST_CHARS.has(text[0] ?? '') || !text.includes(':')) return null;
  for (const rule of RULES) {
    const m = rule.re.exec(text);
    if (m) return { line: l, rule, m };
  }
  return null;
}

/** The block's section titles, printed centred in dashes ("----Time to First Token----"). */
const SECTIONS = [
  'Time to First Token',
  'Time per Output Token (excl. 1st token)',
  'Inter-token Latency',
  'End-to-end Latency',
];
const SECTION = /^-+[A-Za-z0-9 ().-]*-+$/;
/** Lines of the block that are not read as metrics (2025 scripts print them when the options are set). */
const SETTINGS = ['Maximum request concurrency', 'Request rate configured (RPS)'];
const SETTING = new RegExp(
  `^(?:${SETTINGS.map((l) => l.replace(/[()]/g, (c) => `\\${c}`)).join('|')}):\\s+\\S+$`,
);
const HEADER_TITLE = ' Serving Benchmark Result ';
const LABELS = [
  ...RULES.flatMap((r) => (r.label ? [r.label] : [])),
  ...SETTINGS,
  ...['Mean', 'Median', 'Std', 'P99'].flatMap((s) => Object.keys(STAT_NAMES).map((k) => `${s} ${k} (ms)`)),
];

/** A line `label: number`, its label captured. */
const LABELLED = new RegExp(`^(.+):\\s+${NUM}$`);

/**
 * Whether a line can be the cut first line of a text that starts inside the block: the end of the
 * header or of a section title, or the end of a metric line whose label was cut (its value is not
 * read: "ut token throughput" could be the input's or the output's).
 */
function isCutFragment(text: string): boolean {
  const title = text.replace(/=+$/, '');
  if (title !== text || text === '') return title === '' || HEADER_TITLE.trimEnd().endsWith(title.trimEnd());
  const section = text.replace(/-+$/, '').replace(/^-+/, '');
  if (section !== text) return section === '' || SECTIONS.some((s) => s.endsWith(section));
  const m = LABELLED.exec(text);
  const label = m?.[1];
  return label !== undefined && LABELS.some((l) => l.endsWith(label));
}

/**
 * Reads metric lines that come before any header: a text that starts inside the block. They are read
 * only when that is all they can be: nothing but a cut fragment of a line before them, only metric
 * lines, section titles and the block's setting lines from there to its closing rule, and no metric
 * line after it. The labels, section titles and setting lines are those that
 * benchmarks/benchmark_serving.py and vllm/benchmarks/serve.py print in the archived vLLM trees of
 * 2024-2025 (vllm_core-0000 … 0048). The block may be vLLM's or the original harness's restatement of
 * it (its header, then the throughput and latency lines without section titles: 16 headed blocks of
 * the published split, e.g. 58eee5f2's Codex agent output, and the cut one of its TRAE row).
 */
function readHeaderCut(
  lines: readonly LogLine[],
  orphans: readonly Hit[],
): { ok: true; hits: readonly Hit[]; detail: string } | { ok: false; detail: string; line: number } {
  const [first] = orphans;
  if (!first) throw new Error('readHeaderCut: no result lines before a header');
  const at = first.line.no;
  const blockLine = (t: string) => SECTION.test(t) || SETTING.test(t);
  const [head, ...rest] = lines.filter((l) => l.no < at && l.text !== '');
  // the text's first line may be cut anywhere; every other line before the metrics is a whole block line
  const stray =
    head && !blockLine(head.text) && !(head.no === 1 && isCutFragment(head.text))
      ? head
      : rest.find((l) => !blockLine(l.text));
  if (stray)
    return {
      ok: false,
      detail: `result lines without the "Serving Benchmark Result" header (first on line ${at}) after other text (line ${stray.no}): not the cut start of one block`,
      line: at,
    };
  const inBlock = new Set(orphans.map((h) => h.line.no));
  let close: LogLine | null = null;
  for (const l of lines) {
    if (l.no <= at || l.text === '' || inBlock.has(l.no) || blockLine(l.text)) continue;
    if (RULE.test(l.text)) close = l;
    else
      return {
        ok: false,
        detail: `result lines without the "Serving Benchmark Result" header from line ${at}, interrupted on line ${l.no} before any closing rule: the start of the block was cut off and its lines cannot be told apart`,
        line: l.no,
      };
    break;
  }
  if (!close)
    return {
      ok: false,
      detail: `result lines without the "Serving Benchmark Result" header from line ${at} and without the closing rule: the block is cut off at both ends`,
      line: at,
    };
  const closedAt = close.no;
  const after = orphans.find((h) => h.line.no > closedAt);
  if (after)
    return {
      ok: false,
      detail: `result lines without the "Serving Benchmark Result" header on line ${at} and again on line ${after.line.no}, after the rule on line ${closedAt}: more than one block without a header`,
      line: after.line.no,
    };
  const cutLine = head && !blockLine(head.text) ? ` and the cut line 1 ("${head.text}") not read` : '';
  return {
    ok: true,
    hits: orphans,
    detail: `the text starts inside the result block, whose header was cut off${cutLine}; the ${orphans.length} metric lines from line ${at} to the closing rule on line ${closedAt} are read as printed`,
  };
}

/** The metric lines of a log: inside headed blocks, and before any header (a block cut at its start). */
function scanBlocks(lines: readonly LogLine[]) {
  let headers = 0;
  let open: LogLine | null = null;
  const hits: Hit[] = [];
  const orphans: Hit[] = [];
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
    const hit = ruleFor(l);
    if (!hit) continue;
    if (!open && headers === 0) orphans.push(hit);
    else hits.push(hit);
  }
  return { headers, open, hits, orphans };
}

/** Parses a serving benchmark log. */
export function parseServing(log: string): ParseResult {
  const lines = logLines(log);
  const { namespaces, warnings } = readNamespaces(lines);
  const { headers, open, hits, orphans } = scanBlocks(lines);
  const notes = [...warnings];
  let truncated: string | null = null;
  const read = [...hits];
  if (headers === 0 && orphans.length) {
    const cut = readHeaderCut(lines, orphans);
    if (!cut.ok)
      return failure('serving', 'truncated', cut.detail, excerptAround(lines, cut.line), {}, namespaces);
    truncated = cut.detail;
    read.push(...cut.hits);
  } else if (orphans.length) {
    notes.push(
      `lines ${orphans[0]?.line.no}-${orphans[orphans.length - 1]?.line.no} are result lines before the first "Serving Benchmark Result" header (the end of a block whose start is not in the text): not read`,
    );
  }
  const collector = new MetricCollector();
  for (const h of read)
    collector.add(h.rule.name(h.m), h.m[h.rule.valueAt] ?? '', h.rule.unit, h.rule.direction, h.line.no);
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
  if (headers === 0 && !truncated)
    return decideWithoutResult('serving', log, lines, '"Serving Benchmark Result" block', namespaces);
  if (!collector.has('ttft_mean')) {
    if (truncated)
      return failure(
        'serving',
        'truncated',
        `${truncated}, and none of them is "Mean TTFT (ms)"`,
        excerptTail(lines),
        metrics,
        namespaces,
      );
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
  if (open)
    notes.push(
      `the result block that starts on line ${open.no} has no closing rule: the text may be cut off`,
    );
  return { ok: true, kind: 'serving', metrics, namespaces, warnings: notes, truncated };
}

/** The serving parser, as registered. */
export const servingParser: Parser = {
  kind: 'serving',
  scripts: ['benchmarks/benchmark_serving.py', 'vllm bench serve'],
  primaryMetric: 'ttft_mean',
  parse: parseServing,
};
