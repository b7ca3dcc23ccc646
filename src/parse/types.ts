/** Shared types of the benchmark-output parsers. */
import type { PyValue } from '../util/python-literal.js';

/** Which benchmark script produced a log: one parser each. */
export type BenchmarkKind = 'serving' | 'latency' | 'throughput' | 'prefix_caching';

/** Units are explicit on every metric; nothing is stored without one. */
export type Unit = 'ms' | 's' | 'req/s' | 'tok/s' | 'requests' | 'tokens';

/** Whether a smaller or larger value is better; `none` for counts that describe the workload. */
export type Direction = 'lower' | 'higher' | 'none';

/** One number read from a log line. */
export interface Metric {
  readonly value: number;
  readonly unit: Unit;
  readonly direction: Direction;
  /** 1-based line number in the parsed text of the line it was read from (the last one if repeated). */
  readonly line: number;
}

/** Why a log yielded no metrics. Parsers return these; they never throw and never invent a number. */
export type ParseFailureReason =
  /** nothing but whitespace */
  | 'empty'
  /** a Python traceback (or a fatal error line) and no result */
  | 'crashed'
  /** the result block is cut off at the start or the end of the text */
  | 'truncated'
  /** no result block at all */
  | 'no_metrics'
  /** a result block without the script's primary metric */
  | 'incomplete'
  /** the same metric printed twice with different values */
  | 'conflicting'
  /** a metric line whose value is not a finite number */
  | 'malformed_value';

/** The effective arguments a script echoed (`Namespace(...)`), as printed. */
export interface EchoedNamespace {
  /** 1-based line number. */
  readonly line: number;
  /** `bare` = the line is the Namespace itself (benchmark scripts); `log` = inside a logger line (servers). */
  readonly source: 'bare' | 'log';
  readonly args: ReadonlyMap<string, PyValue>;
}

/** Result of parsing one log. */
export type ParseResult =
  | {
      readonly ok: true;
      readonly kind: BenchmarkKind;
      readonly metrics: Readonly<Record<string, Metric>>;
      readonly namespaces: readonly EchoedNamespace[];
      /** Things noticed that did not prevent parsing (e.g. a truncated Namespace line). */
      readonly warnings: readonly string[];
      /**
       * Null for a whole result. Otherwise why the text is cut off although every line read is whole
       * (a serving block whose header was cut away): the metrics stand as printed, flagged. Only
       * published raw outputs, stored cut, are read this way; a run's own log is stored whole.
       */
      readonly truncated: string | null;
    }
  | {
      readonly ok: false;
      readonly kind: BenchmarkKind;
      readonly reason: ParseFailureReason;
      readonly detail: string;
      /** A short excerpt of the log around the problem (at most 800 characters). */
      readonly excerpt: string;
      /** Metrics that were read before the failure was decided; never to be graded, for diagnosis only. */
      readonly partial: Readonly<Record<string, Metric>>;
      readonly namespaces: readonly EchoedNamespace[];
    };

/** A parser for one benchmark script's output. Pure: no I/O. */
export interface Parser {
  readonly kind: BenchmarkKind;
  /** The scripts whose output this parser reads. */
  readonly scripts: readonly string[];
  /** The metric a task of this kind is graded on by default. */
  readonly primaryMetric: string;
  parse(log: string): ParseResult;
}
