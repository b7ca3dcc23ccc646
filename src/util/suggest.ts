/** "Did you mean": the nearest of some names to a mistyped one, when it is near enough to be meant. */
import { distance } from 'fastest-levenshtein';

/**
 * The candidate nearest `given` by edit distance, when the distance is at most a third of the
 * longer name (a typo, a dropped or swapped character) or `given` is a unique prefix or suffix of it;
 * null otherwise (a guess far off helps nobody).
 */
export function suggest(given: string, candidates: readonly string[]): string | null {
  const g = given.toLowerCase();
  const affix = candidates.filter((c) => c.toLowerCase().startsWith(g) || c.toLowerCase().endsWith(g));
  const [only, ...others] = affix;
  if (g.length >= 3 && only !== undefined && others.length === 0) return only;
  let best: string | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = distance(g, c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  if (best === null) return null;
  return bestD <= Math.max(1, Math.floor(Math.max(g.length, best.length) / 3)) ? best : null;
}

/** ", did you mean X?" or nothing. */
export function didYouMean(given: string, candidates: readonly string[]): string {
  const s = suggest(given, candidates);
  return s ? `; did you mean ${s}?` : '';
}
