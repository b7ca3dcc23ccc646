/**
 * One taxonomy of failures for the whole house (LESSONS 16). Every failed phase, variant or job
 * carries exactly one class; `infra` classes are retried (bounded) and never counted against an agent.
 */

/** Every failure class. */
export const FAILURE_CLASSES = {
  patch_empty: { infra: false, what: 'the agent left no change' },
  patch_invalid: { infra: false, what: 'the patch is unreadable, too large, or leaves the repository' },
  patch_protected: { infra: false, what: 'the patch changes a protected path (benchmarks, tests)' },
  patch_apply_failed: { infra: false, what: 'the patch does not apply to the parent commit' },
  tamper_detected: {
    infra: false,
    what: 'a static tamper rule refuses the patch (timers, start-up hooks, import rewiring)',
  },
  build_unsupported: {
    infra: false,
    what: 'the patch changes compiled sources and the task has no build step',
  },
  build_failed: { infra: false, what: 'the build of the patched tree failed' },
  import_failed: { infra: false, what: 'the patched code does not import' },
  server_start_timeout: { infra: false, what: 'the server did not become ready in time' },
  server_crash: { infra: false, what: 'the server exited before or during the benchmark' },
  bench_timeout: { infra: false, what: 'the benchmark ran past its time limit' },
  bench_error: { infra: false, what: 'the benchmark exited with an error' },
  no_metrics: { infra: false, what: "the benchmark's output holds no result" },
  workload_mismatch: { infra: false, what: 'the run did not do the workload the task specifies' },
  baseline_failed: { infra: false, what: 'the baseline could not be measured: nothing to compare with' },
  human_failed: { infra: false, what: "the human's version could not be measured" },
  prefetch_missing: { infra: true, what: 'a model, tokenizer or dataset the task needs was not prefetched' },
  infra_error: { infra: true, what: 'the executor or host failed (engine, disk, device)' },
} as const satisfies Record<string, { infra: boolean; what: string }>;

/** A failure class. */
export type FailureClass = keyof typeof FAILURE_CLASSES;

/** Whether a failure is the infrastructure's, not the agent's. */
export function isInfra(c: FailureClass): boolean {
  return FAILURE_CLASSES[c].infra;
}
