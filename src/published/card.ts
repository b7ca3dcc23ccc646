/**
 * The published ISO-Bench dataset card's 43-commit per-agent table (Inferencebench/claude-code-vllm-benchmarks
 * README, 2026-01-19, and the authors' per-agent status table it summarises): the card's agent lines,
 * each with the commits it counts as valid for comparison or missing the human metric, and the 43
 * commits of the comparison. `isobench leaderboard --scope card43` prints it beside what the rows
 * give. The rest of the card's figures, and how they stand against the rows, are in
 * docs/published-card-comparison.md. The card's own exclusions (9 wrong perf commands, 1 data issue)
 * are in {@link PUBLISHED_EXCLUSIONS} of src/task/knowledge.ts, with isobench's reading of each.
 */

/** Where the figures come from. */
export const PUBLISHED_CARD_SOURCE =
  'ISO-Bench dataset card (Inferencebench/claude-code-vllm-benchmarks README, 2026-01-19)';

const list = (s: string): readonly string[] => Object.freeze(s.split(' '));

/** One agent line of the card's per-agent table. */
export interface PublishedCardAgent {
  /** a stable id for this line (the card writes two `trae` lines, told apart by model) */
  readonly id: string;
  /** the agent name as the card writes it */
  readonly agentName: string;
  /** the model label as the card writes it */
  readonly agentModel: string;
  /** the commits of the 43-commit comparison the card counts as valid for comparison */
  readonly validForComparison: readonly string[];
  /** the commits the card counts as missing the human TTFT */
  readonly missingHuman: readonly string[];
}

/** The card's per-agent table. Every commit is an 8-character short hash. */
export interface PublishedCard {
  readonly source: string;
  readonly agents: readonly PublishedCardAgent[];
  /** the 43 commits of the per-agent comparison (96 − 9 wrong perf commands − 1 data issue − those with nothing comparable) */
  readonly comparisonCommits: readonly string[];
}

/** The published card's table. */
export const PUBLISHED_CARD: PublishedCard = {
  source: PUBLISHED_CARD_SOURCE,
  agents: [
    {
      id: 'claude_code',
      agentName: 'claude_code',
      agentModel: 'claude-sonnet-4-20250514',
      validForComparison: list(
        '89a84b0b 3476ed08 19d98e0c fa63e710 b690e348 6e36f4fa 30172b49 2deb029d 4c822298 b55ed6ef 015069b0 a3223766 99abb8b6 310aca88 58eee5f2 9f1710f1 bc7c4d20 9474e89b 98f47f2a fc542144 22d33bac 299ebb62 9badee53 6a417b86 296f927f e206b543 70b808fe fe66b347',
      ),
      missingHuman: [],
    },
    {
      id: 'codex',
      agentName: 'codex',
      agentModel: 'gpt-5',
      validForComparison: list(
        'fa63e710 30172b49 4c822298 b55ed6ef e7b20426 99abb8b6 58eee5f2 9f1710f1 8c1e77fb 98f47f2a fc542144 3b61cb45 22d33bac 299ebb62 9badee53 e206b543',
      ),
      missingHuman: ['19d98e0c'],
    },
    {
      id: 'trae_sonnet45',
      agentName: 'trae',
      agentModel: 'sonnet-4.5',
      validForComparison: list(
        'fa63e710 30172b49 4c822298 b55ed6ef e7b20426 99abb8b6 58eee5f2 9f1710f1 8c1e77fb 98f47f2a fc542144 3b61cb45 22d33bac 299ebb62 9badee53 e206b543',
      ),
      missingHuman: ['19d98e0c'],
    },
    {
      id: 'trae_gpt5',
      agentName: 'trae',
      agentModel: 'gpt-5',
      validForComparison: list(
        'fa63e710 4c822298 b55ed6ef 99abb8b6 58eee5f2 8c1e77fb 98f47f2a 3b61cb45 22d33bac 9badee53 296f927f 70b808fe',
      ),
      missingHuman: [],
    },
  ],
  comparisonCommits: list(
    '7c01f706 ad8d696a d7740ea4 660470e5 89a84b0b 3476ed08 19d98e0c fa63e710 b690e348 6e36f4fa fc7b8d1e 30172b49 ce6bf3a2 2deb029d 4c822298 b55ed6ef 015069b0 e7b20426 ccf02fcb 35fad35a a3223766 99abb8b6 310aca88 58eee5f2 9f1710f1 3a243095 6dd94dbe 8c1e77fb bc7c4d20 e3580537 9474e89b 98f47f2a fc542144 3b61cb45 22d33bac 299ebb62 9badee53 9ed82e70 6a417b86 296f927f e206b543 70b808fe fe66b347',
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
