/**
 * The `isobench` command line. This file only wires verbs; each verb lives in its own module and is
 * loaded on demand so that start-up stays fast. It is the only place that calls `process.exit`.
 */
import { Command } from 'commander';
import { EXIT, UsageError } from './common.js';

// A reader that stops early (`isobench tasks list | head`) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

type Action<A extends unknown[]> = (...args: A) => Promise<number>;

/** Runs a verb and turns its result or failure into an exit code. */
function run<A extends unknown[]>(action: Action<A>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      process.exitCode = await action(...args);
    } catch (e) {
      if (e instanceof UsageError) {
        process.stderr.write(`isobench: ${e.message}\n`);
        process.exit(EXIT.badInput);
      }
      process.stderr.write(
        `isobench: internal error (a bug; please report it with this trace):\n${(e as Error).stack ?? String(e)}\n`,
      );
      process.exit(EXIT.bug);
    }
  };
}

const program = new Command('isobench')
  .description('Measure how well coding agents optimise real inference-engine code.')
  .version('0.1.0')
  .showHelpAfterError();

const tasks = program.command('tasks').description('the task catalogue (real vLLM performance commits)');
tasks
  .command('list')
  .description('list the tasks, with their benchmark, model, GPUs and whether they can be benchmarked')
  .option('--dir <dir>', 'task folder (default: the catalogue shipped with isobench)')
  .option('--status <status>', 'all | benchmarkable | not-benchmarkable', 'all')
  .option('--json', 'machine-readable output')
  .action(run(async (opts) => (await import('./tasks.js')).tasksList(opts)));
tasks
  .command('show')
  .description(
    'everything about one task: commits, exact server and client argv, findings, bottleneck statement',
  )
  .argument('<task>', 'task id (vllm/015069b0), short hash or full hash')
  .option('--dir <dir>', 'task folder')
  .option('--json', 'print the task spec as JSON')
  .action(run(async (key: string, opts) => (await import('./tasks.js')).tasksShow(key, opts)));
tasks
  .command('validate')
  .description('load and validate every task file; summarise what can be benchmarked and why not')
  .option('--dir <dir>', 'task folder')
  .option('--json', 'machine-readable output')
  .action(run(async (opts) => (await import('./tasks.js')).tasksValidate(opts)));
tasks
  .command('import')
  .description('(re)generate tasks/vllm/*.json from the published ISO-Bench data folder')
  .requiredOption('--from <dir>', 'the ISO-Bench data folder (e.g. ../shared/data/iso-bench)')
  .option('--out <dir>', 'where to write the task files (default: tasks/vllm of this isobench)')
  .option('--check', 'write nothing; exit 1 if the files differ from what the import would write')
  .action(run(async (opts) => (await import('./tasks.js')).tasksImport(opts)));

await program.parseAsync(process.argv);
