/** The built `isobench` command, run as a user runs it (the bundle is built by the global setup). */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { quickRun } from '../support/cli.js';
import { HAVE_DOCKER } from '../support/docker.js';
import { dataPath, HAVE_SHARED_DATA, PROJECT_ROOT } from '../support/shared-data.js';

function isobenchWith(
  env: Record<string, string>,
  ...args: string[]
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [resolve(PROJECT_ROOT, 'bin/isobench.mjs'), ...args], {
    encoding: 'utf8',
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const isobench = (...args: string[]) => isobenchWith({}, ...args);

const tmp = mkdtempSync(join(tmpdir(), 'isobench-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('isobench tasks', () => {
  it('validate: loads the shipped catalogue and summarises it', () => {
    const r = isobench('tasks', 'validate');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('99 task(s) loaded, 0 problem(s)');
    expect(r.stdout).toMatch(/benchmarkable: \d+/);
    expect(r.stdout).toMatch(/model_unsupported_at_commit\s+\d+\s+.*80aa7e91/);
    expect(r.stdout).toContain(
      'catalogue research (src/task/repairs.ts): 14 repaired, 7 maybe, 23 no repair',
    );
  });

  it('validate: a malformed file is named with its field; the others still load', () => {
    const dir = join(tmp, 'tasks');
    cpSync(resolve(PROJECT_ROOT, 'tasks/vllm/015069b0.json'), join(dir, 'vllm/015069b0.json'));
    const bad = JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'tasks/vllm/0d243f2a.json'), 'utf8'));
    bad.hardware.count = 'one';
    writeFileSync(join(dir, 'vllm/0d243f2a.json'), JSON.stringify(bad));
    const r = isobench('tasks', 'validate', '--dir', dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('1 task(s) loaded, 1 problem(s)');
    expect(r.stderr).toMatch(/0d243f2a\.json \(hardware\.count\): .*expected number/i);
  });

  it('list and show', () => {
    const list = isobench('tasks', 'list', '--status', 'benchmarkable', '--json');
    expect(list.code).toBe(0);
    const json = JSON.parse(list.stdout);
    expect(json.tasks.every((t: { benchmarkable: { ok: boolean } }) => t.benchmarkable.ok)).toBe(true);
    const show = isobench('tasks', 'show', '015069b0');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(
      'server argv  ["python3","-m","vllm.entrypoints.openai.api_server","--model","Qwen/Qwen2.5-7B-Instruct","--port","8000"]',
    );
    expect(show.stdout).toContain('client argv  ["python","benchmarks/benchmark_serving.py"');
    // the text list says what a demo task needs, not "0xH100"
    const text = isobench('tasks', 'list');
    expect(text.stdout).toMatch(/^demo\/cpu-latency +latency +\S+ +none \(CPU\)/m);
    expect(text.stdout).toMatch(/^vllm\/015069b0 +serving +\S+ +1xH100/m);
    expect(text.stdout).not.toContain('0xH100');
    // the catalogue research's verdict, per task
    expect(text.stdout).toMatch(/^vllm\/2f192835 .* benchmarkable \(repaired\)$/m);
    expect(text.stdout).toMatch(
      /^vllm\/61b8cea3 .* not benchmarkable: workload_misses_change \(repair: maybe\)$/m,
    );
    expect(text.stdout).toMatch(/^vllm\/3127e975 .* not benchmarkable: no_perf_command \(repair: no\)$/m);
    // a mistyped id gets the nearest one
    const typo = isobench('tasks', 'show', 'demo/cpu-latncy');
    expect(typo.stderr).toContain('did you mean demo/cpu-latency?');
    // an argument error stays on screen: one hint line, not the whole help
    const bad = isobench('run', '--repeats', 'x');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([
      "error: option '--repeats <n>' argument 'x' is invalid. expected an integer of at least 1",
      "(add --help for the command's options)",
    ]);
    const missing = isobench('tasks', 'show', 'deadbeef');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("tasks show: 'deadbeef' names no task in");
  });

  it.skipIf(!HAVE_SHARED_DATA)('import --check: the committed files are what the importer writes', () => {
    const r = isobench('tasks', 'import', '--from', dataPath(), '--check');
    expect(r.stdout).toContain('96 task(s) imported; 96 match');
    expect(r.code).toBe(0);
  });
});

describe.skipIf(!HAVE_SHARED_DATA)('isobench dataset and leaderboard', () => {
  it('audit prints the same finding kinds for the Parquet and the CSV release', () => {
    const pq = isobench('dataset', 'audit', dataPath('v5-rows.parquet'), '--json');
    const csv = isobench('dataset', 'audit', dataPath('v5-rows.csv'), '--json');
    expect(pq.code).toBe(1);
    expect(csv.code).toBe(1);
    const [a, b] = [JSON.parse(pq.stdout), JSON.parse(csv.stdout)];
    expect(a.rows).toBe(251);
    expect(Object.keys(a.summary.byKind).sort()).toEqual(Object.keys(b.summary.byKind).sort());
    expect(a.summary.byKind.derived_mismatch).toBe(17);
    const text = isobench('dataset', 'audit', dataPath('v5-rows.parquet'), '--kind', 'derived_mismatch');
    expect(text.stdout).toMatch(
      /row \d+\s+9badee53\s+claude-code\s+human_improvement_throughput\s+derived_mismatch: published -11\.494418, the formula gives -67\.660628/,
    );
  });

  it('regrade writes a corrected table in the format of --out, and its audit is clean of formula findings', () => {
    const out = join(tmp, 'regraded.csv');
    const changes = join(tmp, 'changes.json');
    const r = isobench('dataset', 'regrade', dataPath('v5-rows.parquet'), '--out', out, '--changes', changes);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\d+ cell\(s\) changed/);
    expect(r.stdout).toMatch(/\d+ published value\(s\) kept unverified/);
    const report = JSON.parse(readFileSync(changes, 'utf8'));
    expect(report.schemaVersion).toBe(2);
    const changed = report.changes.filter((c: { action: string }) => c.action === 'changed');
    expect(changed.length).toBeGreaterThan(500);
    expect(r.stdout).toContain(`${changed.length} cell(s) changed`);
    const audit = JSON.parse(isobench('dataset', 'audit', out, '--json').stdout);
    for (const k of ['derived_missing', 'derived_mismatch', 'metric_mismatch'])
      expect(audit.summary.byKind[k]).toBeUndefined();
    // what the audit still calls not applicable is a published value regrade kept, flagged
    const kept = new Set(
      report.changes
        .filter((c: { action: string }) => c.action === 'kept')
        .map((c: { row: number; column: string }) => `${c.row} ${c.column}`),
    );
    const notApplicable = audit.findings.filter((f: { kind: string }) => f.kind === 'metric_not_applicable');
    expect(notApplicable.length).toBeGreaterThan(0);
    for (const f of notApplicable)
      expect(kept.has(`${f.row} ${f.column}`), `${f.row} ${f.column}`).toBe(true);
  });

  it('diff shows where the two releases differ', () => {
    const r = isobench('dataset', 'diff', dataPath('v5-rows.parquet'), dataPath('v5-rows.csv'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/cell\(s\) differ in \d+ row\(s\)/);
    expect(r.stdout).toMatch(/2deb029d\s+claude-code\s+benchmark_mode\s+"prefix_caching"\s+"standalone"/);
  });

  it('leaderboard prints the card summary as a table, Markdown and JSON', () => {
    const table = isobench('leaderboard', dataPath('v5-rows.csv'));
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('Valid for comparison');
    expect(table.stdout).toContain('TRAE (gpt-5)');
    const md = isobench('leaderboard', dataPath('v5-rows.csv'), '--format', 'markdown');
    expect(md.stdout.split('\n')[0]).toMatch(/^\| Agent \| Commits \| Valid for comparison/);
    const json = JSON.parse(
      isobench('leaderboard', dataPath('v5-rows.csv'), '--format', 'json', '--scope', 'all').stdout,
    );
    expect(json.scope).toBe('all');
    expect(json.agents).toHaveLength(4);
    // the card's own 43-commit table beside the rows', each difference named
    const card43 = isobench('leaderboard', dataPath('v5-rows.csv'), '--scope', 'card43');
    expect(card43.code).toBe(0);
    expect(card43.stdout).toContain('29 of its 43 commits in these rows');
    expect(card43.stdout).toMatch(
      /claude_code \/ claude-sonnet-4-20250514 = Claude Code: card 28 valid \/ 15 patch failure \/ 0 missing human over its 43/,
    );
    expect(card43.stdout).toContain(
      '    89a84b0b: the card counts valid for comparison; the row is missing human metric',
    );
    expect(card43.stdout).toMatch(/codex \/ gpt-5 = Codex: .*: the same on every commit/);
    const card43json = JSON.parse(
      isobench('leaderboard', dataPath('v5-rows.csv'), '--json', '--scope', 'card43').stdout,
    );
    expect(card43json.card.lines.map((l: { cardAgent: string }) => l.cardAgent)).toEqual([
      'claude_code',
      'codex',
      'trae_sonnet45',
      'trae_gpt5',
    ]);
  });

  it('leaderboard of a v5 table: --sort, --agent, --model and --mode select and order the lines', () => {
    const lines = (...a: string[]) =>
      JSON.parse(isobench('leaderboard', dataPath('v5-rows.parquet'), '--json', ...a).stdout);
    const byValid = lines('--sort', 'valid').agents.map(
      (x: { counts: { valid_for_comparison: number } }) => x.counts.valid_for_comparison,
    );
    expect(byValid).toEqual([...byValid].sort((a: number, b: number) => b - a));
    const codex = lines('--agent', 'codex');
    expect(codex.agents.map((x: { display: string }) => x.display)).toEqual(['Codex']);
    expect(codex.filters).toEqual({ agent: 'codex', model: null, mode: null });
    expect(lines('--model', 'gpt-5').agents).toHaveLength(2); // codex and TRAE with gpt-5
    // one mode: the summary covers fewer commits
    const all = lines();
    const serving = lines('--mode', 'serving');
    expect(serving.commitsInScope.length).toBeLessThan(all.commitsInScope.length);
    const none = isobench('leaderboard', dataPath('v5-rows.parquet'), '--agent', 'nobody');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no agent line matches --agent nobody');
    const badSort = isobench('leaderboard', dataPath('v5-rows.parquet'), '--sort', 'cost');
    expect(badSort.code).toBe(2);
    expect(badSort.stderr).toContain('--sort for a v5 table must be one of');
  });

  it('leaderboard of extended rows: quadrant, correctness, tamper and cost columns; --sort cost orders by cost per attempt', async () => {
    const { syntheticRows } = await import('../support/synthetic-rows.js');
    const file = join(tmp, 'lb.ext.jsonl');
    writeFileSync(
      file,
      syntheticRows(500, 3)
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const json = JSON.parse(isobench('leaderboard', file, '--json', '--sort', 'cost').stdout);
    const costs = json.agents.map((a: { costPerAttempt: number }) => a.costPerAttempt);
    expect(costs).toEqual([...costs].sort((a: number, b: number) => a - b));
    expect(json.agents[0]).toMatchObject({ quadrants: expect.any(Object), tamper: expect.any(Object) });
    const md = isobench('leaderboard', file, '--markdown', '--agent', 'codex');
    expect(md.code).toBe(0);
    const mdLines = md.stdout.trim().split('\n');
    expect(mdLines[0]).toMatch(
      /\| True success \| Good intent \/ lucky win \/ failure \|.*\| Cost\/attempt \| Cost\/success \|/,
    );
    expect(mdLines).toHaveLength(3); // head, rule, codex
    const table = isobench('leaderboard', file, '--mode', 'serving');
    expect(table.stdout).toMatch(/\d+ row\(s\) from .*lb\.ext\.jsonl; sorted by hard/);
  });

  it('bad input: a missing file and a table with wrong columns exit 2 naming the file', () => {
    const missing = isobench('dataset', 'audit', join(tmp, 'nope.parquet'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.parquet: cannot read');
    const wrong = join(tmp, 'wrong.csv');
    writeFileSync(wrong, 'a,b\n1,2\n');
    const r = isobench('leaderboard', wrong);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/wrong\.csv: not a schema-v5 table: missing column\(s\) commit_hash/);
    const fmt = isobench('dataset', 'regrade', dataPath('v5-rows.csv'), '--out', join(tmp, 'x.xlsx'));
    expect(fmt.code).toBe(2);
    expect(fmt.stderr).toContain("unknown table format '.xlsx'");
  });
});

describe('isobench run: the executor it picks by default', () => {
  const quick = ['run', '--tasks', 'demo/cpu-latency', '--repeats', '1', '--warmup', '0'];
  it('falls back to local processes when no Docker engine answers, and says why', () => {
    const out = join(tmp, 'auto-local');
    const r = isobenchWith(
      { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
      ...quick,
      '--out',
      out,
      '--run-id',
      'a',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/local executor \(auto: no Docker engine: .*nonexistent/);
    // the example agent has patches for three demo tasks; only the one of the task run counts
    expect(r.stdout).toContain('1 task(s), 1 agent patch(es)');
    expect(JSON.parse(readFileSync(join(out, 'a', 'run.json'), 'utf8')).executor).toBe('local');
  });

  it.skipIf(!HAVE_DOCKER)('uses Docker when the engine answers and has the image', () => {
    const out = join(tmp, 'auto-docker');
    const r = isobench(...quick, '--out', out, '--run-id', 'd');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('docker executor (auto: the Docker engine answers and has the image)');
    expect(JSON.parse(readFileSync(join(out, 'd', 'run.json'), 'utf8')).executor).toBe('docker');
  });

  it('refuses an unknown executor, naming the choices', () => {
    const r = isobench(...quick, '--executor', 'podman');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "option '--executor <kind>' argument 'podman' is invalid. Allowed choices are auto, local, docker.",
    );
  });
});

describe('bad option values', () => {
  it('are refused before the verb runs, exit 2, naming the option and why', () => {
    const cases: Array<[string[], string]> = [
      [
        ['tasks', 'list', '--status', 'some'],
        "option '--status <status>' argument 'some' is invalid. Allowed choices are all, benchmarkable, not-benchmarkable.",
      ],
      [
        ['leaderboard', 'x.csv', '--sort', 'fastest'],
        "option '--sort <key>' argument 'fastest' is invalid. Allowed choices are hard,",
      ],
      [
        ['export', 'x.csv', '-o', join(tmp, 'never'), '--shard-rows', '2.5'],
        "option '--shard-rows <n>' argument '2.5' is invalid. expected an integer of at least 1",
      ],
      [
        ['worker', '--redis', 'redis://127.0.0.1:1', '--cpus', '-1'],
        "option '--cpus <n>' argument '-1' is invalid. expected a positive number",
      ],
      [
        ['regrade', tmp, '--band', 'wide'],
        "option '--band <pct>' argument 'wide' is invalid. expected a number of at least 0",
      ],
      [
        ['agents', 'prompt', 'demo/cpu-latency', '--time-min', '0'],
        "option '--time-min <minutes>' argument '0' is invalid. expected a positive number",
      ],
      [
        ['report', 'x', '--embed', '12q'],
        "option '--embed [max-size]' argument '12q' is invalid. '12q' is not a size",
      ],
    ];
    for (const [args, message] of cases) {
      const r = isobench(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(`error: ${message}`);
    }
  });

  it('a sort key of the other kind of input is still refused by the verb', () => {
    const file = join(tmp, 'sort.ext.jsonl');
    writeFileSync(file, '');
    const r = isobench('leaderboard', file, '--sort', 'beats');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--sort for a run folder's rows must be one of hard,");
  });
});

describe('a cost budget nobody would keep', () => {
  it('is refused before any work, naming the agent and what would keep it', () => {
    const cases: Array<[string[], string]> = [
      [
        [
          'solve',
          '--agent',
          'codex',
          '--model',
          'gpt-5',
          '--max-cost',
          '1',
          '--base-url',
          'http://127.0.0.1:9/v1',
        ],
        '--max-cost: codex does not stop itself at a cost budget; add --usage-proxy so isobench keeps it',
      ],
      [
        [
          'solve',
          '--agent',
          'gemini-cli',
          '--model',
          'no-such-model',
          '--max-cost',
          '1',
          '--usage-proxy',
          '--base-url',
          'http://127.0.0.1:9',
        ],
        '--max-cost: the price table isobench-list-prices-2025-10 has no price for no-such-model, so isobench cannot keep the budget for gemini-cli; give --prices FILE',
      ],
      [
        [
          'run',
          '--agents',
          'gemini-cli:gemini-2.5-pro',
          '--option',
          'baseUrl=http://127.0.0.1:9',
          '--max-cost',
          '1',
        ],
        "--max-cost: --agents 'gemini-cli:gemini-2.5-pro' does not stop itself at a cost budget",
      ],
    ];
    for (const [args, message] of cases) {
      const r = isobench(...args, '--out', join(tmp, 'never-cost'));
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(message);
    }
    expect(existsSync(join(tmp, 'never-cost'))).toBe(false);
    // an agent that keeps it itself, or isobench through the proxy at a listed price: accepted (dry run)
    for (const args of [
      [
        'run',
        '--agents',
        'claude-code:no-such-model',
        '--option',
        'baseUrl=http://127.0.0.1:9',
        '--max-cost',
        '1',
        '--dry-run',
      ],
      [
        'run',
        '--agents',
        'codex:gpt-5',
        '--option',
        'baseUrl=http://127.0.0.1:9/v1',
        '--usage-proxy',
        '--max-cost',
        '1',
        '--dry-run',
      ],
    ]) {
      const r = isobench(...args, '--tasks', 'demo/cpu-latency');
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
  });
});

describe('isobench run and run-report', () => {
  it('runs a demo task end to end and writes the run folder, rows and a report', async () => {
    const out = join(tmp, 'runs');
    const r = isobench('run', '--tasks', 'demo/cpu-latency', ...quickRun(out, 'cli-test'));
    // one round: warned at once, no interval shown, no verdict (issue 21: it printed
    // "matches_human -0.9% [-0.9, -0.9]", a zero-width "95% interval" and a confident verdict)
    expect(r.stderr).toBe(
      "isobench: warning: --repeats 1: fewer than 3 measured rounds give no interval, so every agent's verdict is inconclusive; this run measures and checks, it cannot grade (use --repeats 3 or more)\n",
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /demo\/cpu-latency.*example-agent \(example-model\) *│ inconclusive *│ - *│ - *│ - *│/,
    );
    expect(r.stdout).not.toMatch(/\[-?\d+\.\d, -?\d+\.\d\]/);
    expect(r.stdout).toContain(
      'Leaderboard (5% band, 1 measured round, no intervals: a bootstrap interval needs 3 rounds or more)',
    );
    const runDir = join(out, 'cli-test');
    const run = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
    expect(run).toMatchObject({
      schemaVersion: 2,
      status: 'done',
      executor: 'local',
      tasks: ['demo/cpu-latency'],
    });
    const { readV5Table } = await import('../../src/v5/io.js');
    const rows = await readV5Table(join(runDir, 'rows.v5.parquet'));
    expect(rows.problems).toEqual([]);
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]).toMatchObject({
      agent_name: 'example-agent',
      benchmark_mode: 'standalone',
      commit_short: expect.any(String),
    });
    expect(rows.rows[0]?.baseline_latency_avg).toBeGreaterThan(0);
    expect(rows.rows[0]?.agent_improvement_latency_avg).toBeTypeOf('number');
    const ext = readFileSync(join(runDir, 'rows.ext.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(ext[0].verdict).toBe('inconclusive');
    expect(ext[0].verdictReason).toContain(
      'has 1 measured round: a bootstrap interval needs at least 3 a side',
    );
    expect(ext[0].agentVsHuman).toBeNull();
    expect(ext[0]).toMatchObject({
      schemaVersion: 5,
      task: 'demo/cpu-latency',
      benchmark: { kind: 'latency', v5Mode: 'standalone' },
      jobPath: 'jobs/demo_cpu-latency',
      design: { maxRounds: 1, clientRuns: 1, adaptive: null },
      stop: { reason: 'fixed', rounds: 1, looks: [] },
      variant: 'agent:example-agent',
      agent: 'example-agent',
      repeats: 1,
      tamper: [],
      effort: null, // a replayed patch has no attempt behind it in this run
    });
    const report = isobench('run-report', runDir);
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('## demo/cpu-latency');
    expect(report.stdout).toMatch(/\| baseline \| ok \| 1 \|/);
    expect(report.stdout).toContain('Rounds: 1 measured of 1, stopped: fixed (1 fixed round).');
  }, 120_000);

  it("the run's two leaderboards say what each counts, and the v5 one names each row where they differ (issue 21)", () => {
    const runDir = join(tmp, 'runs', 'cli-test');
    const board = isobench('leaderboard', runDir);
    expect(board.code).toBe(0);
    expect(board.stdout).toContain('count verdicts from 95% bootstrap intervals');
    // a terminal gets short lines (the 17-column table was 270 characters wide)
    const agentLines = board.stdout
      .split('\n')
      .filter((l) => l.startsWith('example-agent') || l.startsWith('  '));
    expect(agentLines.length).toBeGreaterThanOrEqual(6);
    for (const l of agentLines) expect(l.length, l).toBeLessThanOrEqual(120);
    const v5 = isobench('leaderboard', join(runDir, 'rows.v5.parquet'), '--json');
    expect(v5.code, v5.stderr).toBe(0);
    const against = JSON.parse(v5.stdout).againstRunVerdicts;
    // one round: the run's verdict is inconclusive, the point estimate has a class
    expect(against).toHaveLength(1);
    expect(against[0]).toMatchObject({ task: 'demo/cpu-latency', verdict: 'inconclusive' });
    expect(['beats', 'similar', 'worse']).toContain(against[0].pointClass);
    const text = isobench('leaderboard', join(runDir, 'rows.v5.parquet'));
    expect(text.stdout).toContain('This table counts point estimates');
    expect(text.stdout).toMatch(
      /demo\/cpu-latency \[[0-9a-f]{8}\]: point estimate [+-]\d+\.\d% counts "\w+"; the run's verdict is inconclusive/,
    );
    // a run id that names nothing: said, not "unknown table format"
    const missing = isobench('leaderboard', 'no-such-run-id');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no such file or folder, and no run 'no-such-run-id'");
  });

  it('names on stderr each unit that made the run exit non-zero', () => {
    const preds = join(tmp, 'empty-patch.jsonl');
    writeFileSync(
      preds,
      `${JSON.stringify({ instance_id: 'demo/cpu-latency', model_name_or_path: 'm', model_patch: '', agent: 'blank' })}\n`,
    );
    const r = isobench('run', '--predictions', preds, ...quickRun(join(tmp, 'runs5'), 'empty'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /isobench: job demo\/cpu-latency, variant agent:blank: patch_empty: .*\(.*jobs\/demo_cpu-latency\/job\.json\)/,
    );
  }, 120_000);

  it('refuses an agent installed by hand that is not there, before any work (exit 2)', () => {
    const out = join(tmp, 'runs7');
    const r = isobenchWith(
      { PATH: '/usr/bin:/bin', OPENAI_API_KEY: 'sk-x' },
      'run',
      '--agents',
      'trae:m',
      '--option',
      'provider=openai',
      '--tasks',
      'demo/cpu-latency',
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("--agents 'trae:m': trae: 'trae-cli' is not on PATH");
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a task that needs a GPU on a host without one, before any work (exit 2)', () => {
    const dir = join(tmp, 'gpu-tasks');
    cpSync(resolve(PROJECT_ROOT, 'tasks/demo'), join(dir, 'demo'), { recursive: true });
    const spec = JSON.parse(readFileSync(join(dir, 'demo/cpu-latency.json'), 'utf8'));
    spec.hardware = { gpu: 'H100', count: 1 };
    writeFileSync(join(dir, 'demo/cpu-latency.json'), JSON.stringify(spec));
    const out = join(tmp, 'runs6');
    const r = isobench(
      'run',
      '--tasks-dir',
      dir,
      '--tasks',
      'demo/cpu-latency',
      '--gpus',
      'none',
      '--out',
      out,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('demo/cpu-latency needs 1 H100 GPU(s); this host has none (--gpus none)');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a task that cannot be benchmarked, with the reason', () => {
    const r = isobench('run', '--tasks', 'vllm/526de822', '--out', join(tmp, 'runs2'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('vllm/526de822 is not benchmarkable (invalid_perf_command)');
  });

  it('names a commit the clone lacks, before anything runs (exit 2), and a vLLM task without a clone', () => {
    const clone = join(tmp, 'empty-clone');
    spawnSync('git', ['init', '-q', clone]);
    const r = isobench('run', '--tasks', 'vllm/0ec82edd', '--repo', clone, '--out', join(tmp, 'runs3'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `vllm/0ec82edd: the clone ${clone} has no commit 005ae9be6c22dfa2c2c5580b50b41e67faee4a87 (the task's parent)`,
    );
    expect(r.stderr).toContain("has no commit 0ec82edda59aaf5cf3b07aadf4ecce1aa1131add (the task's human)");
    const none = isobench('run', '--tasks', 'vllm/0ec82edd', '--out', join(tmp, 'runs3'));
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(
      'vllm/0ec82edd: needs a local clone of https://github.com/vllm-project/vllm.git (--repo CLONE)',
    );
  });

  it(`exits ${4} when every job failed for infrastructure reasons (here: nothing prefetched)`, () => {
    const dir = join(tmp, 'needy-tasks');
    cpSync(resolve(PROJECT_ROOT, 'tasks/demo'), join(dir, 'demo'), { recursive: true });
    const spec = JSON.parse(readFileSync(join(dir, 'demo/cpu-latency.json'), 'utf8'));
    spec.prefetch.models = ['org/not-prefetched'];
    writeFileSync(join(dir, 'demo/cpu-latency.json'), JSON.stringify(spec));
    const r = isobench(
      'run',
      '--tasks-dir',
      dir,
      '--tasks',
      'demo/cpu-latency',
      ...quickRun(join(tmp, 'runs4'), 'needy'),
    );
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toContain('every job failed for infrastructure reasons (exit 4)');
  }, 120_000);
});

describe('npx isobench, as the README runs it', () => {
  it("starts the project's own command from node_modules/.bin, without installing the project into the npx cache", () => {
    // a bin in the root package.json makes npm 11 install the project into <cache>/_npx and read its
    // whole tree on every call; the command lives in the cli/ workspace so that it does not
    const cache = mkdtempSync(join(tmpdir(), 'isobench-npm-cache-'));
    try {
      const r = spawnSync('npx', ['--offline', 'isobench', '--version'], {
        encoding: 'utf8',
        cwd: PROJECT_ROOT,
        env: { ...process.env, npm_config_cache: cache, npm_config_update_notifier: 'false' },
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/npm error/);
      expect(r.stdout.trim()).toBe(
        JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'package.json'), 'utf8')).version,
      );
      expect(spawnSync('ls', [join(cache, '_npx')]).status).not.toBe(0);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
