/**
 * The `isobench` command line. This file only wires verbs; each verb lives in its own module and is
 * loaded on demand so that start-up stays fast. It is the only place that calls `process.exit`.
 */
import { Command, Option } from '@commander-js/extra-typings';
import { RUN_SORTS } from '../report/run-leaderboard.js';
import { runOptions, solveOptions, workerOptions } from '../run/options.js';
import { RUN_DEFAULTS } from '../util/defaults.js';
import { errorMessage } from '../util/errors.js';
import { byteSize, intAtLeast, nonNegative, positiveNumber } from '../util/option-values.js';
import { EXIT, UsageError } from './common.js';
import { V5_SORTS } from './options.js';
import { installSignalHandlers } from './signals.js';

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
      if (e instanceof UsageError || (e instanceof Error && e.name === 'StoredRecordError')) {
        process.stderr.write(`isobench: ${e.message}\n`);
        process.exit(EXIT.badInput);
      }
      const stack = typeof e === 'object' && e !== null && 'stack' in e ? e.stack : undefined;
      process.stderr.write(
        `isobench: internal error (a bug; please report it with this trace):\n${stack ?? String(e)}\n`,
      );
      process.exit(EXIT.bug);
    }
  };
}

const program = new Command('isobench')
  .description('Measure how well coding agents optimise real inference-engine code.')
  .version('0.1.0')
  // the error stays on screen: one line pointing at the help, not the whole help after it
  .showHelpAfterError("(add --help for the command's options)")
  // a wrong argument is bad input (exit 2), as for every verb; help and --version exit 0
  .exitOverride((e) => process.exit(e.exitCode === 0 ? EXIT.ok : EXIT.badInput));

const tasks = program.command('tasks').description('the task catalogue (real vLLM performance commits)');
tasks
  .command('list')
  .description('list the tasks, with their benchmark, model, GPUs and whether they can be benchmarked')
  .option('--dir <dir>', 'task folder (default: the catalogue shipped with isobench)')
  .addOption(
    new Option('--status <status>', 'which tasks: those that can be benchmarked, those that cannot, or all')
      .choices(['all', 'benchmarkable', 'not-benchmarkable'])
      .default('all'),
  )
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
  .command('validity')
  .description(
    "which tasks' human gains held on every machine (GPU model) that runs from several machines measured them; --out writes the list a leaderboard can be restricted to",
  )
  .argument('<runs...>', 'run folders, run ids or rows.ext.jsonl files, from one or more machines')
  .option(
    '--out <file>',
    'write the validity (versioned JSON) for `leaderboard --valid-tasks`; never overwrites',
  )
  .option('--runs-dir <dir>', 'where run ids are looked up (default: ./results/runs)')
  .option('--json', 'machine-readable output')
  .action(
    run(async (runs: string[], opts) => (await import('./tasks-validity.js')).tasksValidity(runs, opts)),
  );
tasks
  .command('import')
  .description(
    '(re)generate tasks/vllm/*.json from the published ISO-Bench data folder, or tasks/demo/*.json',
  )
  .option('--from <dir>', 'the ISO-Bench data folder (e.g. ../shared/data/iso-bench)')
  .option('--demo', 'the demo tasks, from harness/demo')
  .option('--out <dir>', 'where to write the task files (default: tasks/<family> of this isobench)')
  .option('--check', 'write nothing; exit 1 if the files differ from what the import would write')
  .action(run(async (opts) => (await import('./tasks.js')).tasksImport(opts)));
tasks
  .command('verify')
  .description(
    "preflight before GPU time, at each task's parent and human commit in your clone: the client and server argv parsed by that commit's own parsers (no GPU, no network), the image recipe's steps against the tree, the files the setup step links, the client copy, the prefetch cache",
  )
  .requiredOption('--repo <path>', 'a local clone of the tasks’ repository (vLLM) holding their commits')
  .option('--tasks <ids>', 'comma-separated task ids (default: every benchmarkable vLLM task)')
  .option('--cache <dir>', 'the prefetch cache to check models, tokenizers and datasets against')
  .option('--python <exe>', 'Python 3.10+ that runs the parsers', 'python3')
  .option(
    '--driver <version>',
    "the NVIDIA driver of the GPU host the images will run on (default: this host's, by nvidia-smi)",
  )
  .option('--concurrency <n>', 'tasks checked at once', intAtLeast(1), 2)
  .option('--tasks-dir <dir>', 'task catalogue')
  .option('--verbose', 'print every check, not only the failed ones')
  .option('--json', 'machine-readable output (every check, the parsed arguments, the install plans)')
  .action(run(async (opts) => (await import('./tasks.js')).tasksVerify(opts)));

runOptions(program.command('run'))
  .description(
    'measure baseline, human and agent patches of tasks with repeats; grade them; write rows (default: the CPU demo with the example agent)',
  )
  .action(run(async (opts) => (await import('./run.js')).runCmd(opts, process.argv.slice(2))));

workerOptions(program.command('worker'))
  .description(
    "pull units from a Redis queue and run them here (bench jobs on this host's GPUs, agent attempts on its CPUs)",
  )
  .action(run(async (opts) => (await import('./worker.js')).workerCmd(opts)));

program
  .command('doctor')
  .description(
    'check this host: Docker engine and images, GPUs, disk, agent installs, API keys (never printed), Redis',
  )
  .option('--redis <url>', 'also check this Redis')
  .option('--cache-root <dir>', 'where mirrors and agent installs live')
  .option('--json', 'machine-readable output')
  .action(run(async (opts) => (await import('./doctor.js')).doctorCmd(opts)));

program
  .command('prefetch')
  .description(
    'fetch (on a host with network) the models, tokenizers and datasets tasks need offline, or --check the cache',
  )
  .requiredOption('--cache <dir>', 'the cache folder benchmark sandboxes mount read-only')
  .option('--tasks <ids>', 'comma-separated task ids (default: every benchmarkable task)')
  .option('--check', 'fetch nothing; list what is missing (exit 1 if anything is)')
  .option('--tasks-dir <dir>', 'task catalogue')
  .option('--json', 'machine-readable output')
  .action(run(async (opts) => (await import('./prefetch.js')).prefetchCmd(opts)));

const images = program
  .command('images')
  .description('per-commit container images, built from recipes and smoke-tested');
images
  .command('build')
  .description(
    "build (or find) the parent's and the human's images of tasks; tags are hashes of their recipes",
  )
  .requiredOption('--tasks <ids>', 'comma-separated task ids')
  .option('--repo <path>', 'a local clone of the task repository (vLLM tasks)')
  .option('--base <image>', 'base image of the demo recipes', 'isobench-base:bookworm')
  .option('--log-dir <dir>', 'where build logs and image records go (default results/images)')
  .option(
    '--context-only <dir>',
    'write each image’s build context (Dockerfile, tree, plan, scripts) under DIR and print the docker build command; build nothing',
  )
  .option('--tasks-dir <dir>', 'task catalogue')
  .option('--json', 'machine-readable output')
  .action(run(async (opts) => (await import('./images.js')).imagesBuildCmd(opts)));
images
  .command('list')
  .description('recipe images, their own size and when each was last used')
  .option('--cache-root <dir>', 'where the use times are kept')
  .option('--json', 'machine-readable output')
  .action(run(async (opts) => (await import('./images.js')).imagesList(opts)));
images
  .command('prune')
  .description(
    'remove least recently used recipe images until the rest fit the budget (images in use are kept)',
  )
  .requiredOption('--budget <size>', 'e.g. 20G, 500M')
  .option('--dry-run', 'say what would go; remove nothing')
  .option('--cache-root <dir>', 'where the use times are kept')
  .option('--json', 'machine-readable output')
  .action(run(async (opts) => (await import('./images.js')).imagesPrune(opts)));

solveOptions(program.command('solve'))
  .description(
    'run an agent on tasks: a fresh workspace per attempt, budgets, the harness-computed patch; writes predictions for isobench run',
  )
  .action(run(async (opts) => (await import('./solve.js')).solveCmd(opts)));

const agents = program
  .command('agents')
  .description('agent adapters: list, install, check, try with no key, prompt');
agents
  .command('list')
  .description('the agents isobench can run, their pinned versions and whether they are installed')
  .option('--cache <dir>', 'cache root')
  .option('--json', 'machine-readable output')
  .action(run(async (opts) => (await import('./agents.js')).agentsList(opts)));
agents
  .command('install')
  .description('install the pinned version of agents (npm packages into the cache; TRAE by hand)')
  .argument('<names...>', 'agent names')
  .option('--cache <dir>', 'cache root')
  .option('--json', 'machine-readable output')
  .action(run(async (names: string[], opts) => (await import('./agents.js')).agentsInstall(names, opts)));
agents
  .command('doctor')
  .description(
    'check that agents run headless: a scripted edit through the real agent against a local scripted model (no API key)',
  )
  .argument('[names...]', 'agent names (default: all)')
  .option('--install', 'install missing pinned versions first')
  .option('--binary <path>', "the agent's executable (one agent)")
  .option('--cache <dir>', 'cache root')
  .option('--tasks-dir <dir>', 'task catalogue')
  .option('--json', 'machine-readable output')
  .action(run(async (names: string[], opts) => (await import('./agents.js')).agentsDoctor(names, opts)));
agents
  .command('try')
  .description(
    'try an agent with no API key: it solves a demo task against the scripted model on 127.0.0.1, and its patch is measured and graded (patch, effort, verdict, a run folder with its leaderboard line)',
  )
  .argument(
    '<agent>',
    'claude-code | codex | copilot-cli | gemini-cli | native | opencode | qwen-code | trae | a command agent (agents/<name>) or the path of its agent.json',
  )
  .option('--task <id>', 'the demo task (demo/cpu-latency or demo/cpu-serving)', 'demo/cpu-latency')
  .option('--repeats <n>', 'measured rounds per variant (3 or more give a verdict)', intAtLeast(1), 3)
  .option('--out <dir>', 'results root (default ./results/runs)')
  .option('--cache <dir>', 'cache root (mirrors, agent installs)')
  .option('--binary <path>', "the agent's executable instead of its pinned install")
  .option('--tasks-dir <dir>', 'task catalogue')
  .option('--usage-proxy', "measure the agent's tokens at the scripted model through the recording proxy")
  .option('--json', 'machine-readable output')
  .action(run(async (name: string, opts) => (await import('./agents-try.js')).agentsTry(name, opts)));
agents
  .command('prompt')
  .description('the prompt an agent gets for a task (versioned template)')
  .argument('<task>', 'task id or hash')
  .addOption(new Option('--hint <level>', "prompt hint (default: the task's)").choices(['none', 'files']))
  .option(
    '--time-min <minutes>',
    'the time budget the prompt states',
    positiveNumber,
    RUN_DEFAULTS.attemptTimeMin,
  )
  .option('--tasks-dir <dir>', 'task catalogue')
  .option('--json', 'machine-readable output')
  .action(run(async (key: string, opts) => (await import('./agents.js')).agentsPrompt(key, opts)));

program
  .command('regrade')
  .description('grade a finished run again, offline, from its measurements: new rows under another policy')
  .argument('<run-dir>', 'the run folder (results/runs/<run-id>)')
  .option('--band <pct>', "the verdict band, percent (default: the run's)", nonNegative)
  .option('--extra-non-exact <n>', "outputs allowed to differ beyond the human's", intAtLeast(0))
  .option('--abs-diff-factor <x>', "numeric deviation allowed, as a factor of the human's", nonNegative)
  .option('--accuracy-tolerance <pts>', 'accuracy points an agent may lose', nonNegative)
  .option(
    '--policy <file>',
    'a JSON file with any of thresholdPct, extraNonExact, absDiffFactor, accuracyTolerancePts',
  )
  .option('--out <dir>', 'where the new rows and job results go (default: RUN_DIR/regraded)')
  .option('--json', 'machine-readable output')
  .action(run(async (dir: string, opts) => (await import('./regrade.js')).regradeCmd(dir, opts)));

program
  .command('run-report')
  .description('a Markdown report of a finished run: device, spread per variant, intervals, verdicts')
  .argument('<run-dir>', 'the run folder (results/runs/<run-id>)')
  .action(run(async (dir: string) => (await import('./run-report.js')).runReportCmd(dir)));

const dataset = program
  .command('dataset')
  .description('published schema-v5 leaderboard tables: audit, regrade, diff');
dataset
  .command('audit')
  .description(
    're-derive every derived column and every metric from the raw output; report each inconsistency',
  )
  .argument('<file>', 'a v5 table: .parquet, .csv or .jsonl')
  .option('--kind <kinds>', 'only these finding kinds (comma-separated)')
  .option('--summary', 'print the counts by kind only')
  .option('--tasks-dir <dir>', 'task catalogue used for commands and hashes the rows lack')
  .option('--json', 'machine-readable report')
  .action(run(async (file: string, opts) => (await import('./dataset.js')).datasetAudit(file, opts)));
dataset
  .command('regrade')
  .description(
    'write the corrected table: metrics re-read from raw output, derived columns recomputed, names normalised',
  )
  .argument('<file>', 'the input v5 table')
  .requiredOption('--out <file>', 'output table; its extension (.parquet, .csv, .jsonl) picks the format')
  .option('--changes <file>', 'also write the change list as JSON')
  .option('--tasks-dir <dir>', 'task catalogue')
  .option('--json', 'print the change list as JSON')
  .action(run(async (file: string, opts) => (await import('./dataset.js')).datasetRegrade(file, opts)));
dataset
  .command('diff')
  .description(
    'cell-by-cell differences between two v5 tables of the same rows (e.g. the Parquet and CSV releases)',
  )
  .argument('<a>')
  .argument('<b>')
  .option('--json', 'machine-readable output')
  .action(run(async (a: string, b: string, opts) => (await import('./dataset.js')).datasetDiff(a, b, opts)));

program
  .command('report')
  .description(
    'a self-contained HTML report of a run: leaderboard, charts, per-task table with links, filters (opens offline)',
  )
  .argument(
    '<run>',
    'a run id (under --runs-dir), a run folder, a rows.ext.jsonl file, or a schema-v5 table (.parquet, .csv, .jsonl: the published rows)',
  )
  .option('-o, --out <file>', 'the HTML file to write', 'report.html')
  .addOption(
    new Option(
      '--scope <scope>',
      "v5 tables: all rows, the card's 43-commit rule (card), or this catalogue's benchmarkable tasks",
    )
      .choices(['all', 'card', 'benchmarkable'])
      .default('all'),
  )
  .option(
    '--band <percent>',
    'v5 tables: agent vs human within ±band is "matches"',
    nonNegative,
    RUN_DEFAULTS.thresholdPct,
  )
  .option('--runs-dir <dir>', 'where run ids are looked up', 'results/runs')
  .option('--title <text>', "the report's title")
  .addOption(
    new Option(
      '--embed [max-size]',
      "embed each linked file's text (prompt, patches, trajectory, job.json) up to max-size each (e.g. 64k, 1M), so the report stands alone",
    )
      .preset('256k')
      .argParser(byteSize),
  )
  .option('--no-links', 'no links to the run folder')
  .option('--no-compress', 'embed the rows as plain JSON (larger; for browsers without DecompressionStream)')
  .option(
    '--valid-tasks <file>',
    "only the tasks valid on every machine, from `isobench tasks validity --out` (a run's rows)",
  )
  .option(
    '--judge <provider:model>',
    'judge the run first (answers from the cache when already asked): anthropic:MODEL or openai:MODEL',
  )
  .option('--judge-base-url <url>', "the judge's API base URL (a local or proxy server)")
  .option(
    '--cache-root <dir>',
    'where the judge cache and repository mirrors live (default ~/.cache/isobench)',
  )
  .option(
    '--repo <path>',
    'a local clone of the task repository, for the human diffs the judge reads (vLLM tasks)',
  )
  .option('--tasks-dir <dir>', 'task catalogue')
  .action(run(async (input: string, opts) => (await import('./report.js')).reportCmd(input, opts)));

program
  .command('judge')
  .description(
    "the soft-metric judge over a finished run: each agent patch against the human's diff and the bottleneck statement (targeting, approach, reason) and the quadrant, added to its rows; cached answers cost nothing",
  )
  .argument('<run>', 'a run id (under --runs-dir) or a run folder')
  .requiredOption('--judge <provider:model>', 'anthropic:MODEL or openai:MODEL')
  .option('--judge-base-url <url>', "the judge's API base URL (a local or proxy server)")
  .option(
    '--cache-root <dir>',
    'where the judge cache and repository mirrors live (default ~/.cache/isobench)',
  )
  .option('--repo <path>', 'a local clone of the task repository, for the human diffs (vLLM tasks)')
  .option('--tasks-dir <dir>', 'task catalogue')
  .option('--runs-dir <dir>', 'where run ids are looked up', 'results/runs')
  .option('--json', 'machine-readable output')
  .action(run(async (input: string, opts) => (await import('./judge.js')).judgeCmd(input, opts)));

program
  .command('leaderboard')
  .description(
    "the dataset card's per-agent summary: valid for comparison, patch failure, missing human metric, wrong metric, beats/similar/worse",
  )
  .argument(
    '<file>',
    'a v5 table (.parquet, .csv, .jsonl), or a run folder or rows.ext.jsonl (quadrants, correctness, cost)',
  )
  .addOption(
    new Option('--format <format>', 'output format').choices(['table', 'markdown', 'json']).default('table'),
  )
  .option('--json', 'same as --format json')
  .option('--markdown', 'same as --format markdown')
  .option('--agent <name>', 'only this agent (as written in the rows or normalised)')
  .option('--model <model>', 'only this model')
  .option('--mode <mode>', 'only this benchmark mode (serving, standalone, prefix_caching, …)')
  .addOption(
    new Option(
      '--sort <key>',
      `run folders: ${RUN_SORTS.join(', ')} (default hard); v5 tables: ${V5_SORTS.join(', ')} (default card)`,
    ).choices([...new Set([...RUN_SORTS, ...V5_SORTS])]),
  )
  .addOption(
    new Option(
      '--scope <scope>',
      "v5 tables: the card's own 43-commit table, printed beside the card's figures (card43), the card's stated rule (card), this catalogue's benchmarkable tasks, or all rows",
    )
      .choices(['card43', 'card', 'benchmarkable', 'all'])
      .default('card'),
  )
  .option('--band <percent>', 'agent vs human within ±band is "similar"', nonNegative, 5)
  .option('--tasks-dir <dir>', 'task catalogue')
  .option(
    '--valid-tasks <file>',
    'run folders: only the tasks valid on every machine, per a validity file (isobench tasks validity --out)',
  )
  .action(run(async (file: string, opts) => (await import('./leaderboard.js')).leaderboardCmd(file, opts)));

program
  .command('export')
  .description(
    "hf: a dataset release ready to upload to a dataset hub (Parquet shards of the v5 rows, a dataset card computed from them, card.json); atif: every agent attempt of a run as an ATIF trajectory (Harbor's format)",
  )
  .argument(
    '<input>',
    'hf: a v5 table (.parquet, .csv, .jsonl) or a run folder (its v5 rows and rows.ext.jsonl); atif: a run folder',
  )
  .addOption(
    new Option('--format <format>', 'hf: the Hugging Face dataset layout; atif: ATIF v1.4 trajectories')
      .choices(['hf', 'atif'])
      .default('hf'),
  )
  .requiredOption('-o, --out <dir>', 'the release folder to create (refused if it exists and is not empty)')
  .option('--shard-rows <n>', 'rows per Parquet shard', intAtLeast(1), 5000)
  .option('--force', 'replace an existing non-empty output folder')
  .option('--tasks-dir <dir>', 'task catalogue')
  .option('--json', 'machine-readable output')
  .action(run(async (input: string, opts) => (await import('./export.js')).exportCmd(input, opts)));

/** How many values an option of `run` takes (a resume merges recorded and given arguments by it). */
function runArity(flag: string): 'none' | 'one' | 'many' {
  const o = program.commands.find((c) => c.name() === 'run')?.options.find((x) => x.long === flag);
  return !o || (!o.required && !o.optional) ? 'none' : o.variadic ? 'many' : 'one';
}

/** The command line as a resume runs it (run/resume.ts); a run that cannot be resumed is bad input. */
async function resumeArgv(argv: string[]): Promise<string[]> {
  if (argv[2] !== 'run' || !argv.includes('--resume')) return argv;
  const { resumedArgv } = await import('../run/resume.js');
  try {
    return await resumedArgv(argv, runArity);
  } catch (e) {
    process.stderr.write(`isobench: ${errorMessage(e)}\n`);
    process.exit(EXIT.badInput);
  }
}

installSignalHandlers();
process.argv = await resumeArgv(process.argv);
await program.parseAsync(process.argv);
