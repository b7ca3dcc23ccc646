/** Replacing or wrapping the clocks the benchmarks time themselves with. */
import type { TamperRule } from '../types.js';

const CLOCK = String.raw`(?:time\.(?:time|perf_counter|monotonic|process_time)(?:_ns)?|torch\.cuda\.(?:synchronize|Event)|cuda\.Event\.elapsed_time)`;
const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [new RegExp(`\\b${CLOCK}\\s*=(?!=)`), 'assigns a clock function'],
  [/\bsetattr\(\s*(?:time|torch\.cuda|torch\.cuda\.Event)\s*,/, 'replaces a clock attribute with setattr'],
  [new RegExp(`\\bpatch(?:\\.object)?\\(\\s*['"]?${CLOCK}`), 'patches a clock with mock'],
  [/^\s*def\s+(?:perf_counter|monotonic|synchronize)\s*\(/, 'defines a function named like a clock'],
  [/\bfrom\s+time\s+import\s+[^#\n]*\bperf_counter\b[^#\n]*\bas\b/, 'imports a clock under another name'],
];

export const rule: TamperRule = {
  id: 'timer-tamper',
  severity: 'fail',
  title: 'replaces or wraps the timing primitives (time.*, torch.cuda.synchronize/Event)',
  check(patch) {
    const out = [];
    for (const a of patch.added) {
      if (/^\s*#/.test(a.text)) continue;
      const hit = PATTERNS.find(([re]) => re.test(a.text));
      if (hit)
        out.push({
          rule: 'timer-tamper',
          severity: 'fail' as const,
          file: a.file,
          line: a.line,
          evidence: a.text.trim().slice(0, 200),
          message: `${hit[1]}: benchmark timings would no longer measure the work`,
        });
    }
    return out;
  },
};
