/**
 * The command-line options of vLLM's benchmark scripts and engine/server, as facts for splitting and
 * validating published perf commands. The lists are the union over vLLM ≈v0.3 to v0.10 (2024-2025),
 * gathered from vLLM's sources and argparse dumps; an option outside these lists is an error, never
 * guessed at. Abbreviated option names (which argparse would accept) are refused: a task spec spells
 * every option out.
 */

/** How an option consumes the words after it. */
export type Arity =
  /** exactly one value (`--num-prompts 100`, `--num-prompts=100`) */
  | 'value'
  /** a switch: `--x`, or `--no-x` where vLLM generates one, or `--x true|false` (vLLM's StoreBoolean) */
  | 'switch'
  /** one or more values until the next option (`nargs='+'`) */
  | 'values'
  /** zero or more values until the next option (`nargs='*'`) */
  | 'optional_values';

/** One option. The first name is the canonical long form. */
export interface OptionDef {
  readonly names: readonly string[];
  readonly arity: Arity;
}

function opts(arity: Arity, ...names: string[]): OptionDef[] {
  return names.map((n) => ({ names: [n], arity }));
}

/** Options of `benchmarks/benchmark_serving.py` and `vllm bench serve` (the HTTP client). */
export const SERVING_CLIENT_OPTIONS: readonly OptionDef[] = [
  ...opts(
    'value',
    '--backend',
    '--endpoint-type',
    '--label',
    '--version',
    '--base-url',
    '--host',
    '--port',
    '--endpoint',
    '--dataset',
    '--dataset-name',
    '--dataset-path',
    '--max-concurrency',
    '--model',
    '--tokenizer',
    '--best-of',
    '--num-prompts',
    '--logprobs',
    '--request-rate',
    '--burstiness',
    '--seed',
    '--result-dir',
    '--result-filename',
    '--percentile-metrics',
    '--metric-percentiles',
    '--sonnet-input-len',
    '--sonnet-output-len',
    '--sonnet-prefix-len',
    '--sharegpt-output-len',
    '--random-input-len',
    '--random-output-len',
    '--random-range-ratio',
    '--random-prefix-len',
    '--hf-subset',
    '--hf-split',
    '--hf-output-len',
    '--custom-output-len',
    '--tokenizer-mode',
    '--served-model-name',
    '--top-p',
    '--top-k',
    '--min-p',
    '--temperature',
    '--request-id-prefix',
    '--ramp-up-strategy',
    '--ramp-up-start-rps',
    '--ramp-up-end-rps',
    '--ready-check-timeout-sec',
  ),
  ...opts(
    'switch',
    '--use-beam-search',
    '--trust-remote-code',
    '--disable-tqdm',
    '--profile',
    '--save-result',
    '--save-detailed',
    '--append-result',
    '--ignore-eos',
    '--custom-skip-chat-template',
    '--no-stream',
  ),
  ...opts('optional_values', '--metadata'),
  ...opts('values', '--goodput', '--lora-modules'),
];

/** Engine options (`EngineArgs`/`AsyncEngineArgs`), taken by the server and by the offline scripts. */
export const ENGINE_OPTIONS: readonly OptionDef[] = [
  { names: ['--tensor-parallel-size', '-tp'], arity: 'value' },
  { names: ['--pipeline-parallel-size', '-pp'], arity: 'value' },
  { names: ['--data-parallel-size', '-dp'], arity: 'value' },
  { names: ['--quantization', '-q'], arity: 'value' },
  { names: ['--compilation-config', '-O'], arity: 'value' },
  { names: ['--speculative-draft-tensor-parallel-size', '-spec-draft-tp'], arity: 'value' },
  ...opts(
    'value',
    '--model',
    '--tokenizer',
    '--revision',
    '--tokenizer-revision',
    '--code-revision',
    '--download-dir',
    '--load-format',
    '--dtype',
    '--kv-cache-dtype',
    '--quantization-param-path',
    '--max-model-len',
    '--gpu-memory-utilization',
    '--swap-space',
    '--cpu-offload-gb',
    '--block-size',
    '--seed',
    '--max-num-batched-tokens',
    '--max-num-seqs',
    '--max-logprobs',
    '--num-gpu-blocks-override',
    '--preemption-mode',
    '--scheduling-policy',
    '--scheduler-delay-factor',
    '--num-scheduler-steps',
    '--max-seq-len-to-capture',
    '--max-context-len-to-capture',
    '--speculative-model',
    '--num-speculative-tokens',
    '--ngram-prompt-lookup-max',
    '--ngram-prompt-lookup-min',
    '--speculative-config',
    '--guided-decoding-backend',
    '--distributed-executor-backend',
    '--prefix-caching-hash-algo',
    '--tokenizer-mode',
    '--device',
    '--otlp-traces-endpoint',
    '--reasoning-parser',
    '--generation-config',
    '--hf-overrides',
    '--limit-mm-per-prompt',
    '--mm-processor-kwargs',
    '--max-lora-rank',
    '--max-loras',
  ),
  ...opts(
    'switch',
    '--trust-remote-code',
    '--enforce-eager',
    '--enable-prefix-caching',
    '--use-v2-block-manager',
    '--enable-chunked-prefill',
    '--disable-log-stats',
    '--disable-log-requests',
    '--disable-async-output-proc',
    '--disable-sliding-window',
    '--disable-custom-all-reduce',
    '--enable-lora',
    '--enable-expert-parallel',
    '--async-scheduling',
    '--enable-reasoning',
    '--worker-use-ray',
    '--ray-workers-use-nsight',
    '--skip-tokenizer-init',
  ),
  ...opts('values', '--served-model-name'),
];

/** Options only the OpenAI-compatible server has (besides the engine's). */
export const SERVER_OPTIONS: readonly OptionDef[] = [
  ...opts('value', '--host', '--port', '--api-key', '--chat-template', '--uvicorn-log-level', '--root-path'),
  ...opts('switch', '--disable-frontend-multiprocessing', '--enable-auto-tool-choice'),
  ...opts('values', '--lora-modules'),
];

/** `benchmarks/benchmark_latency.py` / `vllm bench latency` options of its own (plus the engine's). */
export const LATENCY_OPTIONS: readonly OptionDef[] = [
  ...opts(
    'value',
    '--input-len',
    '--output-len',
    '--batch-size',
    '--n',
    '--num-iters-warmup',
    '--num-iters',
    '--profile-result-dir',
    '--output-json',
  ),
  ...opts('switch', '--use-beam-search', '--profile', '--disable-detokenize'),
];

/** `benchmarks/benchmark_throughput.py` / `vllm bench throughput` options of its own (plus the engine's). */
export const THROUGHPUT_OPTIONS: readonly OptionDef[] = [
  ...opts(
    'value',
    '--backend',
    '--dataset',
    '--dataset-name',
    '--dataset-path',
    '--input-len',
    '--output-len',
    '--n',
    '--num-prompts',
    '--hf-max-batch-size',
    '--output-json',
    '--lora-path',
    '--prefix-len',
    '--random-range-ratio',
    '--hf-subset',
    '--hf-split',
  ),
  ...opts(
    'switch',
    '--use-beam-search',
    '--async-engine',
    '--disable-frontend-multiprocessing',
    '--disable-detokenize',
  ),
];

/** `benchmarks/benchmark_prefix_caching.py` options of its own (plus the engine's). */
export const PREFIX_CACHING_OPTIONS: readonly OptionDef[] = [
  ...opts(
    'value',
    '--dataset-path',
    '--output-len',
    '--num-prompts',
    '--repeat-count',
    '--input-length-range',
    '--prefix-len',
  ),
  ...opts('switch', '--sort', '--disable-detokenize'),
];

/** Options that both the serving client and the server need with the same value. */
export const SHARED_SERVING_OPTIONS: ReadonlySet<string> = new Set([
  '--model',
  '--tokenizer',
  '--trust-remote-code',
  '--served-model-name',
  '--tokenizer-mode',
]);

/** An option table for lookups by any of its names (and `--no-` forms of switches). */
export class OptionTable {
  private readonly byName = new Map<string, OptionDef>();

  constructor(...lists: ReadonlyArray<readonly OptionDef[]>) {
    for (const list of lists)
      for (const def of list) for (const n of def.names) if (!this.byName.has(n)) this.byName.set(n, def);
  }

  /** The definition and the canonical name for a written option name; `negated` for `--no-x` switches. */
  lookup(name: string): { def: OptionDef; canonical: string; negated: boolean } | null {
    const direct = this.byName.get(name);
    if (direct) return { def: direct, canonical: direct.names[0] ?? name, negated: false };
    if (name.startsWith('--no-')) {
      const pos = this.byName.get(`--${name.slice(5)}`);
      if (pos && pos.arity === 'switch') return { def: pos, canonical: pos.names[0] ?? name, negated: true };
    }
    return null;
  }

  /** Every canonical long name (for "did you mean" and run-together detection). */
  names(): string[] {
    return [...this.byName.keys()].filter((n) => n.startsWith('--'));
  }
}

/** The Python attribute (`Namespace` field) an option stores into. */
export function destOf(canonical: string): string {
  return canonical.replace(/^-+/, '').replaceAll('-', '_');
}
