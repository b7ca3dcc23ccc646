/** `--judge PROVIDER:MODEL [--judge-base-url URL] [--cache-root DIR]` as a judge configuration (run, judge, report). */
import { join, resolve } from 'node:path';
import { KEY_ENV } from '../agent/types.js';
import type { JudgeConfig } from '../run/judge-call.js';
import { UsageError } from './common.js';

export async function judgeConfigFrom(opts: {
  judge?: string;
  judgeBaseUrl?: string;
  cacheRoot?: string;
}): Promise<JudgeConfig | undefined> {
  if (!opts.judge) return undefined;
  const [provider, ...rest] = opts.judge.split(':');
  const model = rest.join(':');
  if ((provider !== 'anthropic' && provider !== 'openai') || !model)
    throw new UsageError(`--judge must be anthropic:MODEL or openai:MODEL, got '${opts.judge}'`);
  const keyEnv = KEY_ENV[provider];
  if (!process.env[keyEnv] && !opts.judgeBaseUrl)
    throw new UsageError(`--judge ${provider} needs $${keyEnv} (or --judge-base-url for a local server)`);
  const { defaultCacheRoot } = await import('../workspace/repo-cache.js');
  return {
    provider,
    model,
    apiKey: process.env[keyEnv] || null,
    baseUrl: opts.judgeBaseUrl,
    cacheDir: join(opts.cacheRoot ? resolve(opts.cacheRoot) : defaultCacheRoot(), 'judge'),
  };
}
