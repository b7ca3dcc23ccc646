/**
 * Compares the workload a run really used (the `Namespace(...)` its script echoed) with the options
 * of the task's command. Pure.
 */
import type { EchoedNamespace } from '../parse/types.js';
import type { ParsedPerfCommand } from '../task/perf-command.js';
import type { PyValue } from '../util/python-literal.js';

/** One option whose effective value differs from the command's. */
export interface WorkloadDifference {
  /** the Namespace field, e.g. `random_input_len` */
  readonly dest: string;
  /** the option as the command wrote it */
  readonly option: string;
  readonly expected: string;
  readonly actual: string;
}

function show(v: PyValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if ('opaque' in v) return v.opaque;
  return '{...}';
}

function matches(expected: string | readonly string[] | boolean, actual: PyValue): boolean {
  if (actual !== null && typeof actual === 'object' && !Array.isArray(actual)) return true; // opaque objects: not comparable
  if (typeof expected === 'boolean')
    return actual === expected || (typeof actual === 'string' && actual.toLowerCase() === String(expected));
  if (typeof expected !== 'string') {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      actual.every((a, i) => matches(expected[i] ?? '', a))
    );
  }
  const e = expected;
  if (typeof actual === 'number') return e.trim() !== '' && Number(e) === actual;
  if (typeof actual === 'boolean') return e.toLowerCase() === String(actual);
  if (typeof actual === 'string') return actual === e;
  if (Array.isArray(actual)) return actual.length === 1 && matches(e, actual[0] ?? null);
  return false; // None where the command gave a value
}

/**
 * The command options (of the sides the echoing process takes) whose effective value differs. Fields
 * the Namespace does not carry are listed in `notEchoed`, not treated as differences.
 */
export function compareWorkload(
  command: ParsedPerfCommand,
  ns: EchoedNamespace,
  sides: ReadonlyArray<'client' | 'server' | 'both'> = ['client', 'both'],
): { differences: WorkloadDifference[]; notEchoed: string[] } {
  const differences: WorkloadDifference[] = [];
  const notEchoed: string[] = [];
  for (const o of command.options) {
    if (!sides.includes(o.side)) continue;
    if (!ns.args.has(o.dest)) {
      notEchoed.push(o.canonical);
      continue;
    }
    const actual = ns.args.get(o.dest) ?? null;
    if (!matches(o.value, actual)) {
      differences.push({
        dest: o.dest,
        option: o.words.join(' '),
        expected:
          typeof o.value === 'boolean'
            ? o.value
              ? 'True'
              : 'False'
            : Array.isArray(o.value)
              ? o.value.join(' ')
              : String(o.value),
        actual: show(actual),
      });
    }
  }
  return { differences, notEchoed };
}
