/** Reads the `Namespace(...)` lines that vLLM's benchmark scripts and servers echo at start-up. */
import { type PyValue, readPyKeywordArgs } from '../util/python-literal.js';
import type { LogLine } from './lines.js';
import type { EchoedNamespace } from './types.js';

const BARE = /^Namespace\((.*)\)$/;
const IN_LOG = /^(?:INFO|DEBUG|WARNING)\b.*\](?: non-default)? args: Namespace\((.*)\)$/;

/**
 * Every complete `Namespace(...)` line in the log. A line that starts like one but cannot be read
 * (cut off, malformed) is reported in `warnings`, never half-used.
 */
export function readNamespaces(lines: readonly LogLine[]): {
  namespaces: EchoedNamespace[];
  warnings: string[];
} {
  const namespaces: EchoedNamespace[] = [];
  const warnings: string[] = [];
  for (const l of lines) {
    if (!l.text.includes('Namespace(')) continue;
    const bare = BARE.exec(l.text);
    const log = bare ? null : IN_LOG.exec(l.text);
    const inner = bare?.[1] ?? log?.[1];
    if (inner === undefined) {
      if (l.text.startsWith('Namespace('))
        warnings.push(`line ${l.no}: Namespace line is cut off or malformed`);
      continue;
    }
    const res = readPyKeywordArgs(inner);
    if (!res.ok) {
      warnings.push(`line ${l.no}: Namespace line unreadable at character ${res.offset + 10}: ${res.error}`);
      continue;
    }
    namespaces.push({ line: l.no, source: bare ? 'bare' : 'log', args: new Map<string, PyValue>(res.value) });
  }
  return { namespaces, warnings };
}
