/**
 * Prompts against the human change: the real ISO-Bench prompts (agent-runs/*\/task.txt) are listed
 * with what they give away, and every prompt isobench renders for its tasks gives away nothing but
 * the files of a declared hint.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLeaks, type HumanChange, type Leak } from '../../src/agent/leaks.js';
import { renderPrompt } from '../../src/agent/prompt.js';
import { loadTasks } from '../../src/task/loader.js';
import { TASKS_DIR } from '../support/fixtures.js';
import { dataPath, HAVE_SHARED_DATA } from '../support/shared-data.js';

interface AlphaRow {
  commit_hash: string;
  commit_subject: string | null;
  commit_message: string | null;
  diff_text: string | null;
  files_changed: string[] | null;
}

function humanChanges(): Map<string, HumanChange> {
  const out = new Map<string, HumanChange>();
  for (const line of readFileSync(dataPath('tasks', 'alpha-vllm-99-commits.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as AlphaRow;
    out.set(r.commit_hash, {
      commit: r.commit_hash,
      subject: r.commit_subject,
      message: r.commit_message,
      diff: r.diff_text,
      filesChanged: r.files_changed ?? [],
    });
  }
  return out;
}

describe.skipIf(!HAVE_SHARED_DATA)('prompt leaks', () => {
  const changes = HAVE_SHARED_DATA ? humanChanges() : new Map<string, HumanChange>();
  const byShort = (short: string) => [...changes.values()].find((c) => c.commit.startsWith(short));

  it('lists what each real ISO-Bench prompt gives away of the human change', () => {
    const runsDir = dataPath('agent-runs');
    const rows: Array<{ run: string; leaks: Leak[]; prompt: string; change: HumanChange }> = [];
    for (const agent of readdirSync(runsDir)) {
      for (const short of readdirSync(join(runsDir, agent))) {
        const change = byShort(short);
        if (!change) continue;
        const prompt = readFileSync(join(runsDir, agent, short, 'task.txt'), 'utf8');
        rows.push({ run: `${agent}/${short}`, leaks: findLeaks(prompt, change), prompt, change });
      }
    }
    console.log(
      `ISO-Bench prompts and their leaks (${rows.length} runs):\n${rows
        .map((r) => `  ${r.run.padEnd(22)} ${r.leaks.map((l) => l.kind).join(', ') || '-'}`)
        .join('\n')}`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(16);
    for (const r of rows) {
      // cross-check by another route: an embedded example diff that patches a file the human changed
      const example =
        /<example_optimization_diff>([\s\S]*?)<\/example_optimization_diff>/.exec(r.prompt)?.[1] ?? '';
      const patchesHumanFile = r.change.filesChanged.some((f) => example.includes(`diff --git a/${f} `));
      if (patchesHumanFile)
        expect(
          r.leaks.map((l) => l.kind),
          r.run,
        ).toContain('human_diff');
      // a "Target Files" list of the changed files is a file hint the prompt never declares as one
      const listed = /## Target Files[^\n]*\n((?:- .*\n?)+)/.exec(r.prompt)?.[1] ?? '';
      if (r.change.filesChanged.some((f) => listed.includes(f)))
        expect(
          r.leaks.map((l) => l.kind),
          r.run,
        ).toContain('target_files');
    }
    expect(rows.filter((r) => r.leaks.length > 0).length).toBeGreaterThan(0);
  });

  it('renders isobench prompts that give away nothing beyond a declared file hint', async () => {
    const { tasks } = await loadTasks(TASKS_DIR);
    let checked = 0;
    for (const t of tasks.filter((x) => x.id.startsWith('vllm/'))) {
      const change = changes.get(t.commits.human);
      if (!change) continue;
      for (const hintLevel of ['none', 'files'] as const) {
        const p = renderPrompt(t, { workspace: '/work/repo', timeBudgetMin: 120, hintLevel });
        expect(findLeaks(p.text, change, p.hintFiles), `${t.id} (${hintLevel})`).toEqual([]);
        if (hintLevel === 'none') expect(p.hintFiles).toEqual([]);
      }
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(90);
  });
});
