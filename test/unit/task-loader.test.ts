import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bottleneckStatement } from '../../src/task/bottleneck.js';
import {
  findTask,
  loadTaskSummaries,
  loadTasks,
  parseTaskFile,
  type TaskCatalogue,
  type TaskFileProblem,
} from '../../src/task/loader.js';

const TASKS = resolve(dirname(fileURLToPath(import.meta.url)), '../../tasks/vllm');
const GOOD = ['015069b0', '6d646d08'];

function readTask(short: string): string {
  return readFileSync(join(TASKS, `${short}.json`), 'utf8');
}

/** A real task as a mutable object. */
// biome-ignore lint/suspicious/noExplicitAny: test fixtures edit arbitrary fields
function taskObject(short: string): any {
  return JSON.parse(readTask(short));
}

let dir = '';
let catalogue: TaskCatalogue;

function write(rel: string, content: string | object): void {
  const p = join(dir, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
}

function problemsOf(file: string): TaskFileProblem[] {
  return catalogue.problems.filter((p) => p.file.endsWith(file));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isobench-tasks-'));
  for (const s of GOOD) write(`vllm/${s}.json`, readTask(s));

  // not JSON at all
  write('vllm/aaaaaaaa.json', '{ "schemaVersion": 1, "id": ');

  // a short human hash
  const short = taskObject('015069b0');
  short.id = 'vllm/bbbbbbbb';
  short.commits.human = 'bbbbbbbb';
  write('vllm/bbbbbbbb.json', short);

  // a format newer than this isobench
  const newer = taskObject('015069b0');
  newer.schemaVersion = 2;
  write('vllm/cccccccc.json', newer);

  // a valid task stored under the wrong name
  write('vllm/dddddddd.json', readTask('0d243f2a'));

  // the same human commit as vllm/015069b0, under another family (loaded after vllm/)
  const dup = taskObject('015069b0');
  dup.id = 'vllm-dup/015069b0';
  write('vllm-dup/015069b0.json', dup);

  // a benchmarkable task without its client argv
  const noClient = taskObject('0ec82edd');
  expect(noClient.benchmarkable.ok).toBe(true);
  delete noClient.benchmark.client;
  write('vllm/0ec82edd.json', noClient);

  // not a task file: ignored
  write('vllm/README.txt', 'not json');

  catalogue = await loadTasks(dir);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('loadTasks', () => {
  it('loads the good tasks in path order', () => {
    expect(catalogue.dir).toBe(dir);
    expect(catalogue.tasks.map((t) => t.id)).toEqual(GOOD.map((s) => `vllm/${s}`));
  });

  it('reports one problem per bad file, naming file, field and what was expected', () => {
    expect(catalogue.problems).toHaveLength(6);
    const files = catalogue.problems.map((p) => p.file.split(/[\\/]/).slice(-2).join('/'));
    expect(files.sort()).toEqual(
      [
        'vllm/aaaaaaaa.json',
        'vllm/bbbbbbbb.json',
        'vllm/cccccccc.json',
        'vllm/dddddddd.json',
        'vllm-dup/015069b0.json',
        'vllm/0ec82edd.json',
      ].sort(),
    );
    for (const p of catalogue.problems) expect(p.message.length).toBeGreaterThan(0);
  });

  it('invalid JSON is a whole-file problem', () => {
    const [p] = problemsOf('aaaaaaaa.json');
    expect(p?.field).toBeNull();
    expect(p?.message).toMatch(/^not valid JSON/);
  });

  it('a short human commit names commits.human and the expected form', () => {
    const ps = problemsOf('bbbbbbbb.json');
    expect(ps).toHaveLength(1);
    expect(ps[0]?.field).toBe('commits.human');
    expect(ps[0]?.message).toContain('40-character');
  });

  it('a newer schemaVersion says a newer isobench wrote it', () => {
    const ps = problemsOf('cccccccc.json');
    expect(ps).toHaveLength(1);
    expect(ps[0]?.field).toBe('schemaVersion');
    expect(ps[0]?.message).toContain('newer isobench');
  });

  it('an id that does not match the path names id and the expected id', () => {
    const ps = problemsOf('dddddddd.json');
    expect(ps).toHaveLength(1);
    expect(ps[0]?.field).toBe('id');
    expect(ps[0]?.message).toContain("expected 'vllm/dddddddd'");
    expect(ps[0]?.message).toContain("'vllm/0d243f2a'");
  });

  it('a second task for the same human commit is refused', () => {
    const ps = problemsOf('vllm-dup/015069b0.json');
    expect(ps).toHaveLength(1);
    expect(ps[0]?.field).toBe('commits.human');
    expect(ps[0]?.message).toMatch(/the same human commit as .*vllm[\\/]015069b0\.json$/);
  });

  it('a missing required field names its path under benchmark', () => {
    const ps = problemsOf('0ec82edd.json');
    expect(ps).toHaveLength(1);
    expect(ps[0]?.field).toBe('benchmark.client');
    expect(ps[0]?.message).toContain('expected');
  });

  it('fails clearly on a folder that does not exist', async () => {
    await expect(loadTasks(join(dir, 'nope'))).rejects.toThrow(/cannot read the task folder/);
  });
});

describe('loadTaskSummaries', () => {
  it('loads the good tasks too (and, checking only summary fields, the task without a client argv)', async () => {
    const s = await loadTaskSummaries(dir);
    const ids = s.tasks.map((t) => t.id);
    expect(ids).toEqual(expect.arrayContaining(GOOD.map((x) => `vllm/${x}`)));
    expect([...ids].sort()).toEqual(['vllm/015069b0', 'vllm/0ec82edd', 'vllm/6d646d08']);
    const fields = s.problems.map((p) => p.field).sort();
    expect(fields).toEqual(['commits.human', 'commits.human', 'id', 'schemaVersion', null].sort());
  });
});

describe('findTask', () => {
  it('finds by id, short hash and full-hash prefix', () => {
    const tasks = catalogue.tasks;
    expect(findTask(tasks, 'vllm/015069b0')?.id).toBe('vllm/015069b0');
    expect(findTask(tasks, '6d646d08')?.id).toBe('vllm/6d646d08');
    expect(findTask(tasks, '015069b01741e9')?.id).toBe('vllm/015069b0');
    expect(findTask(tasks, '6d646d08a2e0e73e83e313a5ae470c1f9e4f200e')?.id).toBe('vllm/6d646d08');
    expect(findTask(tasks, 'deadbeef')).toBeUndefined();
    expect(findTask(tasks, '015069')).toBeUndefined();
  });
});

describe('parseTaskFile', () => {
  it('accepts a real task', () => {
    const r = parseTaskFile('015069b0.json', readTask('015069b0'));
    expect(r.ok).toBe(true);
  });

  it('refuses a serving task without benchmark.server', () => {
    const t = taskObject('015069b0');
    delete t.benchmark.server;
    const r = parseTaskFile('x.json', JSON.stringify(t));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.field)).toEqual(['benchmark.server']);
    expect(r.problems[0]?.file).toBe('x.json');
  });

  it('refuses a benchmarkable serving task whose server is null', () => {
    const t = taskObject('015069b0');
    t.benchmark.server = null;
    const r = parseTaskFile('x.json', JSON.stringify(t));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([
      {
        file: 'x.json',
        field: 'benchmark.server',
        message: 'serving tasks (and only they) have a server argv',
      },
    ]);
  });

  it("refuses a human commit that does not start with the id's short hash", () => {
    const t = taskObject('015069b0');
    t.commits.human = t.commits.parent;
    const r = parseTaskFile('x.json', JSON.stringify(t));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]?.field).toBe('commits.human');
    expect(r.problems[0]?.message).toContain("'015069b0'");
  });

  it('refuses a JSON value that is not an object', () => {
    const r = parseTaskFile('x.json', '[1, 2]');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]).toMatchObject({ field: 'schemaVersion', message: 'expected a JSON object' });
  });
});

describe('bottleneck statements of the shipped tasks', () => {
  const files = readdirSync(TASKS).filter((f) => f.endsWith('.json'));

  it('has tasks to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s: never contains the subject or a diff', (file) => {
    const t = JSON.parse(readFileSync(join(TASKS, file), 'utf8')) as {
      subject: string | null;
      bottleneck: { statement: string };
      benchmark: {
        kind: string | null;
        model: string | null;
        primaryMetric: { name: string } | null;
        client: { argv: string[] } | null;
      };
    };
    const rendered = bottleneckStatement({
      kind: t.benchmark.kind,
      model: t.benchmark.model,
      metric: t.benchmark.primaryMetric?.name ?? null,
      client: t.benchmark.client?.argv ?? null,
    });
    // the stored statement is exactly what the template renders from the workload
    expect(t.bottleneck.statement).toBe(rendered);
    for (const statement of [t.bottleneck.statement, rendered]) {
      expect(statement).not.toContain('diff --git');
      if (t.subject !== null && t.subject.length > 15) expect(statement).not.toContain(t.subject);
    }
  });
});
