/**
 * `isobench tasks verify` on generated trees of each era (test/support/vllm-era.ts): the built CLI,
 * a clone holding the tasks' commits, specs pointing at them. Each era's parsers are the trees' own
 * (FlexibleArgumentParser with `import regex as re`, a server that needs the CUDA platform detected,
 * pydantic config dataclasses, `vllm bench`), so a stand-in that breaks shows here as a failure.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskVerdict } from '../../src/run/verify.js';
import { runCliSync } from '../support/cli.js';
import { PROJECT_ROOT } from '../support/shared-data.js';
import { ERAS, type Era, makeEraRepo, makeUpstream } from '../support/vllm-era.js';

const root = mkdtempSync(join(tmpdir(), 'isobench-verify-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const isobench = (...args: string[]) => runCliSync(args);

const base = (id: string) =>
  JSON.parse(readFileSync(join(PROJECT_ROOT, 'tasks', 'vllm', `${id}.json`), 'utf8'));
const SERVER = [
  'python3',
  '-m',
  'vllm.entrypoints.openai.api_server',
  '--model',
  'facebook/opt-125m',
  '--dtype',
  'float16',
];
const CLIENT = [
  'python',
  'benchmarks/benchmark_serving.py',
  '--model',
  'facebook/opt-125m',
  '--num-prompts',
  '100',
  '--dataset-path',
  '/isobench/datasets/ShareGPT_V3_unfiltered_cleaned_split.json',
  '--port',
  '8000',
];

/** The parts of a spec the cases change. */
interface SpecEdit {
  benchmark: { server: { argv: string[] }; client: { argv: string[] } };
}

/** A task spec of the era repo: a serving task, or (2025-07) a `vllm bench throughput` one. */
function spec(
  id: string,
  era: Era,
  commits: { parent: string; human: string },
  change: (s: SpecEdit) => void = () => {},
) {
  const s = era === '2025-07' && id.endsWith('bench') ? base('0ec82edd') : base('58eee5f2');
  s.id = `vllm/${id}`;
  s.commits = {
    ...s.commits,
    parent: commits.parent,
    human: commits.human,
    date: '2025-07-21T00:00:00.000Z',
  };
  s.benchmark.model = 'facebook/opt-125m';
  s.prefetch = { models: ['facebook/opt-125m'], tokenizers: ['facebook/opt-125m'], datasets: [] };
  if (s.benchmark.kind === 'throughput') {
    s.benchmark.client.argv = [
      'vllm',
      'bench',
      'throughput',
      '--model',
      'facebook/opt-125m',
      '--input-len',
      '8',
      '--output-len',
      '8',
      '--num-prompts',
      '2',
    ];
  } else {
    s.benchmark.server.argv = [...SERVER, '--port', '8000'];
    s.benchmark.client.argv = [...CLIENT];
  }
  change(s);
  return s;
}

describe('isobench tasks verify on generated trees of every era', () => {
  const repos = {} as Record<Era, { dir: string; parent: string; human: string }>;
  // one catalogue per kind of spec: a catalogue refuses two tasks of one human commit
  const dirOf = (id: string) =>
    join(root, `tasks-${id.split('-')[0]}${id.endsWith('-bench') ? '-bench' : ''}`);
  beforeAll(() => {
    const up = makeUpstream(join(root, 'upstream'));
    for (const era of ERAS) {
      repos[era] = makeEraRepo(join(root, `repo-${era}`), era, up);
      const write = (id: string, change?: (s: SpecEdit) => void) => {
        mkdirSync(join(dirOf(id), 'vllm'), { recursive: true });
        writeFileSync(
          join(dirOf(id), 'vllm', `${id}.json`),
          JSON.stringify(spec(id, era, repos[era], change)),
        );
      };
      write(`ok-${era}`);
      // argparse takes a unique prefix for the option: meant one thing, ran another
      write(`abbrev-${era}`, (s) => {
        s.benchmark.server.argv = [...SERVER, '--enable-prefix-cach', '--port', '8000'];
      });
      write(`unknown-${era}`, (s) => {
        s.benchmark.client.argv = [...CLIENT, '--no-such-option', '3'];
      });
      // the deprecated --dataset: taken by the 2024-08 client; later an ambiguous prefix
      write(`dataset-${era}`, (s) => {
        s.benchmark.client.argv = s.benchmark.client.argv.map((a: string) =>
          a === '--dataset-path' ? '--dataset' : a,
        );
      });
      if (era === '2025-07') write(`ok-${era}-bench`);
    }
  }, 120_000);

  const verify = (era: Era, ids: string[], ...extra: string[]) => {
    const tasks: TaskVerdict[] = [];
    let code = 0;
    let schemaVersion = 0;
    for (const id of ids) {
      const r = isobench(
        'tasks',
        'verify',
        '--repo',
        repos[era].dir,
        '--tasks-dir',
        dirOf(id),
        '--tasks',
        `vllm/${id}`,
        '--json',
        ...extra,
      );
      if (!r.stdout.trim()) throw new Error(`tasks verify printed nothing (exit ${r.code}): ${r.stderr}`);
      const report = JSON.parse(r.stdout) as { schemaVersion: number; tasks: TaskVerdict[] };
      tasks.push(...report.tasks);
      schemaVersion = report.schemaVersion;
      code = Math.max(code, r.code ?? 3);
    }
    return {
      code,
      report: { schemaVersion, tasks },
      by: (id: string) => tasks.find((t) => t.task === `vllm/${id}`) as TaskVerdict,
    };
  };
  const check = (v: TaskVerdict, name: string, at?: string) =>
    v.checks.find((c) => c.name === name && (!at || c.at === at));

  it.each(ERAS)(
    '%s: the spec’s argv parse with the tree’s own client and server parsers; recipe facts checked',
    (era) => {
      const ids = [`ok-${era}`, ...(era === '2025-07' ? [`ok-${era}-bench`] : [])];
      const { code, report, by } = verify(era, ids);
      expect(report.schemaVersion).toBe(1);
      const v = by(`ok-${era}`);
      expect(v.verdict, JSON.stringify(v.checks.filter((c) => c.status === 'fail'))).toBe('pass');
      expect(code).toBe(0);
      expect(check(v, 'client-argv')?.detail).toContain('all 4 option(s) land where meant');
      expect(check(v, 'server-argv', 'human')?.status).toBe('pass');
      expect(check(v, 'version', 'parent')?.detail).toMatch(
        era === '2024-08' ? /vllm\/version\.py says 0\.5\.5/ : /setuptools-scm/,
      );
      expect(check(v, 'fetched-sources', 'parent')?.detail).toContain(
        'cutlass https://github.com/nvidia/cutlass.git @ v3.5.1',
      );
      expect(check(v, 'generated-files', 'parent')?.detail).toContain('vllm/_C*.so');
      expect(check(v, 'json-result')?.detail).toContain('--save-result');
      if (era === '2025-07') {
        const b = by(`ok-${era}-bench`);
        expect(b.verdict, JSON.stringify(b.checks)).toBe('pass');
        expect(check(b, 'client-pinned')?.status).toBe('pass');
        expect(check(b, 'json-result')?.detail).toContain(
          '--output-json, from vllm/benchmarks/throughput.py',
        );
      }
    },
  );

  it.each(ERAS)('%s: an abbreviated, an unknown and a deprecated option are caught', (era) => {
    const { code, by } = verify(era, [`abbrev-${era}`, `unknown-${era}`, `dataset-${era}`]);
    expect(code).toBe(1);
    expect(check(by(`abbrev-${era}`), 'server-argv', 'parent')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('--enable-prefix-cach was taken as --enable-prefix-caching'),
    });
    expect(check(by(`unknown-${era}`), 'client-argv')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('unrecognized arguments: --no-such-option 3'),
    });
    const ds = check(by(`dataset-${era}`), 'client-argv');
    if (era === '2024-08') expect(ds?.status).toBe('pass');
    else
      expect(ds?.detail).toContain('ambiguous option: --dataset could match --dataset-name, --dataset-path');
  });

  it('checks the GPU host’s driver against each image’s CUDA: R550 runs a 2024-10 image, not a 2025-07 (CUDA 12.8) one', () => {
    const r550 = verify('2025-07', ['ok-2025-07'], '--driver', '550.54.15');
    expect(r550.code).toBe(1);
    expect(check(r550.by('ok-2025-07'), 'driver', 'parent')).toMatchObject({
      status: 'fail',
      detail:
        'nvidia/cuda:12.8.1-devel-ubuntu22.04: CUDA 12.8 needs driver 570.26 or later; the host has 550.54.15 (it runs up to CUDA 12.4)',
    });
    expect(
      check(verify('2024-10', ['ok-2024-10'], '--driver', '550.54.15').by('ok-2024-10'), 'driver', 'parent'),
    ).toMatchObject({ status: 'pass', detail: 'driver 550.54.15 runs nvidia/cuda:12.4.1-devel-ubuntu22.04' });
    expect(
      check(verify('2025-07', ['ok-2025-07'], '--driver', '580.95.05').by('ok-2025-07'), 'driver')?.status,
    ).toBe('pass');
    // no driver on this host and none given: said, not guessed
    expect(check(verify('2025-07', ['ok-2025-07']).by('ok-2025-07'), 'driver')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('not checked: no NVIDIA driver on this host'),
    });
    const bad = isobench('tasks', 'verify', '--repo', repos['2024-08'].dir, '--driver', 'R550');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--driver R550: not a driver version');
  });

  it('names a commit the clone lacks, and models missing from the prefetch cache', () => {
    // the 2024-10 task against the 2024-08 clone: neither commit is there
    const r = isobench(
      'tasks',
      'verify',
      '--repo',
      repos['2024-08'].dir,
      '--tasks-dir',
      dirOf('ok-2024-10'),
      '--tasks',
      'vllm/ok-2024-10',
      '--json',
    );
    expect(r.code, r.stderr).toBe(1);
    const v = (JSON.parse(r.stdout) as { tasks: TaskVerdict[] }).tasks[0] as TaskVerdict;
    expect(check(v, 'commits')?.detail).toContain(
      `has no commit ${repos['2024-10'].parent} (the task's parent)`,
    );
    const cache = join(root, 'cache');
    mkdirSync(cache, { recursive: true });
    const c = verify('2024-08', ['ok-2024-08'], '--cache', cache);
    expect(c.code).toBe(1);
    expect(check(c.by('ok-2024-08'), 'prefetch')?.detail).toContain('model facebook/opt-125m');
  });
});
