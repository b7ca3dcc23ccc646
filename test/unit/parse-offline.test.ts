import { describe, expect, it } from 'vitest';
import { parseLatency } from '../../src/parse/latency.js';
import { logLines } from '../../src/parse/lines.js';
import { readNamespaces } from '../../src/parse/namespace.js';
import { parsePrefixCaching } from '../../src/parse/prefix-caching.js';
import { parseThroughput } from '../../src/parse/throughput.js';

const CRASH = [
  'Traceback (most recent call last):',
  '  File "/vllm/benchmarks/benchmark_x.py", line 10, in <module>',
  '    main(args)',
  '  File "/vllm/vllm/config.py", line 200, in __init__',
  '    raise ValueError("Unknown RoPE scaling type llama3")',
  'ValueError: Unknown RoPE scaling type llama3',
  '',
].join('\n');

const BINARY = '\u0000\u0001\u0002\u00ff\uFFFD\r\r\n\x1b[31mPK\u0003\u0004 ===== Avg latency %|| \udc80';

// ---------------------------------------------------------------------------------------------
// latency

const LATENCY_NS =
  "Namespace(model='facebook/opt-125m', speculative_model=None, tokenizer=None, quantization=None, tensor_parallel_size=1, input_len=32, output_len=128, batch_size=8, n=1, use_beam_search=False, num_iters_warmup=10, num_iters=30, trust_remote_code=False, max_model_len=None, dtype='auto', enforce_eager=False, kv_cache_dtype='auto', load_format=<LoadFormat.AUTO: 'auto'>, output_json=None)";

const LATENCY_RESULT = [
  'Avg latency: 3.2030584950697083 seconds',
  '10% percentile latency: 3.18 seconds',
  '25% percentile latency: 3.1931 seconds',
  '50% percentile latency: 3.2012 seconds',
  '75% percentile latency: 3.21 seconds',
  '90% percentile latency: 3.2206 seconds',
  '99% percentile latency: 3.2499 seconds',
  '',
].join('\n');

const LATENCY_LOG = [
  LATENCY_NS,
  'INFO 01-02 17:25:16 llm_engine.py:237] Initializing an LLM engine (v0.6.3) with config: ...',
  'INFO 01-02 17:25:40 model_runner.py:1067] Loading model weights took 0.2389 GB',
  'SamplingParams(n=1, temperature=1.0, top_p=1.0, max_tokens=128)',
  'Warming up...',
  'Warmup iterations: 100%|██████████| 10/10 [00:32<00:00,  3.20s/it]',
  'Profiling iterations:   0%|          | 0/30 [00:00<?, ?it/s]\rProfiling iterations:  50%|█████     | 15/30 [00:48<00:48,  3.20s/it]\rProfiling iterations: 100%|██████████| 30/30 [01:36<00:00,  3.20s/it]',
  LATENCY_RESULT,
].join('\n');

describe('latency parser', () => {
  it('reads the average and every percentile, in milliseconds', () => {
    const r = parseLatency(LATENCY_LOG);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.kind).toBe('latency');
    expect(r.metrics.latency_avg).toEqual({
      value: 3.2030584950697083 * 1000,
      unit: 'ms',
      direction: 'lower',
      line: 8,
    });
    expect(r.metrics.latency_p10).toMatchObject({ value: 3.18 * 1000, unit: 'ms', direction: 'lower' });
    expect(r.metrics.latency_p25?.value).toBe(3.1931 * 1000);
    expect(r.metrics.latency_p50?.value).toBe(3.2012 * 1000);
    expect(r.metrics.latency_p75?.value).toBe(3.21 * 1000);
    expect(r.metrics.latency_p90?.value).toBe(3.2206 * 1000);
    expect(r.metrics.latency_p99).toMatchObject({
      value: 3.2499 * 1000,
      unit: 'ms',
      direction: 'lower',
      line: 14,
    });
    expect(Object.keys(r.metrics).sort()).toEqual(
      [
        'latency_avg',
        'latency_p10',
        'latency_p25',
        'latency_p50',
        'latency_p75',
        'latency_p90',
        'latency_p99',
      ].sort(),
    );
    expect(r.namespaces).toHaveLength(1);
    expect(r.namespaces[0]?.source).toBe('bare');
    expect(r.namespaces[0]?.args.get('batch_size')).toBe(8);
    expect(r.namespaces[0]?.args.get('load_format')).toEqual({ opaque: "<LoadFormat.AUTO: 'auto'>" });
    expect(r.warnings).toEqual([]);
  });

  it('reads fractional percentiles', () => {
    const r = parseLatency('Avg latency: 1.5 seconds\n99.9% percentile latency: 2.25 seconds\n');
    expect(r.ok && r.metrics.latency_p99_9?.value).toBe(2250);
  });

  it('accepts a repeated identical value', () => {
    const r = parseLatency(`${LATENCY_RESULT}${LATENCY_RESULT}`);
    expect(r.ok).toBe(true);
  });

  it('reports an empty log', () => {
    expect(parseLatency('')).toMatchObject({ ok: false, kind: 'latency', reason: 'empty' });
    expect(parseLatency(' \n\t\n')).toMatchObject({ ok: false, reason: 'empty' });
  });

  it('reports a crash with the exception line', () => {
    const r = parseLatency(`${LATENCY_NS}\nINFO 01-02 17:25:16 llm_engine.py:237] Initializing\n${CRASH}`);
    expect(r).toMatchObject({ ok: false, reason: 'crashed' });
    if (r.ok) return;
    expect(r.detail).toContain('ValueError: Unknown RoPE scaling type llama3');
    expect(r.excerpt).toContain('ValueError');
    expect(r.namespaces).toHaveLength(1);
  });

  it('reports percentile lines without the Avg line as truncated', () => {
    const tail = LATENCY_RESULT.slice(LATENCY_RESULT.indexOf('25%'));
    const r = parseLatency(tail);
    expect(r).toMatchObject({ ok: false, reason: 'truncated' });
    if (r.ok) return;
    expect(r.partial.latency_p99?.value).toBe(3.2499 * 1000);
    expect(r.partial.latency_avg).toBeUndefined();
  });

  it('reports a log without a result as no_metrics', () => {
    const r = parseLatency(LATENCY_LOG.slice(0, LATENCY_LOG.indexOf('Avg latency')));
    expect(r).toMatchObject({ ok: false, reason: 'no_metrics' });
  });

  it('refuses to choose between conflicting values', () => {
    const r = parseLatency(`${LATENCY_RESULT}Avg latency: 4.0 seconds\n`);
    expect(r).toMatchObject({ ok: false, reason: 'conflicting' });
    if (r.ok) return;
    expect(r.detail).toContain('latency_avg');
    expect(r.partial.latency_avg).toBeDefined();
  });

  it('refuses a non-finite value', () => {
    expect(parseLatency(LATENCY_RESULT.replace('3.2030584950697083', 'nan'))).toMatchObject({
      ok: false,
      reason: 'malformed_value',
    });
    expect(parseLatency(LATENCY_RESULT.replace('3.2499', 'inf'))).toMatchObject({
      ok: false,
      reason: 'malformed_value',
    });
  });

  it('is anchored to whole lines: look-alike text yields nothing', () => {
    const bait = [
      'INFO 01-02 17:25:16 bench.py:10] Avg latency: 5 seconds',
      'Avg latency: 5 seconds (estimated)',
      'Avg latency: 5 ms',
      'XAvg latency: 5 seconds',
      'Avg latency: five seconds',
      'p99 percentile latency: 5 seconds',
      'Avg prompt throughput: 11184.4 tokens/s',
      '',
    ].join('\n');
    const r = parseLatency(bait);
    expect(r).toMatchObject({ ok: false, reason: 'no_metrics' });
    if (!r.ok) expect(Object.keys(r.partial)).toEqual([]);
  });

  it('never throws on garbage or binary input', () => {
    expect(parseLatency(BINARY)).toMatchObject({ ok: false, reason: 'no_metrics' });
    expect(() => parseLatency('\r\r\r')).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// throughput

const THROUGHPUT_NS =
  "Namespace(backend='vllm', dataset='ShareGPT_V3_unfiltered_cleaned_split.json', input_len=None, output_len=None, model='meta-llama/Llama-3.1-8B-Instruct', n=1, num_prompts=1000, seed=0, max_model_len=None, dtype='auto', enforce_eager=False, output_json=None, async_engine=False, disable_frontend_multiprocessing=False)";

const THROUGHPUT_OLD = [
  THROUGHPUT_NS,
  'INFO 09-12 10:01:02 llm_engine.py:232] Initializing an LLM engine (v0.6.0)',
  'Processed prompts: 100%|██████████| 1000/1000 [01:48<00:00,  9.18it/s, est. speed input: 1957.11 toks/s, output: 1788.00 toks/s]',
  'Throughput: 9.18 requests/s, 11745.11 tokens/s',
  '',
].join('\n');

const THROUGHPUT_NEW = [
  THROUGHPUT_NS,
  'INFO 03-05 11:12:13 [llm_engine.py:232] Initializing a V1 LLM engine (v0.8.0)',
  'Processed prompts: 100%|██████████| 1000/1000 [01:19<00:00, 12.59it/s, est. speed input: 12557.95 toks/s, output: 1258.66 toks/s]',
  'Throughput: 12.59 requests/s, 13816.61 total tokens/s, 1258.66 output tokens/s',
  'Total num prompt tokens:  997723',
  'Total num output tokens:  100000',
  '',
].join('\n');

describe('throughput parser', () => {
  it('reads the old format and warns that tokens/s counts prompt and output', () => {
    const r = parseThroughput(THROUGHPUT_OLD);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.kind).toBe('throughput');
    expect(r.metrics.request_throughput).toEqual({
      value: 9.18,
      unit: 'req/s',
      direction: 'higher',
      line: 4,
    });
    expect(r.metrics.total_token_throughput).toMatchObject({
      value: 11745.11,
      unit: 'tok/s',
      direction: 'higher',
    });
    expect(r.metrics.output_throughput).toBeUndefined();
    expect(r.warnings.some((w) => w.includes('old output format'))).toBe(true);
    expect(r.namespaces[0]?.args.get('num_prompts')).toBe(1000);
  });

  it('reads the new format with token counts', () => {
    const r = parseThroughput(THROUGHPUT_NEW);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.metrics.request_throughput).toMatchObject({ value: 12.59, unit: 'req/s', direction: 'higher' });
    expect(r.metrics.total_token_throughput).toMatchObject({
      value: 13816.61,
      unit: 'tok/s',
      direction: 'higher',
    });
    expect(r.metrics.output_throughput).toMatchObject({ value: 1258.66, unit: 'tok/s', direction: 'higher' });
    expect(r.metrics.total_input_tokens).toEqual({
      value: 997723,
      unit: 'tokens',
      direction: 'none',
      line: 5,
    });
    expect(r.metrics.total_output_tokens).toMatchObject({ value: 100000, unit: 'tokens', direction: 'none' });
    expect(r.warnings).toEqual([]);
    // the progress bar's est. speed is not a result
    expect(Object.keys(r.metrics).sort()).toEqual(
      [
        'output_throughput',
        'request_throughput',
        'total_input_tokens',
        'total_output_tokens',
        'total_token_throughput',
      ].sort(),
    );
  });

  it('reports an empty log', () => {
    expect(parseThroughput('')).toMatchObject({ ok: false, kind: 'throughput', reason: 'empty' });
    expect(parseThroughput('\n\n  \n')).toMatchObject({ ok: false, reason: 'empty' });
  });

  it('reports a crash with the exception line', () => {
    const r = parseThroughput(`${THROUGHPUT_NS}\n${CRASH}`);
    expect(r).toMatchObject({ ok: false, reason: 'crashed' });
    if (!r.ok) expect(r.detail).toContain('ValueError: Unknown RoPE scaling type llama3');
  });

  it('reports a log cut off before the result as no_metrics', () => {
    const r = parseThroughput(THROUGHPUT_NEW.slice(0, THROUGHPUT_NEW.indexOf('Throughput:')));
    expect(r).toMatchObject({ ok: false, reason: 'no_metrics' });
  });

  it('refuses to choose between conflicting values', () => {
    const r = parseThroughput(
      `${THROUGHPUT_NEW}Throughput: 12.59 requests/s, 13816.61 total tokens/s, 1300.00 output tokens/s\n`,
    );
    expect(r).toMatchObject({ ok: false, reason: 'conflicting' });
    if (!r.ok) expect(r.detail).toContain('output_throughput');
    const tokens = parseThroughput(`${THROUGHPUT_NEW}Total num prompt tokens:  997724\n`);
    expect(tokens).toMatchObject({ ok: false, reason: 'conflicting' });
  });

  it('accepts a repeated identical value', () => {
    expect(parseThroughput(`${THROUGHPUT_NEW}${THROUGHPUT_NEW}`).ok).toBe(true);
  });

  it('refuses a non-finite value', () => {
    expect(parseThroughput(THROUGHPUT_NEW.replace('13816.61 total', 'nan total'))).toMatchObject({
      ok: false,
      reason: 'malformed_value',
    });
    expect(parseThroughput(THROUGHPUT_OLD.replace('9.18 requests/s', 'inf requests/s'))).toMatchObject({
      ok: false,
      reason: 'malformed_value',
    });
  });

  it('is anchored to whole lines: look-alike text yields nothing', () => {
    const bait = [
      'Throughput: 5 requests/s',
      'INFO 01-02 17:25:16 [metrics.py:1] Throughput: 9.18 requests/s, 11745.11 tokens/s',
      'Avg prompt throughput: 11184.4 tokens/s, Avg generation throughput: 120.1 tokens/s',
      'Throughput: 9.18 requests/s, 11745.11 tokens/s (estimated)',
      'Throughput: 9.18 req/s, 11745.11 tokens/s',
      'Processed prompts: 100%|██████████| 10/10 [00:01<00:00, est. speed input: 1.00 toks/s, output: 2.00 toks/s]',
      '',
    ].join('\n');
    const r = parseThroughput(bait);
    expect(r).toMatchObject({ ok: false, reason: 'no_metrics' });
    if (!r.ok) expect(Object.keys(r.partial)).toEqual([]);
  });

  it('never throws on garbage or binary input', () => {
    expect(parseThroughput(BINARY)).toMatchObject({ ok: false, reason: 'no_metrics' });
  });
});

// ---------------------------------------------------------------------------------------------
// prefix caching

const PREFIX_NS =
  "Namespace(model='baichuan-inc/Baichuan2-13B-Chat', use_v2_block_manager=False, enable_prefix_caching=True, num_prompts=100, repeat_count=100, input_length_range='128:256', prefix_len=256, output_len=10, seed=0)";

function bar(done: number, total: number, input: string, output: string): string {
  const pct = Math.floor((done * 100) / total);
  return `Processed prompts: ${String(pct).padStart(3)}%|${'█'.repeat(Math.floor(pct / 10)).padEnd(10)}| ${done}/${total} [00:02<00:01, 19.35it/s, est. speed input: ${input} toks/s, output: ${output} toks/s]`;
}

/** A progress bar as the terminal writes it: carriage-return overwrites on one physical line. */
function bars(...frames: string[]): string {
  return frames.join('\r');
}

const WARMUP = [
  '------warm up------',
  bars(
    'Processed prompts:   0%|          | 0/100 [00:00<?, ?it/s, est. speed input: 0.00 toks/s, output: 0.00 toks/s]',
    bar(50, 100, '11000.00', '3000.00'),
    'Processed prompts: 100%|██████████| 100/100 [00:05<00:00, 19.35it/s, est. speed input: 12479.72 toks/s, output: 3869.67 toks/s]',
  ),
  'cost time 5.233770132064819',
].join('\n');

const GENERATE = [
  '------start generating------',
  bars(
    'Processed prompts:   0%|          | 0/100 [00:00<?, ?it/s, est. speed input: 0.00 toks/s, output: 0.00 toks/s]',
    bar(57, 100, '17000.10', '5000.00'),
    'Processed prompts: 100%|██████████| 100/100 [00:03<00:00, 28.04it/s, est. speed input: 18418.52 toks/s, output: 5711.09 toks/s]',
  ),
  'cost time 3.566107988357544',
].join('\n');

const PREFIX_HEAD = [
  PREFIX_NS,
  'INFO 07-10 09:00:00 llm_engine.py:100] Initializing an LLM engine (v0.5.1) with config: enable_prefix_caching=True',
  'INFO 07-10 09:00:30 gpu_executor.py:83] # GPU blocks: 2000, # CPU blocks: 327',
].join('\n');

const PREFIX_LOG = `${PREFIX_HEAD}\n${WARMUP}\n${GENERATE}\n`;

describe('prefix-caching parser', () => {
  it('reads the last progress line and cost time after the last start-generating marker', () => {
    const r = parsePrefixCaching(PREFIX_LOG);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.kind).toBe('prefix_caching');
    expect(r.metrics.output_throughput).toMatchObject({ value: 5711.09, unit: 'tok/s', direction: 'higher' });
    expect(r.metrics.input_throughput).toMatchObject({ value: 18418.52, unit: 'tok/s', direction: 'higher' });
    expect(r.metrics.generation_time).toEqual({
      value: 3.566107988357544 * 1000,
      unit: 'ms',
      direction: 'lower',
      line: 9,
    });
    expect(r.metrics.output_throughput?.line).toBe(8);
    expect(r.namespaces[0]?.args.get('enable_prefix_caching')).toBe(true);
    expect(r.warnings).toEqual([]);
  });

  it('reads progress bars printed on separate lines (no carriage returns)', () => {
    const log = `${PREFIX_HEAD}\n${WARMUP.replaceAll('\r', '\n')}\n${GENERATE.replaceAll('\r', '\n')}\n`;
    const r = parsePrefixCaching(log);
    expect(r.ok && r.metrics.output_throughput?.value).toBe(5711.09);
    expect(r.ok && r.metrics.generation_time?.value).toBe(3.566107988357544 * 1000);
  });

  it('uses the last section when the benchmark ran twice in one log', () => {
    const second = GENERATE.replace('5711.09', '6000.50').replace('3.566107988357544', '3.1');
    const r = parsePrefixCaching(`${PREFIX_LOG}${WARMUP}\n${second}\n`);
    expect(r.ok && r.metrics.output_throughput?.value).toBe(6000.5);
    expect(r.ok && r.metrics.generation_time?.value).toBe(3100);
  });

  it('warns when the cost time line is missing', () => {
    const r = parsePrefixCaching(PREFIX_LOG.replace('cost time 3.566107988357544\n', ''));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.metrics.output_throughput?.value).toBe(5711.09);
    expect(r.metrics.generation_time).toBeUndefined();
    expect(r.warnings.some((w) => w.includes('cost time'))).toBe(true);
  });

  it('reports an empty log', () => {
    expect(parsePrefixCaching('')).toMatchObject({ ok: false, kind: 'prefix_caching', reason: 'empty' });
    expect(parsePrefixCaching('  \n')).toMatchObject({ ok: false, reason: 'empty' });
  });

  it('reports a crash before the benchmark with the exception line', () => {
    const r = parsePrefixCaching(`${PREFIX_HEAD}\n${CRASH}`);
    expect(r).toMatchObject({ ok: false, reason: 'crashed' });
    if (!r.ok) expect(r.detail).toContain('ValueError: Unknown RoPE scaling type llama3');
  });

  it('does not report a crash during generation as a result', () => {
    const oom = [
      'Traceback (most recent call last):',
      '  File "benchmarks/benchmark_prefix_caching.py", line 120, in <module>',
      'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB',
      '',
    ].join('\n');
    const afterWarmup = parsePrefixCaching(`${PREFIX_HEAD}\n------warm up------\n${oom}`);
    expect(afterWarmup.ok).toBe(false);
    const afterMarker = parsePrefixCaching(`${PREFIX_HEAD}\n${WARMUP}\n------start generating------\n${oom}`);
    expect(afterMarker.ok).toBe(false);
  });

  it('reports a warm-up without a start-generating marker as truncated', () => {
    const r = parsePrefixCaching(`${PREFIX_HEAD}\n${WARMUP}\n`);
    expect(r).toMatchObject({ ok: false, reason: 'truncated' });
    if (!r.ok) expect(Object.keys(r.partial)).toEqual([]);
  });

  it('reports a marker without any progress line as truncated', () => {
    const r = parsePrefixCaching(`${PREFIX_HEAD}\n${WARMUP}\n------start generating------\n`);
    expect(r).toMatchObject({ ok: false, reason: 'truncated' });
  });

  it('reports a last progress line that stops short of the total as truncated', () => {
    const cut = `${PREFIX_HEAD}\n${WARMUP}\n------start generating------\n${bars(
      'Processed prompts:   0%|          | 0/100 [00:00<?, ?it/s, est. speed input: 0.00 toks/s, output: 0.00 toks/s]',
      bar(57, 100, '17000.10', '5000.00'),
    )}`;
    const r = parsePrefixCaching(cut);
    expect(r).toMatchObject({ ok: false, reason: 'truncated' });
    if (r.ok) return;
    expect(r.detail).toContain('57/100');
    expect(r.partial.output_throughput?.value).toBe(5000);
  });

  it('refuses a non-finite value', () => {
    expect(parsePrefixCaching(PREFIX_LOG.replace('output: 5711.09', 'output: nan'))).toMatchObject({
      ok: false,
      reason: 'malformed_value',
    });
    expect(
      parsePrefixCaching(PREFIX_LOG.replace('cost time 3.566107988357544', 'cost time nan')),
    ).toMatchObject({ ok: false, reason: 'malformed_value' });
  });

  it('is anchored to whole lines: look-alike text yields nothing', () => {
    const bait = [
      'INFO 07-10 09:00:00 bench.py:1] ------start generating------',
      '------start generating------ (dry run)',
      'INFO ------warm up------',
      'Avg prompt throughput: 11184.4 tokens/s',
      'INFO Processed prompts: 100%|██████████| 100/100 [00:03<00:00, est. speed input: 1.00 toks/s, output: 2.00 toks/s]',
      'cost time 3.5 seconds',
      '',
    ].join('\n');
    expect(parsePrefixCaching(bait)).toMatchObject({ ok: false, reason: 'no_metrics' });
    const noSpeed = `${PREFIX_HEAD}\n------start generating------\nProcessed prompts: 100%|██████████| 100/100 [00:03<00:00, 28.04it/s]\ncost time 3.5\n`;
    const r = parsePrefixCaching(noSpeed);
    expect(r).toMatchObject({ ok: false, reason: 'truncated' });
    if (!r.ok) expect(Object.keys(r.partial)).toEqual([]);
  });

  it('never throws on garbage or binary input', () => {
    expect(parsePrefixCaching(BINARY)).toMatchObject({ ok: false, reason: 'no_metrics' });
    expect(() => parsePrefixCaching(`------start generating------\n${BINARY}`)).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// readNamespaces

describe('readNamespaces', () => {
  it('reads a bare Namespace line', () => {
    const { namespaces, warnings } = readNamespaces(
      logLines("INFO x\nNamespace(model='m', port=8000, rate=inf, tp=None, paths=['a', \"b's\"])\n"),
    );
    expect(warnings).toEqual([]);
    expect(namespaces).toHaveLength(1);
    const ns = namespaces[0];
    expect(ns?.line).toBe(2);
    expect(ns?.source).toBe('bare');
    expect([...(ns?.args.keys() ?? [])]).toEqual(['model', 'port', 'rate', 'tp', 'paths']);
    expect(ns?.args.get('model')).toBe('m');
    expect(ns?.args.get('port')).toBe(8000);
    expect(ns?.args.get('rate')).toBe(Number.POSITIVE_INFINITY);
    expect(ns?.args.get('tp')).toBeNull();
    expect(ns?.args.get('paths')).toEqual(['a', "b's"]);
  });

  it('reads a Namespace inside a server logger line', () => {
    const { namespaces, warnings } = readNamespaces(
      logLines("INFO 01-02 17:25:16 [api_server.py:1] args: Namespace(model='m', port=8000)"),
    );
    expect(warnings).toEqual([]);
    expect(namespaces).toHaveLength(1);
    expect(namespaces[0]?.source).toBe('log');
    expect(namespaces[0]?.line).toBe(1);
    expect(namespaces[0]?.args.get('model')).toBe('m');
    expect(namespaces[0]?.args.get('port')).toBe(8000);
  });

  it('reads the non-default args form and both kinds in one log', () => {
    const log = [
      "INFO 01-02 17:25:16 [cli_args.py:5] non-default args: Namespace(model='m', enforce_eager=True)",
      "Namespace(backend='vllm', num_prompts=10)",
      '',
    ].join('\n');
    const { namespaces } = readNamespaces(logLines(log));
    expect(namespaces.map((n) => [n.line, n.source])).toEqual([
      [1, 'log'],
      [2, 'bare'],
    ]);
    expect(namespaces[0]?.args.get('enforce_eager')).toBe(true);
  });

  it('reports a cut-off Namespace line as a warning, not a namespace', () => {
    const { namespaces, warnings } = readNamespaces(logLines("INFO x\nNamespace(model='m', por"));
    expect(namespaces).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('line 2');
  });

  it('reports an unreadable Namespace line as a warning, not a namespace', () => {
    const { namespaces, warnings } = readNamespaces(logLines("Namespace(model='m', path=PosixPath('/x')"));
    expect(namespaces).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('line 1');
  });

  it('ignores lines that merely mention a Namespace', () => {
    const { namespaces, warnings } = readNamespaces(
      logLines('print(Namespace(a=1))\nargs = Namespace(a=1)\nINFO no bracket args: Namespace(a=1)\n'),
    );
    expect(namespaces).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('reads an empty Namespace and never throws on garbage', () => {
    expect(readNamespaces(logLines('Namespace()')).namespaces[0]?.args.size).toBe(0);
    expect(() => readNamespaces(logLines(BINARY))).not.toThrow();
    expect(() => readNamespaces(logLines('Namespace(\u0000\uFFFD)'))).not.toThrow();
  });
});

describe('a crash is reported as a crash, also after a result section has begun', () => {
  const tb =
    'Traceback (most recent call last):\n  File "b.py", line 9, in <module>\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB\n';
  it('prefix caching, during warm-up and during generation', () => {
    for (const log of [
      `------warm up------\n${tb}`,
      `------warm up------\ncost time 1.0\n------start generating------\n${tb}`,
    ]) {
      const r = parsePrefixCaching(log);
      expect(r).toMatchObject({ ok: false, reason: 'crashed' });
      if (!r.ok) expect(r.detail).toContain('CUDA out of memory');
    }
  });

  it('latency, after some percentile lines', () => {
    expect(parseLatency(`10% percentile latency: 1.0 seconds\n${tb}`)).toMatchObject({
      ok: false,
      reason: 'crashed',
    });
  });
});
