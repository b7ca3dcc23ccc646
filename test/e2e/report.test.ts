/**
 * The HTML report in real headless Chromium (Debian's chromium through playwright-core): a real run
 * of the CPU demo (the example-command agent against a scripted model, replayed demo predictions,
 * a scripted judge) and 3,000 synthetic rows. The page must render with no console error and no
 * request beyond its own file; the numbers on the page must equal the rows (recomputed here, not by
 * the report's code); filters, sorting, paging and embedded files must work; the screenshot must
 * not be blank.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  editThenFinish,
  type Script,
  type ScriptedServer,
  startScriptedServer,
  TOP_K_HEAP_EDIT,
} from '../../src/agent/scripted-server.js';
import type { ExtendedRow } from '../../src/report/job-rows.js';
import { chromiumAvailable, launchChromium, paintedPixels, watchedPage } from '../support/browser.js';
import { quickRun, runCli } from '../support/cli.js';
import { dataPath, HAVE_SHARED_DATA, PROJECT_ROOT } from '../support/shared-data.js';
import { syntheticRows } from '../support/synthetic-rows.js';

const HAVE_CHROMIUM = chromiumAvailable();
const out = mkdtempSync(join(tmpdir(), 'isobench-report-'));

// ---------- what the page must show, computed here from the rows ----------
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}%`;
const rate = (n: number, d: number) => `${n} (${((100 * n) / d).toFixed(1)}%)`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
/** the order-statistic interval, ranks n/2 ± 0.98√n (1-based ranks as in the textbooks, here 0-based) */
const medianCi = (xs: number[]) => {
  if (xs.length < 2) return '';
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  const j = Math.max(1, Math.floor(n / 2 - 0.98 * Math.sqrt(n)) + 1);
  const k = Math.min(n, Math.ceil(n / 2 + 0.98 * Math.sqrt(n)));
  return ` [${(s[j - 1] as number).toFixed(1)}, ${(s[k - 1] as number).toFixed(1)}]`;
};
const isHard = (r: ExtendedRow) => r.credited && ['beats_human', 'matches_human'].includes(r.verdict ?? '');
function expectedBoard(rows: ExtendedRow[]): Map<string, Record<string, string>> {
  const groups = new Map<string, ExtendedRow[]>();
  for (const r of rows)
    groups.set(`${r.agent}|${r.model}`, [...(groups.get(`${r.agent}|${r.model}`) ?? []), r]);
  const board = new Map<string, Record<string, string>>();
  for (const [k, g] of groups) {
    const n = g.length;
    const hard = g.filter(isHard).length;
    const judged = g.some((r) => r.judge?.status === 'judged');
    const ests = g.map((r) => r.agentVsHuman?.estimate).filter((x): x is number => typeof x === 'number');
    const costs = g.map((r) => r.effort?.costUsd).filter((x): x is number => typeof x === 'number');
    const fail = g.filter((r) => r.tamper.some((t) => t.severity === 'fail')).length;
    const warn = g.filter((r) => !r.tamper.some((t) => t.severity === 'fail') && r.tamper.length > 0).length;
    board.set(k, {
      attempts: String(n),
      hard: rate(hard, n),
      solved: rate(
        new Set(g.filter((r) => isHard(r)).map((r) => r.task)).size,
        new Set(g.map((r) => r.task)).size,
      ),
      pass1: `${(
        (100 *
          [...new Set(g.map((r) => r.task))]
            .map((t) => g.filter((r) => r.task === t))
            .reduce((s, ts) => s + ts.filter(isHard).length / ts.length, 0)) /
          new Set(g.map((r) => r.task)).size
      ).toFixed(1)}%`,
      true: judged ? rate(g.filter((r) => r.quadrant === 'true_success').length, n) : 'not judged',
      valid: rate(g.filter((r) => r.taskValidHere && r.credited).length, n),
      median: ests.length ? `${signed(median(ests))}${medianCi(ests)}` : '–',
      tamper: `${fail} / ${warn}`,
      'cost-attempt': costs.length ? `$${(costs.reduce((a, b) => a + b, 0) / n).toFixed(4)}` : '–',
    });
  }
  return board;
}
const ci = (r: ExtendedRow) =>
  r.agentVsHuman
    ? `${signed(r.agentVsHuman.estimate)} [${r.agentVsHuman.lo.toFixed(1)}, ${r.agentVsHuman.hi.toFixed(1)}]`
    : '–';

async function pageBoard(page: Page): Promise<Map<string, Record<string, string>>> {
  const rows = await page.$$eval('#leaderboard-table tbody tr', (trs) =>
    trs.map((tr) => ({
      key: `${(tr as HTMLElement).dataset.agent}|${(tr as HTMLElement).dataset.model}`,
      cells: Object.fromEntries(
        [...tr.querySelectorAll('td')].map((td) => [(td as HTMLElement).dataset.col, td.textContent]),
      ),
    })),
  );
  return new Map(rows.map((r) => [r.key, r.cells as Record<string, string>]));
}
async function tableRows(page: Page): Promise<Array<Record<string, string>>> {
  return (await page.$$eval('#task-table tbody tr', (trs) =>
    trs.map((tr) =>
      Object.fromEntries(
        [...tr.querySelectorAll('td')].map((td) => [(td as HTMLElement).dataset.col, td.textContent]),
      ),
    ),
  )) as Array<Record<string, string>>;
}
/**
 * The page's leaderboard equals the expectation. `madeEarlier`: a committed report made by an earlier
 * isobench has the columns of its day; those it has must be right, and the core ones must be there.
 */
function expectBoardEquals(
  page: Map<string, Record<string, string>>,
  want: Map<string, Record<string, string>>,
  madeEarlier = false,
) {
  expect([...page.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [k, cells] of want)
    for (const [col, v] of Object.entries(cells)) {
      const shown = page.get(k)?.[col];
      if (madeEarlier && shown === undefined && !['attempts', 'hard', 'valid', 'median'].includes(col))
        continue;
      expect(shown, `${k} ${col}`).toBe(v);
    }
}
const readRows = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as ExtendedRow);

// ---------- the real run ----------
const agentScript = editThenFinish(TOP_K_HEAP_EDIT);
const judgeScript: Script = (_s, _a, body) => {
  const agentPart = JSON.stringify(body).split('Agent patch:')[1] ?? '';
  return {
    tools: [
      {
        name: 'record_judgement',
        input: agentPart.includes('heapq')
          ? { targeting: 'same', approach: 'similar', reason: 'a heap instead of the full sort' }
          : { targeting: 'none', approach: 'ineffective', reason: 'not the sort in top_k' },
      },
    ],
  };
};

describe.skipIf(!HAVE_CHROMIUM)('isobench report: the HTML report in headless Chromium', () => {
  let browser: Browser;
  let model: ScriptedServer;
  let judge: ScriptedServer;
  const runDir = join(out, 'r');
  beforeAll(async () => {
    [browser, model, judge] = await Promise.all([
      launchChromium(),
      startScriptedServer(agentScript),
      startScriptedServer(judgeScript),
    ]);
    const run = await runCli(
      [
        'run',
        '--tasks',
        'demo/cpu-latency',
        '--agents',
        'example-command:scripted-model',
        '--option',
        `baseUrl=${model.url}/v1`,
        '--attempts',
        '2',
        '--predictions',
        join(PROJECT_ROOT, 'harness/demo/predictions/example-agent.jsonl'),
        join(PROJECT_ROOT, 'harness/demo/predictions/hostile-agent.jsonl'),
        '--judge',
        'anthropic:scripted-judge',
        '--judge-base-url',
        judge.url,
        '--cache-root',
        join(out, 'cache'),
        ...quickRun(out, 'r', 2),
      ],
      { OPENAI_API_KEY: 'sk-test', ANTHROPIC_API_KEY: 'sk-test' },
    );
    if (!existsSync(join(runDir, 'rows.ext.jsonl')))
      throw new Error(`the run wrote no rows:\n${run.stdout}\n${run.stderr}`);
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await model?.close();
    await judge?.close();
    if (!process.env.ISOBENCH_KEEP_REPORT) rmSync(out, { recursive: true, force: true });
  });

  it('a real run: renders offline with no console error; leaderboard and table equal the rows; links reach the run files; the screenshot is not blank', async () => {
    const file = join(out, 'site', 'report.html');
    const r = await runCli(['report', runDir, '-o', file]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/report\.html: 5 row\(s\)/);
    const rows = readRows(join(runDir, 'rows.ext.jsonl'));
    expect(rows).toHaveLength(5); // example-command × 2 attempts, example-agent, hostile × 2 on cpu-latency
    const { page, problems, requests } = await watchedPage(browser);
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-rendered]');
    expect(problems).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    expectBoardEquals(await pageBoard(page), expectedBoard(rows));
    // the example-command attempts were judged on target: their quadrants and judge reasons are on the page
    const table = await tableRows(page);
    expect(table).toHaveLength(5);
    for (const row of rows) {
      const shown = table.find(
        (t) =>
          t.task === row.task &&
          t.agent === row.agent &&
          t.model === row.model &&
          t.attempt === String(row.effort?.attempt ?? '–'),
      );
      expect(shown, `${row.agent} ${row.model}`).toBeDefined();
      expect(shown?.vsHumanEst).toBe(ci(row));
      expect(shown?.verdict).toBe(row.verdict ?? '–');
      expect(shown?.failure).toBe(row.failureClass ?? '–');
      expect(shown?.quadrant).toBe(
        row.quadrant ?? (row.judge?.status === 'judge_failed' ? 'judge failed' : '–'),
      );
    }
    // the first column stays in place when the tables scroll sideways; the human's own gain is a column
    for (const id of ['#leaderboard-table', '#task-table'])
      expect(await page.$eval(`${id} tbody td:first-child`, (td) => getComputedStyle(td).position), id).toBe(
        'sticky',
      );
    expect(await page.$$eval('#task-table thead th', (ths) => ths.map((th) => th.textContent))).toContain(
      'human vs baseline',
    );
    // every link resolves to a file or folder of the run
    const hrefs = await page.$$eval('#task-table a', (as) => as.map((a) => (a as HTMLAnchorElement).href));
    expect(hrefs.length).toBeGreaterThan(10);
    for (const h of hrefs) expect(existsSync(fileURLToPath(h)), h).toBe(true);
    expect(hrefs.some((h) => h.endsWith('/agents/example-command/demo_cpu-latency/2/prompt.txt'))).toBe(true);
    // charts drawn: outcome bars for every agent line, a dot per row with an interval
    expect(await page.locator('#chart-outcomes rect').count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator('#chart-intervals circle').count()).toBe(
      rows.filter((x) => x.agentVsHuman).length,
    );
    const shot = await page.screenshot({ fullPage: true, path: join(out, 'report.png') });
    const px = await paintedPixels(browser, shot);
    expect(px.painted / px.total).toBeGreaterThan(0.05);
    expect(px.colours).toBeGreaterThan(20);
    await page.close();
  });

  it('--embed --no-links: the files open from inside the report (no link leaves it)', async () => {
    const file = join(out, 'standalone.html');
    const r = await runCli(['report', runDir, '-o', file, '--embed', '--no-links']);
    expect(r.status, r.stderr).toBe(0);
    const { page, problems, requests } = await watchedPage(browser);
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-rendered]');
    const prompt = page.locator('#task-table a', { hasText: 'prompt' }).first();
    const path = await prompt.getAttribute('data-path');
    await prompt.click();
    await expect
      .poll(() => page.locator('#artifact').evaluate((d) => (d as HTMLDialogElement).open))
      .toBe(true);
    expect(await page.locator('#artifact-text').textContent()).toBe(
      readFileSync(join(runDir, path as string), 'utf8'),
    );
    expect(problems).toEqual([]);
    expect(requests.filter((u) => u !== `file://${file}`)).toEqual([]);
    await page.close();
  });

  it('3,000 synthetic rows: the numbers equal the rows under filters; sorting and paging work', async () => {
    const rows = syntheticRows(3000, 7);
    const rowsFile = join(out, 'synthetic', 'rows.ext.jsonl');
    rmSync(dirname(rowsFile), { recursive: true, force: true });
    (await import('node:fs')).mkdirSync(dirname(rowsFile), { recursive: true });
    writeFileSync(rowsFile, rows.map((x) => JSON.stringify(x)).join('\n'));
    const file = join(out, 'synthetic.html');
    const r = await runCli(['report', rowsFile, '-o', file]);
    expect(r.status, r.stderr).toBe(0);
    const { page, problems } = await watchedPage(browser);
    const t0 = Date.now();
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-rendered]');
    const loadMs = Date.now() - t0;
    expect(problems).toEqual([]);
    expectBoardEquals(await pageBoard(page), expectedBoard(rows));
    expect(await page.locator('#page-info').textContent()).toBe('rows 1–100 of 3000');
    expect(await tableRows(page)).toHaveLength(100);
    await page.click('#page-next');
    expect(await page.locator('#page-info').textContent()).toBe('rows 101–200 of 3000');
    // filter: one agent and one mode
    await page.selectOption('#filter-agent', 'codex');
    await page.selectOption('#filter-mode', 'serving');
    const picked = rows.filter((x) => x.agent === 'codex' && x.benchmark.v5Mode === 'serving');
    expect(await page.locator('#count').textContent()).toBe(`${picked.length} of 3000 row(s)`);
    expectBoardEquals(await pageBoard(page), expectedBoard(picked));
    expect(await page.locator('#page-info').textContent()).toBe(`rows 1–100 of ${picked.length}`);
    // sort by agent vs human: ascending puts the lowest estimate first (rows without one first of all)
    await page.click('th[data-sort="vsHumanEst"]');
    const ests = picked
      .map((x) => x.agentVsHuman?.estimate ?? Number.NEGATIVE_INFINITY)
      .sort((a, b) => a - b);
    const firstWith = ests.find((e) => e !== Number.NEGATIVE_INFINITY) as number;
    const shown = (await tableRows(page)).map((t) => t.vsHumanEst);
    expect(shown[ests.indexOf(firstWith)]).toMatch(new RegExp(`^${signed(firstWith).replace('+', '\\+')} `));
    await page.click('th[data-sort="vsHumanEst"]');
    expect((await tableRows(page))[0]?.vsHumanEst).toMatch(
      new RegExp(`^${signed(ests.at(-1) as number).replace('+', '\\+')} `),
    );
    // the rows shown, as CSV: one line per row under the filters, the numbers of the rows
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-csv')]);
    const csv = readFileSync((await download.path()) as string, 'utf8')
      .trim()
      .split('\n');
    expect(csv).toHaveLength(picked.length + 1);
    const head = (csv[0] as string).split(',');
    const [tIdx, eIdx] = [head.indexOf('task'), head.indexOf('vs_human')];
    for (const line of csv.slice(1)) {
      const cells = line.split(',');
      const row = picked.find((x) => x.task === cells[tIdx]);
      expect(cells[eIdx]).toBe(row?.agentVsHuman ? String(row.agentVsHuman.estimate) : '');
    }
    // the address keeps the filters and the sort: the same link shows the same rows
    const url = page.url();
    expect(new URL(url).hash).toMatch(/agent=codex.*mode=serving.*sort=vsHumanEst&dir=desc/);
    const again = await browser.newPage();
    await again.goto(url);
    await again.waitForSelector('body[data-rendered]');
    expect(await again.locator('#count').textContent()).toBe(`${picked.length} of 3000 row(s)`);
    expect(await again.locator('#filter-agent').inputValue()).toBe('codex');
    expect(await tableRows(again)).toEqual(await tableRows(page));
    await again.close();
    // a row opens its details: reasons, means, judge, attempt
    const first = picked.find((x) => x.task === (csv[1] as string).split(',')[tIdx]) as ExtendedRow;
    await page.locator('#task-table tbody tr').first().locator('td[data-col="task"]').click();
    expect(await page.locator('dd[data-detail="verdict"]').textContent()).toBe(
      `${first.verdict ?? '–'}${first.verdictReason ? `: ${first.verdictReason}` : ''}`,
    );
    expect(await page.locator('dd[data-detail="attempt"]').textContent()).toContain(
      first.effort?.path as string,
    );
    await page.locator('#task-table tbody tr').first().locator('td[data-col="task"]').click();
    expect(await page.locator('dd[data-detail="verdict"]').count()).toBe(0);
    // the task search
    await page.fill('#filter-task', picked[0]?.task as string);
    expect(await page.locator('#count').textContent()).toBe('1 of 3000 row(s)');
    expect(problems).toEqual([]);
    console.log(
      `3000-row report: ${(readFileSync(file).length / 1024).toFixed(0)} KiB, loaded and drawn in ${loadMs} ms`,
    );
    await page.close();
  });

  it.each(
    readdirSync(join(PROJECT_ROOT, 'results')).filter((d) =>
      existsSync(join(PROJECT_ROOT, 'results', d, 'report.html')),
    ),
  )('the committed report results/%s opens offline and shows the rows beside it', async (name) => {
    const dir = join(PROJECT_ROOT, 'results', name);
    const { page, problems, requests } = await watchedPage(browser);
    await page.goto(`file://${join(dir, 'report.html')}`);
    await page.waitForSelector('body[data-rendered]');
    expect(problems).toEqual([]);
    expect(requests).toEqual([`file://${join(dir, 'report.html')}`]);
    expectBoardEquals(await pageBoard(page), expectedBoard(readRows(join(dir, 'rows.ext.jsonl'))), true);
    await page.close();
  });

  it('judging after the run: a second report asks the judge nothing; a failing judge leaves every verdict and shows "judge failed"', async () => {
    const before = readRows(join(runDir, 'rows.ext.jsonl'));
    const verdicts = before.map((r) => [r.agent, r.model, r.verdict, r.failureClass, r.credited]);
    const judged = [
      '--judge',
      'anthropic:judge-2',
      '--judge-base-url',
      judge.url,
      '--cache-root',
      join(out, 'cache'),
    ];
    const asked0 = judge.requests.length;
    const j = await runCli(['judge', runDir, ...judged], { ANTHROPIC_API_KEY: 'sk-test' });
    expect(j.status, j.stderr).toBe(0);
    // identical patches (the two attempts made the same edit) are asked once: the second is a cache hit
    const first = JSON.parse(readFileSync(join(runDir, 'judge.json'), 'utf8'));
    expect(first).toMatchObject({ rows: 5, failed: 0 });
    expect(first.asked).toBeGreaterThanOrEqual(3);
    expect(first.asked + first.cached).toBe(5);
    expect(j.stdout).toContain(
      `5 row(s), ${first.asked} asked, ${first.cached} from the cache, 0 judge failure(s)`,
    );
    expect(judge.requests.length - asked0).toBe(first.asked);
    // a report that judges again: every answer from the cache, nothing sent
    const asked1 = judge.requests.length;
    const file = join(out, 'judged.html');
    const r = await runCli(['report', runDir, '-o', file, ...judged], { ANTHROPIC_API_KEY: 'sk-test' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('5 row(s), 0 asked, 5 from the cache');
    expect(judge.requests.length).toBe(asked1);
    const rows = readRows(join(runDir, 'rows.ext.jsonl'));
    expect(
      rows.every((x) => x.judge?.status === 'judged' && x.judge.cached && x.judge.model === 'judge-2'),
    ).toBe(true);
    expect(JSON.parse(readFileSync(join(runDir, 'judge.json'), 'utf8'))).toMatchObject({
      schemaVersion: 1,
      model: 'judge-2',
      asked: 0,
      cached: 5,
      failed: 0,
    });
    // a judge that answers HTTP 500: recorded as judge failures, the verdicts stand
    const down = await startScriptedServer(() => ({ error: { status: 500, message: 'judge down' } }));
    try {
      const f = await runCli(
        [
          'report',
          runDir,
          '-o',
          file,
          '--judge',
          'anthropic:judge-3',
          '--judge-base-url',
          down.url,
          '--cache-root',
          join(out, 'cache'),
        ],
        { ANTHROPIC_API_KEY: 'sk-test' },
      );
      expect(f.status, f.stderr).toBe(0);
      expect(f.stdout).toContain('5 row(s), 0 asked, 0 from the cache, 5 judge failure(s)');
    } finally {
      await down.close();
    }
    const after = readRows(join(runDir, 'rows.ext.jsonl'));
    expect(after.map((r) => [r.agent, r.model, r.verdict, r.failureClass, r.credited])).toEqual(verdicts);
    expect(after.every((x) => x.judge?.status === 'judge_failed' && x.quadrant === null)).toBe(true);
    const { page, problems } = await watchedPage(browser);
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-rendered]');
    expect(problems).toEqual([]);
    expect((await tableRows(page)).map((t) => t.quadrant)).toEqual(Array(5).fill('judge failed'));
    expectBoardEquals(await pageBoard(page), expectedBoard(after));
    expect([...(await pageBoard(page)).values()].every((c) => c.true === 'not judged')).toBe(true);
    await page.close();
  });

  it.skipIf(!HAVE_SHARED_DATA)(
    'a schema-v5 table (the published rows): one line per agent and commit, the same counts as `leaderboard --json`',
    async () => {
      const table = dataPath('v5-rows.parquet');
      const file = join(out, 'published.html');
      const r = await runCli(['report', table, '-o', file, '--scope', 'card']);
      expect(r.status, r.stderr).toBe(0);
      const lb = JSON.parse((await runCli(['leaderboard', table, '--json', '--scope', 'card'])).stdout) as {
        agents: Array<{
          agent: string;
          model: string;
          perCommit: Array<{ status: string }>;
          counts: Record<string, number>;
          comparison: { beats: number; similar: number };
        }>;
      };
      const { page, problems, requests } = await watchedPage(browser);
      await page.goto(`file://${file}`);
      await page.waitForSelector('body[data-rendered]');
      expect(problems).toEqual([]);
      expect(requests).toEqual([`file://${file}`]);
      const board = await pageBoard(page);
      expect([...board.keys()].sort()).toEqual(lb.agents.map((a) => `${a.agent}|${a.model}`).sort());
      for (const a of lb.agents) {
        const cells = board.get(`${a.agent}|${a.model}`) as Record<string, string>;
        const n = a.perCommit.length;
        expect(cells.attempts).toBe(String(n));
        expect(cells.hard).toBe(rate(a.comparison.beats + a.comparison.similar, n));
        expect(cells.valid).toBe(rate(a.counts.valid_for_comparison ?? 0, n));
        expect(cells.true).toBe('not judged');
      }
      const total = lb.agents.reduce((s, a) => s + a.perCommit.length, 0);
      expect(await page.locator('#count').textContent()).toBe(`${total} of ${total} row(s)`);
      expect(await page.locator('#notes').textContent()).toContain('point estimate (no interval)');
      await page.close();
    },
  );

  it('bad input is named: a missing run, a broken rows line', async () => {
    const missing = await runCli(['report', join(out, 'nope'), '-o', join(out, 'x.html')]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain(join(out, 'nope'));
    const bad = join(out, 'bad.ext.jsonl');
    writeFileSync(bad, `${JSON.stringify(syntheticRows(1)[0])}\n{"schemaVersion": 4, "task": 1}\nnot json\n`);
    const r = await runCli(['report', bad, '-o', join(out, 'y.html')]);
    expect(r.status).not.toBe(0);
    // the store's reader names the line and the first field that is wrong
    expect(r.stderr).toContain(`${bad}:2: runId: Invalid input: expected string, received undefined`);
    expect(existsSync(join(out, 'y.html'))).toBe(false);
  });
});
