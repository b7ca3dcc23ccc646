/**
 * The prefetch cache of a rehearsal (`isobench run --rehearse`): what the tasks need, in the real
 * cache's layout (src/prefetch/cache.ts), made here instead of downloaded, for the stand-in engine
 * (harness/rehearse/): each model a snapshot with its config, tokenizer files and a weights file
 * that holds nothing; the ShareGPT file a deterministic set of conversations in the stand-in
 * tokenizer's words ("t123"), long and short like the real one; other datasets an empty snapshot.
 * `missingFromCache` accepts it, as the job's check will. Written once, then reused.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rng } from '../grade/stats.js';
import type { TaskSpec } from '../task/schema.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { missingFromCache } from './cache.js';

/** The snapshot revision every rehearsal model has. */
const REVISION = 'isobench-rehearsal';
/** Conversations in the stand-in ShareGPT file (the clients sample up to --num-prompts of them). */
const CONVERSATIONS = 2400;

/** `n` words of the stand-in tokenizer. */
function words(next: () => number, n: number): string {
  return Array.from({ length: n }, () => `t${3 + Math.floor(next() * 31997)}`).join(' ');
}

/** ShareGPT's shape: {id, conversations: [{from: human|gpt, value}]}, lengths spread as in the real file. */
function shareGpt(): string {
  const next = rng(20240101);
  const out = [];
  for (let i = 0; i < CONVERSATIONS; i++) {
    const ask = 4 + Math.floor(next() ** 2 * 600);
    const answer = 4 + Math.floor(next() ** 1.5 * 700);
    out.push({
      id: `rehearsal-${i}`,
      conversations: [
        { from: 'human', value: words(next, ask) },
        { from: 'gpt', value: words(next, answer) },
      ],
    });
  }
  return JSON.stringify(out);
}

/** Writes a model's snapshot: config, tokenizer files, an empty weights file. */
function writeModel(cache: string, repo: string): void {
  const dir = join(cache, 'hub', `models--${repo.replaceAll('/', '--')}`, 'snapshots', REVISION);
  mkdirSync(dir, { recursive: true });
  const stand = { isobench_rehearsal: true, name_or_path: repo };
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ ...stand, architectures: ['StandIn'], vocab_size: 32000 }),
  );
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ ...stand, model_max_length: 131072 }));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(stand));
  writeFileSync(join(dir, 'model.safetensors'), '');
}

/** Fills `cache` with what the tasks need for a rehearsal; returns the items it wrote. */
export async function writeRehearsalCache(tasks: readonly TaskSpec[], cache: string): Promise<string[]> {
  const wrote: string[] = [];
  for (const task of tasks)
    for (const m of missingFromCache(task, cache)) {
      if (m.kind === 'model' || m.kind === 'tokenizer') {
        writeModel(cache, m.id);
        wrote.push(`${m.kind} ${m.id}`);
      } else if (m.id.endsWith('.json') && m.id.includes('ShareGPT')) {
        mkdirSync(join(cache, 'datasets'), { recursive: true });
        await writeFileAtomic(m.expectedAt, shareGpt());
        wrote.push(`dataset ${m.id}`);
      } else if (!existsSync(m.expectedAt)) {
        const dir = m.expectedAt.endsWith('.json')
          ? join(m.expectedAt, '..')
          : join(m.expectedAt, 'snapshots', REVISION);
        mkdirSync(dir, { recursive: true });
        if (m.expectedAt.endsWith('.json')) writeFileSync(m.expectedAt, '[]');
        wrote.push(`dataset ${m.id} (empty)`);
      }
    }
  return wrote;
}
