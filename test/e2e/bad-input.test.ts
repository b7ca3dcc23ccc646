/**
 * Bad input and hostile patches in one run: malformed task files, predictions that are not JSON or
 * name unknown tasks, patches with `..` paths, absolute paths, symlinks out of the repository and
 * oversized binaries, and a results folder edited by hand. Each is named (file, line, path) with a
 * clear error or classification; the rest of the run goes on.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { quickRun } from '../support/cli.js';
import { PROJECT_ROOT } from '../support/shared-data.js';

const BIN = resolve(PROJECT_ROOT, 'bin/isobench.mjs');
const root = mkdtempSync(join(tmpdir(), 'isobench-badinput-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const out = join(root, 'runs');
const isobench = (args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 300_000 });
const rows = (id: string) =>
  readFileSync(join(out, id, 'rows.ext.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { agent: string; failureClass: string | null; verdict: string | null });

const good = readFileSync(join(PROJECT_ROOT, 'harness/demo/predictions/example-agent.jsonl'), 'utf8')
  .split('\n')
  .map((l) => (l.trim() ? JSON.parse(l) : null))
  .find((p) => p?.instance_id === 'demo/cpu-latency');
const diff = (path: string, body = '@@ -0,0 +1 @@\n+x\n') =>
  `diff --git a/${path} b/${path}\nnew file mode 100644\n--- /dev/null\n+++ b/${path}\n${body}`;
const hostile: Record<string, string> = {
  dotdot: diff('../outside.py'),
  absolute: `diff --git a/etc/x b/etc/x\nnew file mode 100644\n--- /dev/null\n+++ /etc/passwd\n@@ -0,0 +1 @@\n+x\n`,
  symlink:
    'diff --git a/engine/link b/engine/link\nnew file mode 120000\n--- /dev/null\n+++ b/engine/link\n@@ -0,0 +1 @@\n+../../../etc/shadow\n\\ No newline at end of file\n',
  binary:
    'diff --git a/blob.bin b/blob.bin\nnew file mode 100644\nindex 0000000..1111111\nGIT binary patch\nliteral 9000000\nzcmeIu0Sy2E0K%a6Pi+o=h(KaEfB^#r3>YwAz<>b*1`HT5V8DO@0|pEjFkrxd0Rsk+\n\nliteral 0\nHcmV?d00001\n\n',
};

describe('bad input is named and the run goes on', () => {
  it('predictions: not JSON, unknown task ids and hostile patches beside a good one', () => {
    const file = join(root, 'mixed.jsonl');
    const lines = [
      JSON.stringify({ ...good, agent: 'good' }),
      '{"instance_id": "demo/cpu-latency", oops',
      JSON.stringify({ instance_id: 'vllm/deadbeef', model_patch: good.model_patch, agent: 'ghost' }),
      ...Object.entries(hostile).map(([agent, model_patch]) =>
        JSON.stringify({ instance_id: 'demo/cpu-latency', model_name_or_path: 'm', model_patch, agent }),
      ),
    ];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = isobench([
      'run',
      '--predictions',
      file,
      '--tasks',
      'demo/cpu-latency',
      ...quickRun(out, 'mixed'),
    ]);
    expect(r.status, r.stderr).toBe(1); // findings: some predictions could not be used
    expect(r.stderr).toContain(`${file}:2: not JSON`);
    expect(r.stderr).toContain(`${file}:3: instance_id 'vllm/deadbeef' names no task`);
    const got = Object.fromEntries(rows('mixed').map((x) => [x.agent, x]));
    expect(got.good?.failureClass ?? null).toBe(null);
    expect(got.good?.verdict).toBeTruthy();
    for (const a of Object.keys(hostile)) expect(got[a]?.failureClass, a).toBe('patch_invalid');
    const job = JSON.parse(readFileSync(join(out, 'mixed', 'jobs', 'demo_cpu-latency', 'job.json'), 'utf8'));
    const detail = (id: string) =>
      job.variants.find((v: { id: string }) => v.id === `agent:${id}`)?.detail as string;
    expect(detail('dotdot')).toMatch(/'\.\.\/outside\.py' leaves the repository/);
    expect(detail('absolute')).toMatch(/\/etc\/passwd' is absolute/);
    expect(detail('symlink')).toMatch(/symlink 'engine\/link' points outside/);
    expect(detail('binary')).toMatch(/binary file of 9000000 bytes/);
  }, 300_000);

  it('a malformed task file is named with its field; the other tasks run', () => {
    const dir = join(root, 'tasks');
    cpSync(join(PROJECT_ROOT, 'tasks', 'demo'), join(dir, 'demo'), { recursive: true });
    writeFileSync(join(dir, 'demo', 'broken.json'), '{ "id": "demo/broken", ');
    const bad = JSON.parse(readFileSync(join(dir, 'demo', 'cpu-serving.json'), 'utf8'));
    writeFileSync(
      join(dir, 'demo', 'wrong.json'),
      JSON.stringify({ ...bad, id: 'demo/wrong', repeats: 'many' }),
    );
    const r = isobench(['run', '--tasks-dir', dir, '--tasks', 'demo/cpu-latency', ...quickRun(out, 'tasks')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/broken\.json.*(JSON|parse)/i);
    expect(r.stderr).toMatch(/wrong\.json.*repeats/);
    expect(rows('tasks')).toHaveLength(1);
  }, 300_000);

  it('a results folder edited by hand: the edited units run again, named; the rest is read back', () => {
    const args = ['run', ...quickRun(out, 'edit')];
    expect(isobench(args).status).toBe(0);
    const jobs = join(out, 'edit', 'jobs');
    const servingUnit = JSON.parse(readFileSync(join(jobs, 'demo_cpu-serving', 'unit.json'), 'utf8'));
    // a "better" number typed into a result, and a record broken
    const jobFile = join(jobs, 'demo_cpu-latency', 'job.json');
    writeFileSync(jobFile, readFileSync(jobFile, 'utf8').replace(/"agentVsHuman"/, '"agentVsHuman" '));
    writeFileSync(join(jobs, 'demo_cpu-serving', 'unit.json'), '{ not json');
    const r = isobench(['run', '--resume', 'edit', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${join(jobs, 'demo_cpu-latency', 'job.json')} changed after it was recorded`);
    expect(r.stderr).toContain(`${join(jobs, 'demo_cpu-serving', 'unit.json')} is unreadable`);
    const again = JSON.parse(readFileSync(join(jobs, 'demo_cpu-serving', 'unit.json'), 'utf8'));
    expect(again.key).toBe(servingUnit.key);
    expect(again.finishedAt).not.toBe(servingUnit.finishedAt);
    expect(rows('edit')).toHaveLength(2);
  }, 300_000);
});
