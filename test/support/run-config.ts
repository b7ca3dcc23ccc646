/** A run's configuration for tests: the command line's defaults, with what a test sets. */
import { checkRunConfig, type RunConfig } from '../../src/store/config.js';

type Over = Omit<Partial<RunConfig>, 'bench'> & { bench?: Partial<RunConfig['bench']> };

export function testRunConfig(
  base: Pick<RunConfig, 'runId' | 'outDir' | 'tasks'> & Partial<Pick<RunConfig, 'executor'>>,
  over: Over = {},
): RunConfig {
  const { bench, ...rest } = over;
  return checkRunConfig({
    executor: 'local',
    args: ['run'],
    agents: [],
    attempts: 1,
    agentSettings: {},
    benchRetries: { retries: 1, backoffMs: 5000 },
    retryInfra: false,
    caps: {},
    ...base,
    ...rest,
    bench: { repeats: 5, warmup: 1, thresholdPct: 5, ...bench },
  });
}
