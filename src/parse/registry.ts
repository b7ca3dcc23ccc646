/** The parser registry: one line per benchmark script family. */
import { latencyParser } from './latency.js';
import { prefixCachingParser } from './prefix-caching.js';
import { servingParser } from './serving.js';
import { throughputParser } from './throughput.js';
import type { BenchmarkKind, Parser } from './types.js';

/** Every parser, keyed by the kind of benchmark it reads. */
export const PARSERS: Readonly<Record<BenchmarkKind, Parser>> = {
  serving: servingParser,
  latency: latencyParser,
  throughput: throughputParser,
  prefix_caching: prefixCachingParser,
};

/** The parser for a benchmark kind. */
export function parserFor(kind: BenchmarkKind): Parser {
  return PARSERS[kind];
}
