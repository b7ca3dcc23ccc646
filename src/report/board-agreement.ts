/**
 * Why the two leaderboards of one run can disagree, said where they do. `leaderboard RUN_DIR`
 * counts verdicts, each from a 95% bootstrap interval of the run's rounds (an interval straddling
 * the band is `inconclusive`); `leaderboard RUN_DIR/rows.v5.parquet` follows the dataset card's
 * rule, which has only the point estimates the published schema keeps (above the band "beats",
 * below it "worse", else "similar"). Over the same rows, each commit where the point estimate's
 * class differs from the run's verdict is named, with both.
 */
import type { Leaderboard } from '../v5/leaderboard.js';
import type { V5Row } from '../v5/schema.js';
import type { ReadExtendedRow } from './ext-rows-file.js';

/** The card's class of each hard verdict (the others have no point-estimate counterpart). */
const CLASS_OF_VERDICT: Readonly<Record<string, 'beats' | 'similar' | 'worse'>> = {
  beats_human: 'beats',
  matches_human: 'similar',
  below_human: 'worse',
};

/** A v5 table's and a run's disagreement on one row. */
export interface Disagreement {
  readonly agent: string;
  readonly model: string;
  readonly task: string;
  readonly commit: string;
  /** agent vs human, the point estimate the v5 board classifies */
  readonly pointPct: number;
  readonly pointClass: 'beats' | 'similar' | 'worse';
  readonly verdict: string | null;
  readonly verdictReason: string | null;
}

/**
 * The rows where the v5 board's class and the run's verdict differ. The v5 rows and the extended
 * rows of a run are written together, one for one, in the same order (run/tables.ts); null when these
 * are not such a pair (other counts or agents), so nothing is claimed of rows that do not match.
 */
export function boardDisagreements(
  board: Leaderboard,
  v5: readonly V5Row[],
  ext: readonly ReadExtendedRow[],
): Disagreement[] | null {
  if (v5.length !== ext.length) return null;
  if (v5.some((r, i) => r.agent_name !== ext[i]?.agent)) return null;
  const out: Disagreement[] = [];
  for (const a of board.agents)
    for (const pc of a.perCommit) {
      if (pc.agentVsHumanPct === null) continue;
      const pct = pc.agentVsHumanPct;
      const pointClass = pct > board.band ? 'beats' : pct < -board.band ? 'worse' : 'similar';
      const i = v5.findIndex(
        (r) => r.commit_short === pc.commit && a.labels.some((l) => l.agentName === r.agent_name),
      );
      const e = ext[i];
      if (!e || CLASS_OF_VERDICT[e.verdict ?? ''] === pointClass) continue;
      out.push({
        agent: e.agent,
        model: e.model,
        task: e.task,
        commit: pc.commit,
        pointPct: pct,
        pointClass,
        verdict: e.verdict,
        verdictReason: e.verdictReason,
      });
    }
  return out;
}

/** The lines that say what each board counts and where they differ. */
export function disagreementLines(d: readonly Disagreement[], band: number): string[] {
  const head = `This table counts point estimates (the card's rule: agent vs human above +${band}% beats, below -${band}% worse); the run's own leaderboard (isobench leaderboard RUN_DIR) counts verdicts from 95% bootstrap intervals, inconclusive where an interval straddles the band.`;
  if (!d.length) return [head, 'On these rows both agree.'];
  return [
    head,
    `They differ on ${d.length} row(s):`,
    ...d.map(
      (x) =>
        `  ${x.agent} (${x.model}) ${x.task} [${x.commit}]: point estimate ${x.pointPct >= 0 ? '+' : ''}${x.pointPct.toFixed(1)}% counts "${x.pointClass}"; the run's verdict is ${x.verdict ?? 'none'}${x.verdictReason ? ` (${x.verdictReason})` : ''}`,
    ),
  ];
}
