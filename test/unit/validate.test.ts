import { describe, expect, it } from 'vitest';
import { PUBLISHED_EXCLUSIONS } from '../../src/task/knowledge.js';
import { parsePerfCommand } from '../../src/task/perf-command.js';
import { resolveWorkload } from '../../src/task/resolve.js';
import { NotBenchmarkableReasonSchema } from '../../src/task/schema.js';
import { judgeTask, REASON_PRIORITY, type TaskFacts } from '../../src/task/validate.js';

const SERVING = 'python benchmarks/benchmark_serving.py';

/** Facts as the importer builds them: the command parsed and, when it parses, resolved. */
function facts(
  perfCommand: string | null,
  over: Partial<Pick<TaskFacts, 'short' | 'subject' | 'filesChanged' | 'date'>> = {},
): TaskFacts {
  const date = over.date === undefined ? '2024-09-01T12:00:00.000Z' : over.date;
  const parse = perfCommand === null ? null : parsePerfCommand(perfCommand);
  const workload = parse?.ok ? resolveWorkload(parse.parsed, date) : null;
  return {
    short: over.short ?? '0123abcd',
    subject: over.subject === undefined ? '[Core] Speed up the scheduler (#1234)' : over.subject,
    filesChanged: over.filesChanged ?? ['vllm/core/scheduler.py', 'tests/core/test_scheduler.py'],
    date,
    perfCommand,
    parse,
    workload,
  };
}

function codes(findings: ReadonlyArray<{ code: string }>): string[] {
  return findings.map((f) => f.code);
}

describe('judgeTask', () => {
  it('passes a clean serving task', () => {
    const r = judgeTask(facts(`${SERVING} --model meta-llama/Llama-3.1-8B-Instruct --num-prompts 100`));
    expect(r.benchmarkable).toEqual({ ok: true });
    expect(r.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('keeps the parser notes as info findings', () => {
    const r = judgeTask(
      facts('python benchmarks/benchmark_latency.py --model facebook/opt-125m --input_len 32'),
    );
    expect(r.benchmarkable).toEqual({ ok: true });
    const note = r.findings.find((f) => f.code === 'perf_command.underscore_option');
    expect(note).toMatchObject({ severity: 'info', source: 'validator' });
  });

  it('notes a model without a size on record', () => {
    const r = judgeTask(facts(`${SERVING} --model some-org/unknown-7b`));
    expect(r.benchmarkable).toEqual({ ok: true });
    expect(codes(r.findings)).toContain('model_size_unknown');
  });

  it('no_perf_command', () => {
    const r = judgeTask(facts(null));
    expect(r.benchmarkable).toMatchObject({ ok: false, reason: 'no_perf_command' });
    expect(codes(r.findings)).toEqual(['no_perf_command']);
  });

  it('invalid_perf_command, with one finding per parse issue', () => {
    const f = facts(`${SERVING} --model a --model b --batch-size 2`);
    expect(f.parse?.ok).toBe(false);
    const r = judgeTask(f);
    expect(r.benchmarkable).toMatchObject({ ok: false, reason: 'invalid_perf_command' });
    expect(codes(r.findings)).toEqual(['perf_command.repeated_option', 'perf_command.unknown_option']);
    for (const x of r.findings) expect(x.severity).toBe('error');
    if (f.parse && !f.parse.ok) {
      expect(r.findings.map((x) => x.detail)).toEqual(f.parse.issues.map((i) => i.message));
      if (!r.benchmarkable.ok) expect(r.benchmarkable.detail).toBe(f.parse.issues[0]?.message);
    }
  });

  it('local_model_path', () => {
    const r = judgeTask(
      facts('python benchmarks/benchmark_latency.py --model /data/llama-3-8b --batch-size 8'),
    );
    expect(r.benchmarkable).toMatchObject({ ok: false, reason: 'local_model_path' });
    expect(codes(r.findings)).toEqual(['perf_command.local_model_path']);
  });

  it('invalid_perf_command outranks local_model_path, and both are kept', () => {
    const r = judgeTask(facts('python benchmarks/benchmark_latency.py --model ./llama --batch-size 8 junk'));
    expect(r.benchmarkable).toMatchObject({ ok: false, reason: 'invalid_perf_command' });
    expect(codes(r.findings)).toEqual(['perf_command.stray_argument', 'perf_command.local_model_path']);
  });

  it('unsupported_benchmark_version for a serving client before the result table', () => {
    const r = judgeTask(facts(`${SERVING} --model facebook/opt-125m`, { date: '2024-02-01T00:00:00Z' }));
    expect(r.benchmarkable).toMatchObject({ ok: false, reason: 'unsupported_benchmark_version' });
    expect(codes(r.findings)).toContain('client_too_old');
  });

  it('a resolve error other than client_too_old is an invalid perf command', () => {
    const r = judgeTask(facts(`${SERVING} --model facebook/opt-125m --dataset-path /data/mine.json`));
    expect(r.benchmarkable).toMatchObject({ ok: false, reason: 'invalid_perf_command' });
    expect(r.findings.find((f) => f.code === 'unknown_dataset')).toMatchObject({
      severity: 'error',
      source: 'importer',
    });
  });

  it('non_h100_hardware for a Blackwell subject', () => {
    const r = judgeTask(
      facts(`${SERVING} --model meta-llama/Llama-3.1-8B-Instruct`, {
        subject: '[NVIDIA] Add SM100 Flashinfer MoE blockscale fp8 backend (#20645)',
        filesChanged: ['vllm/model_executor/layers/fused_moe/fused_moe.py'],
        date: '2025-07-20T00:00:00Z',
      }),
    );
    expect(r.benchmarkable).toMatchObject({ ok: false, reason: 'non_h100_hardware' });
    expect(codes(r.findings)).toContain('blackwell_only');
  });

  it('non_h100_hardware for a ROCm subject whose runtime files are all AMD-specific', () => {
    const r = judgeTask(
      facts(`${SERVING} --model mistralai/Mixtral-8x7B-Instruct-v0.1 -tp 2`, {
        subject: '[ROCm][MoE] mi300 mixtral8x7B perf for specific BS (#13577)',
        filesChanged: [
          'vllm/model_executor/layers/fused_moe/configs/E=8,N=14336,device_name=AMD_Instinct_MI300X.json',
          'vllm/model_executor/layers/fused_moe/configs/E=8,N=7168,device_name=AMD_Instinct_MI300X.json',
          'tests/kernels/test_moe.py',
        ],
      }),
    );
    expect(r.benchmarkable).toMatchObject({ ok: false, reason: 'non_h100_hardware' });
    expect(codes(r.findings)).toContain('foreign_hardware');
  });

  it('only a warning for a ROCm subject that changes generic code', () => {
    const r = judgeTask(
      facts(`${SERVING} --model meta-llama/Llama-3.1-8B-Instruct`, {
        subject: '[ROCm] Upstream prefix prefill speed up for vLLM V1 (#13305)',
        filesChanged: ['vllm/attention/ops/prefix_prefill.py'],
      }),
    );
    expect(r.benchmarkable).toEqual({ ok: true });
    expect(r.findings.find((f) => f.code === 'foreign_hardware_tag')?.severity).toBe('warning');
  });

  it('warns when every runtime file is hardware-specific without a tagged subject', () => {
    const r = judgeTask(
      facts(`${SERVING} --model meta-llama/Llama-3.1-8B-Instruct`, {
        subject: 'Speed up the worker',
        filesChanged: ['vllm/worker/tpu_model_runner.py'],
      }),
    );
    expect(r.benchmarkable).toEqual({ ok: true });
    expect(codes(r.findings)).toContain('foreign_hardware_files');
  });

  it('model_unsupported_at_commit for Llama 3.1 before vLLM v0.5.3', () => {
    const cmd = `${SERVING} --model meta-llama/Llama-3.1-8B-Instruct --num-prompts 100`;
    const early = judgeTask(facts(cmd, { date: '2024-05-01T00:00:00Z' }));
    expect(early.benchmarkable).toMatchObject({ ok: false, reason: 'model_unsupported_at_commit' });
    expect(codes(early.findings)).toContain('model_unsupported');
    const later = judgeTask(facts(cmd, { date: '2024-08-01T00:00:00Z' }));
    expect(later.benchmarkable).toEqual({ ok: true });
  });

  it('model_too_large; online fp8 of a 16-bit checkpoint does not fit (its 16-bit weights load first), an fp8 checkpoint does', () => {
    const v3 = judgeTask(
      facts(`${SERVING} --model deepseek-ai/DeepSeek-V3`, { date: '2025-03-10T00:00:00Z' }),
    );
    expect(v3.benchmarkable).toMatchObject({ ok: false, reason: 'model_too_large' });
    expect(codes(v3.findings)).toContain('model_too_large');

    const mixtral = `${SERVING} --model mistralai/Mixtral-8x7B-Instruct-v0.1`;
    expect(judgeTask(facts(mixtral)).benchmarkable).toMatchObject({ ok: false, reason: 'model_too_large' });
    const online = judgeTask(facts(`${mixtral} --quantization fp8`)).benchmarkable;
    expect(online).toMatchObject({ ok: false, reason: 'model_too_large' });
    expect(online.ok ? '' : online.detail).toContain(
      'quantizes it online, after its 93 GB of 16-bit weights',
    );
    expect(
      judgeTask(facts(`${SERVING} --model nm-testing/Mixtral-8x7B-Instruct-v0.1-FP8 --quantization fp8`))
        .benchmarkable,
    ).toEqual({ ok: true });
    expect(judgeTask(facts(`${mixtral} --quantization fp8 -tp 2`)).benchmarkable).toEqual({ ok: true });
    expect(judgeTask(facts(`${mixtral} -tp 2`)).benchmarkable).toEqual({ ok: true });
  });

  it('the published exclusions give their own reason', () => {
    const ex = PUBLISHED_EXCLUSIONS.ed250545;
    expect(ex?.reason).toBe('workload_misses_change');
    const r = judgeTask(facts(`${SERVING} --model meta-llama/Llama-3.1-8B-Instruct`, { short: 'ed250545' }));
    expect(r.benchmarkable).toEqual({ ok: false, reason: 'workload_misses_change', detail: ex?.detail });
    expect(r.findings.find((f) => f.code === 'published_exclusion')).toMatchObject({
      severity: 'error',
      source: ex?.source,
    });
    const data = judgeTask(facts(`${SERVING} --model google/gemma-3-12b-it`, { short: 'e7523c2e' }));
    expect(data.benchmarkable).toMatchObject({ ok: false, reason: 'original_data_issue' });
  });

  it('a catalogue repair answers a published exclusion, which stays a finding', () => {
    const r = judgeTask(
      facts(`${SERVING} --model meta-llama/Meta-Llama-3-8B-Instruct`, { short: '6ce01f30' }),
    );
    expect(r.benchmarkable).toEqual({ ok: true });
    expect(r.findings.find((f) => f.code === 'published_exclusion_repaired')?.detail).toMatch(
      /documented data issue.*catalogue repair answers that/,
    );
  });

  it('chooses among several reasons by REASON_PRIORITY and keeps them all as findings', () => {
    const r = judgeTask(
      facts(`${SERVING} --model deepseek-ai/DeepSeek-V3`, {
        short: 'ed250545',
        subject: '[NVIDIA] Add SM100 support for the V1 KV cache',
        filesChanged: ['vllm/v1/core/kv_cache_utils.py'],
        date: '2025-06-01T00:00:00Z',
      }),
    );
    expect(r.benchmarkable).toMatchObject({ ok: false, reason: 'non_h100_hardware' });
    expect(codes(r.findings)).toEqual(
      expect.arrayContaining(['model_too_large', 'blackwell_only', 'published_exclusion']),
    );
    const order = ['non_h100_hardware', 'model_too_large', 'workload_misses_change'].map((x) =>
      REASON_PRIORITY.indexOf(x as (typeof REASON_PRIORITY)[number]),
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));

    // without the Blackwell subject, the size comes before the published exclusion
    const r2 = judgeTask(
      facts(`${SERVING} --model deepseek-ai/DeepSeek-V3`, {
        short: 'ed250545',
        filesChanged: ['vllm/v1/core/kv_cache_utils.py'],
        date: '2025-06-01T00:00:00Z',
      }),
    );
    expect(r2.benchmarkable).toMatchObject({ ok: false, reason: 'model_too_large' });
    expect(codes(r2.findings)).toEqual(expect.arrayContaining(['model_too_large', 'published_exclusion']));
  });

  it('REASON_PRIORITY lists every reason once', () => {
    expect(new Set(REASON_PRIORITY).size).toBe(REASON_PRIORITY.length);
    expect([...REASON_PRIORITY].sort()).toEqual([...NotBenchmarkableReasonSchema.options].sort());
    expect(REASON_PRIORITY[0]).toBe('no_perf_command');
  });
});

describe('reason codes', () => {
  it('the priority order names every reason of the schema exactly once', () => {
    expect([...REASON_PRIORITY].sort()).toEqual([...NotBenchmarkableReasonSchema.options].sort());
  });
});
