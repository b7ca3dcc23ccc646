/** Helpers shared by the parsers: line splitting, anchored number matching, crash and excerpt extraction. */
import type {
  BenchmarkKind,
  Direction,
  EchoedNamespace,
  Metric,
  ParseFailureReason,
  ParseResult,
  Unit,
} from './types.js';

/** One visible line of a log: carriage-return overwrites (progress bars) resolved, trailing space dropped. */
export interface LogLine {
  /** 1-based line number. */
  readonly no: number;
  readonly text: string;
}

/** Splits a log into visible lines. A `\r` inside a line means the terminal overwrote it: keep the last part. */
export function logLines(log: string): LogLine[] {
  const raw = log.split('\n');
  const out: LogLine[] = [];
  for (let i = 0; i < raw.length; i++) {
    let text = raw[i] ?? '';
    if (text.includes('\r')) {
      const parts = text.split('\r').filter((p) => p.length > 0);
      text = parts[parts.length - 1] ?? '';
    }
    out.push({ no: i + 1, text: text.trimEnd() });
  }
  return out;
}

/** A decimal number as Python prints it (`12.34`, `-1`, `1e-05`, `nan`, `inf`). */
export const NUM = String.raw`(-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|-?nan|-?inf)`;

/** Parses a number matched by {@link NUM}; non-finite values are returned as NaN/Infinity for the caller to reject. */
export function toNumber(text: string): number {
  if (/^-?nan$/.test(text)) return Number.NaN;
  if (text === 'inf') return Number.POSITIVE_INFINITY;
  if (text === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** Collects values of one metric across lines and detects conflicting repeats. */
export class MetricCollector {
  private readonly found = new Map<string, { metric: Metric; values: Set<number>; lines: number[] }>();
  private readonly malformed: Array<{ name: string; line: number; text: string }> = [];

  add(name: string, rawValue: string, unit: Unit, direction: Direction, line: number, scale = 1): void {
    const v = toNumber(rawValue);
    if (!Number.isFinite(v)) {
      this.malformed.push({ name, line, text: rawValue });
      return;
    }
    const value = v * scale;
    const entry = this.found.get(name);
    if (entry) {
      entry.values.add(value);
      entry.lines.push(line);
      entry.metric = { value, unit, direction, line };
    } else {
      this.found.set(name, {
        metric: { value, unit, direction, line },
        values: new Set([value]),
        lines: [line],
      });
    }
  }

  has(name: string): boolean {
    return this.found.has(name);
  }

  metrics(): Record<string, Metric> {
    const out: Record<string, Metric> = {};
    for (const [name, e] of this.found) out[name] = e.metric;
    return out;
  }

  /** The first conflict or malformed value, if any. */
  problem(): { reason: ParseFailureReason; detail: string; line: number } | null {
    const bad = this.malformed[0];
    if (bad) {
      return {
        reason: 'malformed_value',
        detail: `${bad.name} is '${bad.text}' on line ${bad.line}, not a finite number`,
        line: bad.line,
      };
    }
    for (const [name, e] of this.found) {
      if (e.values.size > 1) {
        return {
          reason: 'conflicting',
          detail: `${name} is printed ${e.lines.length} times with different values (${[...e.values].join(', ')}) on lines ${e.lines.join(', ')}`,
          line: e.lines[1] ?? e.metric.line,
        };
      }
    }
    return null;
  }
}

const EXCEPTION_LINE = /^(?:[A-Za-z_][\w.]*\.)?[A-Z]\w*(?:Error|Exception|Interrupt|Exit)\b(?::.*)?$/;

/** If the log shows a Python traceback, the exception line that ended it (the last one). */
export function findCrash(lines: readonly LogLine[]): LogLine | null {
  let sawTraceback = false;
  let last: LogLine | null = null;
  for (const l of lines) {
    if (l.text === 'Traceback (most recent call last):') sawTraceback = true;
    else if (sawTraceback && EXCEPTION_LINE.test(l.text)) last = l;
  }
  if (last) return last;
  for (const l of lines) {
    if (/^(?:torch\.)?(?:cuda\.)?OutOfMemoryError\b|CUDA out of memory/.test(l.text)) return l;
  }
  return null;
}

/** Up to `before`+`after` lines around `line`, capped at 800 characters. */
export function excerptAround(lines: readonly LogLine[], line: number, before = 3, after = 3): string {
  const idx = Math.max(
    0,
    lines.findIndex((l) => l.no === line),
  );
  const slice = lines.slice(Math.max(0, idx - before), idx + after + 1).map((l) => l.text);
  const text = slice.join('\n');
  return text.length > 800 ? `${text.slice(0, 797)}...` : text;
}

/** The last lines of a log, capped at 800 characters. */
export function excerptTail(lines: readonly LogLine[], count = 6): string {
  const nonEmpty = lines.filter((l) => l.text.length > 0);
  const text = nonEmpty
    .slice(-count)
    .map((l) => l.text)
    .join('\n');
  return text.length > 800 ? `...${text.slice(-797)}` : text;
}

/** Builds the failure value of a parser. */
export function failure(
  kind: BenchmarkKind,
  reason: ParseFailureReason,
  detail: string,
  excerpt: string,
  partial: Record<string, Metric>,
  namespaces: readonly EchoedNamespace[],
): ParseResult {
  return { ok: false, kind, reason, detail, excerpt, partial, namespaces };
}

/**
 * The common ending of every parser: an empty log, a crash, or "no result" when nothing was found.
 * Returns null when the caller should go on deciding.
 */
export function decideWithoutResult(
  kind: BenchmarkKind,
  log: string,
  lines: readonly LogLine[],
  what: string,
  namespaces: readonly EchoedNamespace[],
): ParseResult {
  if (log.trim().length === 0) return failure(kind, 'empty', 'the log is empty', '', {}, namespaces);
  const crash = findCrash(lines);
  if (crash) {
    return failure(
      kind,
      'crashed',
      `the run crashed before printing a ${what}: ${crash.text}`,
      excerptAround(lines, crash.no, 4, 1),
      {},
      namespaces,
    );
  }
  const cut = log.endsWith('\n') ? '' : ' (the text does not end with a newline: it may have been cut off)';
  return failure(
    kind,
    'no_metrics',
    `no ${what} in ${lines.length} lines${cut}`,
    excerptTail(lines),
    {},
    namespaces,
  );
}

/**
 * A failure for a result that stops early: `crashed` when a traceback explains it, else `truncated`.
 */
export function stoppedEarly(
  kind: BenchmarkKind,
  lines: readonly LogLine[],
  truncatedDetail: string,
  excerpt: string,
  partial: Record<string, Metric>,
  namespaces: readonly EchoedNamespace[],
): ParseResult {
  const crash = findCrash(lines);
  if (crash) {
    return failure(
      kind,
      'crashed',
      `the run crashed before finishing its result: ${crash.text}`,
      excerptAround(lines, crash.no, 4, 1),
      partial,
      namespaces,
    );
  }
  return failure(kind, 'truncated', truncatedDetail, excerpt, partial, namespaces);
}
