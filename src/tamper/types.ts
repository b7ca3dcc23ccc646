/** The static tamper checks: rules over an agent's patch, run before it is measured. */
import { type Shape, z } from '../util/zod.js';

/** How bad a finding is: `fail` refuses the patch (under the default policy), `warn` is reported. */
export type Severity = TamperFinding['severity'];

/** One line of a patch, with its number in the new (added) or old (removed) file. */
export interface PatchLine {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  /** the hunk it belongs to (index within the file), for rules that pair removed and added lines */
  readonly hunk: number;
}

/** A patch as the rules see it. */
export interface PatchView {
  /** every file the patch touches (new path; old path for deletions) */
  readonly files: ReadonlyArray<{
    readonly path: string;
    readonly status: 'added' | 'deleted' | 'modified' | 'renamed';
  }>;
  readonly added: readonly PatchLine[];
  readonly removed: readonly PatchLine[];
}

/** What a rule knows besides the patch. */
export interface TamperContext {
  /** paths a patch must not touch (the task's protected paths) */
  readonly protectedPaths: readonly string[];
}

/** One finding: which rule, where, and the evidence. */
export const TamperFindingSchema = z.object({
  rule: z.string(),
  severity: z.enum(['fail', 'warn']),
  file: z.string(),
  /** line in the new file (0 for file-level findings) */
  line: z.number(),
  evidence: z.string(),
  message: z.string(),
});
export type TamperFinding = Shape<typeof TamperFindingSchema>;

/** A rule: one file under rules/, one line in the registry, its own tests. */
export interface TamperRule {
  readonly id: string;
  readonly severity: Severity;
  /** what it catches, in a sentence */
  readonly title: string;
  check(patch: PatchView, ctx: TamperContext): TamperFinding[];
}
