// Bundles the CLI into dist/ (ESM, code-split so each verb loads only what it needs at start-up).
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('dist', { recursive: true, force: true });

await build({
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  splitting: true,
  outdir: 'dist',
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
  outfile: 'dist/report-client.js',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
