/**
 * What of the human change a prompt gives away: lines of the human diff, a diffstat, the commit
 * subject or message, the human commit's hash, and the changed files when the prompt does not
 * declare a file hint. Pure; used on isobench's own prompts and on prompts of other harnesses.
 */

/** The kinds of leak. */
export type LeakKind =
  | 'human_diff'
  | 'diffstat'
  | 'commit_subject'
  | 'commit_message'
  | 'human_commit'
  | 'target_files';

/** One leak found in a prompt. */
export interface Leak {
  readonly kind: LeakKind;
  readonly detail: string;
}

/** What the human change was. */
export interface HumanChange {
  readonly commit: string;
  readonly subject: string | null;
  readonly message: string | null;
  readonly diff: string | null;
  readonly filesChanged: readonly string[];
}

const norm = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();

/**
 * The lines the human diff adds, at least `minLength` characters with words in them. Removed lines are
 * the parent's own code, which a prompt may quote without giving anything away; short generic lines
 * (`block_size=block_size)`) prove nothing on their own.
 */
function addedLines(diff: string, minLength: number): string[] {
  const out = new Set<string>();
  for (const l of diff.split('\n')) {
    if (!l.startsWith('+') || l.startsWith('+++ ')) continue;
    const body = l.slice(1).trim();
    if (body.length >= minLength && /[A-Za-z]{3}/.test(body)) out.add(body);
  }
  return [...out];
}

/**
 * The leaks of `prompt` about `change`. `declaredFiles` are files the prompt is allowed to name (a
 * declared file hint); naming any other changed file is a `target_files` leak.
 */
export function findLeaks(
  prompt: string,
  change: HumanChange,
  declaredFiles: readonly string[] = [],
): Leak[] {
  const leaks: Leak[] = [];
  const text = norm(prompt);
  if (change.diff) {
    // two long added lines verbatim, or most of the added lines of a small diff (JSON tables, tweaks)
    const long = addedLines(change.diff, 24);
    const longFound = long.filter((l) => prompt.includes(l));
    const all = addedLines(change.diff, 8);
    const allFound = all.filter((l) => prompt.includes(l));
    const most = all.length >= 3 && allFound.length / all.length >= 0.6;
    if (longFound.length >= 2 || (longFound.length === 1 && long.length <= 2) || most) {
      const found = longFound.length >= 2 ? longFound : allFound;
      const of = longFound.length >= 2 ? long.length : all.length;
      leaks.push({
        kind: 'human_diff',
        detail: `${found.length} of the ${of} lines the human diff adds, e.g. "${found[0]?.slice(0, 80)}"`,
      });
    }
  }
  const stat =
    /^\s*\S+\s+\|\s+\d+\s+[+-]+\s*$/m.exec(prompt) ??
    /\b\d+ files? changed, \d+ (insertion|deletion)/.exec(prompt);
  if (stat) leaks.push({ kind: 'diffstat', detail: `"${stat[0].trim().slice(0, 80)}"` });
  const subject = change.subject?.replace(/\s*\(#\d+\)\s*$/, '').trim();
  if (subject && subject.length >= 12 && text.includes(norm(subject)))
    leaks.push({ kind: 'commit_subject', detail: `"${subject.slice(0, 80)}"` });
  if (change.message) {
    const body = change.message
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
      .filter((l) => l.length >= 30 && !/^(signed-off-by|co-authored-by):/i.test(l));
    const found = body.filter((l) => text.includes(norm(l)));
    if (found.length)
      leaks.push({
        kind: 'commit_message',
        detail: `${found.length} line(s), e.g. "${found[0]?.slice(0, 80)}"`,
      });
  }
  const short = change.commit.slice(0, 8);
  if (short.length === 8 && prompt.includes(short)) leaks.push({ kind: 'human_commit', detail: short });
  const named = change.filesChanged.filter((f) => prompt.includes(f) && !declaredFiles.includes(f));
  if (named.length)
    leaks.push({
      kind: 'target_files',
      detail: `names ${named.length} of the ${change.filesChanged.length} changed file(s) without a declared hint: ${named.slice(0, 3).join(', ')}`,
    });
  return leaks;
}
