/** What every verb shares: exit codes, the error types that mean "bad input", and printing. */

/** Exit codes of `isobench`. */
export const EXIT = {
  ok: 0,
  /** the command ran and found problems (invalid files, audit findings, failed checks) */
  findings: 1,
  /** bad input: unreadable or malformed files, wrong arguments */
  badInput: 2,
  /** a bug in isobench */
  bug: 3,
} as const;

export { UsageError } from '../util/errors.js';

/** Writes a line to stdout. */
export function out(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Writes a line to stderr. */
export function err(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Prints a value as JSON (for `--json`). */
export function outJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Pads columns of plain text rows to equal width. */
export function columns(rows: ReadonlyArray<readonly string[]>, gap = 2): string[] {
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...c].length);
    });
  }
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - [...c].length + gap)))
      .join('')
      .trimEnd(),
  );
}
