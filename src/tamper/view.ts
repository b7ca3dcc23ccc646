/** Reads a unified diff into the lines the tamper rules look at. Pure; never throws. */
import type { PatchLine, PatchView } from './types.js';

/** The path of a `--- ` or `+++ ` line: its text after the marker, up to a tab (a timestamp may follow one). */
function pathOf(line: string): string | null {
  const [header = ''] = line.slice(4).split('\t');
  const p = header.trim().replace(/^"(.*)"$/, '$1');
  if (p === '/dev/null') return null;
  return p.replace(/^[ab]\//, '');
}

/** The files, added lines and removed lines of a unified (git) diff. */
export function viewPatch(text: string): PatchView {
  const files: Array<{ path: string; status: 'added' | 'deleted' | 'modified' | 'renamed' }> = [];
  const added: PatchLine[] = [];
  const removed: PatchLine[] = [];
  let oldPath: string | null = null;
  let file: string | null = null;
  let oldLine = 0;
  let newLine = 0;
  let hunk = -1;
  let inHunk = false;
  let renamed = false;
  for (const raw of text.split('\n')) {
    const l = raw.replace(/\r$/, '');
    if (l.startsWith('diff --git ')) {
      inHunk = false;
      file = null;
      oldPath = null;
      renamed = false;
      hunk = -1;
      continue;
    }
    if (!inHunk && l.startsWith('rename to ')) renamed = true;
    if (!inHunk && l.startsWith('--- ')) {
      oldPath = pathOf(l);
      continue;
    }
    if (!inHunk && l.startsWith('+++ ')) {
      const newPath = pathOf(l);
      file = newPath ?? oldPath;
      if (file)
        files.push({
          path: file,
          status: !oldPath ? 'added' : !newPath ? 'deleted' : renamed ? 'renamed' : 'modified',
        });
      continue;
    }
    const h = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(l);
    if (h) {
      oldLine = Number(h[1]);
      newLine = Number(h[2]);
      hunk++;
      inHunk = true;
      continue;
    }
    if (!inHunk || !file) continue;
    if (l.startsWith('+')) added.push({ file, line: newLine++, text: l.slice(1), hunk });
    else if (l.startsWith('-')) removed.push({ file, line: oldLine++, text: l.slice(1), hunk });
    else if (l.startsWith(' ') || l === '') {
      oldLine++;
      newLine++;
    } else if (!l.startsWith('\\')) inHunk = false;
  }
  return { files, added, removed };
}

/** Whether a path is test, docs or benchmark code rather than the engine's runtime code. */
export function isRuntimeCode(path: string): boolean {
  return (
    /\.py$/.test(path) &&
    !/(^|\/)(tests?|benchmarks?|docs?|examples?)\//.test(path) &&
    !/(^|\/)test_[^/]*\.py$/.test(path)
  );
}
