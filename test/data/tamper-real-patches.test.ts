/**
 * The static tamper rules over the real agent patches of ISO-Bench (agent-runs/<agent>/<short>/
 * model_patch.diff): what each rule flags, printed; no crash, and no rule firing on every patch.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scanPatch, TAMPER_RULES } from '../../src/tamper/registry.js';
import { viewPatch } from '../../src/tamper/view.js';
import { dataPath, HAVE_SHARED_DATA } from '../support/shared-data.js';

describe.skipIf(!HAVE_SHARED_DATA)('tamper rules on the real ISO-Bench agent patches', () => {
  it('scan every patch, and no rule fires on all of them', () => {
    const rows: Array<{ run: string; lines: number; findings: ReturnType<typeof scanPatch> }> = [];
    for (const agent of readdirSync(dataPath('agent-runs')))
      for (const short of readdirSync(dataPath('agent-runs', agent))) {
        const text = readFileSync(dataPath('agent-runs', agent, short, 'model_patch.diff'), 'utf8');
        if (!text.trim()) continue;
        rows.push({
          run: `${agent}/${short}`,
          lines: viewPatch(text).added.length,
          findings: scanPatch(text, { protectedPaths: ['benchmarks/', 'tests/'] }),
        });
      }
    console.log(
      `tamper findings on ${rows.length} non-empty real agent patches:\n${rows
        .map(
          (r) =>
            `  ${r.run.padEnd(22)} +${String(r.lines).padStart(4)}  ${r.findings.map((f) => `${f.rule}(${f.severity}) ${f.file}:${f.line}`).join('; ') || '-'}`,
        )
        .join('\n')}`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(10);
    for (const rule of TAMPER_RULES) {
      const fired = rows.filter((r) => r.findings.some((f) => f.rule === rule.id)).length;
      expect(fired, rule.id).toBeLessThan(rows.length);
    }
    // every finding points at a file of its patch, and at a line that the patch adds (or 0 for file-level)
    for (const r of rows) {
      const text = readFileSync(dataPath('agent-runs', ...r.run.split('/'), 'model_patch.diff'), 'utf8');
      const v = viewPatch(text);
      for (const f of r.findings) {
        expect(
          v.files.map((x) => x.path),
          `${r.run} ${f.rule}`,
        ).toContain(f.file);
        if (f.line)
          expect(
            v.added.some((a) => a.file === f.file && a.line === f.line),
            `${r.run} ${f.file}:${f.line}`,
          ).toBe(true);
      }
    }
  });
});
