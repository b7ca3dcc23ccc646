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
}

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
      rows: null,
      validForComparison: list(
        '89a84b0b 3476ed08 19d98e0c fa63e710 b690e348 6e36f4fa 30172b49 2deb029d 4c822298 b55ed6ef 015069b0 a3223766 99abb8b6 310aca88 58eee5f2 9f1710f1 bc7c4d20 9474e89b 98f47f2a fc542144 22d33bac 299ebb62 9badee53 6a417b86 296f927f e206b543 70b808fe fe66b347',
      ),
      missingHuman: [],
    },
    {
      id: 'codex',
      agentName: 'codex',
      agentModel: 'gpt-5',
      rows: null,
      validForComparison: list(
        'fa63e710 30172b49 4c822298 b55ed6ef e7b20426 99abb8b6 58eee5f2 9f1710f1 8c1e77fb 98f47f2a fc542144 3b61cb45 22d33bac 299ebb62 9badee53 e206b543',
      ),
      missingHuman: ['19d98e0c'],
    },
    {
      id: 'trae_sonnet45',
      agentName: 'trae',
      agentModel: 'sonnet-4.5',
      rows: null,
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
    { commit: '6ce01f30', phase: 'baseline', metric: null, what: 'corrupted baseline image' },
    { commit: 'e7523c2e', phase: 'baseline', metric: null, what: "baseline cannot fit the model's context" },
    { commit: '83450458', phase: 'human', metric: null, what: 'human run produced no metrics' },
    { commit: '19d98e0c', phase: 'human', metric: 'ttft_mean', what: 'no human TTFT' },
  ],
  failingForEveryAgent: list(
    '7c01f706 ad8d696a d7740ea4 660470e5 fc7b8d1e ce6bf3a2 ccf02fcb 35fad35a 3a243095 6dd94dbe e3580537 9ed82e70',
  ),
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
