// Bundles isobench for a host without node_modules (the GPU hosts: Python, no Node, no npm): the CLI
// with the queue client inside (bullmq, ioredis), the makespan benchmark and the example-report script, into
// .device/bundle/. dockerode stays out (those hosts have no Docker; the local executor runs there).
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

rmSync('.device/bundle', { recursive: true, force: true });
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  external: ['dockerode'],
  mainFields: ['module', 'main'],
  banner: {
    js: "import { createRequire as __isobenchCreateRequire } from 'node:module'; const require = __isobenchCreateRequire(import.meta.url);",
  },
};
await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  splitting: true,
  outdir: '.device/bundle/dist',
  chunkNames: 'chunks/[name]-[hash]',
});
await build({ ...common, entryPoints: ['test/bench/makespan.ts'], outfile: '.device/bundle/makespan.mjs' });
await build({
  ...common,
  entryPoints: ['scripts/example-report.ts'],
  outfile: '.device/bundle/example-report.mjs',
});
