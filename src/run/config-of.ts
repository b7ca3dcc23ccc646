/**
 * A run's configuration from its options: built once, checked whole by its schema
 * (store/config.ts), and held against the record of the run it resumes.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import {
  type BenchConfig,
  ConfigError,
  changedSettings,
  checkRunConfig,
  type RunConfig,
} from '../store/config.js';
import type { TaskSpec } from '../task/schema.js';
import { BASE_IMAGE, REHEARSE_BASE_IMAGE } from '../util/defaults.js';
import { UsageError } from '../util/errors.js';
import { runStamp } from '../util/run-stamp.js';
import type { RunInputs } from './inputs.js';
import type { JudgeConfig } from './judge-call.js';
import { decidingChanges } from './keys.js';
import type { RunCliOptions } from './options.js';
import { argsToRecord, runsRoot } from './resume.js';

/** The image the run builds from or runs in: asked, else the rehearsal base for a rehearsal. */
export function imageOf(opts: RunCliOptions): string {
  return opts.rehearse && (opts.image ?? BASE_IMAGE) === BASE_IMAGE
    ? REHEARSE_BASE_IMAGE
    : (opts.image ?? BASE_IMAGE);
}

/** Where a rehearsal keeps its stand-in prefetch cache when no --cache is given (written once, reused). */
function rehearsalCacheOf(opts: RunCliOptions): string {
  return join(runsRoot(opts.out), '.rehearsal-cache');
}

/** Fixed rounds (`--repeats`) or adaptive ones (`--rounds MIN..MAX`, the most being the repeats); not both. */
export function roundsOf(
  opts: RunCliOptions,
  argv: readonly string[],
): Pick<BenchConfig, 'repeats' | 'adaptive'> {
  if (!opts.rounds) return { repeats: opts.repeats };
  if (argv.some((a) => a === '--repeats' || a.startsWith('--repeats=')))
    throw new UsageError(
      `--rounds ${opts.rounds.min}..${opts.rounds.max} and --repeats ${opts.repeats}: give one (--rounds is adaptive, --repeats fixed)`,
    );
  return { repeats: opts.rounds.max, adaptive: { minRounds: opts.rounds.min, spending: opts.spending } };
}

/** The run's configuration, built once from the options and checked whole. */
export function runConfigOf(
  opts: RunCliOptions,
  argv: readonly string[],
  inputs: RunInputs,
  kind: 'local' | 'docker',
  judge: JudgeConfig | undefined,
): RunConfig {
  const image = kind === 'docker' ? imageOf(opts) : undefined;
  const rehearse = opts.rehearse === true;
  const clone = opts.repo ? resolve(opts.repo) : undefined;
  try {
    return checkRunConfig({
      runId: opts.runId ?? `${runStamp()}-${randomBytes(3).toString('hex')}`,
      outDir: runsRoot(opts.out),
      args: argsToRecord(argv),
      tasks: inputs.tasks.map((t) => t.id),
      executor: kind,
      bench: {
        ...roundsOf(opts, argv),
        ...(opts.clientRuns !== undefined ? { clientRuns: opts.clientRuns } : {}),
        warmup: opts.warmup,
        thresholdPct: opts.threshold,
        image,
        tamperPolicy: { refuseAt: opts.tamperPolicy },
        accuracy: opts.accuracy
          ? {
              dataset: resolve(opts.accuracy),
              maxTokens: opts.accuracyMaxTokens,
              tolerancePts: opts.accuracyTolerance,
            }
          : undefined,
        buildImagesFrom: opts.buildImages || rehearse ? (image ?? BASE_IMAGE) : undefined,
        source: clone ? { clone } : undefined,
        cache: opts.cache ? resolve(opts.cache) : rehearse ? rehearsalCacheOf(opts) : undefined,
        rehearse: rehearse ? { humanSpeedup: opts.rehearseHumanSpeedup } : undefined,
      },
      agents: inputs.agents,
      attempts: opts.attempts,
      agentSettings: {
        clone,
        cacheRoot: opts.cacheRoot ? resolve(opts.cacheRoot) : undefined,
        infraRetries: opts.attemptRetries,
        backoffMs: opts.attemptRetryBackoffS * 1000,
      },
      benchRetries: { retries: opts.jobRetries, backoffMs: opts.jobRetryBackoffS * 1000 },
      retryInfra: opts.retryInfra === true,
      ...(opts.rerunChanged ? { rerunChanged: true } : {}),
      caps: {
        maxCostUsd: opts.maxTotalCost,
        wallMs: opts.maxWallMin === undefined ? undefined : opts.maxWallMin * 60_000,
      },
      judge: judge ? { provider: judge.provider, model: judge.model, baseUrl: judge.baseUrl } : undefined,
    });
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(`the run's configuration: ${e.message}`);
    throw e;
  }
}

/**
 * A resume that would measure finished units again under other settings is refused before any work,
 * unless `--rerun-changed` asks for it (the earlier folders are then kept under superseded/).
 */
export function refuseChangedResume(opts: RunCliOptions, recorded: RunConfig, config: RunConfig): void {
  const deciding = decidingChanges(changedSettings(recorded, config));
  if (!deciding.length || opts.rerunChanged) return;
  throw new UsageError(
    `--resume ${opts.resume}: these settings differ from the run's record (${join(config.outDir, config.runId, 'run.json')}):\n${deciding.map((d) => `  ${d}`).join('\n')}\nthe units they decide would be measured again; resume without changing them, or add --rerun-changed (the earlier records are kept under ${join(config.runId, 'superseded')}/)`,
  );
}

/** vLLM tasks in Docker run in their per-commit images: the base image alone cannot run them. */
export function refuseBaseImageForVllm(
  opts: RunCliOptions,
  tasks: readonly TaskSpec[],
  kind: 'local' | 'docker',
): void {
  const vllm = tasks.filter((t) => !t.repo.demo);
  if (!vllm.length || kind !== 'docker' || opts.buildImages || opts.rehearse || imageOf(opts) !== BASE_IMAGE)
    return;
  throw new UsageError(
    `${vllm.map((t) => t.id).join(', ')}: vLLM tasks run in their per-commit images: add --build-images (images already built are found by their recipe's tag; isobench images build builds them ahead)`,
  );
}
