/**
 * The `leaderboard --sort` keys of a v5 table's board (a run folder's are `RUN_SORTS`, in
 * src/report/run-leaderboard.ts); here so that main.ts offers them without loading the verb.
 */
export const V5_SORTS = ['card', 'valid', 'beats', 'patch-failure', 'commits', 'name'] as const;
export type V5Sort = (typeof V5_SORTS)[number];
