// Bundles the CLI into dist/ (ESM, code-split so each verb loads only what it needs at start-up).
import { build } from 'esbuild';

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
  logLevel: 'warning',
  // CommonJS dependencies (commander, csv-parse) call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __isobenchCreateRequire } from 'node:module'; const require = __isobenchCreateRequire(import.meta.url);",
  },
});
