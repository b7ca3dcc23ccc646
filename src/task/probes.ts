/**
 * The correctness probes of the vLLM tasks: serving tasks ask their server a fixed prompt set with
 * greedy decoding and top-5 logprobs; offline tasks (latency, throughput, prefix caching) generate
 * the same prompts with the task's own engine arguments through `harness/probes/vllm_offline.py`.
 */
import type { Correctness } from './schema.js';

/** The fixed prompts (varied: prose, code, lists, a question), the same for every task. */
export const VLLM_PROBE_PROMPTS: readonly string[] = [
  'The capital of France is',
  'def quicksort(items):\n    """Sorts a list."""\n',
  'List three prime numbers greater than 100:',
  'In the beginning of the twentieth century, physicists discovered that',
  'Translate to German: The weather is nice today.',
  'Q: What is 17 times 23?\nA:',
  '{"name": "isobench", "purpose":',
  'Once upon a time, in a small village by the sea,',
];

/** Engine options of an offline benchmark's argv that decide what the engine computes (forwarded to the probe). */
const ENGINE_OPTIONS = new Set([
  '--model',
  '--tokenizer',
  '--revision',
  '--dtype',
  '--tensor-parallel-size',
  '-tp',
  '--pipeline-parallel-size',
  '--max-model-len',
  '--trust-remote-code',
  '--quantization',
  '-q',
  '--kv-cache-dtype',
  '--enforce-eager',
  '--gpu-memory-utilization',
  '--load-format',
  '--enable-prefix-caching',
  '--enable-chunked-prefill',
  '--max-num-batched-tokens',
  '--max-num-seqs',
  '--block-size',
  '--speculative-model',
  '--num-speculative-tokens',
  '--speculative-config',
  '--device',
]);
const FLAGS = new Set([
  '--trust-remote-code',
  '--enforce-eager',
  '--enable-prefix-caching',
  '--enable-chunked-prefill',
]);

/** The engine arguments of an offline client argv, in order. */
export function engineArgs(client: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < client.length; i++) {
    const w = client[i] as string; // i < client.length
    const next = client[i + 1];
    const [name, inline] =
      w.startsWith('--') && w.includes('=') ? [w.slice(0, w.indexOf('=')), w] : [w, null];
    if (!ENGINE_OPTIONS.has(name)) continue;
    if (inline) out.push(inline);
    else if (FLAGS.has(name)) {
      out.push(w);
      // a flag followed by an explicit true/false
      if (next !== undefined && /^(true|false)$/i.test(next)) {
        out.push(next);
        i++;
      }
    } else if (next !== undefined) {
      out.push(w, next);
      i++;
    }
  }
  return out;
}

/** The probe of a vLLM task of `kind` with `client` argv. */
export function vllmProbe(kind: string | null, client: readonly string[] | null): Correctness | undefined {
  if (kind === 'serving')
    return {
      version: 1,
      mode: 'completions',
      prompts: [...VLLM_PROBE_PROMPTS],
      maxTokens: 32,
      logprobs: 5,
      seed: 0,
    };
  if ((kind === 'latency' || kind === 'throughput' || kind === 'prefix_caching') && client)
    return {
      version: 1,
      mode: 'script',
      script: 'vllm_offline.py',
      args: [
        '--prompts-json',
        JSON.stringify(VLLM_PROBE_PROMPTS),
        '--max-tokens',
        '32',
        '--logprobs',
        '5',
        ...engineArgs(client),
      ],
    };
  return undefined;
}
