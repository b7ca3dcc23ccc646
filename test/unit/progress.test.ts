/** The progress view: counts per unit kind, failures by class, records read back, ETA. */
import { describe, expect, it } from 'vitest';
import { Progress } from '../../src/cli/progress.js';

describe('Progress', () => {
  it('prints a line per finished unit with the counts, failures by class and an ETA', () => {
    const lines: string[] = [];
    const p = new Progress(false, (l) => lines.push(l));
    for (const id of ['a', 'b', 'c']) p.on({ unit: 'bench_job', id, phase: 'planned' });
    p.on({ unit: 'bench_job', id: 'a', phase: 'resumed', status: 'done' });
    p.on({ unit: 'bench_job', id: 'b', phase: 'start' });
    p.on({ unit: 'bench_job', id: 'b', phase: 'end', status: 'server_crash', ms: 2000 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[bench 2\/3\] b: server_crash \(2s\)/);
    expect(lines[0]).toMatch(/bench jobs 2\/3 \(0 running, 1 from records; server_crash 1\)/);
    expect(lines[0]).toMatch(/ETA \d+s/);
    p.on({ unit: 'bench_job', id: 'c', phase: 'skipped', status: 'not_started' });
    p.on({ unit: 'bench_job', id: 'x', phase: 'start', retry: 'infra_error: the engine refused\nmore' });
    expect(lines.at(-1)).toBe('  retry x: infra_error: the engine refused');
    p.stop();
    expect(lines.at(-1)).toMatch(/1 not started/);
    expect(lines.at(-1)).not.toMatch(/ETA/);
  });
});
