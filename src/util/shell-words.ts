/**
 * Splits a one-line shell command into words the way a POSIX shell would for the simple commands
 * found in published perf commands: single quotes, double quotes and backslash escapes. Anything a
 * plain word list cannot represent (pipes, redirections, `;`, `&&`, command substitution, variable
 * expansion, unbalanced quotes) is an error, never guessed around.
 */

/** One word of a command, with whether any part of it was quoted (quoted text is never a flag or a glob). */
export interface ShellWord {
  readonly text: string;
  readonly quoted: boolean;
  /** Character offset of the word in the command. */
  readonly offset: number;
}

/** Result of splitting: never throws. */
export type SplitResult = { ok: true; words: ShellWord[] } | { ok: false; error: string; offset: number };

const OPERATOR_CHARS = new Set(['|', '&', ';', '<', '>', '`', '(', ')']);

/** Splits `command` into words. */
export function splitShellWords(command: string): SplitResult {
  const words: ShellWord[] = [];
  let i = 0;
  const n = command.length;
  while (i < n) {
    const c = command[i] ?? '';
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '\n' || c === '\r') return { ok: false, error: 'the command spans several lines', offset: i };
    const start = i;
    let text = '';
    let quoted = false;
    while (i < n) {
      const ch = command[i] ?? '';
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') break;
      if (OPERATOR_CHARS.has(ch)) {
        return { ok: false, error: `shell operator '${ch}' is not allowed in a perf command`, offset: i };
      }
      if (ch === '$') {
        return { ok: false, error: "shell expansion '$' is not allowed in a perf command", offset: i };
      }
      if (ch === "'") {
        const end = command.indexOf("'", i + 1);
        if (end < 0) return { ok: false, error: 'unbalanced single quote', offset: i };
        text += command.slice(i + 1, end);
        quoted = true;
        i = end + 1;
        continue;
      }
      if (ch === '"') {
        i++;
        let closed = false;
        while (i < n) {
          const d = command[i] ?? '';
          if (d === '"') {
            closed = true;
            i++;
            break;
          }
          if (d === '$' || d === '`') {
            return { ok: false, error: `shell expansion '${d}' is not allowed in a perf command`, offset: i };
          }
          if (d === '\\' && i + 1 < n && '"\\$`'.includes(command[i + 1] ?? '')) {
            text += command[i + 1];
            i += 2;
            continue;
          }
          text += d;
          i++;
        }
        if (!closed) return { ok: false, error: 'unbalanced double quote', offset: start };
        quoted = true;
        continue;
      }
      if (ch === '\\') {
        if (i + 1 >= n) return { ok: false, error: 'trailing backslash', offset: i };
        text += command[i + 1];
        quoted = true;
        i += 2;
        continue;
      }
      text += ch;
      i++;
    }
    words.push({ text, quoted, offset: start });
  }
  return { ok: true, words };
}

/** Words as one line a POSIX shell reads back as the same words (single quotes where needed). */
export function shellLine(words: readonly string[]): string {
  return words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", "'\\''")}'`)).join(' ');
}
