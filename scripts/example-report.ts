/**
 * Makes the committed example report (results/example-report/): a real run of the CPU demo tasks
 * with the example-command agent (2 attempts, driven by a scripted model server on 127.0.0.1), the
 * demo's replayed predictions (example, noop, hostile), and the judge (a scripted judge), then
 * `isobench report --embed --no-links` so the file stands alone offline.
 *
 *   npm run build && npx tsx scripts/example-report.ts [--keep RUN_PARENT_DIR]
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  editThenFinish,
  type Script,
  startScriptedServer,
  TOP_K_HEAP_EDIT,
} from '../src/agent/scripted-server.js';

const root = resolve(import.meta.dirname, '..');
const keep = process.argv.indexOf('--keep');
const out =
  keep > 0 ? resolve(process.argv[keep + 1] as string) : mkdtempSync(join(tmpdir(), 'isobench-example-'));

// the agent: on the latency task the human's idea (a heap instead of a full sort), on the serving
// task a change that leaves the bottleneck alone
const agent = editThenFinish((body) =>
  JSON.stringify(body).includes('cpu-latency')
    ? TOP_K_HEAP_EDIT
    : {
        path: 'engine/tokenizer.py',
        old_string: '"""Returns the tokens of `text`."""',
        new_string: '"""Returns the tokens of `text` (fixed-width pieces)."""',
      },
);
const judge: Script = (_step, _api, body) => {
  // the judge reads the agent's patch (after the human diff in the prompt)
  const agentPart = JSON.stringify(body).split('Agent patch:')[1] ?? '';
  const heap = agentPart.includes('heapq.nlargest');
  return {
    tools: [
      {
        name: 'record_judgement',
        input: heap
          ? {
              targeting: 'same',
              approach: 'similar',
              reason: 'Replaces the full sort in top_k with a heap, as the human did.',
            }
          : {
              targeting: 'none',
              approach: 'ineffective',
              reason: 'Does not touch the code the workload spends its time in.',
            },
      },
    ],
  };
};

const model = await startScriptedServer(agent);
const judgeServer = await startScriptedServer(judge);
try {
  const preds = ['example-agent', 'noop-agent', 'hostile-agent'].map((p) =>
    join(root, 'harness/demo/predictions', `${p}.jsonl`),
  );
  const args = [
    'run',
    '--tasks',
    'demo/cpu-latency,demo/cpu-serving',
    '--agents',
    'example-command:scripted-model',
    '--option',
    `baseUrl=${model.url}/v1`,
    '--attempts',
    '2',
    '--predictions',
    ...preds,
    '--judge',
    'anthropic:scripted-judge',
    '--judge-base-url',
    judgeServer.url,
    '--cache-root',
    join(out, 'cache'),
    '--repeats',
    '3',
    '--out',
    out,
    '--run-id',
    'example',
  ];
  const isobench = (a: string[]) =>
    new Promise<number>((done) => {
      // not spawnSync: the scripted servers live in this process and must answer
      import('node:child_process').then(({ spawn }) => {
        const c = spawn(process.execPath, [join(root, 'bin/isobench.mjs'), ...a], {
          cwd: root,
          stdio: 'inherit',
          env: { ...process.env, OPENAI_API_KEY: 'sk-example', ANTHROPIC_API_KEY: 'sk-example' },
        });
        c.on('exit', (code) => done(code ?? 1));
      });
    });
  const code = await isobench(args);
  if (code !== 0 && code !== 2) throw new Error(`isobench run exited ${code}`);
  const report = spawnSync(
    process.execPath,
    [
      join(root, 'bin/isobench.mjs'),
      'report',
      join(out, 'example'),
      '-o',
      join(root, 'results/example-report/report.html'),
      '--embed',
      '--no-links',
      '--title',
      'isobench example report: CPU demo tasks',
    ],
    { cwd: root, stdio: 'inherit' },
  );
  if (report.status !== 0) throw new Error(`isobench report exited ${report.status}`);
  // the rows and the run record beside the report (test/data/committed-results.test.ts checks that
  // the report shows exactly these rows)
  for (const f of ['rows.ext.jsonl', 'run.json'])
    copyFileSync(join(out, 'example', f), join(root, 'results/example-report', f));
} finally {
  await model.close();
  await judgeServer.close();
  if (keep < 0) rmSync(out, { recursive: true, force: true });
}
