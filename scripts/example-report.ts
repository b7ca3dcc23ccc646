/**
 * Makes a committed example report: a real run of demo tasks with the example-command agent
 * (attempts driven by a scripted model server on 127.0.0.1), the demo's replayed predictions and the
 * judge (a scripted judge server, through the real SDK path), then `isobench report --embed
 * --no-links` so the file stands alone offline, with the run's rows and record beside it.
 *
 *   npm run build && npx tsx scripts/example-report.ts [--keep DIR]            (CPU demo → results/example-report)
 *   … --tasks demo/gpu-rmsnorm --dest results/gpu-report-<card> --repeats 7   (on a GPU host; see results/README.md)
 *
 * The scripted agent, per task: cpu-latency: the human's idea (a heap instead of the full sort);
 * cpu-serving: a docstring only; gpu-rmsnorm: attempt by attempt, the fused kernel (the human's idea)
 * or the variance in bfloat16 (faster, but its outputs differ: the correctness probe must catch it).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  editThenFinish,
  type Script,
  type ScriptedEdit,
  startScriptedServer,
  TOP_K_HEAP_EDIT,
} from '../src/agent/scripted-server.js';

const { values: a } = parseArgs({
  options: {
    keep: { type: 'string' },
    tasks: { type: 'string', default: 'demo/cpu-latency,demo/cpu-serving' },
    dest: { type: 'string', default: 'results/example-report' },
    repeats: { type: 'string', default: '3' },
    attempts: { type: 'string', default: '2' },
    title: { type: 'string' },
    root: { type: 'string' },
    bin: { type: 'string' },
  },
});
const root = resolve(a.root ?? join(import.meta.dirname, '..'));
const bin = resolve(a.bin ?? join(root, 'bin/isobench.mjs'));
const out = a.keep ? resolve(a.keep) : mkdtempSync(join(tmpdir(), 'isobench-example-'));
const dest = resolve(root, a.dest as string);

const RMS_PARENT =
  '    xf = x.float()\n    variance = xf.pow(2).mean(dim=-1, keepdim=True)\n    normed = xf * torch.rsqrt(variance + eps)\n    return (normed * weight.float()).to(x.dtype)';
const RMS_FUSED: ScriptedEdit = {
  path: 'engine/rmsnorm.py',
  old_string: RMS_PARENT,
  new_string: '    return torch.nn.functional.rms_norm(x, (x.shape[-1],), weight, eps)',
};
const RMS_BF16: ScriptedEdit = {
  path: 'engine/rmsnorm.py',
  old_string: RMS_PARENT,
  new_string:
    '    # stay in the input dtype: no float32 copy of x\n    variance = x.pow(2).mean(dim=-1, keepdim=True)\n    return x * torch.rsqrt(variance + eps) * weight',
};
let rmsAttempts = 0;
const agent = editThenFinish((body) => {
  const text = JSON.stringify(body);
  if (text.includes('cpu-latency')) return TOP_K_HEAP_EDIT;
  if (text.includes('gpu-rmsnorm')) return rmsAttempts++ % 2 === 0 ? RMS_FUSED : RMS_BF16;
  return {
    path: 'engine/tokenizer.py',
    old_string: '"""Returns the tokens of `text`."""',
    new_string: '"""Returns the tokens of `text` (fixed-width pieces)."""',
  };
});
const judge: Script = (_step, _api, body) => {
  // the judge reads the agent's patch (after the human diff in the prompt)
  const agentPart = JSON.stringify(body).split('Agent patch:')[1] ?? '';
  const answer = agentPart.includes('heapq.nlargest')
    ? {
        targeting: 'same',
        approach: 'similar',
        reason: 'Replaces the full sort in top_k with a heap, as the human did.',
      }
    : agentPart.includes('functional.rms_norm')
      ? {
          targeting: 'same',
          approach: 'similar',
          reason: 'Calls the fused RMSNorm kernel, as the human did.',
        }
      : agentPart.includes('rmsnorm.py')
        ? {
            targeting: 'same',
            approach: 'partial',
            reason: 'Works on the same function but only drops the float32 copy; it changes the numerics.',
          }
        : {
            targeting: 'none',
            approach: 'ineffective',
            reason: 'Does not touch the code the workload spends its time in.',
          };
  return { tools: [{ name: 'record_judgement', input: answer }] };
};

const isobench = (args: string[]) =>
  new Promise<number>((done) => {
    // not spawnSync: the scripted servers live in this process and must answer
    const c = spawn(process.execPath, [bin, ...args], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, OPENAI_API_KEY: 'sk-example', ANTHROPIC_API_KEY: 'sk-example' },
    });
    c.on('exit', (code) => done(code ?? 1));
  });

const model = await startScriptedServer(agent);
const judgeServer = await startScriptedServer(judge);
try {
  const preds = ['example-agent', 'noop-agent', 'hostile-agent'].map((p) =>
    join(root, 'harness/demo/predictions', `${p}.jsonl`),
  );
  const code = await isobench([
    'run',
    '--tasks',
    a.tasks as string,
    '--agents',
    'example-command:scripted-model',
    '--option',
    `baseUrl=${model.url}/v1`,
    '--attempts',
    a.attempts as string,
    '--concurrency',
    '1',
    '--predictions',
    ...preds,
    '--judge',
    'anthropic:scripted-judge',
    '--judge-base-url',
    judgeServer.url,
    '--cache-root',
    join(out, 'cache'),
    '--executor',
    'local',
    '--repeats',
    a.repeats as string,
    '--out',
    out,
    '--run-id',
    'example',
  ]);
  if (code !== 0 && code !== 2) throw new Error(`isobench run exited ${code}`);
  mkdirSync(dest, { recursive: true });
  const report = await isobench([
    'report',
    join(out, 'example'),
    '-o',
    join(dest, 'report.html'),
    '--embed',
    '--no-links',
    '--title',
    a.title ?? `isobench example report: ${a.tasks}`,
  ]);
  if (report !== 0) throw new Error(`isobench report exited ${report}`);
  // the rows and the run record beside the report (test/data/committed-results.test.ts checks that
  // the report shows exactly these rows)
  for (const f of ['rows.ext.jsonl', 'run.json']) copyFileSync(join(out, 'example', f), join(dest, f));
} finally {
  await model.close();
  await judgeServer.close();
  if (!a.keep) rmSync(out, { recursive: true, force: true });
}
