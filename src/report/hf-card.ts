/**
 * The dataset card of an `isobench export --format hf` release, computed from the rows: totals,
 * agents (as written and normalised), coverage by benchmark mode, the card's per-agent summary
 * ({@link computeLeaderboard}, scope 'card', ±5% band), the known gaps (audit findings by kind,
 * spellings, short hashes, commits without agent or human numbers). Pure: the same rows and context give the same card; the
 * Markdown ({@link renderHfReadme}) is rendered from the card's numbers only.
 */
import { AUDIT_KIND_MEANING, type AuditContext, type AuditKind, auditRows } from '../published/audit.js';
import { parseJson } from '../util/json.js';
import { computeLeaderboard } from '../v5/leaderboard.js';
import { canonicalAgent, canonicalModel, canonicalRepo } from '../v5/names.js';
import {
  isV5Column,
  metricColumn,
  V5_COLUMN_TYPES,
  V5_COLUMNS,
  V5_METRICS,
  type V5Metric,
  type V5Phase,
  type V5Row,
} from '../v5/schema.js';
import type {
  AgentCount,
  AgentLabelCount,
  HfCard,
  HfCardContext,
  HfCardInput,
  HfGaps,
  NameVariant,
  ShardPlan,
} from './hf-card-types.js';
import { HF_CARD_VERSION } from './hf-card-types.js';
import { leaderboardMarkdownTable, leaderboardNotes, runBoardMarkdownTable } from './leaderboard-format.js';

// the card's types and version, for the modules that read cards
export * from './hf-card-types.js';

/** Rows per Parquet shard unless `--shard-rows` says otherwise. */
export const DEFAULT_SHARD_ROWS = 5000;

const sortedUnique = (xs: Iterable<string>) => [...new Set(xs)].sort();
const listWords = (xs: readonly string[]) => (xs.length ? xs.join(' ') : 'none');

/** Whether a row holds a number of a phase (any primary metric, or the one named). */
function hasPhase(row: V5Row, phase: V5Phase, metric: V5Metric | null = null): boolean {
  return metric === null
    ? V5_METRICS.some((m) => typeof row[metricColumn(phase, m)] === 'number')
    : typeof row[metricColumn(phase, metric)] === 'number';
}

/** The per-agent summary's scope and band in the card (those of `isobench leaderboard FILE`). */
export const HF_CARD_LEADERBOARD = { scope: 'card', band: 5 } as const;

/**
 * Splits `rows` rows into shards of at most `shardRows` (a positive integer), named the way the hub
 * names converted splits (`data/train-00000-of-00003.parquet`). An empty table gets one empty shard.
 */
export function planShards(rows: number, shardRows: number): ShardPlan[] {
  if (!Number.isInteger(shardRows) || shardRows < 1)
    throw new RangeError(`shard size must be a positive integer, got ${shardRows}`);
  const n = Math.max(1, Math.ceil(rows / shardRows));
  const pad = (i: number) => String(i).padStart(5, '0');
  return Array.from({ length: n }, (_, i) => ({
    path: `data/train-${pad(i)}-of-${pad(n)}.parquet`,
    start: i * shardRows,
    end: Math.min(rows, (i + 1) * shardRows),
  }));
}

/** The hub's size category of a row count. */
export function sizeCategory(rows: number): string {
  const steps: Array<[number, string]> = [
    [1e3, 'n<1K'],
    [1e4, '1K<n<10K'],
    [1e5, '10K<n<100K'],
    [1e6, '100K<n<1M'],
    [1e7, '1M<n<10M'],
  ];
  for (const [limit, name] of steps) if (rows < limit) return name;
  return '10M<n<100M';
}

/** Items grouped by key; each group holds at least its first item. */
function countBy<T, K extends string>(items: readonly T[], key: (t: T) => K): Map<K, [T, ...T[]]> {
  const m = new Map<K, [T, ...T[]]>();
  for (const it of items) {
    const k = key(it);
    const g = m.get(k);
    if (g) g.push(it);
    else m.set(k, [it]);
  }
  return m;
}

function agentLabels(rows: readonly V5Row[]): AgentLabelCount[] {
  const groups = countBy(rows, (r) => JSON.stringify([r.agent_name, r.agent_model]));
  return [...groups.values()]
    .map((g) => {
      const first = g[0];
      return {
        agentName: first.agent_name,
        agentModel: first.agent_model,
        agent: canonicalAgent(first.agent_name ?? '?'),
        model: canonicalModel(first.agent_model ?? '?'),
        rows: g.length,
        commits: new Set(g.map((r) => r.commit_short)).size,
      };
    })
    .sort(
      (a, b) =>
        a.agent.localeCompare(b.agent) ||
        a.model.localeCompare(b.model) ||
        b.rows - a.rows ||
        String(a.agentName).localeCompare(String(b.agentName)),
    );
}

function normalisedAgents(rows: readonly V5Row[], labels: readonly AgentLabelCount[]): AgentCount[] {
  const groups = countBy(
    rows,
    (r) => `${canonicalAgent(r.agent_name ?? '?')}/${canonicalModel(r.agent_model ?? '?')}`,
  );
  return [...groups.entries()]
    .map(([key, g]) => {
      const [agent = '', model = ''] = [
        canonicalAgent(g[0]?.agent_name ?? '?'),
        canonicalModel(g[0]?.agent_model ?? '?'),
      ];
      return {
        agent,
        model,
        rows: g.length,
        commits: new Set(g.map((r) => r.commit_short)).size,
        spellings: labels.filter((l) => `${l.agent}/${l.model}` === key).length,
      };
    })
    .sort((a, b) => a.agent.localeCompare(b.agent) || a.model.localeCompare(b.model));
}

function coverage(rows: readonly V5Row[]): HfCard['coverage'] {
  const byModeGroups = countBy(rows, (r) => JSON.stringify(r.benchmark_mode));
  const byMode = [...byModeGroups.values()]
    .map((g) => ({
      mode: g[0]?.benchmark_mode ?? null,
      commits: new Set(g.map((r) => r.commit_short)).size,
      rows: g.length,
    }))
    .sort((a, b) => b.rows - a.rows || String(a.mode).localeCompare(String(b.mode)));
  const agentMode = countBy(rows, (r) =>
    JSON.stringify([
      canonicalAgent(r.agent_name ?? '?'),
      canonicalModel(r.agent_model ?? '?'),
      r.benchmark_mode,
    ]),
  );
  const byAgentMode = [...agentMode.entries()]
    .map(([k, g]) => {
      const parts = parseJson(k);
      const [agent, model, mode] = Array.isArray(parts) ? parts : [];
      return {
        agent: String(agent),
        model: String(model),
        mode: typeof mode === 'string' ? mode : null,
        rows: g.length,
      };
    })
    .sort(
      (a, b) =>
        a.agent.localeCompare(b.agent) ||
        a.model.localeCompare(b.model) ||
        String(a.mode).localeCompare(String(b.mode)),
    );
  return { byMode, byAgentMode };
}

function nameVariants(rows: readonly V5Row[]): NameVariant[] {
  const out: NameVariant[] = [];
  const columns: Array<[NameVariant['column'], (v: string) => string]> = [
    ['agent_name', canonicalAgent],
    ['agent_model', canonicalModel],
    ['repo', canonicalRepo],
  ];
  for (const [column, canon] of columns) {
    const values = rows.flatMap((r) => {
      const v = r[column];
      return v === null ? [] : [v];
    });
    const byCanonical = countBy(values, canon);
    for (const [canonical, g] of [...byCanonical].sort((a, b) => a[0].localeCompare(b[0]))) {
      const spellings = [...countBy(g, (v) => v)]
        .map(([value, rs]) => ({ value, rows: rs.length }))
        .sort((a, b) => b.rows - a.rows || a.value.localeCompare(b.value));
      if (spellings.length > 1) out.push({ column, canonical, spellings });
    }
  }
  return out;
}

function gaps(rows: readonly V5Row[], rowNumbers: readonly number[], ctx: AuditContext): HfGaps {
  const byCommit = countBy(
    rows.filter((r): r is V5Row & { commit_short: string } => !!r.commit_short),
    (r) => r.commit_short,
  );
  const commitsWhere = (pred: (rs: V5Row[]) => boolean) =>
    [...byCommit]
      .filter(([, rs]) => pred(rs))
      .map(([c]) => c)
      .sort();
  const findings = auditRows(rows, rowNumbers, ctx);
  const byKind = countBy(findings, (f) => f.kind);
  const rowsOf = (kind: AuditKind) => new Set((byKind.get(kind) ?? []).map((f) => f.row));
  const derivedRows = new Set([
    ...rowsOf('derived_mismatch'),
    ...rowsOf('derived_missing'),
    ...rowsOf('derived_without_inputs'),
  ]);
  return {
    noAgentMetrics: commitsWhere((rs) => rs.every((r) => !hasPhase(r, 'agent'))),
    noHumanMetric: commitsWhere((rs) => rs.every((r) => !hasPhase(r, 'human'))),
    noBaselineMetric: commitsWhere((rs) => rs.every((r) => !hasPhase(r, 'baseline'))),
    audit: {
      findings: findings.length,
      rowsWithFindings: new Set(findings.map((f) => f.row)).size,
      byKind: [...byKind]
        .map(([kind, fs]) => ({
          kind,
          severity: fs[0]?.severity ?? 'info',
          meaning: AUDIT_KIND_MEANING[kind],
          findings: fs.length,
          rows: new Set(fs.map((f) => f.row)).size,
        }))
        .sort((a, b) => b.findings - a.findings || a.kind.localeCompare(b.kind)),
      derived: {
        mismatchRows: rowsOf('derived_mismatch').size,
        missingRows: rowsOf('derived_missing').size,
        withoutInputsRows: rowsOf('derived_without_inputs').size,
        rows: derivedRows.size,
      },
    },
    nameVariants: nameVariants(rows),
    shortHashes: rows.flatMap((r, i) =>
      r.commit_hash !== null && r.commit_hash.length !== 40
        ? [
            {
              row: rowNumbers[i] ?? i + 1,
              commitShort: r.commit_short,
              commitHash: r.commit_hash,
              agentName: r.agent_name,
            },
          ]
        : [],
    ),
  };
}

/** Computes the card of a release. */
export function computeHfCard(input: HfCardInput, ctx: HfCardContext = {}): HfCard {
  const { rows, rowNumbers } = input;
  const commitList = sortedUnique(rows.map((r) => r.commit_short ?? '').filter((c) => c));
  const labels = agentLabels(rows);
  const leaderboard = computeLeaderboard(rows, rowNumbers, HF_CARD_LEADERBOARD, ctx);
  const card: HfCard = {
    schemaVersion: HF_CARD_VERSION,
    prettyName: 'ISO-Bench schema-v5 rows (isobench export)',
    license: 'apache-2.0',
    source: input.source,
    rows: rows.length,
    columns: [...V5_COLUMNS],
    commits: commitList.length,
    commitList,
    sizeCategory: sizeCategory(rows.length),
    configs: [
      { name: 'default', format: 'parquet', files: input.shards.map((s) => s.path), rows: rows.length },
      ...(input.extended
        ? [
            {
              name: 'extended',
              format: 'jsonl' as const,
              files: [input.extended.path],
              rows: input.extended.rows,
            },
          ]
        : []),
    ],
    extended: input.extended,
    agents: { labels, normalised: normalisedAgents(rows, labels) },
    coverage: coverage(rows),
    leaderboard,
    runLeaderboard: input.runBoard ?? null,
    gaps: gaps(rows, rowNumbers, ctx),
  };
  return card;
}

// ---------------------------------------------------------------------------------------------
// Markdown

/** A Markdown table cell: pipes escaped, line breaks flattened. */
function cell(v: unknown): string {
  const s = v === null || v === undefined ? '(none)' : String(v);
  return s.replaceAll('|', '\\|').replace(/\r?\n/g, ' ');
}

function table(head: readonly string[], body: ReadonlyArray<readonly unknown[]>): string[] {
  return [
    `| ${head.map(cell).join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...body.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}

/** A YAML scalar: JSON's double-quoted strings are YAML too. */
const y = (s: string | number) => (typeof s === 'number' ? String(s) : JSON.stringify(s));

function yamlFeature(col: string): string[] {
  switch (isV5Column(col) ? V5_COLUMN_TYPES[col] : undefined) {
    case 'string':
      return [`    - name: ${y(col)}`, '      dtype: "string"'];
    case 'string_list':
      return [`    - name: ${y(col)}`, '      sequence: "string"'];
    case 'bool':
      return [`    - name: ${y(col)}`, '      dtype: "bool"'];
    case 'double':
      return [`    - name: ${y(col)}`, '      dtype: "float64"'];
    default:
      throw new Error(`no feature type for column ${col}`);
  }
}

/** The YAML front matter in the hub's dataset-card format (license, name, tags, size, configs, features). */
export function renderFrontMatter(card: HfCard): string[] {
  const lines = [
    '---',
    `license: ${y(card.license)}`,
    `pretty_name: ${y(card.prettyName)}`,
    'language:',
    '- "en"',
    'tags:',
    ...['benchmark', 'code', 'performance-optimization', 'llm-agents', 'vllm', 'iso-bench'].map(
      (t) => `- ${y(t)}`,
    ),
    'size_categories:',
    `- ${y(card.sizeCategory)}`,
    'configs:',
  ];
  for (const c of card.configs) {
    lines.push(`- config_name: ${y(c.name)}`);
    if (c.name === 'default') lines.push('  default: true');
    lines.push('  data_files:', '  - split: "train"', '    path:');
    for (const f of c.files) lines.push(`    - ${y(f)}`);
  }
  lines.push(
    'dataset_info:',
    '- config_name: "default"',
    '  features:',
    ...card.columns.flatMap(yamlFeature),
    '  splits:',
    '  - name: "train"',
    `    num_examples: ${card.rows}`,
    '---',
  );
  return lines;
}

function modeName(m: string | null): string {
  return m ?? '(empty)';
}

/** The dataset card: front matter and a body computed from the card's numbers. */
export function renderHfReadme(card: HfCard): string {
  return [
    ...renderFrontMatter(card),
    '',
    `# ${card.prettyName}`,
    '',
    `Benchmark rows of coding agents optimising performance commits (the baseline, the human commit and each agent's patch measured), in the published ISO-Bench schema v5 (${card.columns.length} columns, the published order and types). Exported by \`isobench export --format hf\` from \`${card.source.name}\` (${card.source.kind === 'run_folder' ? `a run folder; its ${card.source.format} rows` : `a ${card.source.format} table`}). Every number on this card is computed from the rows; \`card.json\` holds the same numbers for tools.`,
    ...summarySection(card),
    ...filesSection(card),
    ...agentsSection(card),
    ...coverageSection(card),
    ...comparisonSection(card),
    ...gapsSection(card),
    '',
    '## License',
    '',
    'Apache-2.0, as the ISO-Bench release these rows come from.',
    '',
  ].join('\n');
}

function summarySection(card: HfCard): string[] {
  return [
    '',
    '## Summary',
    '',
    ...table(
      ['', ''],
      [
        ['rows', card.rows],
        ['columns', card.columns.length],
        ['unique commits', card.commits],
        ['agent and model labels (as written)', card.agents.labels.length],
        ['agents and models (normalised)', card.agents.normalised.length],
        ['run series in the per-agent comparison', card.leaderboard.agents.length],
        ['Parquet shards', card.configs[0]?.files.length ?? 0],
        ...(card.extended ? [['extended rows', card.extended.rows]] : []),
      ],
    ),
  ];
}

function filesSection(card: HfCard): string[] {
  return [
    '',
    '## Files and configs',
    '',
    ...table(
      ['config', 'format', 'rows', 'files'],
      card.configs.map((c) => [c.name, c.format, c.rows, c.files.join(', ')]),
    ),
    '',
    '`default` holds exactly the published schema-v5 columns, in the published order: strings, `float64` metrics (milliseconds for latencies, tokens/s for throughput), a boolean `has_agent_patch`, and `files_changed` and `models` as lists of strings. Empty cells are nulls.',
    ...(card.extended
      ? [
          '',
          `\`extended\` holds isobench's own rows of the run (schemaVersion ${card.extended.schemaVersions.join(', ') || '?'}): per variant the samples and their summary, the confidence intervals, verdicts, failure class, patch, tamper and equivalence checks and the machine fingerprint. They are JSON Lines, not Parquet, because they nest objects and lists several levels deep.`,
        ]
      : []),
  ];
}

function agentsSection(card: HfCard): string[] {
  return [
    '',
    '## Agents',
    '',
    'As written in the rows, with the names isobench normalises them to:',
    '',
    ...table(
      ['agent_name', 'agent_model', 'agent (normalised)', 'model (normalised)', 'rows', 'commits'],
      card.agents.labels.map((l) => [l.agentName, l.agentModel, l.agent, l.model, l.rows, l.commits]),
    ),
    '',
    'Normalised:',
    '',
    ...table(
      ['agent', 'model', 'rows', 'commits', 'spellings'],
      card.agents.normalised.map((a) => [a.agent, a.model, a.rows, a.commits, a.spellings]),
    ),
  ];
}

function coverageSection(card: HfCard): string[] {
  const modes = card.coverage.byMode.map((m) => m.mode);
  const rowsOf = (a: { agent: string; model: string }, m: string | null) =>
    card.coverage.byAgentMode.find((x) => x.agent === a.agent && x.model === a.model && x.mode === m)?.rows ??
    0;
  return [
    '',
    '## Coverage',
    '',
    ...table(
      ['benchmark_mode', 'commits', 'rows'],
      card.coverage.byMode.map((m) => [modeName(m.mode), m.commits, m.rows]),
    ),
    '',
    'Rows per agent and mode:',
    '',
    ...table(
      ['agent', 'model', ...modes.map(modeName), 'total'],
      card.agents.normalised.map((a) => [a.agent, a.model, ...modes.map((m) => rowsOf(a, m)), a.rows]),
    ),
  ];
}

function comparisonSection(card: HfCard): string[] {
  const lb = card.leaderboard;
  return [
    '',
    '## Per-agent comparison',
    '',
    `The dataset card's summary recomputed from these rows (\`isobench leaderboard FILE --format markdown\` prints the same table): over the commits in scope (${lb.scope} scope: every commit with a baseline or human measurement, less the card's 9 wrong perf commands and 1 data issue), each agent's row is valid for comparison, a patch failure (no agent metrics), missing the human metric, or holds agent metrics but not the primary one (wrong metric); over the valid ones, the agent beats, matches or trails the human on the primary metric within ±${lb.band}%.`,
    '',
    ...leaderboardMarkdownTable(lb),
    '',
    ...leaderboardNotes(lb).map((l) => `- ${l}`),
    ...(card.runLeaderboard
      ? [
          '',
          "## The run's leaderboard (extended rows)",
          '',
          "From the `extended` config, as `isobench leaderboard RUN_DIR --markdown` prints it: hard success (credited, i.e. outputs equivalent, and beating or matching the human by the interval of agent vs human), true success (hard and on the human's bottleneck, as judged), valid rate, the median agent-vs-human estimate with a 95% interval, output checks, tamper findings, failures by class, cost and tokens.",
          '',
          ...runBoardMarkdownTable(card.runLeaderboard),
        ]
      : []),
  ];
}

function gapsSection(card: HfCard): string[] {
  const g = card.gaps;
  return [
    '',
    '## Known gaps',
    '',
    `- ${g.noAgentMetrics.length} commit(s) where every agent row lacks agent metrics: ${listWords(g.noAgentMetrics)}`,
    `- ${g.noHumanMetric.length} commit(s) with no human metric in any row: ${listWords(g.noHumanMetric)}`,
    `- ${g.noBaselineMetric.length} commit(s) with no baseline metric in any row: ${listWords(g.noBaselineMetric)}`,
    `- derived columns: ${g.audit.derived.mismatchRows} row(s) with a derived column that disagrees with its formula, ${g.audit.derived.missingRows} row(s) with derived columns left empty although their inputs exist, ${g.audit.derived.withoutInputsRows} row(s) with derived columns set without their inputs (${g.audit.derived.rows} row(s) in all)`,
    `- ${g.shortHashes.length} row(s) with a short hash in \`commit_hash\`${g.shortHashes.length ? `: ${g.shortHashes.map((s) => `row ${s.row} (${s.commitHash})`).join(', ')}` : ''}`,
    `- name spellings: ${g.nameVariants.length ? g.nameVariants.map((v) => `\`${v.column}\` ${v.spellings.map((s) => `'${s.value}' (${s.rows})`).join(' / ')} → '${v.canonical}'`).join('; ') : 'one spelling per name'}`,
    '',
    `\`isobench dataset audit\` finds ${g.audit.findings} finding(s) in ${g.audit.rowsWithFindings} row(s):`,
    '',
    ...table(
      ['kind', 'severity', 'findings', 'rows', 'meaning'],
      g.audit.byKind.map((k) => [k.kind, k.severity, k.findings, k.rows, k.meaning]),
    ),
  ];
}
