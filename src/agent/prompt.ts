/**
 * The one prompt template every agent gets, rendered from the task: the bottleneck statement (built
 * from the workload alone), the hint (none, or the files to read), the rules and the time budget.
 * Never the human diff, commit message or subject, or a diffstat (`leaks.ts` checks). The rendered
 * text and the template version are stored with each attempt.
 */
import type { TaskSpec } from '../task/schema.js';
import { SCRATCH_DIRS } from '../workspace/diff.js';

/** Version of the template below; bump it on any change to the wording. */
export const PROMPT_TEMPLATE_VERSION = 1;

/** A rendered prompt and what it was rendered with. */
export interface RenderedPrompt {
  readonly text: string;
  readonly templateVersion: number;
  readonly hintLevel: 'none' | 'files';
  /** the files the hint names (empty at hint level none) */
  readonly hintFiles: readonly string[];
}

/** What the template needs besides the task. */
export interface PromptContext {
  /** the workspace path the agent works in, as the agent sees it */
  readonly workspace: string;
  /** wall-clock budget in minutes */
  readonly timeBudgetMin: number;
  /** override the task's hint level (e.g. 'none' for a harder variant) */
  readonly hintLevel?: 'none' | 'files';
}

/** Renders the prompt of `task` for an agent working in `ctx.workspace`. */
export function renderPrompt(task: TaskSpec, ctx: PromptContext): RenderedPrompt {
  const hintLevel = ctx.hintLevel ?? task.bottleneck.hintLevel;
  const hintFiles = hintLevel === 'files' ? [...task.bottleneck.targetFiles] : [];
  // SCRATCH_DIRS (src/workspace/diff.ts) names at least one folder, the first the one to use
  const scratch = SCRATCH_DIRS[0] as string;
  const protectedPaths = task.protectedPaths.map((p) => `\`${p}\``).join(', ');
  const parts = [
    `You are working in a git checkout of ${task.repo.name} at ${ctx.workspace}.`,
    '',
    '## Task',
    task.bottleneck.statement,
  ];
  if (hintFiles.length) {
    parts.push('', '## Where to look', 'The bottleneck is in code reached from these files:');
    for (const f of hintFiles) parts.push(`- ${f}`);
  }
  parts.push(
    '',
    '## Rules',
    '- Keep behaviour: the optimised code must produce the same outputs as before for every input, not only for this benchmark.',
    `- Do not change ${protectedPaths}: a change there disqualifies the whole patch.`,
    '- Do not add dependencies or download anything; the machine may have no network access.',
    `- Put any scripts or notes of your own in \`${scratch}/\` at the repository root; that folder is not part of your change.`,
    '- You need not commit: your change is the difference between the working tree and the commit you started from.',
    `- Time budget: about ${ctx.timeBudgetMin} minutes. Stop when you are done.`,
  );
  return { text: `${parts.join('\n')}\n`, templateVersion: PROMPT_TEMPLATE_VERSION, hintLevel, hintFiles };
}
