/**
 * Where the tests find the published ISO-Bench data: `$ISOBENCH_DATA`, else `../shared/data/iso-bench`
 * beside the project. When it is absent the suites that need it are skipped with a message, except
 * when `ISOBENCH_REQUIRE_DATA=1` (set by `.ci/run`), where absence is a failure.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The data directory the tests would use. */
export const SHARED_DATA_DIR = resolve(
  process.env.ISOBENCH_DATA ?? resolve(PROJECT_ROOT, '../shared/data/iso-bench'),
);

const present = existsSync(resolve(SHARED_DATA_DIR, 'v5-rows.parquet'));

if (!present) {
  if (process.env.ISOBENCH_REQUIRE_DATA === '1') {
    throw new Error(
      `ISOBENCH_REQUIRE_DATA=1 but the published ISO-Bench data is not at ${SHARED_DATA_DIR} (set ISOBENCH_DATA to its folder)`,
    );
  }
  console.warn(
    `[isobench tests] SKIPPING the suites that need the published ISO-Bench data: ${SHARED_DATA_DIR} is absent (set ISOBENCH_DATA to its folder).`,
  );
}

/** Whether the shared data is there. */
export const HAVE_SHARED_DATA = present;

/** A path inside the shared data folder. */
export function dataPath(...parts: string[]): string {
  return resolve(SHARED_DATA_DIR, ...parts);
}
