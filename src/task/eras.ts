/**
 * Dated facts about vLLM's benchmark clients that decide how a published command must be run at a
 * given commit. Dates are merge dates of the vLLM pull requests that changed the behaviour (to
 * within days); a task near a boundary gets a warning finding so that its first calibration run
 * confirms it.
 */

/** A behaviour change of the benchmark client, dated. */
export interface Era {
  readonly date: string;
  readonly what: string;
}

/**
 * vLLM PR #3277 (first in v0.4.0, ≈2024-03-27): benchmark_serving.py prints the
 * "Serving Benchmark Result" table (Mean TTFT (ms), ...), `--backend vllm` talks to the
 * OpenAI-compatible server's /v1/completions, and `--dataset-name` (default sharegpt) with
 * `--dataset-path` replaces the required `--dataset`. Before it the client either had no TTFT at all
 * (before PR #2433, ≈v0.3.1) or printed plain "Mean TTFT: X ms" lines against the demo /generate server.
 */
export const SERVING_RESULT_TABLE: Era = {
  date: '2024-03-28',
  what: 'benchmark_serving.py prints the "Serving Benchmark Result" table and --backend vllm uses the OpenAI server (vLLM PR #3277, v0.4.0)',
};

/** vLLM PR #13708 (opened 2025-02-22, ≈v0.8.0): benchmark_serving.py no longer accepts `--dataset`. */
export const SERVING_DATASET_FLAG_REMOVED: Era = {
  date: '2025-03-01',
  what: 'benchmark_serving.py drops the deprecated --dataset option (vLLM PR #13708, ≈v0.8.0)',
};

/** Days around an era boundary inside which a task gets a warning to confirm on first calibration. */
export const ERA_MARGIN_DAYS = 14;

/** Whether `date` (ISO) is on or after the era; null when the date is unknown. */
export function onOrAfter(date: string | null, era: Era): boolean | null {
  if (!date) return null;
  return date.slice(0, 10) >= era.date;
}

/** Whether `date` is within {@link ERA_MARGIN_DAYS} of the era boundary. */
export function nearBoundary(date: string | null, era: Era): boolean {
  if (!date) return false;
  const d = Date.parse(date.slice(0, 10));
  const e = Date.parse(era.date);
  return Math.abs(d - e) <= ERA_MARGIN_DAYS * 86_400_000;
}
