/** The types of a computed dataset card (src/report/hf-card.ts) and its version. */
import type { AuditContext, AuditKind } from '../published/audit.js';
import type { TableFormat } from '../v5/io.js';
import type { Leaderboard, LeaderboardContext } from '../v5/leaderboard.js';
import type { V5Row } from '../v5/schema.js';
import type { RunAgentSummary } from './run-leaderboard.js';

/**
 * The version of card.json. 2: the comparison with the published card covers all its figures
 * (counts, quoted values, lists), data gaps are told apart by phase, causes may be
 * `card_predates_its_fixes`. 3: no comparison with the published card (`published` is gone; its
 * findings are docs/published-card-comparison.md).
 */
export const HF_CARD_VERSION = 3;

/** One Parquet shard: its path in the release and the rows it holds, `[start, end)` of the input order. */
export interface ShardPlan {
  readonly path: string;
  readonly start: number;
  readonly end: number;
}

/** What the card says about the input besides its rows. */
export interface HfCardInput {
  readonly rows: readonly V5Row[];
  /** the 1-based data-row number of each row in the input file */
  readonly rowNumbers: readonly number[];
  readonly source: {
    /** the input's file name (a table) or folder name (a run folder) */
    readonly name: string;
    /** the format of the v5 table read */
    readonly format: TableFormat;
    readonly kind: 'table' | 'run_folder';
  };
  readonly shards: readonly ShardPlan[];
  /** the run folder's extended rows, copied as a second config; null for a table */
  readonly extended: {
    readonly path: string;
    readonly rows: number;
    readonly schemaVersions: readonly number[];
  } | null;
  /** the leaderboard of the run's extended rows (hard and true success, quadrants, cost); run folders only */
  readonly runBoard?: readonly RunAgentSummary[] | null;
}

/** Lookups the card uses: the task catalogue's (as for `leaderboard` and `dataset audit`). */
export interface HfCardContext extends LeaderboardContext, AuditContext {
  /** the short hashes of the catalogue's vLLM commits (the release's 96), to name the commits an input lacks */
  readonly catalogueCommits?: readonly string[];
}

/** One (agent_name, agent_model) spelling as written in the rows, with its normalised names. */
export interface AgentLabelCount {
  readonly agentName: string | null;
  readonly agentModel: string | null;
  readonly agent: string;
  readonly model: string;
  readonly rows: number;
  readonly commits: number;
}

/** Rows and commits of one normalised (agent, model). */
export interface AgentCount {
  readonly agent: string;
  readonly model: string;
  readonly rows: number;
  readonly commits: number;
  /** how many spellings of the rows were normalised into it */
  readonly spellings: number;
}

/** Commits and rows of one benchmark_mode (null: the rows leave it empty). */
export interface ModeCount {
  readonly mode: string | null;
  readonly commits: number;
  readonly rows: number;
}

/** Rows of one normalised (agent, model) in one benchmark_mode. */
export interface AgentModeCount {
  readonly agent: string;
  readonly model: string;
  readonly mode: string | null;
  readonly rows: number;
}

/** The audit findings of one kind. */
export interface AuditKindCount {
  readonly kind: AuditKind;
  readonly severity: 'error' | 'warning' | 'info';
  readonly meaning: string;
  readonly findings: number;
  /** distinct rows with at least one finding of this kind */
  readonly rows: number;
}

/** Several spellings of one name in a column. */
export interface NameVariant {
  readonly column: 'agent_name' | 'agent_model' | 'repo';
  readonly canonical: string;
  readonly spellings: ReadonlyArray<{ value: string; rows: number }>;
}

/** What is missing or inconsistent in the rows. */
export interface HfGaps {
  /** commits whose every row lacks agent metrics */
  readonly noAgentMetrics: readonly string[];
  /** commits no row of which holds a human metric */
  readonly noHumanMetric: readonly string[];
  /** commits no row of which holds a baseline metric */
  readonly noBaselineMetric: readonly string[];
  readonly audit: {
    readonly findings: number;
    readonly rowsWithFindings: number;
    readonly byKind: readonly AuditKindCount[];
    /** rows with a derived column that disagrees with its formula, is missing although its inputs exist, or is set without inputs */
    readonly derived: {
      readonly mismatchRows: number;
      readonly missingRows: number;
      readonly withoutInputsRows: number;
      readonly rows: number;
    };
  };
  readonly nameVariants: readonly NameVariant[];
  readonly shortHashes: ReadonlyArray<{
    row: number;
    commitShort: string | null;
    commitHash: string;
    agentName: string | null;
  }>;
}

/** card.json: every number of the dataset card, versioned by `schemaVersion` ({@link HF_CARD_VERSION}). */
export interface HfCard {
  readonly schemaVersion: typeof HF_CARD_VERSION;
  readonly prettyName: string;
  readonly license: 'apache-2.0';
  readonly source: HfCardInput['source'];
  readonly rows: number;
  readonly columns: readonly string[];
  readonly commits: number;
  readonly commitList: readonly string[];
  readonly sizeCategory: string;
  readonly configs: ReadonlyArray<{
    name: string;
    format: 'parquet' | 'jsonl';
    files: readonly string[];
    rows: number;
  }>;
  readonly extended: HfCardInput['extended'];
  readonly agents: {
    readonly labels: readonly AgentLabelCount[];
    readonly normalised: readonly AgentCount[];
  };
  readonly coverage: {
    readonly byMode: readonly ModeCount[];
    readonly byAgentMode: readonly AgentModeCount[];
  };
  readonly leaderboard: Leaderboard;
  /** the run's own leaderboard from its extended rows; null for a table */
  readonly runLeaderboard: readonly RunAgentSummary[] | null;
  readonly gaps: HfGaps;
}
