/**
 * The HTML report at scale: for synthetic rows.ext.jsonl files of 1,000 and 10,000 rows (seeded, the
 * same generator as the Chromium test), the time `isobench report` takes (the built CLI, start-up
 * included, best of 3), the file's size, and in headless Chromium the time from navigation to the
 * first full draw and the time one filter change takes to redraw. Printed side by side with the
 * per-row ratios; nothing is asserted.
 *
 *   node --import tsx test/bench/report-scale.ts [--rows 1000,10000] [--runs 3]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromiumAvailable, launchChromium } from '../support/browser.js';
import { syntheticRows } from '../support/synthetic-rows.js';

const { values: a } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000,10000' },
    runs: { type: 'string', default: '3' },
    bin: { type: 'string', default: resolve(import.meta.dirname, '../../bin/isobench.mjs') },
  },
});
const sizes = (a.rows as string).split(',').map(Number);
const runs = Number(a.runs);
const dir = mkdtempSync(join(tmpdir(), 'isobench-report-scale-'));
const browser = chromiumAvailable() ? await launchChromium() : null;
const results: Array<{
  rows: number;
  genMs: number;
  kib: number;
  plainKib: number;
  drawMs: number | null;
  filterMs: number | null;
}> = [];
try {
  for (const n of sizes) {
    const rowsFile = join(dir, `rows-${n}.ext.jsonl`);
    writeFileSync(
      rowsFile,
      syntheticRows(n, 11)
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const html = join(dir, `report-${n}.html`);
    let genMs = Number.POSITIVE_INFINITY;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [a.bin as string, 'report', rowsFile, '-o', html], {
        encoding: 'utf8',
      });
      const ms = performance.now() - t0;
      if (r.status !== 0) throw new Error(`isobench report failed: ${r.stderr}`);
      genMs = Math.min(genMs, ms);
    }
    let drawMs: number | null = null;
    let filterMs: number | null = null;
    if (browser) {
      drawMs = Number.POSITIVE_INFINITY;
      filterMs = Number.POSITIVE_INFINITY;
      for (let i = 0; i < runs; i++) {
        const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
        const t0 = performance.now();
        await page.goto(`file://${html}`);
        await page.waitForSelector('body[data-rendered]');
        drawMs = Math.min(drawMs, performance.now() - t0);
        // one filter change, timed inside the page (event to the end of the synchronous redraw)
        const ms = await page.evaluate(() => {
          const sel = document.getElementById('filter-agent') as HTMLSelectElement;
          sel.value = sel.options[1]?.value ?? '';
          const t = performance.now();
          sel.dispatchEvent(new Event('change'));
          return performance.now() - t;
        });
        filterMs = Math.min(filterMs, ms);
        await page.close();
      }
    }
    const plain = join(dir, `report-${n}-plain.html`);
    const r = spawnSync(
      process.execPath,
      [a.bin as string, 'report', rowsFile, '-o', plain, '--no-compress'],
      {
        encoding: 'utf8',
      },
    );
    if (r.status !== 0) throw new Error(`isobench report --no-compress failed: ${r.stderr}`);
    results.push({
      rows: n,
      genMs,
      kib: statSync(html).size / 1024,
      plainKib: statSync(plain).size / 1024,
      drawMs,
      filterMs,
    });
  }
} finally {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
}
const f = (x: number | null, d = 0) => (x === null ? 'n/a' : x.toFixed(d));
console.log(
  `isobench report at scale (best of ${runs}; ${browser ? 'headless Chromium' : 'no Chromium here'})`,
);
console.log(
  '| rows | generate (ms) | size (KiB) | bytes/row | with --no-compress (KiB) | open and draw (ms) | filter redraw (ms) |',
);
console.log('|---|---|---|---|---|---|---|');
for (const r of results)
  console.log(
    `| ${r.rows} | ${f(r.genMs)} | ${f(r.kib)} | ${f((r.kib * 1024) / r.rows)} | ${f(r.plainKib)} | ${f(r.drawMs)} | ${f(r.filterMs, 1)} |`,
  );
if (results.length > 1) {
  const [x, y] = [results[0], results.at(-1)] as [(typeof results)[0], (typeof results)[0]];
  console.log(
    `ratios ${y.rows}/${x.rows} rows (${(y.rows / x.rows).toFixed(0)}x): generate ${(y.genMs / x.genMs).toFixed(2)}x, size ${(y.kib / x.kib).toFixed(2)}x, draw ${x.drawMs && y.drawMs ? (y.drawMs / x.drawMs).toFixed(2) : 'n/a'}x, filter ${x.filterMs && y.filterMs ? (y.filterMs / x.filterMs).toFixed(2) : 'n/a'}x`,
  );
}
