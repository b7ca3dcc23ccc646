import { describe, expect, it } from 'vitest';
import { type ParsedPerfCommand, parsePerfCommand } from '../../src/task/perf-command.js';
import {
  DATASET_DIR,
  HF_CACHE_DIR,
  type ResolvedWorkload,
  resolveWorkload,
  SHAREGPT,
} from '../../src/task/resolve.js';

const SERVING = 'python benchmarks/benchmark_serving.py';
const SHAREGPT_PATH = `${DATASET_DIR}/${SHAREGPT.file}`;
const API_SERVER = ['python3', '-m', 'vllm.entrypoints.openai.api_server'];

function parse(command: string): ParsedPerfCommand {
  const r = parsePerfCommand(command);
  if (!r.ok) throw new Error(`expected '${command}' to parse, got ${JSON.stringify(r.issues)}`);
  return r.parsed;
}

function resolve(command: string, date: string | null = '2024-09-01T12:00:00.000Z'): ResolvedWorkload {
  return resolveWorkload(parse(command), date);
}

function findingCodes(w: ResolvedWorkload): string[] {
  return w.findings.map((f) => f.code);
}

/** The word after `flag` in `argv`, or undefined. */
function valueAfter(argv: readonly string[] | null | undefined, flag: string): string | undefined {
  if (!argv) return undefined;
  const i = argv.indexOf(flag);
  return i < 0 ? undefined : argv[i + 1];
}

describe('resolveWorkload: serving', () => {
  const cmd = `${SERVING} --model meta-llama/Llama-3.1-8B-Instruct --dtype float16 -tp 2 --num-prompts 300 --seed 0`;

  it('splits server and client argv and states every addition', () => {
    const w = resolve(cmd);
    expect(w.kind).toBe('serving');
    expect(w.model).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(w.tokenizer).toBe('meta-llama/Llama-3.1-8B-Instruct');
    expect(w.findings).toEqual([]);
    expect(w.gpuCount).toBe(2);

    // server: the api server with the engine options, never the client's
    expect(w.server?.slice(0, 3)).toEqual(API_SERVER);
    expect(w.server).toEqual([
      ...API_SERVER,
      '--model',
      'meta-llama/Llama-3.1-8B-Instruct',
      '--dtype',
      'float16',
      '-tp',
      '2',
      '--port',
      '8000',
    ]);
    expect(w.server).not.toContain('--num-prompts');
    expect(w.server).not.toContain('--seed');
    expect(w.server).not.toContain('--dataset-path');

    // client: the launcher words, the client options and the additions
    expect(w.client.slice(0, 2)).toEqual(['python', 'benchmarks/benchmark_serving.py']);
    expect(w.client).toEqual([
      'python',
      'benchmarks/benchmark_serving.py',
      '--model',
      'meta-llama/Llama-3.1-8B-Instruct',
      '--num-prompts',
      '300',
      '--seed',
      '0',
      '--dataset-path',
      SHAREGPT_PATH,
      '--port',
      '8000',
    ]);
    expect(w.client).not.toContain('--dtype');
    expect(w.client).not.toContain('-tp');
    expect(SHAREGPT_PATH).toBe('/isobench/datasets/ShareGPT_V3_unfiltered_cleaned_split.json');

    expect(w.datasets).toEqual([
      {
        kind: 'hf_dataset_file',
        repo: 'anon8231489123/ShareGPT_Vicuna_unfiltered',
        file: 'ShareGPT_V3_unfiltered_cleaned_split.json',
        mountPath: SHAREGPT_PATH,
      },
    ]);

    const whats = w.resolutions.map((r) => r.what);
    expect(whats).toContain(`client --dataset-path ${SHAREGPT_PATH}`);
    expect(whats).toContain('client --port 8000');
    expect(whats.some((x) => x.startsWith('server: python3 -m vllm.entrypoints.openai.api_server'))).toBe(
      true,
    );
    expect(w.resolutions).toHaveLength(3);
    for (const r of w.resolutions) expect(r.why.length).toBeGreaterThan(0);
  });

  it('does not change the parsed command it was given', () => {
    const p = parse(cmd);
    const before = JSON.stringify(p);
    resolveWorkload(p, '2024-09-01');
    expect(JSON.stringify(p)).toBe(before);
  });

  it('launches `vllm bench serve` with its own words and adds no ShareGPT path by default', () => {
    const w = resolve('vllm bench serve --model Qwen/Qwen2.5-7B-Instruct --num-prompts 10', '2025-06-01');
    expect(w.client.slice(0, 3)).toEqual(['vllm', 'bench', 'serve']);
    expect(w.server?.slice(0, 3)).toEqual(API_SERVER);
    expect(w.datasets).toEqual([]);
    expect(valueAfter(w.client, '--port')).toBe('8000');
  });

  it('keeps the environment of the command', () => {
    const w = resolve(
      `VLLM_USE_V1=1 VLLM_ATTENTION_BACKEND=FLASHMLA ${SERVING} --model deepseek-ai/DeepSeek-V3 -tp 8`,
      '2025-03-01',
    );
    expect(w.env).toEqual({ VLLM_USE_V1: '1', VLLM_ATTENTION_BACKEND: 'FLASHMLA' });
    expect(w.gpuCount).toBe(8);
    expect(valueAfter(w.server, '-tp')).toBe('8');
  });

  it('maps the old --dataset ShareGPT file to the prefetched copy', () => {
    const w = resolve(
      `${SERVING} --model m/x --dataset ShareGPT_V3_unfiltered_cleaned_split.json`,
      '2024-09-03',
    );
    expect(valueAfter(w.client, '--dataset')).toBe(SHAREGPT_PATH);
    expect(w.client).not.toContain('--dataset-path');
    expect(w.datasets.map((d) => d.file)).toEqual([SHAREGPT.file]);
    expect(w.resolutions.map((r) => r.what)).toContain(
      `--dataset ShareGPT_V3_unfiltered_cleaned_split.json -> ${SHAREGPT_PATH}`,
    );
    expect(findingCodes(w)).toEqual([]);
  });

  it('maps a --dataset-path pointing elsewhere at the ShareGPT file, keeping the --flag=value form', () => {
    const w = resolve(
      `${SERVING} --model m/x --dataset-path=/home/me/ShareGPT_V3_unfiltered_cleaned_split.json`,
    );
    expect(w.client).toContain(`--dataset-path=${SHAREGPT_PATH}`);
    expect(w.resolutions.some((r) => r.what.startsWith('--dataset-path /home/me/'))).toBe(true);
  });

  it('prefetches a Hugging Face dataset named with --dataset-name hf', () => {
    const w = resolve(
      `${SERVING} --model Qwen/Qwen2.5-VL-3B-Instruct --dataset-name hf --dataset-path lmarena-ai/VisionArena-Chat`,
      '2025-04-01',
    );
    expect(w.datasets).toEqual([
      { kind: 'hf_dataset', repo: 'lmarena-ai/VisionArena-Chat', file: null, mountPath: HF_CACHE_DIR },
    ]);
    expect(valueAfter(w.client, '--dataset-path')).toBe('lmarena-ai/VisionArena-Chat');
    expect(findingCodes(w)).toEqual([]);
  });

  it('adds no dataset for the random dataset', () => {
    const w = resolve(`${SERVING} --model m/x --dataset-name random --random-input-len 512`);
    expect(w.datasets).toEqual([]);
    expect(w.client).not.toContain('--dataset-path');
  });

  it('refuses a dataset file it does not know', () => {
    const w = resolve(`${SERVING} --model m/x --dataset-path /data/my_prompts.json`);
    expect(findingCodes(w)).toEqual(['unknown_dataset']);
    expect(w.findings[0]).toMatchObject({ severity: 'error', source: 'importer' });
    expect(w.findings[0]?.detail).toContain('/data/my_prompts.json');
    expect(w.datasets).toEqual([]);
  });

  it('uses the port the command names for both processes, adding none', () => {
    const w = resolve(`${SERVING} --model m/x --port 8001`);
    expect(w.server?.slice(-2)).toEqual(['--port', '8001']);
    expect(w.server?.filter((x) => x === '--port')).toHaveLength(1);
    expect(w.client.filter((x) => x === '--port')).toHaveLength(1);
    expect(valueAfter(w.client, '--port')).toBe('8001');
    expect(w.resolutions.map((r) => r.what)).not.toContain('client --port 8000');
    expect(w.resolutions.some((r) => r.what.includes('--port'))).toBe(false);
  });

  it('refuses a python serving client older than the result table', () => {
    const w = resolve(`${SERVING} --model m/x`, '2024-03-01T00:00:00Z');
    expect(findingCodes(w)).toContain('client_too_old');
    expect(w.findings.find((f) => f.code === 'client_too_old')?.severity).toBe('error');
  });

  it('warns near the result-table boundary', () => {
    const w = resolve(`${SERVING} --model m/x`, '2024-04-05T00:00:00Z');
    expect(findingCodes(w)).toEqual(['era_boundary']);
    expect(w.findings[0]?.severity).toBe('warning');
    expect(findingCodes(resolve(`${SERVING} --model m/x`, '2024-04-20T00:00:00Z'))).toEqual([]);
    expect(findingCodes(resolve(`${SERVING} --model m/x`, '2024-03-28T00:00:00Z'))).toEqual(['era_boundary']);
  });

  it('warns when the date is unknown', () => {
    const w = resolve(`${SERVING} --model m/x`, null);
    expect(findingCodes(w)).toEqual(['unknown_date']);
  });

  it('refuses --dataset after it was removed from benchmark_serving.py', () => {
    const w = resolve(
      `${SERVING} --model m/x --dataset ShareGPT_V3_unfiltered_cleaned_split.json`,
      '2025-04-01',
    );
    expect(findingCodes(w)).toEqual(['option_removed']);
    expect(w.findings[0]?.severity).toBe('error');
    expect(findingCodes(resolve(`${SERVING} --model m/x --dataset x.json`, '2025-03-02'))).toContain(
      'option_removed',
    );
  });

  it('multiplies tensor and pipeline parallel sizes into the GPU count', () => {
    expect(resolve(`${SERVING} --model m/x -tp 4 -pp 2`).gpuCount).toBe(8);
    expect(
      resolve(`${SERVING} --model m/x --tensor-parallel-size 2 --pipeline-parallel-size 2`).gpuCount,
    ).toBe(4);
    expect(resolve(`${SERVING} --model m/x`).gpuCount).toBe(1);
    const bad = resolve(`${SERVING} --model m/x -tp two`);
    expect(findingCodes(bad)).toEqual(['bad_value']);
  });

  it('uses --tokenizer for the tokenizer when given', () => {
    const w = resolve(`${SERVING} --model m/x --tokenizer m/tok`);
    expect(w.tokenizer).toBe('m/tok');
    expect(valueAfter(w.server, '--tokenizer')).toBe('m/tok');
    expect(valueAfter(w.client, '--tokenizer')).toBe('m/tok');
  });
});

describe('resolveWorkload: offline benchmarks', () => {
  it('resolves the engine default model for a latency command without --model', () => {
    const w = resolve(
      'python benchmarks/benchmark_latency.py --input-len 32 --output-len 128 --batch-size 8',
    );
    expect(w.kind).toBe('latency');
    expect(w.model).toBe('facebook/opt-125m');
    expect(w.tokenizer).toBe('facebook/opt-125m');
    expect(w.server).toBeNull();
    expect(w.resolutions).toHaveLength(1);
    expect(w.resolutions[0]?.what).toBe('model facebook/opt-125m');
    expect(w.client).toEqual([
      'python',
      'benchmarks/benchmark_latency.py',
      '--input-len',
      '32',
      '--output-len',
      '128',
      '--batch-size',
      '8',
    ]);
    expect(w.findings).toEqual([]);
  });

  it('takes every option of an offline command into the client argv as written', () => {
    const w = resolve(
      'python3 benchmarks/benchmark_throughput.py --model Qwen/Qwen2.5-7B-Instruct -tp 2 --input-len 256 --output-len 256',
    );
    expect(w.server).toBeNull();
    expect(w.gpuCount).toBe(2);
    expect(w.client).toEqual([
      'python3',
      'benchmarks/benchmark_throughput.py',
      '--model',
      'Qwen/Qwen2.5-7B-Instruct',
      '-tp',
      '2',
      '--input-len',
      '256',
      '--output-len',
      '256',
    ]);
    expect(w.resolutions).toEqual([]);
  });

  it('maps the ShareGPT file of a throughput command', () => {
    const w = resolve(
      'python benchmarks/benchmark_throughput.py --model m/x --dataset ShareGPT_V3_unfiltered_cleaned_split.json',
    );
    expect(valueAfter(w.client, '--dataset')).toBe(SHAREGPT_PATH);
    expect(w.datasets.map((d) => d.kind)).toEqual(['hf_dataset_file']);
  });

  it('adds a draft model to extraModels, but not an [ngram] pseudo-model', () => {
    const spec = resolve(
      'python benchmarks/benchmark_latency.py --model meta-llama/Llama-2-7b-chat-hf --speculative-model JackFram/llama-68m --num-speculative-tokens 5',
    );
    expect(spec.extraModels).toEqual(['JackFram/llama-68m']);
    const ngram = resolve(
      "python benchmarks/benchmark_latency.py --model meta-llama/Llama-2-7b-chat-hf --speculative-model '[ngram]' --num-speculative-tokens 5 --ngram-prompt-lookup-max 4",
    );
    expect(ngram.extraModels).toEqual([]);
  });
});

describe('resolveWorkload: serving without a model', () => {
  it('is an error finding', () => {
    const w = resolve(`${SERVING} --num-prompts 10`);
    expect(findingCodes(w)).toContain('missing_model');
  });
});
