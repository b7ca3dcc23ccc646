/**
 * Small habits of the command line (issue 21): a mistyped name gets the nearest one, a resume's
 * recorded arguments merge instead of piling up, a missing task names where it looked.
 */
import { describe, expect, it } from 'vitest';
import { argsToRecord, mergeArgs, renamedFlag } from '../../src/run/resume.js';
import { noTaskMessage } from '../../src/task/loader.js';
import type { TaskSpec } from '../../src/task/schema.js';
import { suggest } from '../../src/util/suggest.js';

const arity = (flag: string) =>
  (({ '--repeats': 'one', '--out': 'one', '--predictions': 'many', '--json': 'none' }) as const)[
    flag as '--repeats'
  ] ?? 'none';

describe('did you mean', () => {
  it('suggests a near name, a unique prefix, and nothing far off', () => {
    const ids = ['demo/cpu-latency', 'demo/cpu-serving', 'vllm/015069b0', 'vllm/0ec82edd'];
    expect(suggest('demo/cpu-latncy', ids)).toBe('demo/cpu-latency');
    expect(suggest('vllm/015069b', ids)).toBe('vllm/015069b0');
    expect(suggest('serving', ids)).toBe('demo/cpu-serving');
    expect(suggest('banana', ids)).toBeNull();
    const tasks = ids.map((id) => ({ id }) as TaskSpec);
    expect(noTaskMessage('demo/cpu-latncy', tasks, '/tasks')).toMatch(
      /^--tasks: 'demo\/cpu-latncy' names no task in \/tasks; did you mean demo\/cpu-latency\?/,
    );
  });
});

describe("a resume's arguments", () => {
  it('replace a recorded option given again (every value of it), keep the rest, drop one-off flags', () => {
    const recorded = ['--predictions', 'a.jsonl', 'b.jsonl', '--repeats', '1', '--out', '/r', '--json'];
    expect(mergeArgs(recorded, ['--repeats', '3', '--predictions', 'c.jsonl'], arity)).toEqual([
      '--out',
      '/r',
      '--json',
      '--repeats',
      '3',
      '--predictions',
      'c.jsonl',
    ]);
    expect(mergeArgs(recorded, ['--out', '/r'], arity).filter((a) => a === '--out')).toHaveLength(1);
    expect(
      argsToRecord([
        'run',
        '--resume',
        'x',
        '--run-id',
        'x',
        '--retry-infra',
        '--rerun-changed',
        '--repeats',
        '3',
      ]),
    ).toEqual(['run', '--repeats', '3']);
  });

  it('read flags renamed since they were recorded under their present names, with their values', () => {
    expect(
      [
        '--infra-retries',
        '0',
        '--agent-backoff-s=5',
        '--retry-backoff-s',
        '--repeats',
        '--infra-retriesx',
      ].map(renamedFlag),
    ).toEqual([
      '--job-retries',
      '0',
      '--attempt-retry-backoff-s=5',
      '--job-retry-backoff-s',
      '--repeats',
      '--infra-retriesx',
    ]);
  });
});
