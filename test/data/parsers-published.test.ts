/**
 * The strict parsers against the published numbers: wherever a stored raw output holds a metric's
 * line, the parser must read exactly the published value, except for the cells where the published
 * value is itself wrong, each listed here with the defect it shows.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sameMeasurement } from '../../src/v5/formulas.js';
import { kindOfCommand } from '../../src/v5/primary.js';
import { readRaw } from '../../src/v5/raw-metrics.js';
import { metricColumn, rawColumn, V5_METRICS, V5_PHASES } from '../../src/v5/schema.js';
import { catalogueLookups, publishedCsv, publishedParquet } from '../support/fixtures.js';
import { dataPath, HAVE_SHARED_DATA } from '../support/shared-data.js';

/** Published cells that disagree with their own raw output: `row commit column`. */
const WRONG_PUBLISHED = new Map([
  // the agent_raw of both TRAE rows is a different run than the number (13816.61 / 13896.84 tokens/s in the text)
  ['134 0ec82edd agent_throughput', 'value from another run'],
  ['178 0ec82edd agent_throughput', 'value from another run'],
  // requests/s stored as tokens/s (LESSONS 15)
  ['242 6ce01f30 baseline_throughput', 'request throughput (req/s) stored as throughput'],
  ['242 6ce01f30 human_throughput', 'request throughput (req/s) stored as throughput'],
  ['242 6ce01f30 agent_throughput', 'value from another run'],
]);

describe.skipIf(!HAVE_SHARED_DATA)('parsers against the published v5 metric columns', () => {
  for (const [name, load] of [
    ['Parquet', publishedParquet],
    ['CSV', publishedCsv],
  ] as const) {
    it(`read exactly the published value of every metric whose line the raw output holds (${name})`, async () => {
      const t = await load();
      const ctx = await catalogueLookups();
      let checked = 0;
      const disagree = new Map<string, { published: number; parsed: number }>();
      const missing: string[] = [];
      const readings = { ok: 0, failed: 0 };
      t.rows.forEach((row, i) => {
        for (const phase of V5_PHASES) {
          const raw = row[rawColumn(phase)] as string | null;
          if (!raw) continue;
          const reading = readRaw(
            raw,
            kindOfCommand(row.perf_command ?? ctx.commandFor?.(row.commit_short ?? '')),
          );
          if (!reading?.parse.ok) {
            readings.failed++;
            continue;
          }
          readings.ok++;
          for (const metric of V5_METRICS) {
            const parsed = reading.values[metric];
            if (parsed === undefined) continue;
            const col = metricColumn(phase, metric);
            const published = row[col] as number | null;
            const key = `${t.rowNumbers[i]} ${row.commit_short} ${col}`;
            if (published === null) missing.push(key);
            else {
              checked++;
              if (!sameMeasurement(published, parsed)) disagree.set(key, { published, parsed });
            }
          }
        }
      });
      expect(readings.ok).toBeGreaterThan(90);
      expect(checked).toBeGreaterThan(650);
      expect([...disagree.keys()].sort()).toEqual([...WRONG_PUBLISHED.keys()].sort());
      // the request-throughput confusion: the published number is the text's req/s figure
      expect(disagree.get('242 6ce01f30 baseline_throughput')).toEqual({ published: 9.18, parsed: 11745.11 });
      // cells the table left empty although the raw output holds them: serving throughput of the
      // claude-code "merged/modal" rows, and one latency
      expect(missing).toHaveLength(31);
      expect(missing.filter((k) => !k.endsWith('_throughput'))).toEqual(['241 99abb8b6 agent_latency_avg']);
    });
  }
});

/** The per-run result files of the original harness: `{ metrics, raw_output }`. */
const RESULT_KEYS: Record<string, string> = {
  ttft_mean_ms: 'ttft_mean',
  ttft_median_ms: 'ttft_median',
  ttft_p99_ms: 'ttft_p99',
  tpot_mean_ms: 'tpot_mean',
  tpot_median_ms: 'tpot_median',
  tpot_p99_ms: 'tpot_p99',
  itl_mean_ms: 'itl_mean',
  itl_median_ms: 'itl_median',
  itl_p99_ms: 'itl_p99',
  request_throughput_req_s: 'request_throughput',
  output_token_throughput_tok_s: 'output_throughput',
  total_token_throughput_tok_s: 'total_token_throughput',
  latency_avg_ms: 'latency_avg',
  throughput_tok_s: 'total_token_throughput',
};

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe.skipIf(!HAVE_SHARED_DATA)('parsers against the original harness result files', () => {
  it('agree with every metric the harness stored where the output shows its line; the rest are the catch-all defects', () => {
    let agreed = 0;
    let files = 0;
    const unreadableJson: string[] = [];
    const disagree: string[] = [];
    const notInOutput: string[] = [];
    for (const f of walk(dataPath('results'))) {
      let j: { raw_output?: unknown; metrics?: Record<string, number> };
      try {
        j = JSON.parse(readFileSync(f, 'utf8'));
      } catch {
        unreadableJson.push(f.split('results/')[1] ?? f);
        continue;
      }
      if (typeof j.raw_output !== 'string' || !j.metrics || Object.keys(j.metrics).length === 0) continue;
      const reading = readRaw(j.raw_output, null);
      if (!reading?.parse.ok) continue;
      files++;
      for (const [k, v] of Object.entries(j.metrics)) {
        const name =
          k === 'throughput_tok_s' && reading.kind === 'prefix_caching'
            ? 'output_throughput'
            : RESULT_KEYS[k];
        if (!name) continue;
        const m = reading.parse.metrics[name];
        if (!m) notInOutput.push(`${reading.kind}:${k}`);
        else if (sameMeasurement(m.value, v)) agreed++;
        else disagree.push(`${f.split('results/')[1]} ${k} ${v} vs ${m.value}`);
      }
    }
    expect(files).toBeGreaterThan(100);
    expect(agreed).toBeGreaterThan(1000);
    // two files of the data are not valid JSON (noted in the audit, kept here so a change is noticed)
    expect(unreadableJson.sort()).toEqual([
      'claude_code/docker/bfdb1ba5_result.json',
      'trae_gpt5/f092153f_agent_result.json',
    ]);
    expect(disagree).toEqual([
      'trae_gpt5/0ec82edd_agent_result.json throughput_tok_s 9575.5 vs 13816.61',
      'trae_sonnet45/0ec82edd_agent_result.json throughput_tok_s 9676 vs 13896.84',
    ]);
    // every stored metric the output does not print is a "throughput" of a latency run: the catch-all regex
    expect(new Set(notInOutput)).toEqual(new Set(['latency:throughput_tok_s']));
  });
});
