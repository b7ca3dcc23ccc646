/**
 * Hostile input: random mixtures of real log fragments, quotes, control characters and numbers must
 * never make a parser throw or produce a non-finite number.
 */
import { describe, expect, it } from 'vitest';
import { PARSERS } from '../../src/parse/registry.js';
import { parsePerfCommand } from '../../src/task/perf-command.js';
import { readRaw } from '../../src/v5/raw-metrics.js';

const FRAGMENTS = [
  '============ Serving Benchmark Result ============',
  '==================================================',
  'Mean TTFT (ms):',
  'Median TPOT (ms):',
  'P99 ITL (ms):',
  'P99.9 E2EL (ms):',
  'Successful requests:',
  'Output token throughput (tok/s):',
  'Avg latency: ',
  '% percentile latency: ',
  ' seconds',
  'Throughput: ',
  ' requests/s, ',
  ' total tokens/s, ',
  ' output tokens/s',
  'Total num prompt tokens:  ',
  '------warm up------',
  '------start generating------',
  'cost time ',
  'Processed prompts: 100%|██████████| 100/100 [00:03<00:00, 28.56it/s, est. speed input: ',
  ' toks/s, output: ',
  ' toks/s]',
  "Namespace(model='",
  "', num_prompts=",
  ', ignore_eos=True, x=<function f at 0x1>, y=[1, 2], z={',
  ')',
  'INFO 01-02 [api_server.py:1] args: Namespace(port=',
  'Traceback (most recent call last):',
  'ValueError: boom',
  '\\U0010FFFF',
  '\\x',
  "'",
  '"',
  '\r',
  '\n',
  '\n',
  ' ',
  '   ',
  '12.5',
  '-0',
  '1e999',
  'nan',
  'inf',
  '0x1F',
  '\u0000',
  '\uFFFD',
  '--model',
  '--num-prompts',
  '[--x]',
  'python benchmarks/benchmark_serving.py ',
  'vllm bench serve ',
  'BS',
  // whole valid lines, so that some inputs parse
  '\nAvg latency: 1.5 seconds\n',
  '\n============ Serving Benchmark Result ============\nMean TTFT (ms):    5.00\n',
  '\nThroughput: 1.00 requests/s, 100.00 tokens/s\n',
  '\n------start generating------\nProcessed prompts: 100%|█| 10/10 [00:01<00:00, est. speed input: 5.00 toks/s, output: 2.00 toks/s]\n',
];

/** A small deterministic generator (LCG). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function hostile(next: () => number): string {
  const n = Math.floor(next() * 60);
  let out = '';
  for (let i = 0; i < n; i++) {
    const r = next();
    if (r < 0.75) out += FRAGMENTS[Math.floor(next() * FRAGMENTS.length)];
    else if (r < 0.9) out += String(Math.floor(next() * 100000) / 100);
    else out += String.fromCharCode(Math.floor(next() * 0x3000));
  }
  return out;
}

describe('parsers on hostile input', () => {
  it('never throw and never return a non-finite metric (3000 inputs each)', () => {
    const next = rng(20261127);
    let ok = 0;
    for (let i = 0; i < 3000; i++) {
      const text = hostile(next);
      for (const parser of Object.values(PARSERS)) {
        const r = parser.parse(text);
        if (r.ok) {
          ok++;
          for (const m of Object.values(r.metrics)) expect(Number.isFinite(m.value)).toBe(true);
        } else {
          expect(r.detail.length).toBeGreaterThan(0);
          expect(r.excerpt.length).toBeLessThanOrEqual(800);
        }
      }
      expect(() => readRaw(text, 'serving')).not.toThrow();
      expect(() => parsePerfCommand(text)).not.toThrow();
    }
    // the generator does produce parseable logs now and then, so both paths are exercised
    expect(ok).toBeGreaterThan(0);
  });
});
