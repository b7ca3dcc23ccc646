import { describe, expect, it } from 'vitest';
import { parseServing } from '../../src/parse/serving.js';

const BLOCK = `============ Serving Benchmark Result ============
Successful requests:                     100       
Benchmark duration (s):                  103.15    
Total input tokens:                      51200     
Total generated tokens:                  12800     
Request throughput (req/s):              0.97      
Output token throughput (tok/s):         124.10    
Total Token throughput (tok/s):          620.48    
---------------Time to First Token----------------
Mean TTFT (ms):                          25.71     
Median TTFT (ms):                        24.33     
P99 TTFT (ms):                           73.69     
-----Time per Output Token (excl. 1st token)------
Mean TPOT (ms):                          4.76      
Median TPOT (ms):                        4.66      
P99 TPOT (ms):                           5.69      
---------------Inter-token Latency----------------
Mean ITL (ms):                           4.80      
Median ITL (ms):                         4.59      
P99 ITL (ms):                            11.13     
==================================================
`;

const NS =
  "Namespace(backend='vllm', base_url=None, host='127.0.0.1', port=18001, dataset_name='random', model='Qwen/Qwen2.5-1.5B-Instruct', num_prompts=100, request_rate=1.0, seed=0, ignore_eos=True, random_input_len=512, dispatch_function=<function BenchmarkServingSubcommand.cmd at 0x2ae0e3d04180>, lora_modules=None)";

describe('serving parser', () => {
  it('reads every line of the result block with units and directions', () => {
    const r = parseServing(`INFO start\n${NS}\n${BLOCK}\nBENCHMARK_DONE\n`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.metrics.ttft_mean).toMatchObject({ value: 25.71, unit: 'ms', direction: 'lower' });
    expect(r.metrics.ttft_p99?.value).toBe(73.69);
    expect(r.metrics.itl_median?.value).toBe(4.59);
    expect(r.metrics.tpot_p99?.value).toBe(5.69);
    expect(r.metrics.completed).toMatchObject({ value: 100, unit: 'requests', direction: 'none' });
    expect(r.metrics.duration).toMatchObject({ value: 103.15, unit: 's' });
    expect(r.metrics.request_throughput).toMatchObject({ value: 0.97, unit: 'req/s', direction: 'higher' });
    expect(r.metrics.output_throughput).toMatchObject({ value: 124.1, unit: 'tok/s' });
    expect(r.metrics.total_token_throughput?.value).toBe(620.48);
    expect(r.metrics.total_output_tokens?.value).toBe(12800);
    expect(r.namespaces).toHaveLength(1);
    const ns = r.namespaces[0];
    expect(ns?.args.get('random_input_len')).toBe(512);
    expect(ns?.args.get('request_rate')).toBe(1);
    expect(ns?.args.get('ignore_eos')).toBe(true);
    expect(ns?.args.get('base_url')).toBeNull();
    expect(ns?.args.get('dispatch_function')).toEqual({
      opaque: '<function BenchmarkServingSubcommand.cmd at 0x2ae0e3d04180>',
    });
  });

  it('accepts a repeated block when the values agree, and refuses to choose when they differ', () => {
    const repeat = `${BLOCK}============ Serving Benchmark Result ============\nMean TTFT (ms):                          25.71\n==================================================\n`;
    expect(parseServing(repeat).ok).toBe(true);
    const conflict = repeat.replace(/25\.71\n=/, '99.00\n=');
    const r = parseServing(conflict);
    expect(r).toMatchObject({ ok: false, reason: 'conflicting' });
    if (!r.ok) expect(r.detail).toContain('ttft_mean');
  });

  it('reports a block cut off at the end as truncated, not as metrics', () => {
    const cut = BLOCK.slice(0, BLOCK.indexOf('---------------Time to First'));
    const r = parseServing(`log\n${cut}`);
    expect(r).toMatchObject({ ok: false, reason: 'truncated' });
    if (!r.ok) expect(r.partial.request_throughput?.value).toBe(0.97);
  });

  it('reads a block whose header was cut off, flagged truncated, from each kind of cut first line', () => {
    const after = `BENCHMARK_DONE\nUnable to find image 'x' locally\n`;
    for (const [cutAt, firstRead] of [
      ['Mean TTFT', 'ttft_mean'], // cut at a line's start
      ['= Serving Benchmark Result', 'completed'], // "…= Serving" would be a header: cut inside it
      ['rving Benchmark Result', 'completed'], // the end of the header
      ['=====\nSuccessful', 'completed'], // the header's last "="s
      ['-Time to First Token', 'ttft_mean'], // the end of a section title
      ['ut token throughput (tok/s):         124', 'total_token_throughput'], // a metric line without its label's start
    ] as const) {
      const text = `${BLOCK.slice(BLOCK.indexOf(cutAt) + (cutAt.startsWith('=') ? 1 : 0))}${after}`;
      const r = parseServing(text);
      expect(r, cutAt).toMatchObject({ ok: true });
      if (!r.ok) continue;
      expect(r.truncated, cutAt).toMatch(/starts inside the result block, whose header was cut off/);
      expect(r.metrics[firstRead], cutAt).toBeDefined();
      expect(r.metrics.ttft_mean?.value).toBe(25.71);
      expect(r.metrics.itl_p99?.value).toBe(11.13);
    }
    // the cut metric line's value is not read: its label could be "Output" or "Total Token"
    const cut = parseServing(BLOCK.slice(BLOCK.indexOf('ut token throughput (tok/s):         124')));
    expect(cut.ok).toBe(true);
    if (cut.ok) expect(Object.keys(cut.metrics)).not.toContain('output_throughput');
    // a whole block is not flagged
    const whole = parseServing(BLOCK);
    expect(whole.ok && whole.truncated).toBeNull();
  });

  it("reads a cut block with the setting lines of 2025's scripts (vllm_core-0025's benchmark_serving.py and serve.py)", () => {
    const block = BLOCK.replace(
      'Successful requests:                     100       \n',
      'Successful requests:                     100       \nMaximum request concurrency:             16        \nRequest rate configured (RPS):           1.00      \n',
    );
    expect(parseServing(block)).toMatchObject({ ok: true, truncated: null });
    for (const cutAt of ['rrency:', 'Request rate configured', 'Benchmark duration']) {
      const r = parseServing(block.slice(block.indexOf(cutAt)));
      expect(r, cutAt).toMatchObject({
        ok: true,
        truncated: expect.stringMatching(/whose header was cut off/),
      });
      if (r.ok) expect(r.metrics.duration?.value, cutAt).toBe(103.15);
    }
    // a setting line is not a metric, and other text among the block's lines is still refused
    const r = parseServing(
      block.slice(block.indexOf('rrency:')).replace('Request rate configured', 'INFO Request'),
    );
    expect(r).toMatchObject({ ok: false, reason: 'truncated' });
  });

  it('does not read header-less lines that could be something else', () => {
    const tail = BLOCK.slice(BLOCK.indexOf('Mean TTFT'));
    const cases: Array<[string, string, RegExp]> = [
      ['other text first', `INFO starting\n${tail}`, /after other text \(line 1\)/],
      ['a first line that is no fragment', `Serving Benchmark Result\n${tail}`, /after other text/],
      ['interrupted', tail.replace('P99 TPOT', 'INFO log line\nP99 TPOT'), /interrupted on line \d+/],
      ['no closing rule', tail.replace(/=+\n$/, ''), /cut off at both ends/],
      ['two blocks', `${tail}${tail}`, /more than one block without a header/],
    ];
    for (const [name, text, detail] of cases) {
      const r = parseServing(text);
      expect(r, name).toMatchObject({ ok: false, reason: 'truncated', partial: {} });
      if (!r.ok) expect(r.detail, name).toMatch(detail);
    }
    const noTtft = parseServing(BLOCK.slice(BLOCK.indexOf('Mean TPOT')));
    expect(noTtft).toMatchObject({ ok: false, reason: 'truncated' });
    if (!noTtft.ok) expect(noTtft.detail).toMatch(/none of them is "Mean TTFT/);
  });

  it('reads the headed block, with a warning, when the lines of a cut block come before it', () => {
    const tail = BLOCK.slice(BLOCK.indexOf('Mean TTFT')).replace('25.71', '30.00');
    const r = parseServing(`${tail}${BLOCK}`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.metrics.ttft_mean?.value).toBe(25.71);
    expect(r.truncated).toBeNull();
    expect(r.warnings.join('\n')).toMatch(/before the first "Serving Benchmark Result" header .*not read/);
  });

  it('reports a crash with the exception line', () => {
    const log =
      'INFO x\nTraceback (most recent call last):\n  File "a.py", line 1, in <module>\nValueError: Unknown RoPE scaling type llama3\n';
    const r = parseServing(log);
    expect(r).toMatchObject({ ok: false, reason: 'crashed' });
    if (!r.ok) expect(r.detail).toContain('Unknown RoPE scaling type llama3');
  });

  it('handles empty and garbage input without throwing', () => {
    expect(parseServing('')).toMatchObject({ ok: false, reason: 'empty' });
    expect(parseServing('   \n\n')).toMatchObject({ ok: false, reason: 'empty' });
    expect(parseServing('\u0000\u0001 binary junk ===== \uFFFD')).toMatchObject({
      ok: false,
      reason: 'no_metrics',
    });
  });

  it('is anchored to whole lines: look-alike text yields nothing', () => {
    const bait = [
      '============ Serving Benchmark Result ============',
      'XMean TTFT (ms):  1.00',
      'Mean TTFT (ms):  1.00 (estimated)',
      'INFO Mean TTFT (ms): 2.0',
      'throughput=99999 tokens/s',
      'Avg prompt throughput: 11184.4 tokens/s',
      '==================================================',
    ].join('\n');
    const r = parseServing(bait);
    expect(r).toMatchObject({ ok: false, reason: 'incomplete' });
    if (!r.ok) expect(Object.keys(r.partial)).toEqual([]);
  });

  it('refuses non-finite values', () => {
    const r = parseServing(BLOCK.replace('25.71', 'nan'));
    expect(r).toMatchObject({ ok: false, reason: 'malformed_value' });
  });

  it('reads progress-bar overwrites as the terminal shows them', () => {
    const r = parseServing(BLOCK.replace('Mean TTFT (ms):', ' 50%|#####| 5/10\rMean TTFT (ms):'));
    expect(r.ok && r.metrics.ttft_mean?.value).toBe(25.71);
  });

  it('reads percentiles other than 99 and E2EL', () => {
    const r = parseServing(
      `${BLOCK.replace('P99 TTFT', 'P50 TTFT').replace('==================================================\n', 'Mean E2EL (ms):   900.5\nP99.9 ITL (ms):   12.5\n==================================================\n')}`,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.metrics.ttft_p50?.value).toBe(73.69);
    expect(r.metrics.ttft_p99).toBeUndefined();
    expect(r.metrics.e2el_mean?.value).toBe(900.5);
    expect(r.metrics.itl_p99_9?.value).toBe(12.5);
  });
});
