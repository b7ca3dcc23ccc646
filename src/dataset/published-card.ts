/**
 * The figures the published ISO-Bench dataset card states (Inferencebench/claude-code-vllm-benchmarks
 * README, 2026-01-19, and the authors' per-agent status table it summarises): counts, agent labels
 * and commit lists only, no prose. `isobench export --compare-published` and the data tests compare
 * what the rows give with these. The card's own exclusions (9 wrong perf commands, 1 data issue) are
 * in {@link PUBLISHED_EXCLUSIONS} of src/task/knowledge.ts, with isobench's reading of each.
 */

/** Where the figures come from. */
export const PUBLISHED_CARD_SOURCE =
  'ISO-Bench dataset card (Inferencebench/claude-code-vllm-benchmarks README, 2026-01-19)';

import type { V5Column } from './v5-schema.js';

const list = (s: string): readonly string[] => Object.freeze(s.split(' '));

/** One agent line of the card. */
export interface PublishedCardAgent {
  /** a stable id for this line (the card writes two `trae` lines, told apart by model) */
  readonly id: string;
  /** the agent name as the card writes it */
  readonly agentName: string;
  /** the model label as the card writes it */
  readonly agentModel: string;
  /** the card's row count for this agent, where it states one */
  readonly rows: number | null;
  /** the commits of the 43-commit comparison the card counts as valid for comparison */
  readonly validForComparison: readonly string[];
  /** the commits the card counts as missing the human TTFT */
  readonly missingHuman: readonly string[];
}

/** A commit the card lists as a data gap: which variant's numbers are missing, and which metric (null: all). */
export interface PublishedDataGap {
  readonly commit: string;
  readonly phase: 'baseline' | 'human';
  readonly metric: 'ttft_mean' | null;
  /** the card's reason, in a few words */
  readonly what: string;
}

/**
 * A count of rows the card states, with the rule that counts a row: every column of one of
 * `columnSets` non-null (a row meeting two sets counts twice, as the card's sums do).
 */
export interface PublishedRowCount {
  /** stable id, e.g. `coverage:baseline_ttft_mean`, `three_way:serving` */
  readonly id: string;
  /** the card's table and line */
  readonly what: string;
  readonly count: number;
  readonly columnSets: ReadonlyArray<readonly V5Column[]>;
  /** the rule, in words (the card's own code where it gives one) */
  readonly rule: string;
}

/** One entry of the card's changelog that names commits: what it changed, in which rows and columns. */
export interface PublishedChange {
  readonly id: string;
  readonly date: string;
  readonly what: string;
  readonly commits: readonly string[];
  /** the card agent ({@link PublishedCardAgent.id}) whose rows it changed; null: every row of the commits */
  readonly agent: string | null;
  /** the columns it filled or corrected */
  readonly columns: readonly V5Column[];
}

/** A value the card quotes for one row. */
export interface PublishedValue {
  readonly commit: string;
  /** the card agent ({@link PublishedCardAgent.id}) of the row */
  readonly agent: string;
  readonly column: V5Column;
  readonly value: number | string;
  /** where on the card */
  readonly where: string;
}

/** A phase of a commit the card says ran and gave numbers. */
export interface PublishedPhaseRun {
  readonly commit: string;
  readonly phase: 'baseline' | 'human';
  readonly where: string;
}

/** The card's figures. Every commit is an 8-character short hash. */
export interface PublishedCard {
  readonly source: string;
  readonly rows: number;
  readonly commits: number;
  readonly agents: readonly PublishedCardAgent[];
  /** the 43 commits of the per-agent comparison (96 − 9 wrong perf commands − 1 data issue − those with nothing comparable) */
  readonly comparisonCommits: readonly string[];
  readonly excludedWrongCommand: number;
  readonly excludedDataIssue: number;
  /** not benchmarkable with Llama-3.1 on their old vLLM ("Unknown RoPE scaling type llama3") */
  readonly notBenchmarkable: readonly string[];
  /** accuracy-only or TPU-only commits */
  readonly nonStandard: readonly string[];
  readonly dataGaps: readonly PublishedDataGap[];
  /** commits every agent fails (a patch failure, in the card's sense, for each agent) */
  readonly failingForEveryAgent: readonly string[];
  /** the phases the card's data-gap tables say succeeded */
  readonly phasesRun: readonly PublishedPhaseRun[];
  /** "Metrics Coverage", "Agent Metrics" and "3-Way Completeness": rows holding each metric */
  readonly rowCounts: readonly PublishedRowCount[];
  /** the "3-way complete" total of the overview: the sum of these counts */
  readonly threeWayTotal: { readonly count: number; readonly of: readonly string[] };
  /** the changelog entries that name their commits */
  readonly changelog: readonly PublishedChange[];
  /** what the card says without naming the rows or commits, so the rows cannot check it */
  readonly unchecked: readonly string[];
  readonly quotedValues: readonly PublishedValue[];
  /** the commits with `benchmark_mode = None` ("Mode Classification Issues", "Special Cases") */
  readonly modeNone: readonly string[];
  /** the commits whose latency benchmark gives latency_avg and no throughput ("the only latency-only benchmark") */
  readonly latencyOnly: readonly string[];
  /** the schema's column count, its "Schema" table by category, and the GPU every row ran on */
  readonly columns: number;
  readonly columnCategories: Readonly<
    Record<'identity' | 'baseline' | 'human' | 'agent' | 'improvement' | 'raw', number>
  >;
  readonly gpu: string;
}

const PHASE_METRICS = ['ttft', 'tpot', 'itl'] as const;
const STATS = ['mean', 'median', 'p99'] as const;

/** One coverage line: rows where `column` is non-null. */
function covered(table: string, column: V5Column, count: number): PublishedRowCount {
  return {
    id: `coverage:${column}`,
    what: `${table}: ${column}`,
    count,
    columnSets: [[column]],
    rule: `${column} non-null`,
  };
}

/** The card's "Metrics Coverage" and "Agent Metrics" tables, cell by cell. */
const COVERAGE: readonly PublishedRowCount[] = [
  ...(['baseline', 'human'] as const).flatMap((phase) =>
    PHASE_METRICS.flatMap((m) =>
      STATS.map((st) => covered('baseline & human metrics', `${phase}_${m}_${st}` as V5Column, 123)),
    ),
  ),
  covered('baseline & human metrics', 'baseline_throughput', 117),
  covered('baseline & human metrics', 'baseline_latency_avg', 56),
  covered('baseline & human metrics', 'human_throughput', 180),
  covered('baseline & human metrics', 'human_latency_avg', 48),
  covered('agent metrics', 'agent_ttft_mean', 83),
  covered('agent metrics', 'agent_tpot_mean', 83),
  covered('agent metrics', 'agent_itl_mean', 83),
  covered('agent metrics', 'agent_throughput', 119),
  covered('agent metrics', 'agent_latency_avg', 28),
];

/** The card's "3-Way Completeness" table, by the filter code it gives beside it. */
const THREE_WAY: readonly PublishedRowCount[] = [
  {
    id: 'three_way:serving',
    what: '3-way complete rows: serving',
    count: 72,
    columnSets: [['baseline_tpot_mean', 'human_tpot_mean', 'agent_tpot_mean']],
    rule: "baseline_tpot_mean, human_tpot_mean and agent_tpot_mean all non-null (the card's filter code; it does not look at benchmark_mode)",
  },
  {
    id: 'three_way:standalone',
    what: '3-way complete rows: standalone',
    count: 26,
    columnSets: [['baseline_latency_avg', 'human_latency_avg', 'agent_latency_avg']],
    rule: "baseline_latency_avg, human_latency_avg and agent_latency_avg all non-null (the card's filter code; throughput-only rows cannot count)",
  },
];

const agentServing = PHASE_METRICS.flatMap((m) => STATS.map((st) => `agent_${m}_${st}` as V5Column));

/** The published card. */
export const PUBLISHED_CARD: PublishedCard = {
  source: PUBLISHED_CARD_SOURCE,
  rows: 361,
  commits: 96,
  agents: [
    {
      id: 'claude_code',
      agentName: 'claude_code',
      agentModel: 'claude-sonnet-4-20250514',
      rows: 96,
      validForComparison: list(
        '89a84b0b 3476ed08 19d98e0c fa63e710 b690e348 6e36f4fa 30172b49 2deb029d 4c822298 b55ed6ef 015069b0 a3223766 99abb8b6 310aca88 58eee5f2 9f1710f1 bc7c4d20 9474e89b 98f47f2a fc542144 22d33bac 299ebb62 9badee53 6a417b86 296f927f e206b543 70b808fe fe66b347',
      ),
      missingHuman: [],
    },
    {
      id: 'codex',
      agentName: 'codex',
      agentModel: 'gpt-5',
      rows: 96,
      validForComparison: list(
        'fa63e710 30172b49 4c822298 b55ed6ef e7b20426 99abb8b6 58eee5f2 9f1710f1 8c1e77fb 98f47f2a fc542144 3b61cb45 22d33bac 299ebb62 9badee53 e206b543',
      ),
      missingHuman: ['19d98e0c'],
    },
    {
      id: 'trae_sonnet45',
      agentName: 'trae',
      agentModel: 'sonnet-4.5',
      rows: 96,
      validForComparison: list(
        'fa63e710 30172b49 4c822298 b55ed6ef e7b20426 99abb8b6 58eee5f2 9f1710f1 8c1e77fb 98f47f2a fc542144 3b61cb45 22d33bac 299ebb62 9badee53 e206b543',
      ),
      missingHuman: ['19d98e0c'],
    },
    {
      id: 'trae_gpt5',
      agentName: 'trae',
      agentModel: 'gpt-5',
      rows: 73,
      validForComparison: list(
        'fa63e710 4c822298 b55ed6ef 99abb8b6 58eee5f2 8c1e77fb 98f47f2a 3b61cb45 22d33bac 9badee53 296f927f 70b808fe',
      ),
      missingHuman: [],
    },
  ],
  comparisonCommits: list(
    '7c01f706 ad8d696a d7740ea4 660470e5 89a84b0b 3476ed08 19d98e0c fa63e710 b690e348 6e36f4fa fc7b8d1e 30172b49 ce6bf3a2 2deb029d 4c822298 b55ed6ef 015069b0 e7b20426 ccf02fcb 35fad35a a3223766 99abb8b6 310aca88 58eee5f2 9f1710f1 3a243095 6dd94dbe 8c1e77fb bc7c4d20 e3580537 9474e89b 98f47f2a fc542144 3b61cb45 22d33bac 299ebb62 9badee53 9ed82e70 6a417b86 296f927f e206b543 70b808fe fe66b347',
  ),
  excludedWrongCommand: 9,
  excludedDataIssue: 1,
  notBenchmarkable: list('3a243095 7c01f706 80aa7e91 8bc68e19 9ed82e70 ad8d696a cf2f084d'),
  nonStandard: list('ccf02fcb ce6bf3a2'),
  dataGaps: [
    {
      commit: '6ce01f30',
      phase: 'baseline',
      metric: null,
      what: 'corrupted Docker image: baseline "Failed"',
    },
    { commit: '6ce01f30', phase: 'human', metric: null, what: 'corrupted Docker image: human "Failed"' },
    { commit: 'e7523c2e', phase: 'baseline', metric: null, what: "baseline cannot fit the model's context" },
    { commit: '83450458', phase: 'human', metric: null, what: 'human run produced no metrics' },
    { commit: '19d98e0c', phase: 'human', metric: 'ttft_mean', what: 'no human TTFT' },
  ],
  failingForEveryAgent: list(
    '7c01f706 ad8d696a d7740ea4 660470e5 fc7b8d1e ce6bf3a2 ccf02fcb 35fad35a 3a243095 6dd94dbe e3580537 9ed82e70',
  ),
  phasesRun: [
    { commit: 'e7523c2e', phase: 'human', where: 'known data gaps: human "Success"' },
    { commit: '83450458', phase: 'baseline', where: 'partial data: baseline "Success"' },
    { commit: '19d98e0c', phase: 'baseline', where: 'partial data: baseline "Success"' },
  ],
  rowCounts: [...COVERAGE, ...THREE_WAY],
  threeWayTotal: { count: 98, of: ['three_way:serving', 'three_way:standalone'] },
  changelog: [
    {
      id: 'human_ttft_added',
      date: '2026-01-19',
      what: 'human_ttft metrics added for 7 serving commits',
      commits: list('19d98e0c 35fad35a 660470e5 6e36f4fa 89a84b0b e3580537 fc7b8d1e'),
      agent: null,
      columns: ['human_ttft_mean', 'human_ttft_median', 'human_ttft_p99'],
    },
    {
      id: 'claude_serving_fixed',
      date: '2026-01-19',
      what: '7 Claude Code serving commits corrected from throughput to TTFT/TPOT/ITL metrics',
      commits: list('99abb8b6 22d33bac 9badee53 e206b543 89a84b0b 19d98e0c 6e36f4fa'),
      agent: 'claude_code',
      columns: agentServing,
    },
    {
      id: 'claude_prefix_caching_fixed',
      date: '2026-01-19',
      what: '2deb029d: benchmark_mode standalone → prefix_caching, throughput 5446.28 tok/s',
      commits: ['2deb029d'],
      agent: 'claude_code',
      columns: ['benchmark_mode', 'agent_throughput'],
    },
  ],
  unchecked: [
    'changelog 2026-01-19: baseline median/p99 (TTFT, TPOT, ITL) added "for 123 rows" (which rows is not said; the coverage counts are compared)',
    'changelog 2026-01-18: baseline/human metrics added for 19 ONLY_AGENT commits, 17 succeeded and 2 failed (the commits are not named)',
    'usage snippets: "Clean rows" (without 6ce01f30 e7523c2e 83450458), "Commits with multiple agents" and the per-agent result counts are printed by code, with no value on the card',
  ],
  quotedValues: [
    {
      commit: '2deb029d',
      agent: 'claude_code',
      column: 'agent_throughput',
      value: 5446.28,
      where: 'changelog 2026-01-19',
    },
    {
      commit: '2deb029d',
      agent: 'claude_code',
      column: 'benchmark_mode',
      value: 'prefix_caching',
      where: 'changelog 2026-01-19',
    },
  ],
  modeNone: list('ce6bf3a2 ccf02fcb'),
  latencyOnly: ['3476ed08'],
  columns: 76,
  columnCategories: { identity: 18, baseline: 11, human: 11, agent: 11, improvement: 21, raw: 4 },
  gpu: 'H100',
};

/**
 * The card's status of one agent on one commit of its comparison: valid for comparison, missing the
 * human metric, or a patch failure (every other commit of the 43); null for commits outside the 43.
 */
export function publishedStatus(
  agent: PublishedCardAgent,
  commit: string,
  card: PublishedCard = PUBLISHED_CARD,
): 'valid_for_comparison' | 'missing_human_metric' | 'patch_failure' | null {
  if (!card.comparisonCommits.includes(commit)) return null;
  if (agent.validForComparison.includes(commit)) return 'valid_for_comparison';
  if (agent.missingHuman.includes(commit)) return 'missing_human_metric';
  return 'patch_failure';
}
