import { basename, join } from 'node:path';
import { parseProbeOutputs } from '../grade/equivalence.js';
import type { ProbeReading } from '../grade/job.js';
import { type JobMeasurement, MEASUREMENT_VERSION, type MeasuredVariantRecord } from '../store/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { readTextIfThere } from '../util/if-there.js';
import { variantSlug } from '../util/slug.js';

export type { JobMeasurement, MeasuredVariantRecord };
/** `measurement.json`, declared once by its schema (src/store/schema.ts). */
export { MEASUREMENT_VERSION };

/** The file of a job's measurement. */
export const measurementPath = (jobDir: string) => join(jobDir, 'measurement.json');

export async function writeMeasurement(jobDir: string, m: JobMeasurement): Promise<void> {
  await writeFileAtomic(measurementPath(jobDir), `${JSON.stringify(m, null, 2)}\n`);
}

/**
 * The probe outputs of each variant (its last measured round with a probe), read from the job's
 * folder: the phase's own `probe.jsonl`, wherever the run folder has moved since.
 */
export async function readProbes(
  jobDir: string,
  m: Pick<JobMeasurement, 'task' | 'variants' | 'phases'>,
): Promise<Record<string, ProbeReading>> {
  const out: Record<string, ProbeReading> = {};
  if (!m.task.correctness) return out;
  for (const v of m.variants) {
    const rec = m.phases.filter((p) => p.variant === v.id && !p.warmup && p.probe).pop();
    if (!rec?.probe) continue;
    if (rec.probe.status !== 'ok' || !rec.probe.outputsPath) {
      out[v.id] = { failed: rec.probe.detail };
      continue;
    }
    const file = join(
      jobDir,
      'phases',
      `${String(rec.round).padStart(2, '0')}-${variantSlug(v.id)}`,
      basename(rec.probe.outputsPath),
    );
    const text = await readTextIfThere(file);
    if (text === null) {
      out[v.id] = { failed: `the probe's outputs are missing (${file})` };
      continue;
    }
    const parsed = parseProbeOutputs(text);
    out[v.id] = parsed.ok
      ? { outputs: parsed.outputs }
      : { failed: `unreadable probe outputs: ${parsed.detail}` };
  }
  return out;
}
