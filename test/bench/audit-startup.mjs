#!/usr/bin/env node
// Benchmark (not a test): whole-process wall time of `isobench dataset audit` on the shared Parquet
// file, started through `node` and through `npx isobench` (as the README does), next to a bare `node`
// process that starts and reads the same file, as ratios (target < 5 for both). npm's own share is
// measured apart: `npx isobench --version` starts npm, finds the command and starts the CLI, and
// reads no file. Runs are interleaved so that machine noise hits all alike; medians are compared.
//
//   node test/bench/audit-startup.mjs [FILE] [--runs N]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 21;
const file = resolve(
  args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs') ??
    process.env.ISOBENCH_DATA_FILE ??
    resolve(root, process.env.ISOBENCH_DATA ?? '../shared/data/iso-bench', 'v5-rows.parquet'),
);
if (!existsSync(file)) {
  console.error(`no such file: ${file} (give the Parquet file as the first argument)`);
  process.exit(2);
}
const bin = resolve(root, 'bin/isobench.mjs');
if (!existsSync(resolve(root, 'dist/main.js'))) {
  console.error('the CLI is not built: run `npm run build` first');
  process.exit(2);
}

const commands = {
  bare: [process.execPath, ['-e', `require('node:fs').readFileSync(${JSON.stringify(file)})`]],
  decode: [
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { parquetReadObjects } from ${JSON.stringify(resolve(root, 'node_modules/hyparquet/src/index.js'))}; import { readFileSync } from 'node:fs'; const b = readFileSync(${JSON.stringify(file)}); await parquetReadObjects({ file: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) });`,
    ],
  ],
  audit: [process.execPath, [bin, 'dataset', 'audit', file, '--summary']],
  npxVersion: ['npx', ['isobench', '--version']],
  npxAudit: ['npx', ['isobench', 'dataset', 'audit', file, '--summary']],
};

function time([cmd, argv]) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && r.status !== 1)
    throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

const samples = { bare: [], decode: [], audit: [], npxVersion: [], npxAudit: [] };
for (const k of Object.keys(samples)) time(commands[k]); // warm the file cache
for (let i = 0; i < runs; i++) for (const k of Object.keys(samples)) samples[k].push(time(commands[k]));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const min = (xs) => Math.min(...xs);
const row = (k, label) =>
  `${label.padEnd(58)} median ${median(samples[k]).toFixed(1).padStart(7)} ms   min ${min(samples[k]).toFixed(1).padStart(7)} ms`;
console.log(`file: ${file}; ${runs} interleaved runs each; node ${process.version}`);
console.log(row('bare', 'bare node: start and read the file'));
console.log(row('decode', 'node: start, read and decode the file with hyparquet'));
console.log(row('audit', 'node bin/isobench.mjs dataset audit FILE --summary'));
console.log(row('npxAudit', 'npx isobench dataset audit FILE --summary'));
console.log(row('npxVersion', "npx isobench --version (npm's share; no file read)"));
const over = (k, base = 'bare') => median(samples[k]) / median(samples[base]);
const ratio = over('audit');
const npxRatio = over('npxAudit');
console.log(`ratio audit through node / bare node (medians): ${ratio.toFixed(2)}  (target < 5)`);
console.log(`ratio audit through npx / bare node (medians):  ${npxRatio.toFixed(2)}  (target < 5)`);
console.log(
  `ratio npx isobench --version / bare node:       ${over('npxVersion').toFixed(2)}  (npm's floor)`,
);
console.log(`ratio audit through node / node+decode:         ${over('audit', 'decode').toFixed(2)}`);
process.exitCode = ratio < 5 && npxRatio < 5 ? 0 : 1;
