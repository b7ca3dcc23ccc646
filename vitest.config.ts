import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    // set-up and clean-up (repositories, images, temporary trees) share the host with other files
    hookTimeout: 60_000,
    reporters: ['default'],
    // the suites mostly wait on processes (agent CLIs, containers, servers): at least 3 files at once,
    // even on a 2-core host, where vitest's default (cores - 1) would run them one by one
    maxWorkers: Math.max(3, availableParallelism() - 1),
  },
});
