/** Shared loading for the suites that use the published ISO-Bench data (read once per worker). */
import { resolve } from 'node:path';
import { PUBLISHED_CARD } from '../../src/published/card.js';
import type { RegradeContext } from '../../src/published/table-regrade.js';
import { PUBLISHED_EXCLUSIONS } from '../../src/task/knowledge.js';
import { loadTaskSummaries } from '../../src/task/loader.js';
import { readV5Table, type V5Table } from '../../src/v5/io.js';
import type { LeaderboardContext } from '../../src/v5/leaderboard.js';
import { dataPath, PROJECT_ROOT } from './shared-data.js';

let parquet: Promise<V5Table> | null = null;
let csv: Promise<V5Table> | null = null;

/** The published table as Parquet. */
export function publishedParquet(): Promise<V5Table> {
  parquet ??= readV5Table(dataPath('v5-rows.parquet'));
  return parquet;
}

/** The published table as CSV. */
export function publishedCsv(): Promise<V5Table> {
  csv ??= readV5Table(dataPath('v5-rows.csv'));
  return csv;
}

/** The task folder committed in this repository. */
export const TASKS_DIR = resolve(PROJECT_ROOT, 'tasks');

/** The same lookups the CLI builds from the committed catalogue. */
export async function catalogueLookups(): Promise<RegradeContext & LeaderboardContext> {
  const { tasks } = await loadTaskSummaries(TASKS_DIR);
  const by = new Map(tasks.map((t) => [t.id.split('/')[1] ?? '', t]));
  return {
    commandFor: (c) => by.get(c.slice(0, 8))?.benchmark.perfCommand ?? null,
    fullHashFor: (c) => by.get(c.slice(0, 8))?.commits.human ?? null,
    notBenchmarkable: (c) => {
      const t = by.get(c.slice(0, 8));
      if (!t) return 'not in the catalogue';
      return t.benchmarkable.ok ? null : t.benchmarkable.reason;
    },
    cardCommits: PUBLISHED_CARD.comparisonCommits,
    cardExcluded: (c) => {
      const x = PUBLISHED_EXCLUSIONS[c.slice(0, 8)];
      return x?.inCardExclusions ? x.detail : null;
    },
  };
}
