/**
 * Whether the Docker suites can run: an engine must answer and the base image (built from a
 * debootstrap root filesystem by `.ci/run`, see `scripts/base-image.sh`) must exist. Without them the
 * suites skip with a message, except under `ISOBENCH_REQUIRE_DOCKER=1` (CI), where that is a failure.
 */
import { dockerAvailable } from '../../src/executor/docker.js';

/** The image the Docker suites run in. */
export const BASE_IMAGE = process.env.ISOBENCH_BASE_IMAGE ?? 'isobench-base:bookworm';

async function probe(): Promise<string | null> {
  const ok = await dockerAvailable();
  if (!ok.ok) return `no Docker engine (${ok.reason})`;
  const { default: Docker } = await import('dockerode');
  try {
    await new Docker().getImage(BASE_IMAGE).inspect();
  } catch {
    return `the base image ${BASE_IMAGE} is missing (build it with scripts/base-image.sh)`;
  }
  return null;
}

const why = await probe();
if (why) {
  if (process.env.ISOBENCH_REQUIRE_DOCKER === '1') throw new Error(`ISOBENCH_REQUIRE_DOCKER=1 but ${why}`);
  console.warn(`[isobench tests] SKIPPING the Docker suites: ${why}.`);
}

/** Whether the Docker suites run. */
export const HAVE_DOCKER = why === null;

/** The base of the rehearsal images (scripts/rehearse-image.sh). */
export const REHEARSE_IMAGE = 'isobench-rehearse-base:bookworm';

async function probeRehearse(): Promise<string | null> {
  if (why) return why;
  const { default: Docker } = await import('dockerode');
  try {
    await new Docker().getImage(REHEARSE_IMAGE).inspect();
  } catch {
    return `the rehearsal base image ${REHEARSE_IMAGE} is missing (build it with scripts/rehearse-image.sh)`;
  }
  return null;
}

const whyNotRehearse = await probeRehearse();
if (whyNotRehearse && !why) {
  if (process.env.ISOBENCH_REQUIRE_DOCKER === '1')
    throw new Error(`ISOBENCH_REQUIRE_DOCKER=1 but ${whyNotRehearse}`);
  console.warn(`[isobench tests] SKIPPING the rehearsal suite: ${whyNotRehearse}.`);
}

/** Whether the rehearsal suite runs (a Docker engine with the rehearsal base image). */
export const HAVE_REHEARSE_IMAGE = whyNotRehearse === null;
