import { describe, expect, it } from 'vitest';
import { findLeaks, type HumanChange } from '../../src/agent/leaks.js';
import { PROMPT_TEMPLATE_VERSION, renderPrompt } from '../../src/agent/prompt.js';
import { loadTasks } from '../../src/task/loader.js';
import { TASKS_DIR } from '../support/fixtures.js';

const change: HumanChange = {
  commit: '0123456789abcdef0123456789abcdef01234567',
  subject: '[Perf] Avoid a host sync in the sampler (#4242)',
  message:
    '[Perf] Avoid a host sync in the sampler (#4242)\n\nThe sampler called .item() on every step which blocks on the GPU.\nSigned-off-by: Someone <s@x>',
  diff: [
    'diff --git a/vllm/sampler.py b/vllm/sampler.py',
    '--- a/vllm/sampler.py',
    '+++ b/vllm/sampler.py',
    '@@ -1,3 +1,3 @@',
    '-    total = probs.sum().item()',
    '+    total = probs.sum(dim=-1, keepdim=True)',
    '+    probs = probs.div_(total).clamp_(min=1e-9)',
  ].join('\n'),
  filesChanged: ['vllm/sampler.py'],
};

const kinds = (prompt: string, declared: string[] = []) =>
  findLeaks(prompt, change, declared).map((l) => l.kind);

describe('findLeaks', () => {
  it('finds each kind of leak', () => {
    expect(
      kinds('Apply: total = probs.sum(dim=-1, keepdim=True)\nprobs = probs.div_(total).clamp_(min=1e-9)'),
    ).toEqual(['human_diff']);
    expect(kinds(' vllm/other.py | 7 ++++---\n')).toEqual(['diffstat']);
    expect(kinds('1 file changed, 4 insertions(+), 3 deletions(-)')).toEqual(['diffstat']);
    expect(kinds('The human wrote: [perf]   avoid a host sync in the SAMPLER')).toEqual(['commit_subject']);
    expect(kinds('Context: the sampler called .item() on every step which blocks on the GPU.')).toEqual([
      'commit_message',
    ]);
    expect(kinds('see generators/01234567_test.py')).toEqual(['human_commit']);
    expect(kinds('Optimise vllm/sampler.py')).toEqual(['target_files']);
  });

  it('does not call quoting the parent’s code, a declared hint or unrelated text a leak', () => {
    expect(kinds('The current code does: total = probs.sum().item()')).toEqual([]);
    expect(kinds('Where to look:\n- vllm/sampler.py', ['vllm/sampler.py'])).toEqual([]);
    expect(kinds('Make the sampler faster without changing outputs.')).toEqual([]);
  });
});

describe('renderPrompt', () => {
  it('renders the statement, the rules and the budget; names files only at hint level files', async () => {
    const { tasks } = await loadTasks(TASKS_DIR);
    const t = tasks.find((x) => x.id === 'demo/cpu-latency');
    if (!t) throw new Error('no demo task');
    const files = renderPrompt(t, { workspace: '/ws', timeBudgetMin: 45, hintLevel: 'files' });
    expect(files.templateVersion).toBe(PROMPT_TEMPLATE_VERSION);
    expect(files.text).toContain(t.bottleneck.statement);
    expect(files.text).toContain('at /ws.');
    expect(files.text).toContain('about 45 minutes');
    expect(files.text).toContain('`benchmarks/`');
    expect(files.text).toContain('`.isobench-scratch/`');
    expect(files.hintFiles).toEqual(t.bottleneck.targetFiles);
    for (const f of t.bottleneck.targetFiles) expect(files.text).toContain(`- ${f}`);
    const none = renderPrompt(t, { workspace: '/ws', timeBudgetMin: 45, hintLevel: 'none' });
    expect(none.hintFiles).toEqual([]);
    for (const f of t.bottleneck.targetFiles) expect(none.text).not.toContain(f);
    expect(none.text).not.toContain(t.commits.human.slice(0, 8));
    expect(none.text).not.toContain(t.subject ?? '');
  });
});
