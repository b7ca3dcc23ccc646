/**
 * TRAE beyond the shared agent contract (test/contract/agent-contract.ts, which runs the adapter against
 * the stand-in `trae-cli` on both providers): the stand-in keeps the real CLI's contract
 * (test/fakes/trae-cli), and the adapter's judge reads the four real ISO-Bench TRAE trajectories.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { judgeTrajectory } from '../../agents/trae/index.js';
import { dataPath, HAVE_SHARED_DATA, PROJECT_ROOT } from '../support/shared-data.js';

const STAND_IN = join(PROJECT_ROOT, 'test/fakes/trae-cli/trae-cli');
const root = mkdtempSync(join(tmpdir(), 'isobench-trae-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the trae-cli stand-in keeps the contract', () => {
  it('exits 1 when the config file is missing, 0 otherwise even when the run fails', () => {
    const missing = spawnSync(
      STAND_IN,
      ['run', 'x', '--working-dir', root, '--config-file', join(root, 'nope.yaml')],
      { encoding: 'utf8' },
    );
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('Config file not found');
  });
});

describe.skipIf(!HAVE_SHARED_DATA)('the real ISO-Bench TRAE trajectories', () => {
  it('are all 429 quota failures with no tool call (infra), one of them recorded by the original as a success with a patch', () => {
    const runs = readdirSync(dataPath('agent-runs', 'trae_gpt5'));
    expect(runs.length).toBe(4);
    const claimed: string[] = [];
    for (const r of runs) {
      const t = JSON.parse(readFileSync(dataPath('agent-runs', 'trae_gpt5', r, 'trajectory.json'), 'utf8'));
      const judged = judgeTrajectory(t, { maxTurns: 120 });
      expect(judged.kind, r).toBe('infra');
      expect(judged.detail).toContain('insufficient_quota');
      const summary = JSON.parse(
        readFileSync(dataPath('agent-runs', 'trae_gpt5', r, 'run_summary.json'), 'utf8'),
      );
      expect(judged.usage.toolCalls).toBe(0);
      if (summary.agent.status === 'success') {
        claimed.push(r);
        // a run that made no tool call wrote no patch: this one came from somewhere else
        expect(summary.agent.patch_stats.lines_added).toBeGreaterThan(0);
      }
    }
    expect(claimed).toEqual(['015069b0']);
  });
});
