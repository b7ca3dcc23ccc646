/** The local executor's stray reaping: processes that leave the process group (new sessions). */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalExecutor } from '../../src/executor/local.js';
import { goneWithin, isRunning } from '../support/process.js';

const root = mkdtempSync(join(tmpdir(), 'isobench-reap-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ESCAPE = [
  'python3',
  '-c',
  "import subprocess; p = subprocess.Popen(['python3', '-c', 'import time; time.sleep(60)'], start_new_session=True); print(p.pid)",
];

async function escapedPid(reapStrays: boolean): Promise<number> {
  const sb = await new LocalExecutor({ root }).open({ name: 'reap', reapStrays });
  try {
    const out = join(root, `out-${reapStrays}`);
    const r = await sb.exec(ESCAPE, { stdoutPath: out, stderrPath: `${out}.err` });
    expect(r.exitCode).toBe(0);
    return Number(readFileSync(out, 'utf8').trim());
  } finally {
    await sb.close();
  }
}

describe('local executor: strays in new sessions', () => {
  it('survive the process-group kill without reapStrays (the case reaping exists for)', async () => {
    const pid = await escapedPid(false);
    expect(isRunning(pid)).toBe(true);
    process.kill(pid, 'SIGKILL');
  });

  it('are killed when the command ends with reapStrays', async () => {
    const pid = await escapedPid(true);
    expect(await goneWithin(pid)).toBe(true);
  });
});
