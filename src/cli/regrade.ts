/** `isobench regrade RUN_DIR`: a finished run graded again offline under a policy, into new rows. */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type PolicyChange, regradeRun } from '../run/regrade.js';
import { errorMessage } from '../util/errors.js';
import { z } from '../util/zod.js';
import { EXIT, out, outJson, UsageError } from './common.js';

/** A policy file: any of the regrade's policy settings, nothing else. */
const PolicyFileSchema = z.strictObject({
  thresholdPct: z.optional(z.number()),
  extraNonExact: z.optional(z.number()),
  absDiffFactor: z.optional(z.number()),
  accuracyTolerancePts: z.optional(z.number()),
});

export interface RegradeOptions {
  readonly band?: number;
  readonly extraNonExact?: number;
  readonly absDiffFactor?: number;
  readonly accuracyTolerance?: number;
  readonly policy?: string;
  readonly out?: string;
  readonly json?: boolean;
}

async function policyFile(file: string): Promise<PolicyChange> {
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`--policy ${file}: cannot be read (${e.code ?? e.message})`);
  });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--policy ${file}: not valid JSON: ${errorMessage(e)}`);
  }
  const res = PolicyFileSchema.safeParse(raw);
  if (!res.success) {
    const i = res.error.issues[0];
    throw new UsageError(`--policy ${file}: ${i?.path.map(String).join('.') || '(top)'}: ${i?.message}`);
  }
  return res.data;
}

export async function regradeCmd(runDir: string, opts: RegradeOptions): Promise<number> {
  const dir = resolve(runDir);
  const fromFile = opts.policy ? await policyFile(opts.policy) : {};
  const change: PolicyChange = {
    ...fromFile,
    ...(opts.band !== undefined ? { thresholdPct: opts.band } : {}),
    ...(opts.extraNonExact !== undefined ? { extraNonExact: opts.extraNonExact } : {}),
    ...(opts.absDiffFactor !== undefined ? { absDiffFactor: opts.absDiffFactor } : {}),
    ...(opts.accuracyTolerance !== undefined ? { accuracyTolerancePts: opts.accuracyTolerance } : {}),
  };
  const outDir = resolve(opts.out ?? join(dir, 'regraded'));
  if (outDir === dir)
    throw new UsageError('--out must not be the run folder itself (the run is never changed)');
  const r = await regradeRun(dir, outDir, change);
  if (opts.json) {
    outJson({ outDir: r.outDir, jobs: r.jobs, rows: r.extended.length, change, changes: r.changes });
    return EXIT.ok;
  }
  out(`regraded ${r.jobs} job(s) of ${dir} into ${r.outDir}: ${r.extended.length} row(s)`);
  const said = Object.entries(change).map(([k, v]) => `${k} ${v}`);
  out(`policy: each job's own${said.length ? `, with ${said.join(', ')}` : ' (as the run graded it)'}`);
  if (!r.changes.length) out('no verdict changed');
  for (const c of r.changes) out(`  ${c.job} ${c.variant}: ${c.before ?? '-'} -> ${c.after ?? '-'}`);
  return EXIT.ok;
}
