#!/usr/bin/env node
// Thin launcher: the CLI is bundled into dist/ by `npm run build` (run automatically by `npm install`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    `isobench: the CLI is not built (${fileURLToPath(entry)} is missing). Run \`npm install\` or \`npm run build\` in the isobench folder first.\n`,
  );
  process.exit(2);
}
await import(entry.href);
