import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { disagreements, jsonResultRequest, parseJsonResult } from '../../src/parse/json-result.js';
import { PROJECT_ROOT } from '../support/shared-data.js';

const client = (demo: string, file: string) =>
  readFileSync(join(PROJECT_ROOT, 'harness/demo', demo, 'parent/benchmarks', file), 'utf8');

describe('which clients can write a JSON result', () => {
  it('asks the shipped demo clients with the flags they declare', () => {
    expect(
      jsonResultRequest('latency', client('cpu-latency', 'benchmark_latency.py'))?.argv('/r', 'a.json'),
    ).toEqual(['--output-json', '/r/a.json']);
    expect(
      jsonResultRequest('serving', client('cpu-serving', 'benchmark_serving.py'))?.argv('/r', 'a.json'),
    ).toEqual(['--save-result', '--result-dir', '/r', '--result-filename', 'a.json']);
  });

  it('does not ask clients that lack the options (or only mention them)', () => {
    const old =
      'parser.add_argument("--model", type=str)\nparser.add_argument("--save-result", action="store_true")\n';
    expect(jsonResultRequest('serving', old)).toBeNull(); // no --result-filename before v0.5.0
    expect(
      jsonResultRequest('latency', 'parser.add_argument("--n", help="unlike --output-json")'),
    ).toBeNull();
    expect(
      jsonResultRequest('throughput', "parser.add_argument('-o', '--output-json', type=str)"),
    ).not.toBeNull();
    expect(jsonResultRequest('prefix_caching', 'parser.add_argument("--output-json")')).toBeNull();
  });
});

describe('reading JSON results under the stdout parsers’ names', () => {
  it('serving: a goodput the run did not measure is null in 2025 clients, under either spelling', () => {
    // tree 0006 (2025-07) writes "request_goodput": null without --goodput; tree 0040 (2024-12) "request_goodput:"
    const base = {
      duration: 10,
      completed: 5,
      request_throughput: 0.5,
      mean_ttft_ms: 12.5,
      output_throughput: 9,
    };
    for (const key of ['request_goodput', 'request_goodput:']) {
      const r = parseJsonResult('serving', JSON.stringify({ ...base, [key]: null }));
      expect(r).toMatchObject({ ok: true });
      if (r.ok) {
        expect(r.metrics.ttft_mean?.value).toBe(12.5);
        expect(r.metrics.request_goodput).toBeUndefined();
      }
      const measured = parseJsonResult('serving', JSON.stringify({ ...base, [key]: 0.25 }));
      expect(measured.ok && measured.metrics.request_goodput?.value).toBe(0.25);
    }
    // any other null is still a defect of the result
    expect(parseJsonResult('serving', JSON.stringify({ ...base, mean_ttft_ms: null }))).toEqual({
      ok: false,
      detail: 'not finite numbers: mean_ttft_ms',
    });
  });

  it('serving: counts, rates (and the v0.3.3 typo), mean/median/std/percentiles', () => {
    const r = parseJsonResult(
      'serving',
      JSON.stringify({
        duration: 12.5,
        completed: 100,
        total_input_tokens: 102400,
        total_output_tokens: 12800,
        request_inthroughput: 8,
        output_throughput: 1024.5,
        mean_ttft_ms: 41.25,
        median_ttft_ms: 40,
        std_ttft_ms: 3.5,
        'p99.9_itl_ms': 88.1,
        p99_tpot_ms: 12.75,
        ttfts: [0.04, 0.05],
        generated_texts: ['a'],
      }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.metrics.request_throughput).toEqual({ value: 8, unit: 'req/s', direction: 'higher' });
    expect(r.metrics.completed).toEqual({ value: 100, unit: 'requests', direction: 'none' });
    expect(r.metrics.ttft_mean?.value).toBe(41.25);
    expect(r.metrics.ttft_std?.value).toBe(3.5);
    expect(r.metrics.itl_p99_9?.value).toBe(88.1);
    expect(r.metrics.tpot_p99).toEqual({ value: 12.75, unit: 'ms', direction: 'lower' });
    expect(Object.keys(r.metrics)).not.toContain('ttfts');
  });

  it('latency: seconds to milliseconds, percentiles by their keys', () => {
    const r = parseJsonResult(
      'latency',
      JSON.stringify({ avg_latency: 1.5, latencies: [1, 2], percentiles: { '10': 1.1, '99': 1.9 } }),
    );
    expect(r).toEqual({
      ok: true,
      metrics: {
        latency_avg: { value: 1500, unit: 'ms', direction: 'lower' },
        latency_p10: { value: 1100, unit: 'ms', direction: 'lower' },
        latency_p99: { value: 1900, unit: 'ms', direction: 'lower' },
      },
    });
  });

  it('throughput: requests and tokens per second', () => {
    const r = parseJsonResult(
      'throughput',
      JSON.stringify({
        elapsed_time: 20,
        num_requests: 1000,
        total_num_tokens: 300000,
        requests_per_second: 50,
        tokens_per_second: 15000,
      }),
    );
    expect(r.ok && r.metrics.request_throughput?.value).toBe(50);
    expect(r.ok && r.metrics.total_token_throughput?.value).toBe(15000);
  });

  it('refuses what is not a usable result, saying why', () => {
    expect(parseJsonResult('latency', '{"avg_latency": NaN}')).toMatchObject({
      ok: false,
      detail: /not JSON/,
    });
    expect(parseJsonResult('latency', '[1]')).toMatchObject({ ok: false, detail: 'not a JSON object' });
    expect(parseJsonResult('latency', '{"latencies": [1]}')).toMatchObject({
      ok: false,
      detail: 'no avg_latency',
    });
    expect(parseJsonResult('serving', '{"request_throughput": "fast"}')).toMatchObject({
      ok: false,
      detail: 'not finite numbers: request_throughput',
    });
    expect(parseJsonResult('prefix_caching', '{}')).toMatchObject({ ok: false });
  });
});

describe('checking the JSON against the stdout block', () => {
  it('allows the stdout’s rounding, and names what disagrees beyond it', () => {
    const json = {
      ttft_mean: { value: 41.2549 },
      request_throughput: { value: 8.004 },
      duration: { value: 12 },
    };
    expect(disagreements(json, { ttft_mean: { value: 41.25 }, request_throughput: { value: 8.0 } })).toEqual(
      [],
    );
    expect(disagreements(json, { ttft_mean: { value: 43.1 }, duration: { value: 12 } })).toEqual([
      'ttft_mean: JSON 41.2549, stdout 43.1',
    ]);
  });
});
