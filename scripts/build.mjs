// Bundles the CLI into dist/ (ESM, code-split so each verb loads only what it needs at start-up).
// Built beside dist/ and swapped in at the end, so that a command started from dist/ meanwhile (a test
// of another suite) never finds it half written or missing.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const next = `dist.next-${process.pid}`;
const old = `dist.old-${process.pid}`;
rmSync(next, { recursive: true, force: true });

await build({
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  splitting: true,
  outdir: next,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  // loaded from node_modules when used: dockerode (optional native addons), bullmq and ioredis (CommonJS
  // packages that read their own files at run time)
  external: ['dockerode', 'bullmq', 'ioredis'],
  // CommonJS dependencies (commander, csv-parse) call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __isobenchCreateRequire } from 'node:module'; const require = __isobenchCreateRequire(import.meta.url);",
  },
});

// The HTML report's page script: one classic script, inlined into each report (no network at view time).
await build({
  entryPoints: ['src/report/html-client.ts'],
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: ['chrome109', 'firefox115', 'safari16'],
  outfile: `${next}/report-client.js`,
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});

if (existsSync('dist')) renameSync('dist', old);
renameSync(next, 'dist');
rmSync(old, { recursive: true, force: true });
