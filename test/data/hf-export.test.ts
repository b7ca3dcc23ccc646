/**
 * `isobench export --format hf`: the release holds exactly the input rows (76 columns, published
 * order, lists and nulls), its card's numbers are those of the rows (with no comparison with the
 * published card: docs/published-card-comparison.md keeps its findings), bad input and an occupied
 * target change nothing, and the built CLI runs it.
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
import { auditRows } from '../../src/published/audit.js';
import { PUBLISHED_CARD } from '../../src/published/card.js';
import { matchCardAgents } from '../../src/published/card-table.js';
import { HF_CARD_VERSION, type HfCard } from '../../src/report/hf-card.js';
import { exportHf, HfExportError } from '../../src/report/hf-export.js';
import { loadTaskSummaries } from '../../src/task/loader.js';
import { readV5Table, TableFileError, type V5Table, v5ToCsv } from '../../src/v5/io.js';
import { computeLeaderboard } from '../../src/v5/leaderboard.js';
import { canonicalAgent, canonicalModel } from '../../src/v5/names.js';
import { metricColumn, V5_COLUMNS, V5_METRICS, type V5Row } from '../../src/v5/schema.js';
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

  it("the card's agent lines match the rows' run series; card.json v3 holds no comparison with the card", () => {
    const matched = matchCardAgents(PUBLISHED_CARD.agents, card.leaderboard.agents);
    expect(Object.fromEntries([...matched].map(([id, a]) => [id, a?.key]))).toEqual({
      claude_code: 'claude_code/claude-sonnet-4.5',
      codex: 'codex/gpt-5',
      trae_sonnet45: 'trae/claude-sonnet-4.5',
      trae_gpt5: 'trae/gpt-5',
    });
    expect(HF_CARD_VERSION).toBe(3);
    expect(card).not.toHaveProperty('published');
    expect(readme).not.toContain('## Differences from the published card');
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
    const r = isobench('export', '--format', 'hf', dataPath('v5-rows.parquet'), '-o', out, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ schemaVersion: 3, rows: 251, commits: 67 });
    expect(json.files).toEqual(['data/train-00000-of-00001.parquet', 'README.md', 'card.json']);
    expect(json).not.toHaveProperty('differences');
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
      "option '--format <format>' argument 'csv' is invalid. Allowed choices are hf, atif.",
    );
  });
});
