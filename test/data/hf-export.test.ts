/**
 * `isobench export --format hf`: the release holds exactly the input rows (76 columns, published
 * order, lists and nulls), its card's numbers are those of the rows, every difference from the
 * published card has its cause, bad input and an occupied target change nothing, and the built CLI
 * runs it.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRows } from '../../src/dataset/audit.js';
import { computeLeaderboard } from '../../src/dataset/leaderboard.js';
import { canonicalAgent, canonicalModel } from '../../src/dataset/names.js';
import { PUBLISHED_CARD } from '../../src/dataset/published-card.js';
import { readV5Table, TableFileError, type V5Table, v5ToCsv } from '../../src/dataset/v5-io.js';
import { metricColumn, V5_COLUMNS, V5_METRICS, type V5Row } from '../../src/dataset/v5-schema.js';
import { matchCardAgents } from '../../src/report/card-compare.js';
import { HF_CARD_VERSION, type HfCard } from '../../src/report/hf-card.js';
import { exportHf, HfExportError } from '../../src/report/hf-export.js';
import { loadTaskSummaries } from '../../src/task/loader.js';
import { catalogueLookups, publishedParquet, TASKS_DIR } from '../support/fixtures.js';
import { dataPath, HAVE_SHARED_DATA, PROJECT_ROOT } from '../support/shared-data.js';

const tmp = mkdtempSync(join(tmpdir(), 'isobench-hf-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function context() {
  const { tasks } = await loadTaskSummaries(TASKS_DIR);
  const catalogueCommits = tasks.filter((t) => t.id.startsWith('vllm/')).map((t) => t.id.slice(5));
  return { ...(await catalogueLookups()), catalogueCommits };
}

const readCard = (dir: string) => JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8')) as HfCard;

/** Every entry of `dir`'s parent that is a leftover of an export into `dir`. */
const leftovers = (parent: string) => readdirSync(parent).filter((n) => /\.(tmp|old)-\d+-\d+$/.test(n));

describe.skipIf(!HAVE_SHARED_DATA)('export --format hf of the published rows', () => {
  const out = join(tmp, 'release');
  let t: V5Table;
  let card: HfCard;
  let readme: string;
  let ctx: Awaited<ReturnType<typeof context>>;

  beforeAll(async () => {
    [t, ctx] = [await publishedParquet(), await context()];
    const res = await exportHf({
      input: dataPath('v5-rows.parquet'),
      outDir: out,
      shardRows: 60,
      comparePublished: true,
      ctx,
    });
    expect(res.files).toContain('card.json');
    card = readCard(out);
    readme = readFileSync(join(out, 'README.md'), 'utf8');
  });

  it('the shards hold the input rows cell for cell, lists and nulls included, in the published column order', async () => {
    const shards = readdirSync(join(out, 'data')).sort();
    expect(shards).toEqual([0, 1, 2, 3, 4].map((i) => `train-0000${i}-of-00005.parquet`));
    const back: Record<string, unknown>[] = [];
    for (const s of shards) {
      const bytes = readFileSync(join(out, 'data', s));
      const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      const metadata = parquetMetadata(file);
      expect(parquetSchema(metadata).children.map((c) => c.element.name)).toEqual(V5_COLUMNS);
      const rows = (await parquetReadObjects({ file, metadata })) as Record<string, unknown>[];
      expect(rows.length).toBeLessThanOrEqual(60);
      for (const r of rows) expect(Object.keys(r)).toEqual(V5_COLUMNS);
      back.push(...rows);
      // and the project's own reader finds nothing wrong with a shard
      const table = await readV5Table(join(out, 'data', s));
      expect(table.problems).toEqual([]);
    }
    expect(back).toHaveLength(251);
    expect(back).toStrictEqual(t.rows);
    // the lists and nulls really are there to compare
    expect(back.some((r) => Array.isArray(r.files_changed) && (r.files_changed as string[]).length > 1)).toBe(
      true,
    );
    expect(back.filter((r) => r.models === null).length).toBe(t.rows.filter((r) => r.models === null).length);
    // the card's configs name exactly these files, in the YAML front matter too
    expect(card.configs[0]?.files).toEqual(shards.map((s) => `data/${s}`));
    for (const s of shards) expect(readme).toContain(`    - "data/${s}"`);
  });

  it("card.json's numbers are those of the rows, and README.md shows them", () => {
    expect(card.schemaVersion).toBe(HF_CARD_VERSION);
    expect(card.columns).toEqual(V5_COLUMNS);
    expect(card.rows).toBe(t.rows.length);
    expect(card.rows).toBe(251);
    const commits = new Set(t.rows.map((r) => r.commit_short));
    expect(card.commits).toBe(commits.size);
    expect(card.commits).toBe(67);

    // agents as written, counted here
    const labels = new Map<string, number>();
    for (const r of t.rows)
      labels.set(
        `${r.agent_name}|${r.agent_model}`,
        (labels.get(`${r.agent_name}|${r.agent_model}`) ?? 0) + 1,
      );
    expect(
      Object.fromEntries(card.agents.labels.map((l) => [`${l.agentName}|${l.agentModel}`, l.rows])),
    ).toEqual(Object.fromEntries(labels));
    expect(Object.fromEntries(labels)).toEqual({
      'claude-code|sonnet-4.5': 64,
      'claude_code|claude-sonnet-4-20250514': 3,
      'codex|gpt-5': 67,
      'trae|sonnet-4.5': 67,
      'trae|gpt-5': 50,
    });
    const normalised = new Map<string, number>();
    for (const r of t.rows) {
      const k = `${canonicalAgent(r.agent_name ?? '?')}/${canonicalModel(r.agent_model ?? '?')}`;
      normalised.set(k, (normalised.get(k) ?? 0) + 1);
    }
    expect(Object.fromEntries(card.agents.normalised.map((a) => [`${a.agent}/${a.model}`, a.rows]))).toEqual(
      Object.fromEntries(normalised),
    );
    for (const l of card.agents.labels)
      expect(readme).toContain(
        `| ${l.agentName} | ${l.agentModel} | ${l.agent} | ${l.model} | ${l.rows} | ${l.commits} |`,
      );

    // coverage by mode, counted here
    const modes = new Map<string | null, { rows: number; commits: Set<string | null> }>();
    for (const r of t.rows) {
      const m = modes.get(r.benchmark_mode) ?? { rows: 0, commits: new Set() };
      m.rows++;
      m.commits.add(r.commit_short);
      modes.set(r.benchmark_mode, m);
    }
    expect(card.coverage.byMode.length).toBe(modes.size);
    for (const m of card.coverage.byMode) {
      expect(m.rows).toBe(modes.get(m.mode)?.rows);
      expect(m.commits).toBe(modes.get(m.mode)?.commits.size);
      expect(readme).toContain(`| ${m.mode ?? '(empty)'} | ${m.commits} | ${m.rows} |`);
    }
    expect(card.coverage.byAgentMode.reduce((s, x) => s + x.rows, 0)).toBe(251);

    // the per-agent comparison is computeLeaderboard's, and its table is in the README
    const lb = computeLeaderboard(t.rows, t.rowNumbers, { scope: 'card', band: 5 }, ctx);
    expect(card.leaderboard).toEqual(JSON.parse(JSON.stringify(lb)));
    for (const a of lb.agents) {
      const valid = a.counts.valid_for_comparison;
      expect(readme).toContain(
        `| ${a.display} | ${a.commits} | ${valid} (${((100 * valid) / a.commits).toFixed(1)}%) |`,
      );
    }
    expect(readme).toContain('| rows | 251 |');
    expect(readme).toContain('| unique commits | 67 |');

    // known gaps, recomputed here
    const has = (r: V5Row, phase: 'agent' | 'human') =>
      V5_METRICS.some((m) => typeof r[metricColumn(phase, m)] === 'number');
    const allLack = (phase: 'agent' | 'human') =>
      [...commits]
        .filter((c) => t.rows.filter((r) => r.commit_short === c).every((r) => !has(r, phase)))
        .sort();
    expect(card.gaps.noAgentMetrics).toEqual(allLack('agent'));
    expect(card.gaps.noHumanMetric).toEqual(allLack('human'));
    expect(card.gaps.noHumanMetric).toContain('83450458');
    const findings = auditRows(t.rows, t.rowNumbers, ctx);
    expect(card.gaps.audit.findings).toBe(findings.length);
    const mismatchRows = new Set(findings.filter((f) => f.kind === 'derived_mismatch').map((f) => f.row));
    expect(card.gaps.audit.derived.mismatchRows).toBe(mismatchRows.size);
    expect(card.gaps.audit.byKind.find((k) => k.kind === 'derived_mismatch')?.findings).toBe(17);
    expect(readme).toContain(`| derived_mismatch | error | 17 | ${mismatchRows.size} |`);
    expect(card.gaps.shortHashes.map((s) => s.commitHash).sort()).toEqual([
      '19d98e0c',
      '2deb029d',
      '9f1710f1',
    ]);
    expect(
      card.gaps.nameVariants.map((v) => `${v.column}:${v.spellings.map((s) => s.value).join('/')}`),
    ).toEqual(['agent_name:claude-code/claude_code', 'repo:vllm-project/vllm/vllm']);
    expect(readme).toMatch(/^---\nlicense: "apache-2\.0"\npretty_name: /);
    expect(readme).toContain('size_categories:\n- "n<1K"');
  });

  it('names every difference from the published card with its cause', () => {
    const p = card.published;
    expect(p).not.toBeNull();
    if (!p) return;
    const present = new Set(card.commitList);
    const absent = ctx.catalogueCommits.filter((c) => !present.has(c)).sort();
    expect(absent).toHaveLength(29);
    // hidden commits are counted (they are the split's, checked below); every other cause lists its commits
    const summary = p.differences.map(
      (d) =>
        `${d.id}: ${d.causes.map((c) => `${c.kind}(${c.kind === 'hidden_split' ? c.commits.length : c.commits.join(' ')})`).join(' ')}`,
    );
    expect(summary).toEqual([
      'rows: hidden_split(29)',
      'commits: hidden_split(29)',
      'agent:claude_code:label: label()',
      'agent:claude_code:rows: hidden_split(0)',
      'agent:codex:rows: hidden_split(0)',
      'agent:trae_sonnet45:rows: hidden_split(0)',
      'agent:trae_gpt5:rows: hidden_split(0)',
      'comparison_commits: hidden_split(14) outside_card_comparison(22dd9c27 25ebed2f 67da5720 83450458 9a3b8832 9d72daf4 aea94362 b2e0ad3b eefbf4a6 f092153f)',
      'status:claude_code:valid_for_comparison: hidden_split(9) rows_contradict_card(19d98e0c 89a84b0b)',
      'status:claude_code:missing_human_metric: rows_contradict_card(19d98e0c 89a84b0b)',
      'status:claude_code:patch_failure: hidden_split(5) outside_card_comparison(22dd9c27 25ebed2f 9a3b8832 aea94362 b2e0ad3b eefbf4a6 f092153f) wrong_metric_counted_as_patch_failure(3a243095 e3580537 fc7b8d1e)',
      'status:claude_code:wrong_metric: outside_card_comparison(67da5720 83450458 9d72daf4) wrong_metric_counted_as_patch_failure(3a243095 e3580537 fc7b8d1e)',
      'status:codex:valid_for_comparison: hidden_split(4) outside_card_comparison(22dd9c27 25ebed2f 9a3b8832 9d72daf4 aea94362 b2e0ad3b f092153f)',
      'status:codex:missing_human_metric: outside_card_comparison(eefbf4a6)',
      'status:codex:patch_failure: hidden_split(10) outside_card_comparison(67da5720 83450458)',
      'status:trae_sonnet45:valid_for_comparison: hidden_split(4) outside_card_comparison(22dd9c27 25ebed2f 67da5720 9a3b8832 9d72daf4 aea94362 b2e0ad3b f092153f)',
      'status:trae_sonnet45:missing_human_metric: outside_card_comparison(eefbf4a6)',
      'status:trae_sonnet45:patch_failure: hidden_split(10) outside_card_comparison(83450458)',
      'status:trae_gpt5:valid_for_comparison: hidden_split(3) outside_card_comparison(22dd9c27 25ebed2f aea94362)',
      'status:trae_gpt5:patch_failure: hidden_split(11) outside_card_comparison(67da5720 83450458 9a3b8832 9d72daf4 b2e0ad3b eefbf4a6 f092153f)',
      'failing_for_every_agent: hidden_split(4) outside_card_comparison(0d243f2a 21d93c14 2a052011 2f192835 3092375e 3127e975 379da6dc 526de822 7661e92e 88693683 8aa1485f 8d75fe48 b10e5198 baeded25 bfdb1ba5 d4bc1a4d d55e446d e493e485 ec3b5ce9) wrong_metric_counted_as_patch_failure(3a243095 e3580537 fc7b8d1e)',
      'data_gap:6ce01f30:baseline: rows_contradict_card(6ce01f30)',
      'data_gap:6ce01f30:human: rows_contradict_card(6ce01f30)',
      'changelog:human_ttft_added: hidden_split(3) rows_contradict_card(19d98e0c 89a84b0b e3580537 fc7b8d1e)',
      'quoted:2deb029d:claude_code:agent_throughput: rows_contradict_card(2deb029d)',
      'mode_none: outside_card_comparison(526de822) outside_card_comparison(7661e92e 8d75fe48 baeded25) outside_card_comparison(3127e975)',
      'latency_only: hidden_split(1) outside_card_comparison(526de822 bfdb1ba5)',
      'phase_ran:19d98e0c:baseline: rows_contradict_card(19d98e0c)',
    ]);
    for (const d of p.differences) {
      expect(d.card.length).toBeGreaterThan(0);
      expect(d.rows.length).toBeGreaterThan(0);
      for (const c of d.causes) {
        expect(c.detail.length).toBeGreaterThan(20);
        // the split cause: only commits the input lacks
        if (c.kind === 'hidden_split') for (const x of c.commits) expect(absent).toContain(x);
      }
    }
    const byId = new Map(p.differences.map((d) => [d.id, d]));
    expect(byId.get('rows')).toMatchObject({ card: '361', rows: '251' });
    expect(byId.get('rows')?.causes[0]?.detail).toMatch(
      /holds 67 of the card's 96 commits.*110 rows are missing/,
    );
    expect(byId.get('commits')).toMatchObject({ card: '96', rows: '67' });
    expect(byId.get('comparison_commits')?.card).toMatch(/^43 /);
    expect(byId.get('comparison_commits')?.rows).toMatch(/^39 /);
    expect(byId.get('agent:trae_gpt5:rows')).toMatchObject({ card: '73', rows: '50 (on 50 commits)' });
    expect(byId.get('agent:claude_code:label')?.rows).toBe(
      'claude-code / sonnet-4.5 (64 rows), claude_code / claude-sonnet-4-20250514 (3 rows)',
    );
    // the two Claude Code commits the card calls valid: no row of either holds a human TTFT
    expect(byId.get('status:claude_code:valid_for_comparison')?.causes[1]?.detail).toBe(
      'the rows give "missing human metric": no row of the commit holds a human ttft_mean',
    );
    for (const c of ['19d98e0c', '89a84b0b'])
      expect(t.rows.filter((r) => r.commit_short === c).every((r) => r.human_ttft_mean === null)).toBe(true);
    // the three commits "failing for every agent" where the Parquet Claude Code row holds a throughput
    expect(byId.get('status:claude_code:patch_failure')?.causes[2]?.detail).toBe(
      'the rows give "wrong metric": the agent row holds agent throughput but no agent ttft_mean',
    );

    // each agent's valid list is the card's less the hidden and contradicted commits, plus those outside the 43
    const lb = card.leaderboard;
    const matched = matchCardAgents(PUBLISHED_CARD.agents, lb.agents);
    expect(Object.fromEntries([...matched].map(([id, a]) => [id, a?.key]))).toEqual({
      claude_code: 'claude_code/claude-sonnet-4.5',
      codex: 'codex/gpt-5',
      trae_sonnet45: 'trae/claude-sonnet-4.5',
      trae_gpt5: 'trae/gpt-5',
    });
    for (const ca of PUBLISHED_CARD.agents) {
      const a = matched.get(ca.id);
      const rowsValid = a?.perCommit.filter((x) => x.status === 'valid_for_comparison').map((x) => x.commit);
      const causes = byId.get(`status:${ca.id}:valid_for_comparison`)?.causes ?? [];
      const without = (k: string) => causes.filter((c) => c.kind === k).flatMap((c) => c.commits);
      const expected = ca.validForComparison
        .filter((c) => !without('hidden_split').includes(c) && !without('rows_contradict_card').includes(c))
        .concat(without('outside_card_comparison'));
      expect(rowsValid?.sort(), ca.id).toEqual(expected.sort());
    }

    // the card's other figures: 6ce01f30's human run "Failed", yet its stored raw output is a finished run
    expect(byId.get('data_gap:6ce01f30:human')?.causes[0]?.detail).toMatch(
      /the human raw output of the claude_code row is a finished throughput run \(throughput 11786\.74\): the run did not fail/,
    );
    // the throughput the changelog quotes for 2deb029d is in no row or raw output; the raw output says the row's
    expect(byId.get('quoted:2deb029d:claude_code:agent_throughput')).toMatchObject({
      card: '5446.28',
      rows: '5711.09',
    });
    expect(byId.get('quoted:2deb029d:claude_code:agent_throughput')?.causes[0]?.detail).toBe(
      'the agent raw output (a prefix_caching run) says 5711.09, as the row does; 5446.28 is in no cell and no raw output of the input',
    );
    expect(byId.get('mode_none')).toMatchObject({ card: '2: ce6bf3a2 ccf02fcb' });
    expect(byId.get('mode_none')?.rows).toMatch(/^7: .* \(27 rows\)$/);
    expect(t.rows.filter((r) => r.benchmark_mode === null)).toHaveLength(27);
    expect(
      t.rows
        .filter((r) => r.commit_short === '19d98e0c')
        .every((r) => r.baseline_throughput === null && r.baseline_ttft_mean === null),
    ).toBe(true);
    // every coverage count of the card is a count over the whole release: on this split each is
    // within what the 110 rows held apart could add, so it is put down as unverifiable, with its bound
    const coverage = PUBLISHED_CARD.rowCounts.map((f) => f.id);
    expect(coverage).toHaveLength(29);
    for (const id of coverage) expect(byId.has(id), id).toBe(false);
    const bounded = p.unverifiable.filter((u) => /the 110 rows could add the \d+ more/.test(u));
    expect(bounded).toHaveLength(30); // 29 counts and the 3-way total
    expect(p.unverifiable).toContain(
      "baseline & human metrics: human_throughput (rows with human_throughput non-null): the card's 180, the input's 127: the 110 rows could add the 53 more (the release gives between 127 and 237)",
    );
    expect(p.agreements).toContain(
      'columns: 76 (18 identity, 11 baseline, 11 human, 11 agent, 21 improvement, 4 raw)',
    );

    // the README lists them
    expect(readme).toContain('## Differences from the published card');
    expect(readme).toContain('**total rows** — the card: 361; the rows: 251.');
    expect(readme).toContain('(`hidden_split`)');
    expect(readme).toMatch(
      /rows_contradict_card`\): the rows give "missing human metric".* 19d98e0c 89a84b0b/,
    );
  });
});

describe('export --format hf: bad input and occupied targets', () => {
  it.skipIf(!HAVE_SHARED_DATA)(
    'a CSV with a broken row: the error names the file, row and column; nothing is written',
    async () => {
      const t = await publishedParquet();
      const rows = t.rows.map((r) => ({ ...r }));
      (rows[4] as V5Row).baseline_ttft_mean = 123456.789;
      const bad = join(tmp, 'broken.csv');
      writeFileSync(bad, v5ToCsv(rows).replace('123456.789', 'fast'));
      const out = join(tmp, 'from-broken');
      const err = await exportHf({ input: bad, outDir: out }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TableFileError);
      expect((err as Error).message).toContain(bad);
      expect((err as Error).message).toMatch(
        /row 5 \(baseline_ttft_mean\): expected a finite number, got 'fast'/,
      );
      expect(existsSync(out)).toBe(false);
      expect(leftovers(tmp)).toEqual([]);
    },
  );

  it('an existing non-empty folder is refused without --force, and nothing in it changes', async () => {
    const input = resolve(PROJECT_ROOT, 'results/gpu-demo-nvidia-h200');
    const out = join(tmp, 'occupied');
    mkdirSync(join(out, 'data'), { recursive: true });
    writeFileSync(join(out, 'keep.txt'), 'mine');
    writeFileSync(join(out, 'data', 'old.parquet'), 'old');
    const err = await exportHf({ input, outDir: out }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HfExportError);
    expect((err as Error).message).toContain(`${out}: exists and is not empty`);
    expect((err as Error).message).toContain('--force');
    expect(readdirSync(out).sort()).toEqual(['data', 'keep.txt']);
    expect(readdirSync(join(out, 'data'))).toEqual(['old.parquet']);
    expect(readFileSync(join(out, 'keep.txt'), 'utf8')).toBe('mine');
    expect(leftovers(tmp)).toEqual([]);
    // --force replaces it whole; an empty folder is used as is
    await exportHf({ input, outDir: out, force: true });
    expect(readdirSync(out).sort()).toEqual(['README.md', 'card.json', 'data', 'extended']);
    expect(leftovers(tmp)).toEqual([]);
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    await exportHf({ input, outDir: empty });
    expect(existsSync(join(empty, 'card.json'))).toBe(true);
    // --force never deletes the folder holding the input
    const inner = join(tmp, 'holder');
    mkdirSync(inner);
    writeFileSync(join(inner, 'rows.csv'), readFileSync(join(input, 'rows.v5.csv')));
    const refused = await exportHf({ input: join(inner, 'rows.csv'), outDir: inner, force: true }).catch(
      (e: unknown) => e,
    );
    expect((refused as Error).message).toContain('will not replace it with --force: it holds the input');
    expect(readdirSync(inner)).toEqual(['rows.csv']);
  });

  it('a run folder: the v5 rows as shards and the extended rows as a second config', async () => {
    const input = resolve(PROJECT_ROOT, 'results/gpu-demo-nvidia-h200');
    const out = join(tmp, 'run-release');
    await exportHf({ input, outDir: out });
    const card = readCard(out);
    const ext = readFileSync(join(input, 'rows.ext.jsonl'), 'utf8');
    expect(readFileSync(join(out, 'extended/rows.jsonl'), 'utf8')).toBe(
      `${ext
        .split('\n')
        .filter((l) => l.trim())
        .join('\n')}\n`,
    );
    expect(card.source).toEqual({ name: 'gpu-demo-nvidia-h200', format: 'csv', kind: 'run_folder' });
    expect(card.configs.map((c) => `${c.name}:${c.format}:${c.rows}:${c.files.join(',')}`)).toEqual([
      'default:parquet:1:data/train-00000-of-00001.parquet',
      'extended:jsonl:1:extended/rows.jsonl',
    ]);
    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    expect(readme).toContain('- config_name: "extended"');
    expect(readme).toContain('JSON Lines, not Parquet, because they nest');
    // the run's own leaderboard from its extended rows (version 2 rows: no effort, so no cost)
    const extRow = JSON.parse(ext.split('\n')[0] as string);
    expect(card.runLeaderboard).toHaveLength(1);
    expect(card.runLeaderboard?.[0]).toMatchObject({
      agent: extRow.agent,
      model: extRow.model,
      attempts: 1,
      costUsd: null,
    });
    expect(readme).toContain("## The run's leaderboard (extended rows)");
    expect(readme).toMatch(new RegExp(`\\| ${extRow.agent} \\| ${extRow.model} \\| 1 \\| `));
    const back = await readV5Table(join(out, 'data/train-00000-of-00001.parquet'));
    expect(back.rows).toStrictEqual((await readV5Table(join(input, 'rows.v5.csv'))).rows);
    // a broken extended row is named by file and line
    const bad = join(tmp, 'bad-run');
    mkdirSync(bad);
    writeFileSync(join(bad, 'rows.v5.csv'), readFileSync(join(input, 'rows.v5.csv')));
    writeFileSync(join(bad, 'rows.ext.jsonl'), `${ext.trim()}\n{"schemaVersion": 3,\n`);
    const err = await exportHf({ input: bad, outDir: join(tmp, 'bad-run-out') }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/bad-run\/rows\.ext\.jsonl:2: not valid JSON/);
    expect(existsSync(join(tmp, 'bad-run-out'))).toBe(false);
  });
});

describe.skipIf(!HAVE_SHARED_DATA)('the built CLI', () => {
  const isobench = (...args: string[]) => {
    const r = spawnSync(process.execPath, [resolve(PROJECT_ROOT, 'bin/isobench.mjs'), ...args], {
      encoding: 'utf8',
      cwd: PROJECT_ROOT,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('export --format hf writes the release, with the table `leaderboard --format markdown` prints', () => {
    const out = join(tmp, 'cli-release');
    const r = isobench(
      'export',
      '--format',
      'hf',
      dataPath('v5-rows.parquet'),
      '-o',
      out,
      '--compare-published',
      '--json',
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ schemaVersion: 2, rows: 251, commits: 67 });
    expect(json.files).toEqual(['data/train-00000-of-00001.parquet', 'README.md', 'card.json']);
    expect(json.differences.length).toBe(28);
    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    const md = isobench('leaderboard', dataPath('v5-rows.parquet'), '--format', 'markdown');
    expect(md.code).toBe(0);
    const table = md.stdout.split('\n').filter((l) => l.startsWith('|'));
    expect(table).toHaveLength(6);
    for (const line of table) expect(readme).toContain(line);
    // a second run into the same folder is refused, exit 2
    const again = isobench('export', dataPath('v5-rows.parquet'), '-o', out);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('exists and is not empty');
    const fmt = isobench('export', '--format', 'csv', dataPath('v5-rows.parquet'), '-o', join(tmp, 'x'));
    expect(fmt.code).toBe(2);
    expect(fmt.stderr).toContain(
      "option '--format <format>' argument 'csv' is invalid. Allowed choices are hf.",
    );
  });
});
