/**
 * The vLLM path on a real tree, as far as a machine without network or GPU allows, end to end:
 *   1. `isobench solve` with the built-in agent against a scripted model on 127.0.0.1, which makes the
 *      human's own first edit of the task in the real tree; the harness computes the patch;
 *   2. `isobench run --dry-run` on that prediction: the images, every phase's exact argv;
 *   3. `isobench tasks verify`: the tree's own parsers and the recipe's facts;
 *   4. `isobench images build --context-only`, then `docker build` of the parent's context on a
 *      stand-in for the CUDA base image (Debian with Python and pip), which goes through every step
 *      that needs no network and stops at the first that does (pip reaching an index).
 * Writes what each step printed under --out. The clone must hold the task's commits.
 *
 *   node --import tsx scripts/real-path.ts --repo CLONE --task vllm/58eee5f2 --out DIR \
 *     [--file vllm/transformers_utils/tokenizer.py --old TEXT --new TEXT] [--base IMAGE]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { editThenFinish, startScriptedServer } from '../src/agent/scripted-server.js';
import { packageRoot } from '../src/util/package-root.js';
import { runCli } from '../test/support/cli.js';

const { values } = parseArgs({
  options: {
    repo: { type: 'string' },
    task: { type: 'string', default: 'vllm/58eee5f2' },
    out: { type: 'string' },
    file: { type: 'string', default: 'vllm/transformers_utils/tokenizer.py' },
    old: { type: 'string', default: '    return tokenizer.decode(token_ids)\n' },
    new: {
      type: 'string',
      default:
        '    decode_method = getattr(tokenizer, "_decode", tokenizer.decode)\n    return decode_method(token_ids)\n',
    },
    base: { type: 'string', default: 'isobench-standin-cuda:python' },
  },
});
if (!values.repo || !values.out) {
  process.stderr.write('usage: real-path.ts --repo CLONE --out DIR [--task ID]\n');
  process.exit(2);
}
const out = resolve(values.out);
mkdirSync(out, { recursive: true });

async function cli(args: string[], env: Record<string, string> = {}) {
  const r = await runCli(args, env);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function save(name: string, r: { code: number | null; stdout: string; stderr: string }): void {
  writeFileSync(
    join(out, `${name}.txt`),
    `$ exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
  );
  process.stdout.write(`${name}: exit ${r.code}\n`);
}

const repo = resolve(values.repo);
// A workspace holds exactly the parent commit's object: a clone whose commits are given by replace
// refs (a repository built from a tree) has no object of that hash, so solve gets the task with the
// commits the clone really holds (the same trees); the other steps use the task as it is.
const spec = JSON.parse(readFileSync(join(packageRoot(), 'tasks', `${values.task}.json`), 'utf8'));
const real = (sha: string) =>
  spawnSync('git', ['-C', repo, 'rev-parse', '--verify', '-q', `refs/replace/${sha}`], {
    encoding: 'utf8',
  }).stdout.trim() || sha;
const local = { parent: real(spec.commits.parent), human: real(spec.commits.human) };
const tasksDir = join(out, 'tasks');
const replaced = local.parent !== spec.commits.parent;
const solveId = replaced ? `${values.task}-tree` : (values.task as string);
if (replaced) {
  mkdirSync(join(tasksDir, 'vllm'), { recursive: true });
  writeFileSync(
    join(tasksDir, `${solveId}.json`),
    JSON.stringify({ ...spec, id: solveId, commits: { ...spec.commits, ...local } }, null, 2),
  );
  process.stdout.write(
    `the clone gives ${values.task}'s commits by replace refs: solve runs at ${local.parent} (the same tree)\n`,
  );
}
const server = await startScriptedServer(
  editThenFinish(
    { path: values.file as string, old_string: values.old as string, new_string: values.new as string },
    'finish',
  ),
);
try {
  const solve = await cli(
    [
      'solve',
      '--agent',
      'native',
      '--option',
      'provider=openai',
      '--option',
      'api=chat',
      '--base-url',
      `${server.url}/v1`,
      '--model',
      'scripted-model',
      '--tasks',
      solveId,
      '--repo',
      repo,
      '--out',
      join(out, 'runs'),
      '--run-id',
      'solve',
      '--cache',
      join(out, 'agent-cache'),
      ...(replaced ? ['--tasks-dir', tasksDir] : []),
    ],
    { OPENAI_API_KEY: '' },
  );
  save('1-solve', solve);
} finally {
  await server.close();
}
const solved = join(out, 'runs', 'solve', 'predictions.jsonl');
const pred = JSON.parse(readFileSync(solved, 'utf8').trim().split('\n')[0] as string) as Record<
  string,
  string
>;
writeFileSync(join(out, 'agent.patch'), pred.model_patch as string);
// the same patch as a prediction for the task as the catalogue has it
const preds = join(out, 'predictions.jsonl');
writeFileSync(preds, `${JSON.stringify({ ...pred, instance_id: values.task })}\n`);
save(
  '2-dry-run',
  await cli([
    'run',
    '--dry-run',
    '--predictions',
    preds,
    '--tasks',
    values.task as string,
    '--repo',
    repo,
    '--executor',
    'docker',
    '--build-images',
  ]),
);
save(
  '3-verify',
  await cli(['tasks', 'verify', '--repo', repo, '--tasks', values.task as string, '--verbose']),
);
const ctx = join(out, 'contexts');
const written = await cli([
  'images',
  'build',
  '--tasks',
  values.task as string,
  '--repo',
  repo,
  '--context-only',
  ctx,
  '--json',
]);
save('4-context', written);
const parent = (
  JSON.parse(written.stdout) as {
    tasks: Array<{ contexts: Array<{ role: string; dir: string; buildArgs: Record<string, string> }> }>;
  }
).tasks[0]?.contexts.find((c) => c.role === 'parent');
if (parent) {
  const args = [
    'build',
    '--network',
    'host',
    '--build-arg',
    `CUDA_IMAGE=${values.base}`,
    '--build-arg',
    'PYTHON=python3',
    '--build-arg',
    `VLLM_COMMIT=${parent.buildArgs.VLLM_COMMIT}`,
    '-t',
    'isobench-real-path:parent',
    parent.dir,
  ];
  const r = spawnSync('docker', args, {
    encoding: 'utf8',
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
    maxBuffer: 256 << 20,
  });
  save('5-docker-build', { code: r.status, stdout: r.stdout, stderr: r.stderr });
}
