/**
 * The one reader of stored records (src/store/schema.ts), kind by kind: a good record round-trips,
 * a newer version is refused naming the file and `schemaVersion`, an unknown older one likewise, a
 * bad field is refused naming its path, and an older version the kind still reads is upgraded. The
 * committed results read through it as they are.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AttemptRecord } from '../../src/agent/attempt.js';
import type { JobResult } from '../../src/bench/types.js';
import type { JudgeCacheEntry } from '../../src/grade/judge.js';
import { embeddedData } from '../../src/report/html.js';
import type { ReportData } from '../../src/report/html-data.js';
import type { ExtendedRow } from '../../src/report/job-rows.js';
import { readStored, readStoredIfThere } from '../../src/store/read.js';
import {
  currentVersion,
  parseStored,
  type RecordKind,
  type StoredRecord,
  StoredRecordError,
} from '../../src/store/schema.js';
import type { UnitRecord } from '../../src/store/units.js';
import { PROJECT_ROOT } from '../support/shared-data.js';

const FILE = '/runs/r/some.json';
const AT = '2026-01-02T03:04:05.000Z';
const interval = { estimate: 12.5, lo: 10, hi: 15, level: 0.95 };
const summary = { n: 3, mean: 10, sd: 0.5, cvPct: 5, min: 9.5, max: 10.5 };
const tolerance = { maxNonExact: 0, maxAbsDiff: 0.5, source: 'human', detail: 'human vs baseline' } as const;
const equivalence = {
  verdict: 'equivalent',
  reason: 'all outputs match',
  exactRate: 1,
  firstDivergence: null,
  maxAbsDiff: 0,
  examples: [],
  tolerance,
} as const;
const jobEquivalence = {
  probe: 'completions',
  tolerance,
  human: {
    compared: 4,
    exact: 4,
    nonExact: 0,
    far: 0,
    missing: [],
    firstDivergence: null,
    maxAbsDiff: 0.25,
  },
  detail: 'human vs baseline: 4/4 exact',
} as const;
const finding = {
  rule: 'timer-tamper',
  severity: 'warn',
  file: 'engine/x.py',
  line: 3,
  evidence: 'time.time = lambda: 0',
  message: 'the patch changes the clock',
} as const;
const proc = {
  argv: ['python3', 'setup.py'],
  cwd: '/w',
  env: { A: '1' },
  exitCode: 0,
  signal: null,
  timedOut: false,
  durationMs: 12,
  stdoutPath: 'setup.stdout',
  stderrPath: 'setup.stderr',
};
const task = JSON.parse(readFileSync(join(PROJECT_ROOT, 'tasks', 'demo', 'cpu-latency.json'), 'utf8'));

const fixedOne: Pick<StoredRecord<'measurement'>, 'design' | 'stop'> = {
  design: { maxRounds: 1, clientRuns: 1, adaptive: null },
  stop: { reason: 'fixed', rounds: 1, detail: '1 fixed rounds', looks: [] },
};

const measurement: StoredRecord<'measurement'> = {
  schemaVersion: 3,
  task,
  primaryMetric: { name: 'latency_avg', unit: 'ms', direction: 'lower' },
  repeats: 1,
  warmup: 0,
  ...fixedOne,
  order: ['baseline'],
  variants: [
    {
      id: 'baseline',
      kind: 'baseline',
      agent: null,
      model: null,
      patch: null,
      tamper: [],
      setup: [{ ...proc, step: 'prepare' }],
      failure: null,
    },
  ],
  phases: [
    {
      schemaVersion: 4,
      task: 'demo/cpu-latency',
      variant: 'baseline',
      round: 1,
      warmup: false,
      startedAt: AT,
      status: 'ok',
      detail: '',
      server: null,
      client: proc,
      metrics: { latency_avg: { value: 10, unit: 'ms', direction: 'lower' } },
      effectiveArgs: null,
      workloadDifferences: [],
      wallMs: 100,
      overheadMs: 3,
      atStart: {},
      result: { source: 'stdout', jsonPath: null, notes: [] },
      probe: null,
      runs: [],
    },
  ],
  accuracy: null,
  failure: null,
  fingerprint: { cpu: 'x86' },
  executor: 'local',
  startedAt: AT,
  durationMs: 5,
  policy: {
    verdict: { thresholdPct: 5 },
    equivalence: { extraNonExact: 0, absDiffFactor: 2 },
    accuracyTolerancePts: 2,
  },
};

const run: StoredRecord<'run'> = {
  schemaVersion: 2,
  runId: 'r1',
  createdAt: AT,
  status: 'done',
  args: ['run', '--tasks', 'demo/cpu-latency'],
  executor: 'local',
  repeats: 3,
  warmup: 1,
  thresholdPct: 5,
  attempts: 2,
  tasks: ['demo/cpu-latency'],
  // passed through as written
  backend: 'in-process',
  costUsd: null,
};

const job: JobResult = {
  schemaVersion: 4,
  task: 'demo/cpu-latency',
  primaryMetric: { name: 'latency_avg', unit: 'ms', direction: 'lower' },
  repeats: 3,
  design: { maxRounds: 3, clientRuns: 1, adaptive: { minRounds: 2, spending: 'pocock' } },
  stop: {
    reason: 'decided',
    rounds: 2,
    detail: 'every verdict was decided at the look after round 2',
    looks: [{ rounds: 2, level: 0.9712, undecided: [] }],
  },
  order: ['baseline', 'human', 'agent:a'],
  variants: [
    {
      id: 'baseline',
      kind: 'baseline',
      agent: null,
      model: null,
      patch: null,
      tamper: [],
      setup: [{ ...proc, step: 'prepare' }],
      status: 'ok',
      detail: '',
      samples: [9.5, 10, 10.5],
      summary,
      means: { latency_avg: 10 },
    },
    {
      id: 'agent:a',
      kind: 'agent',
      agent: 'a',
      model: 'm',
      patch: { method: 'git apply', files: ['engine/x.py'], native: false },
      tamper: [finding],
      setup: [],
      notes: ['pinned client copied'],
      status: 'bench_error',
      detail: 'the client crashed',
      samples: [],
      summary: null,
      means: {},
    },
  ],
  humanVsBaseline: interval,
  validity: { valid: true, reason: 'the human gains here' },
  failure: null,
  agents: [
    {
      variant: 'agent:a',
      agentVsBaseline: interval,
      agentVsHuman: null,
      verdict: { verdict: 'matches_human', reason: 'within the band' },
      failure: null,
      equivalence,
      credited: true,
      accuracy: {
        baseline: { correct: 9, total: 10, pct: 90 },
        agent: { correct: 9, total: 10, pct: 90 },
        deltaPts: 0,
        tolerancePts: 2,
        passed: true,
        dataset: 'demo',
      },
    },
  ],
  equivalence: jobEquivalence,
  fingerprint: { cpu: 'x86', cpus: '8' },
  executor: 'local',
  startedAt: AT,
  durationMs: 1234,
};

const usage = {
  inputTokens: 10,
  outputTokens: 5,
  cacheReadTokens: null,
  cacheWriteTokens: null,
  costUsd: 0.01,
  turns: 2,
  toolCalls: 1,
};
const outcome: AttemptRecord = {
  schemaVersion: 1,
  task: 'demo/cpu-latency',
  agent: 'a',
  attempt: 1,
  baseCommit: '451550ce8eae0f3b65d992aa3294c20234b43384',
  modelRequested: 'm',
  model: 'm-2026',
  agentVersion: '1.0.0',
  outcome: { kind: 'completed', detail: 'done' },
  usage,
  budgets: { timeMin: 120, maxTurns: 100, maxCostUsd: null },
  denials: [],
  tries: [
    { kind: 'infra', detail: '429', durationMs: 10 },
    { kind: 'completed', detail: 'done', durationMs: 20 },
  ],
  patch: { status: 'ok', files: 1, added: 2, removed: 1, binaryFiles: 0, protectedTouched: [] },
  prompt: { templateVersion: 1, hintLevel: 'files', hintFiles: ['engine/x.py'] },
  startedAt: AT,
  durationMs: 30,
  files: {
    prompt: 'prompt.txt',
    patch: 'patch.diff',
    trajectory: 'trajectory.jsonl',
    logs: 'logs',
    prediction: 'prediction.jsonl',
  },
};

const unit: UnitRecord = {
  schemaVersion: 1,
  key: 'a'.repeat(64),
  kind: 'bench_job',
  status: 'done',
  detail: 'measured',
  inputs: { task: 'demo/cpu-latency', repeats: 3, nested: { x: [1, 2] } },
  finishedAt: AT,
  retries: [{ at: AT, cause: 'infra_error: disk' }],
  result: { file: 'job.json', sha256: 'b'.repeat(64) },
};

const extRow: ExtendedRow = {
  schemaVersion: 5,
  runId: 'r1',
  task: 'demo/cpu-latency',
  benchmark: { kind: 'latency', v5Mode: 'standalone' },
  agent: 'a',
  model: 'm',
  variant: 'agent:a',
  jobPath: 'jobs/demo_cpu-latency',
  design: { maxRounds: 8, clientRuns: 1, adaptive: { minRounds: 3, spending: 'pocock' } },
  stop: {
    reason: 'decided',
    rounds: 4,
    detail: 'every verdict decided',
    looks: [
      { rounds: 3, level: 0.975, undecided: ['agent:a'] },
      { rounds: 4, level: 0.985, undecided: [] },
    ],
  },
  primaryMetric: job.primaryMetric,
  repeats: 3,
  variants: {
    baseline: { status: 'ok', detail: '', summary, samples: [9.5, 10, 10.5] },
    human: { status: 'ok', detail: '', summary, samples: [9.5, 10, 10.5] },
    agent: { status: 'bench_error', detail: 'crashed', summary: null, samples: [] },
  },
  humanVsBaseline: interval,
  agentVsBaseline: interval,
  agentVsHuman: null,
  verdict: 'matches_human',
  verdictReason: 'within the band',
  taskValidHere: true,
  taskValidity: 'the human gains here',
  failureClass: null,
  patch: { method: 'git apply', files: ['engine/x.py'], native: false },
  tamper: [finding],
  equivalence,
  equivalenceCalibration: jobEquivalence,
  credited: true,
  accuracy: null,
  fingerprint: { cpu: 'x86' },
  executor: 'local',
  thresholdPct: 5,
  effort: {
    attempt: 1,
    outcome: 'completed',
    costUsd: 0.01,
    inputTokens: 10,
    outputTokens: 5,
    cacheReadTokens: null,
    cacheWriteTokens: null,
    turns: 2,
    toolCalls: 1,
    wallMs: 30,
    infraRetries: 1,
    agentVersion: '1.0.0',
    modelReported: 'm-2026',
    path: 'agents/a/demo_cpu-latency/1',
  },
  judge: {
    status: 'judged',
    answer: { targeting: 'same', approach: 'similar', reason: 'same loop' },
    cached: false,
    rubricVersion: 1,
    model: 'j',
  },
  quadrant: 'true_success',
};

const judgeCache: JudgeCacheEntry = {
  schemaVersion: 1,
  key: 'k',
  rubricVersion: 1,
  provider: 'openai',
  model: 'j',
  task: 'demo/cpu-latency',
  patchSha256: 'c'.repeat(64),
  answer: { targeting: 'related', approach: 'partial', reason: 'part of it' },
  at: AT,
};

const report: ReportData = {
  schemaVersion: 3,
  title: 'isobench report: r1',
  generatedAt: AT,
  isobenchVersion: '0.1.0',
  source: {
    kind: 'run',
    path: '/runs/r1',
    runId: 'r1',
    createdAt: AT,
    status: 'done',
    executor: 'local',
    repeats: 3,
    warmup: 1,
    thresholdPct: 5,
    command: 'run --tasks demo/cpu-latency',
    devices: { x86: 1 },
    judges: {},
    notes: [],
  },
  linkBase: '',
  columns: ['task', 'attempt', 'hard', 'verdict', 'vsHuman', 'means', 'tamperNotes'],
  rows: [['demo/cpu-latency', 1, true, null, [12.5, 10, 15], { baseline: 10, agent: null }, ['a note']]],
  artifacts: { 'agents/a/demo_cpu-latency/1/prompt.txt': '## Task' },
  packed: null,
};

/** Each kind: a good record, a field to spoil (its path and a wrong value). */
const KINDS: Array<{ kind: RecordKind; good: object; bad: [path: Array<string | number>, value: unknown] }> =
  [
    { kind: 'measurement', good: measurement, bad: [['phases', 0, 'status'], 'fine'] },
    { kind: 'run', good: run, bad: [['tasks', 0], 7] },
    { kind: 'job', good: job, bad: [['agents', 0, 'verdict', 'verdict'], 'faster'] },
    { kind: 'outcome', good: outcome, bad: [['usage', 'costUsd'], '0.01'] },
    { kind: 'unit', good: unit, bad: [['retries', 0, 'cause'], null] },
    { kind: 'ext-row', good: extRow, bad: [['variants', 'agent', 'samples', 0], 'x'] },
    {
      kind: 'sandbox',
      good: { schemaVersion: 1, id: 'agent-a-1234', name: 'agent-a', labels: { k: 'v' }, ownerPid: 42 },
      bad: [['ownerPid'], '42'],
    },
    {
      kind: 'images-used',
      good: { schemaVersion: 1, used: { 'isobench/x:1': AT } },
      bad: [['used', 'isobench/x:1'], 1],
    },
    { kind: 'judge-cache', good: judgeCache, bad: [['answer', 'targeting'], 'elsewhere'] },
    { kind: 'report', good: report, bad: [['source', 'kind'], 'table'] },
  ];

/** A deep copy of `o` with the value at `path` set. */
function withField(o: object, path: ReadonlyArray<string | number>, value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(o));
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k];
  at[path.at(-1) as string | number] = value;
  return copy;
}

/** The error `f` throws, which must be a StoredRecordError. */
function refusal(f: () => unknown): StoredRecordError {
  try {
    f();
  } catch (e) {
    if (e instanceof StoredRecordError) return e;
    throw e;
  }
  throw new Error('not refused');
}

describe.each(KINDS)('stored records of kind $kind', ({ kind, good, bad }) => {
  const v = currentVersion(kind);

  it('reads a good record back as written', () => {
    expect(parseStored(kind, JSON.stringify(good), FILE)).toEqual(good);
  });

  it('refuses a newer version, naming the file and schemaVersion', () => {
    const e = refusal(() => parseStored(kind, JSON.stringify({ ...good, schemaVersion: v + 1 }), FILE));
    expect(e.file).toBe(FILE);
    expect(e.field).toBe('schemaVersion');
    expect(e.message).toBe(
      `${FILE}: schemaVersion: version ${v + 1} of ${kind} was written by a newer isobench (this one reads up to ${v})`,
    );
  });

  it('refuses an older version it has no upgrade for, and a version that is not an integer', () => {
    const old = refusal(() => parseStored(kind, JSON.stringify({ ...good, schemaVersion: 0 }), FILE));
    expect(old.message).toBe(
      `${FILE}: schemaVersion: version 0 of ${kind} is older than any this isobench reads`,
    );
    const odd = refusal(() => parseStored(kind, JSON.stringify({ ...good, schemaVersion: '1' }), FILE));
    expect(odd.field).toBe('schemaVersion');
  });

  it('refuses a bad field, naming its path', () => {
    const e = refusal(() => parseStored(kind, JSON.stringify(withField(good, bad[0], bad[1])), FILE));
    expect(e.file).toBe(FILE);
    expect(e.field).toBe(bad[0].join('.'));
  });

  it('refuses what is not a JSON object', () => {
    expect(refusal(() => parseStored(kind, '[]', FILE)).message).toBe(`${FILE}: expected a JSON object`);
    expect(refusal(() => parseStored(kind, '{"schemaVersion":', FILE)).message).toMatch(
      /^\/runs\/r\/some\.json: not valid JSON: /,
    );
  });
});

describe('older versions', () => {
  it('run 1 (one attempt of each agent) is upgraded to 2', () => {
    const { attempts: _, ...v1 } = { ...run, schemaVersion: 1 };
    expect(parseStored('run', JSON.stringify(v1), FILE)).toEqual({ ...run, attempts: 1 });
  });

  it('a measurement of version 1 and a job of version 3 (fixed rounds, no stop recorded) are upgraded', () => {
    const {
      design: _d,
      stop: _s,
      ...m1
    } = {
      ...measurement,
      schemaVersion: 1,
      phases: measurement.phases.map(({ runs: _r, ...p }) => ({ ...p, schemaVersion: 3 })),
    };
    expect(parseStored('measurement', JSON.stringify(m1), FILE)).toEqual({
      ...measurement,
      stop: { ...fixedOne.stop, detail: 'fixed rounds (recorded before adaptive rounds)' },
    });
    const { design: _jd, stop: _js, ...j3 } = { ...job, schemaVersion: 3 };
    const read = parseStored('job', JSON.stringify(j3), FILE);
    expect(read.design).toEqual({ maxRounds: 3, clientRuns: 1, adaptive: null });
    expect(read.stop).toEqual({
      reason: 'fixed',
      rounds: 3,
      detail: 'fixed rounds (recorded before adaptive rounds)',
      looks: [],
    });
  });

  it('a measurement of version 2 (phases of version 3, one client run each) is upgraded to 3', () => {
    const m2 = {
      ...measurement,
      schemaVersion: 2,
      phases: measurement.phases.map(({ runs: _r, ...p }) => ({ ...p, schemaVersion: 3 })),
    };
    const read = parseStored('measurement', JSON.stringify(m2), FILE);
    expect(read).toEqual(measurement);
    expect(read.phases.map((p) => [p.schemaVersion, p.runs])).toEqual([[4, []]]);
  });

  it('an extended row of version 4 is upgraded to 5: its design and stop were not recorded, so both are null', () => {
    const { design: _d, stop: _s, ...v4 } = { ...extRow, schemaVersion: 4 };
    const r = parseStored('ext-row', JSON.stringify(v4), FILE);
    expect(r).toEqual({ ...extRow, design: null, stop: null });
  });

  it('an extended row of version 3 is read as written (no benchmark, variant or job folder)', () => {
    const {
      benchmark: _b,
      variant: _v,
      jobPath: _j,
      design: _d,
      stop: _s,
      ...v3
    } = { ...extRow, schemaVersion: 3 as const };
    const r = parseStored('ext-row', JSON.stringify(v3), FILE);
    expect(r).toEqual(v3);
    expect(r.schemaVersion === 5 ? r.variant : null).toBeNull();
  });

  it('an extended row of version 2 is upgraded to 3: nothing checked, nothing recorded', () => {
    const {
      benchmark: _b,
      variant: _v,
      jobPath: _j,
      effort: _e,
      accuracy: _a,
      equivalence: _q,
      equivalenceCalibration: _c,
      credited: _r,
      judge: _g,
      quadrant: _d,
      design: _ds,
      stop: _st,
      ...v2
    } = { ...extRow, schemaVersion: 2 };
    const r = parseStored('ext-row', JSON.stringify(v2), FILE);
    expect(r).toMatchObject({
      schemaVersion: 3,
      effort: null,
      accuracy: null,
      equivalence: null,
      credited: true,
      equivalenceCalibration: { probe: null, tolerance: null, human: null },
    });
    // a late version-2 row with the output checks keeps them
    const late = parseStored(
      'ext-row',
      JSON.stringify({ ...v2, equivalence, equivalenceCalibration: jobEquivalence, credited: false }),
      FILE,
    );
    expect(late).toMatchObject({ schemaVersion: 3, equivalence, credited: false, effort: null });
  });

  it('a sandbox state file written without a version is version 1', () => {
    const state = { id: 'x-1', name: 'x', labels: {}, ownerPid: 7 };
    expect(parseStored('sandbox', JSON.stringify(state), FILE)).toEqual({ schemaVersion: 1, ...state });
  });

  it('report data of version 2 (never packed) is upgraded to 3', () => {
    const { packed: _, ...v2 } = { ...report, schemaVersion: 2 };
    expect(parseStored('report', JSON.stringify(v2), FILE)).toEqual(report);
  });
});

describe('what JSON cannot hold', () => {
  it("an unbounded tolerance (the human's outputs of different lengths) reads back as Infinity", () => {
    const unbounded = { ...tolerance, maxAbsDiff: Number.POSITIVE_INFINITY };
    const j: JobResult = {
      ...job,
      equivalence: {
        ...jobEquivalence,
        tolerance: unbounded,
        human: { ...jobEquivalence.human, maxAbsDiff: Number.POSITIVE_INFINITY },
      },
      agents: job.agents.map((a) => ({ ...a, equivalence: { ...equivalence, tolerance: unbounded } })),
    };
    const text = JSON.stringify(j);
    expect(text).toContain('"maxAbsDiff":null');
    expect(parseStored('job', text, FILE)).toEqual(j);
  });
});

describe('the reader', () => {
  it('names a file it cannot read', async () => {
    const missing = join(PROJECT_ROOT, 'no-such-dir', 'job.json');
    await expect(readStored('job', missing)).rejects.toThrow(`${missing}: cannot be read: ENOENT`);
    expect(await readStoredIfThere('job', missing)).toBeNull();
    const here = join(PROJECT_ROOT, 'results', 'gpu-demo-nvidia-h200', 'run.json');
    await expect(readStoredIfThere('job', here)).rejects.toThrow(`${here}: schemaVersion: version 1 of job`);
  });

  it('reads the committed results as they are', async () => {
    const results = join(PROJECT_ROOT, 'results');
    for (const dir of ['gpu-demo-nvidia-h200', 'example-report', 'gpu-report-nvidia-h200']) {
      const at = (f: string) => join(results, dir, f);
      // written as version 3, read upgraded
      if (existsSync(at('job.json'))) expect((await readStored('job', at('job.json'))).schemaVersion).toBe(4);
      if (existsSync(at('run.json'))) expect((await readStored('run', at('run.json'))).schemaVersion).toBe(2);
      if (existsSync(at('rows.ext.jsonl')))
        readFileSync(at('rows.ext.jsonl'), 'utf8')
          .split('\n')
          .forEach((l, i) => {
            if (l.trim())
              expect(parseStored('ext-row', l, `${at('rows.ext.jsonl')}:${i + 1}`).task).toBeTruthy();
          });
      if (existsSync(at('report.html')))
        expect(embeddedData(readFileSync(at('report.html'), 'utf8'), at('report.html')).packed).toBeNull();
    }
  });
});
