/**
 * The options of the verbs that run units (`run`, `worker`, `solve`), declared once in groups that
 * the verbs share; each verb's options type is what commander infers from its declaration
 * (`@commander-js/extra-typings`), so a verb cannot read an option it does not declare. Every
 * default comes from util/defaults.ts. Only commander and the value parsers are loaded here: the
 * command line (cli/main.ts) imports this at start-up.
 */
import { Command, Option, type OptionValues } from '@commander-js/extra-typings';
import { MIN_CLUSTERS } from '../grade/sequential.js';
import { BASE_IMAGE, RUN_DEFAULTS } from '../util/defaults.js';
import {
  collect,
  intAtLeast,
  nonNegative,
  parsedBy,
  positiveNumber,
  roundRange,
} from '../util/option-values.js';
import { parseBytes, parseProviderLimits } from '../util/quantities.js';

/** Where sandboxes run: the executor, its image and the measurement slots (run, worker). */
export function sandboxOptions() {
  return new Command()
    .addOption(
      new Option('--executor <kind>', 'auto: Docker when an engine with the image answers, else local')
        .choices(['auto', 'local', 'docker'] as const)
        .default('auto' as const),
    )
    .option('--image <image>', 'container image for the docker executor', BASE_IMAGE)
    .option('--gpus <list>', 'measurement slots: auto (nvidia-smi) | none (one CPU slot) | 0,1,…', 'auto');
}

/** The queues of a distributed run, as the coordinator and its workers both name them. */
export function queueOptions() {
  return new Command()
    .option('--queue-prefix <prefix>', 'key prefix of the queues on Redis', RUN_DEFAULTS.queuePrefix)
    .option('--store <dir>', "a folder every host sees, for workers' artifacts (default: through Redis)")
    .option(
      '--provider-concurrency <limits>',
      'at most this many agent attempts at once per provider, e.g. anthropic=2,openai=4',
      parsedBy(parseProviderLimits),
    );
}

/** An agent attempt's budgets and prompt (run --agents, solve); the attempt's defaults stand for those not given. */
export function attemptOptions() {
  return new Command()
    .option(
      '--time-min <minutes>',
      `wall-clock budget per attempt (default ${RUN_DEFAULTS.attemptTimeMin})`,
      positiveNumber,
    )
    .option(
      '--max-turns <n>',
      `turn budget per attempt (default ${RUN_DEFAULTS.attemptMaxTurns})`,
      intAtLeast(1),
    )
    .option(
      '--max-cost <usd>',
      'cost budget per attempt: kept by the agent where it knows its cost (claude-code; native and opencode with prices), else by isobench through --usage-proxy',
      positiveNumber,
    )
    .addOption(
      new Option('--hint <level>', "prompt hint (default: the task's)").choices(['none', 'files'] as const),
    )
    .option('--binary <path>', "the agents' executable instead of their pinned install")
    .option(
      '--usage-proxy',
      "measure each attempt's tokens at the model API through a recording proxy (needs the agent's baseUrl)",
    )
    .option(
      '--prices <file>',
      'a price table (JSON, schemaVersion 1) for the cost where the agent reports none (default: the built-in list prices)',
    );
}

/** The budgets an attempt was given on the command line (only those given). */
export function budgetsGiven(o: { timeMin?: number; maxTurns?: number; maxCost?: number }) {
  return {
    ...(o.timeMin === undefined ? {} : { timeMin: o.timeMin }),
    ...(o.maxTurns === undefined ? {} : { maxTurns: o.maxTurns }),
    ...(o.maxCost === undefined ? {} : { maxCostUsd: o.maxCost }),
  };
}

/** What a run measures and how: tasks, patches, rounds, images, the grade's band. */
function measureOptions() {
  return new Command()
    .option(
      '--tasks <ids>',
      'comma-separated task ids (default: the tasks the predictions name, or the CPU demo tasks)',
    )
    .option(
      '--predictions <path...>',
      'predictions JSONL, or a folder of patches / agent runs (default: the demo example agent)',
    )
    .option('--agent <name>', 'agent name for predictions that carry none')
    .option('--repeats <n>', 'measured rounds per variant', intAtLeast(1), RUN_DEFAULTS.repeats)
    .option('--warmup <n>', 'warm-up rounds, not measured', intAtLeast(0), RUN_DEFAULTS.warmup)
    .option(
      '--rounds <min..max>',
      'adaptive rounds instead of --repeats: a look after MIN measured rounds and after each one up to MAX, stopping once every verdict is decided (intervals that stay valid under this stopping: README, "Adaptive rounds")',
      roundRange(MIN_CLUSTERS),
    )
    .option(
      '--client-runs <n>',
      'client runs on each server start of a serving task, their mean the start\'s sample (default 1: README, "Client runs per server start")',
      intAtLeast(1),
    )
    .addOption(
      new Option('--spending <rule>', 'how adaptive rounds spend the 5% error over their looks')
        .choices(['pocock', 'obrien-fleming'] as const)
        .default('pocock' as const),
    )
    .option(
      '--build-images',
      "build each task's per-commit images from their recipes first (docker executor)",
    )
    .option(
      '--rehearse',
      'a rehearsal of the whole job without a GPU or network: rehearsal images (the stand-in engine in place of vLLM, each tree’s own command lines and benchmark clients), a stand-in prefetch cache; results marked, never measurements',
    )
    .option(
      '--rehearse-human-speedup <x>',
      "how much faster the stand-in engine runs in the human's image (a gain for the grade to find)",
      positiveNumber,
      RUN_DEFAULTS.rehearseHumanSpeedup,
    )
    .option(
      '--dry-run',
      'print everything the run would do (images and build arguments, every phase’s exact argv, env, mounts, GPUs, the probe) and do none of it',
    )
    .option('--threshold <percent>', 'the band of the verdicts', positiveNumber, RUN_DEFAULTS.thresholdPct)
    .option('--repo <path>', 'a local clone of the task repository (for tasks that are not demos)')
    .option(
      '--cache <dir>',
      'the prefetch cache (see isobench prefetch), mounted read-only with the hub offline',
    )
    .option(
      '--accuracy <file>',
      'serving tasks: a JSONL of {question, answer} asked of baseline and of each agent whose speed verdict shows a gain',
    )
    .option(
      '--accuracy-max-tokens <n>',
      'tokens per accuracy answer',
      intAtLeast(1),
      RUN_DEFAULTS.accuracyMaxTokens,
    )
    .option(
      '--accuracy-tolerance <points>',
      'how many percentage points below the baseline an agent may score',
      nonNegative,
      RUN_DEFAULTS.accuracyTolerancePts,
    )
    .addOption(
      new Option('--tamper-policy <level>', 'refuse patches at static tamper findings of this level')
        .choices(['fail', 'warn', 'never'] as const)
        .default('fail' as const),
    )
    .option('--tasks-dir <dir>', 'task catalogue');
}

/** The run's record: where it goes, its id, a resume of it. */
function recordOptions() {
  return new Command()
    .option('--out <dir>', 'results root (default ./results/runs)')
    .option('--run-id <id>', 'the run id (default: time and a random suffix)')
    .option(
      '--resume <run-id>',
      'continue an interrupted run with its recorded arguments: finished jobs are read back, the rest run',
    )
    .option(
      '--rerun-changed',
      "with --resume: measure again the finished units whose inputs differ from the run's record (their earlier folders are kept under superseded/)",
    )
    .option(
      '--retry-infra',
      'also run again the units whose records say they failed for infrastructure reasons',
    );
}

/** The agents a run starts itself (`--agents`), how many at once, and their retries. */
function agentOptions() {
  return new Command()
    .option(
      '--agents <list>',
      'run these agents first, name:model separated by commas (e.g. claude-code:claude-sonnet-4-5,codex:gpt-5); their patches are then measured',
    )
    .option(
      '--attempts <n>',
      'attempts per agent and task (each attempt number is one bench job)',
      intAtLeast(1),
      RUN_DEFAULTS.attempts,
    )
    .option(
      '--option <key=value>',
      'an agent option for every agent, or agent.key=value for one (repeatable)',
      collect,
    )
    .option(
      '--concurrency <n>',
      'agent attempts at once (in-process)',
      intAtLeast(1),
      RUN_DEFAULTS.agentConcurrency,
    )
    .addOption(
      new Option(
        '--agent-sandbox <kind>',
        'where agents run: local (processes, minimal environment) or docker (a container with network none; only the model API is reachable)',
      )
        .choices(['local', 'docker'] as const)
        .default('local' as const),
    )
    .option('--cache-root <dir>', 'repository mirrors and agent installs (default ~/.cache/isobench)')
    .option(
      '--attempt-retries <n>',
      'retries of an agent attempt that hit an infrastructure failure (rate limit)',
      intAtLeast(0),
      RUN_DEFAULTS.attemptRetries,
    )
    .option(
      '--attempt-retry-backoff-s <s>',
      "back-off before an agent attempt's first such retry (doubles each time)",
      nonNegative,
      RUN_DEFAULTS.attemptRetryBackoffS,
    );
}

/** When a run stops starting units, what it retries, the judge, the image budget, the workers. */
function limitOptions() {
  return new Command()
    .option(
      '--max-total-cost <usd>',
      'stop starting new units once the agents have spent this much',
      positiveNumber,
    )
    .option('--max-wall-min <minutes>', 'stop starting new units after this long', positiveNumber)
    .option(
      '--job-retries <n>',
      'retries of a bench job that failed for infrastructure reasons',
      intAtLeast(0),
      RUN_DEFAULTS.jobRetries,
    )
    .option(
      '--job-retry-backoff-s <s>',
      'back-off before the first such retry (doubles each time)',
      nonNegative,
      RUN_DEFAULTS.jobRetryBackoffS,
    )
    .option(
      '--judge <provider:model>',
      'judge each agent patch against the human diff (soft metrics, quadrants): anthropic:MODEL or openai:MODEL',
    )
    .option('--judge-base-url <url>', "the judge's API base URL (a local or proxy server)")
    .option(
      '--image-budget <size>',
      'after the run, prune least recently used recipe images above this size (e.g. 50G)',
      parsedBy(parseBytes),
    )
    .option(
      '--redis <url>',
      'distributed: enqueue units on this Redis for `isobench worker`s (redis://host:port)',
    );
}

/** The output switch of every verb here. */
function jsonOption() {
  return new Command().option('--json', 'machine-readable output');
}

/** `isobench worker`'s own options. */
function workerOwnOptions() {
  return new Command()
    .requiredOption('--redis <url>', "the coordinator's Redis (redis://host:port or unix:///path.sock)")
    .option('--cpus <n>', 'CPU limit of each container (docker executor)', positiveNumber)
    .option(
      '--agent-slots <n>',
      'agent attempts at once (0: no agent work here)',
      intAtLeast(0),
      RUN_DEFAULTS.workerAgentSlots,
    )
    .option('--no-bench', 'take no bench jobs (a CPU-only host for agents)')
    .option(
      '--lock-ms <ms>',
      'job lock; a worker silent this long loses its job to another',
      intAtLeast(1000),
      RUN_DEFAULTS.workerLockMs,
    )
    .option('--name <name>', "this worker's name in logs and records (default host:pid)");
}

/** `isobench solve`'s own options. */
function solveOwnOptions() {
  return new Command()
    .requiredOption(
      '--agent <name>',
      'claude-code | codex | copilot-cli | gemini-cli | native | opencode | qwen-code | trae | a command agent (agents/<name>/agent.json) or the path of its spec',
    )
    .option('--model <model>', 'the model label the agent is asked to use')
    .option('--tasks <ids>', 'comma-separated task ids (default: the CPU demo tasks)')
    .option('--attempts <n>', 'attempts per task', intAtLeast(1), RUN_DEFAULTS.attempts)
    .option('--concurrency <n>', 'attempts running at once', intAtLeast(1), 1)
    .option('--base-url <url>', "the model API's base URL (a proxy, or a local server)")
    .option(
      '--option <key=value...>',
      'adapter options (e.g. provider=openai for native); values may be JSON',
    )
    .option(
      '--api-key-env <var>',
      'the environment variable holding the key (default ANTHROPIC_API_KEY or OPENAI_API_KEY)',
    )
    .option('--repo <path>', 'a local clone of the task repository (vLLM tasks)')
    .option('--cache <dir>', 'cache root for mirrors and agent installs (default ~/.cache/isobench)')
    .option('--out <dir>', 'results root (default ./results/runs)')
    .option('--run-id <id>', 'the run id (default: time and a random suffix)')
    .option('--keep-workspace', "keep each attempt's workspace")
    .option('--tasks-dir <dir>', 'task catalogue');
}

/** The options a group gives a command, as commander infers them. */
type Given<F extends () => Command<[], OptionValues>> = ReturnType<ReturnType<F>['opts']>;

/**
 * A verb's command with the groups' options added, in order. Each group is declared on a command of
 * its own (so that commander infers its options without the compiler nesting the whole chain).
 */
function withGroups<O extends OptionValues, X extends OptionValues>(
  verb: Command<[], O>,
  ...groups: Array<Command<[], OptionValues>>
): Command<[], O & X> {
  for (const g of groups) for (const o of g.options) verb.addOption(o);
  // the groups' options are now the verb's: commander parses them into O & X (X: the groups' own types)
  return verb as unknown as Command<[], O & X>;
}

/** `isobench run`'s options. */
export type RunCliOptions = Given<typeof measureOptions> &
  Given<typeof sandboxOptions> &
  Given<typeof recordOptions> &
  Given<typeof agentOptions> &
  Given<typeof attemptOptions> &
  Given<typeof limitOptions> &
  Given<typeof queueOptions> &
  Given<typeof jsonOption>;
export const runOptions = <O extends OptionValues>(c: Command<[], O>) =>
  withGroups<O, RunCliOptions>(
    c,
    measureOptions(),
    sandboxOptions(),
    recordOptions(),
    agentOptions(),
    attemptOptions(),
    limitOptions(),
    queueOptions(),
    jsonOption(),
  );

/** `isobench worker`'s options. */
export type WorkerCliOptions = Given<typeof workerOwnOptions> &
  Given<typeof sandboxOptions> &
  Given<typeof queueOptions>;
export const workerOptions = <O extends OptionValues>(c: Command<[], O>) =>
  withGroups<O, WorkerCliOptions>(c, workerOwnOptions(), sandboxOptions(), queueOptions());

/** `isobench solve`'s options. */
export type SolveCliOptions = Given<typeof solveOwnOptions> &
  Given<typeof attemptOptions> &
  Given<typeof jsonOption>;
export const solveOptions = <O extends OptionValues>(c: Command<[], O>) =>
  withGroups<O, SolveCliOptions>(c, solveOwnOptions(), attemptOptions(), jsonOption());
