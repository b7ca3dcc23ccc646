/**
 * The bottleneck statement an agent sees, built from the task's workload alone: the benchmark, the
 * model, the metric and (at hint level 'files') the files worth reading. It never contains the human
 * diff, the commit message or subject, or a diffstat.
 */
import { NON_RUNTIME_PATH } from './knowledge.js';

/** Version of the statement template; stored with every task so that prompts can be compared. */
export const BOTTLENECK_TEMPLATE_VERSION = 1;

const KIND_TEXT: Record<string, string> = {
  serving: 'online serving (its OpenAI-compatible server under benchmark_serving.py load)',
  latency: 'offline latency of a batch (benchmark_latency.py)',
  throughput: 'offline throughput (benchmark_throughput.py)',
  prefix_caching: 'offline generation with automatic prefix caching (benchmark_prefix_caching.py)',
};

const METRIC_TEXT: Record<string, string> = {
  ttft_mean: 'mean time to first token (ms, lower is better)',
  latency_avg: 'average batch latency (ms, lower is better)',
  tpot_mean: 'mean time per output token (ms, lower is better)',
  total_token_throughput: 'throughput (tokens/s, higher is better)',
  output_throughput: 'output throughput (tokens/s, higher is better)',
};

/** Files a hint may name: the commit's changed files minus tests, docs, benchmarks and packaging. */
export function hintFiles(filesChanged: readonly string[]): string[] {
  return filesChanged.filter((p) => !NON_RUNTIME_PATH.test(p));
}

/** Renders the statement. `kind`/`model`/`metric` are null for tasks without a usable workload. */
export function bottleneckStatement(input: {
  kind: string | null;
  model: string | null;
  metric: string | null;
  client: readonly string[] | null;
  /** what the repository is, for the first words of the statement (default 'vLLM') */
  project?: string;
}): string {
  if (!input.kind || !input.model || !input.metric) {
    return 'This vLLM commit has no runnable benchmark workload, so no bottleneck statement can be derived; the task is kept for the record only.';
  }
  const workload = input.client ? `\n\nThe benchmark command is:\n  ${input.client.join(' ')}` : '';
  return (
    `${input.project ?? 'vLLM'} at this commit is slower than it could be for ${KIND_TEXT[input.kind] ?? input.kind} of ${input.model}. ` +
    `Find the bottleneck in the code this workload exercises and remove it, improving the ${METRIC_TEXT[input.metric] ?? input.metric}, ` +
    `without changing what the engine computes.${workload}`
  );
}
