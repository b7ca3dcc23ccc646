import { describe, expect, it } from 'vitest';
import { engineArgs, VLLM_PROBE_PROMPTS, vllmProbe } from '../../src/task/probes.js';

describe('vLLM probes', () => {
  it('forwards the engine arguments of an offline command, not the benchmark’s own', () => {
    const client = [
      'python',
      'benchmarks/benchmark_latency.py',
      '--model',
      'm',
      '--batch-size',
      '8',
      '--input-len',
      '32',
      '--dtype=bfloat16',
      '--enforce-eager',
      '-tp',
      '2',
      '--num-iters',
      '5',
      '--trust-remote-code',
      'true',
    ];
    expect(engineArgs(client)).toEqual([
      '--model',
      'm',
      '--dtype=bfloat16',
      '--enforce-eager',
      '-tp',
      '2',
      '--trust-remote-code',
      'true',
    ]);
  });
  it('asks serving tasks through their server, offline tasks through the offline probe, and nothing else', () => {
    expect(vllmProbe('serving', ['x'])).toMatchObject({
      mode: 'completions',
      prompts: VLLM_PROBE_PROMPTS,
      logprobs: 5,
    });
    const offline = vllmProbe('throughput', ['python', 'b.py', '--model', 'm']);
    expect(offline).toMatchObject({ mode: 'script', script: 'vllm_offline.py' });
    expect(offline?.mode === 'script' && offline.args.slice(-2)).toEqual(['--model', 'm']);
    expect(vllmProbe(null, null)).toBeUndefined();
  });
});
