import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importIsoBench, taskFileText } from '../../src/published/import-tasks.js';
import { loadTasks } from '../../src/task/loader.js';
import { CATALOGUE_REPAIRS, CATALOGUE_VERDICTS } from '../../src/task/repairs.js';
import { TASKS_DIR } from '../support/fixtures.js';
import { dataPath, HAVE_SHARED_DATA } from '../support/shared-data.js';

describe('the committed task catalogue', () => {
  it('holds 96 vLLM task specs and the demo tasks, all loading, one per commit', async () => {
    const c = await loadTasks(TASKS_DIR);
    expect(c.problems).toEqual([]);
    expect(c.tasks.filter((t) => t.id.startsWith('vllm/'))).toHaveLength(96);
    expect(c.tasks.filter((t) => t.id.startsWith('demo/')).map((t) => t.id)).toEqual([
      'demo/cpu-latency',
      'demo/cpu-serving',
      'demo/gpu-rmsnorm',
    ]);
    expect(new Set(c.tasks.map((t) => t.commits.human)).size).toBe(c.tasks.length);
  });

  it('gives every task that cannot be benchmarked a reason and a detail', async () => {
    const c = await loadTasks(TASKS_DIR);
    const not = c.tasks.filter((t) => !t.benchmarkable.ok);
    expect(not.length).toBeGreaterThan(20);
    for (const t of not) {
      if (t.benchmarkable.ok) continue;
      expect(t.benchmarkable.detail.length, t.id).toBeGreaterThan(15);
      expect(
        t.findings.some((f) => f.severity === 'error'),
        t.id,
      ).toBe(true);
    }
    for (const t of c.tasks.filter((x) => x.benchmarkable.ok)) {
      expect(
        t.findings.filter((f) => f.severity === 'error'),
        t.id,
      ).toEqual([]);
    }
  });

  it('marks the commits the original excluded or could not run as not benchmarkable', async () => {
    const c = await loadTasks(TASKS_DIR);
    const status = (short: string) => c.tasks.find((t) => t.id === `vllm/${short}`)?.benchmarkable;
    const excluded = [
      // the card's 9 wrong perf commands and 1 data issue
      'ed250545',
      '8a4e5c5f',
      'f26c4aee',
      '6d0734c5',
      '61b8cea3',
      'cf2f084d',
      '80aa7e91',
      'ca7a2d5f',
      '8bc68e19',
      // a Llama-3.1 command on a vLLM too old to load it, and no repair
      '3a243095',
      // non-standard: accuracy-only and TPU-only
      'ccf02fcb',
      'ce6bf3a2',
      // placeholders, [--optional] parts, unknown scripts
      '526de822',
      '9323a315',
      'c45f3c3a',
      'bfdb1ba5',
    ];
    for (const s of excluded) expect(status(s)?.ok, s).toBe(false);
    expect(status('526de822')).toMatchObject({ reason: 'invalid_perf_command' });
    expect(status('ccf02fcb')).toMatchObject({ reason: 'accuracy_only' });
    expect(status('ce6bf3a2')).toMatchObject({ reason: 'non_h100_hardware' });
    expect(status('80aa7e91')).toMatchObject({ reason: 'model_unsupported_at_commit' });
    expect(status('ed250545')).toMatchObject({ reason: 'workload_misses_change' });
    expect(status('015069b0')).toEqual({ ok: true });
  });

  it('makes each catalogue repair a benchmarkable task that says what it replaced, why, from what source, and what it reaches', async () => {
    const c = await loadTasks(TASKS_DIR);
    for (const [short, repair] of Object.entries(CATALOGUE_REPAIRS)) {
      const t = c.tasks.find((x) => x.id === `vllm/${short}`);
      expect(t?.benchmarkable, short).toEqual({ ok: true });
      expect(t?.benchmark.perfCommand, short).toBe(repair.command);
      const r = t?.benchmark.resolutions.find((x) => x.what.startsWith('perf command: '));
      expect(r?.what, short).toContain(`-> ${repair.command}`);
      expect(r?.why, short).toContain(repair.source);
      expect(t?.findings.find((f) => f.code === 'workload_reaches_change')?.detail, short).toBe(
        repair.reaches,
      );
      if (repair.metric) expect(t?.benchmark.primaryMetric?.name, short).toBe(repair.metric.name);
    }
    // the card's data-issue exclusion, answered by its repair, stays visible as a finding
    const data = c.tasks.find((x) => x.id === 'vllm/6ce01f30');
    expect(data?.findings.map((f) => f.code)).toContain('published_exclusion_repaired');
    // the multi-GPU repairs lease four H100 on one host
    for (const s of ['379da6dc', '8aa1485f', 'b6d10354'])
      expect(c.tasks.find((x) => x.id === `vllm/${s}`)?.hardware, s).toEqual({ gpu: 'H100', count: 4 });
    expect(Object.keys(CATALOGUE_REPAIRS)).toHaveLength(14);
  });

  it('keeps the research verdict (maybe, no) and its reason on every vLLM task it could not repair', async () => {
    const c = await loadTasks(TASKS_DIR);
    const notOk = c.tasks.filter((t) => t.id.startsWith('vllm/') && !t.benchmarkable.ok).map((t) => t.id);
    // the research covers exactly the tasks left unbenchmarkable, none of them also repaired
    expect(
      Object.keys(CATALOGUE_VERDICTS)
        .map((s) => `vllm/${s}`)
        .sort(),
    ).toEqual(notOk.sort());
    for (const s of Object.keys(CATALOGUE_VERDICTS)) expect(CATALOGUE_REPAIRS[s], s).toBeUndefined();
    for (const [short, v] of Object.entries(CATALOGUE_VERDICTS)) {
      const found = c.tasks
        .find((x) => x.id === `vllm/${short}`)
        ?.findings.filter((f) => f.source === 'catalogue research');
      expect(
        found?.map((f) => f.code),
        short,
      ).toEqual([`repair_${v.verdict}`]);
      expect(found?.[0]?.detail, short).toContain(v.why);
      if (v.verdict === 'maybe') {
        expect(v.command && v.needs && v.gpus, `${short}: a maybe says what a repair needs`).toBeTruthy();
        expect(found?.[0]?.detail, short).toContain(v.command as string);
      }
    }
    const verdicts = Object.values(CATALOGUE_VERDICTS).map((v) => v.verdict);
    expect([verdicts.filter((v) => v === 'maybe').length, verdicts.filter((v) => v === 'no').length]).toEqual(
      [7, 23],
    );
  });

  it('splits every serving task into an exact server argv and client argv', async () => {
    const c = await loadTasks(TASKS_DIR);
    for (const t of c.tasks.filter((x) => x.benchmarkable.ok && x.id.startsWith('vllm/'))) {
      const b = t.benchmark;
      const client = b.client?.argv ?? [];
      expect(client.slice(0, 2).join(' '), t.id).toMatch(
        /^(python3? benchmarks\/benchmark_\w+\.py|vllm bench)$/,
      );
      for (const w of [...client, ...(b.server?.argv ?? [])])
        expect(w, t.id).not.toMatch(/^(?:[A-Z][A-Z_]+|\[-.*)$/);
      if (b.kind === 'serving') {
        const server = b.server?.argv ?? [];
        expect(server.slice(0, 3), t.id).toEqual(['python3', '-m', 'vllm.entrypoints.openai.api_server']);
        const port = (argv: readonly string[]) => argv[argv.indexOf('--port') + 1];
        expect(port(server), t.id).toBe(port(client));
        for (const flag of ['--num-prompts', '--request-rate', '--dataset-name', '--backend'])
          expect(server, t.id).not.toContain(flag);
        for (const flag of ['--dtype', '--tensor-parallel-size', '--quantization', '--enable-prefix-caching'])
          expect(client, t.id).not.toContain(flag);
      } else expect(b.server, t.id).toBeNull();
      expect(t.prefetch.models, t.id).toContain(b.model);
    }
  });
});

describe('the demo importer', () => {
  it('re-creates the committed demo specs byte for byte (the generated repositories have the same hashes)', async () => {
    const { importDemoTasks } = await import('../../src/task/importers/demo.js');
    for (const s of await importDemoTasks()) {
      expect(taskFileText(s), s.id).toBe(await readFile(join(TASKS_DIR, `${s.id}.json`), 'utf8'));
    }
  });
});

describe.skipIf(!HAVE_SHARED_DATA)('the ISO-Bench importer', () => {
  it('re-creates the committed files byte for byte (re-runnable, deterministic, up to date)', async () => {
    const specs = await importIsoBench(dataPath());
    expect(specs).toHaveLength(96);
    for (const s of specs) {
      const committed = await readFile(join(TASKS_DIR, `${s.id}.json`), 'utf8');
      expect(taskFileText(s), s.id).toBe(committed);
    }
  });

  it('comes out the same on a second run', async () => {
    const [a, b] = [await importIsoBench(dataPath()), await importIsoBench(dataPath())];
    expect(b.map(taskFileText)).toEqual(a.map(taskFileText));
  });
});
