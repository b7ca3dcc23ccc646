/** The task catalogue as context for the dataset and leaderboard verbs. */
import { resolve } from 'node:path';
import { PUBLISHED_CARD } from '../published/card.js';
import type { RegradeContext } from '../published/table-regrade.js';
import { PUBLISHED_EXCLUSIONS } from '../task/knowledge.js';
import { defaultTasksDir, loadTaskSummaries } from '../task/loader.js';
import type { TaskSummary } from '../task/schema.js';
import { errorMessage } from '../util/errors.js';
import type { LeaderboardContext } from '../v5/leaderboard.js';
import { err, UsageError } from './common.js';

/** Lookups by short hash into the catalogue; unknown commits give null. */
export type CatalogueContext = RegradeContext &
  LeaderboardContext & { readonly tasks: readonly TaskSummary[] };

/** Loads the catalogue (default: the one shipped with isobench) and builds the lookups. */
export async function catalogueContext(dir: string | undefined): Promise<CatalogueContext> {
  const path = resolve(dir ?? defaultTasksDir());
  let tasks: TaskSummary[];
  try {
    const c = await loadTaskSummaries(path);
    for (const p of c.problems)
      err(`isobench: task catalogue: ${p.file}${p.field ? ` (${p.field})` : ''}: ${p.message}`);
    tasks = c.tasks;
  } catch (e) {
    throw new UsageError(errorMessage(e));
  }
  const byShort = new Map(tasks.map((t) => [t.id.split('/')[1] ?? '', t]));
  const short = (c: string) => byShort.get(c.slice(0, 8));
  return {
    tasks,
    commandFor: (c) => short(c)?.benchmark.perfCommand ?? null,
    fullHashFor: (c) => short(c)?.commits.human ?? null,
    notBenchmarkable: (c) => {
      const t = short(c);
      if (!t) return 'not in the task catalogue';
      return t.benchmarkable.ok ? null : `${t.benchmarkable.reason} (${t.benchmarkable.detail})`;
    },
    cardCommits: PUBLISHED_CARD.comparisonCommits,
    cardExcluded: (c) => {
      const x = PUBLISHED_EXCLUSIONS[c.slice(0, 8)];
      return x?.inCardExclusions ? x.detail : null;
    },
  };
}
