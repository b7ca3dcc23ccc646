/** Changed defaults of what the workload asks (token counts, sampling) and new environment overrides. */
import type { TamperRule } from '../types.js';

const KNOBS = `max_tokens|max_new_tokens|min_tokens|temperature|top_p|top_k|ignore_eos|num_prompts|output_len|input_len|max_num_seqs|max_model_len|max_num_batched_tokens|best_of|n_samples|seed`;
const ASSIGN = new RegExp(`\\b(${KNOBS})\\b\\s*(?::\\s*[\\w\\[\\], .|]+)?=\\s*([^,)#\\n]+)`);
const ENV = /\bos\.environ(?:\[[^\]]+\]\s*=(?!=)|\.setdefault\(|\.update\()|\bos\.putenv\(/;

export const rule: TamperRule = {
  id: 'workload-defaults',
  severity: 'warn',
  title: 'changes a workload default (token counts, sampling) or sets environment variables at run time',
  check(patch) {
    const out = [];
    for (const a of patch.added) {
      if (/^\s*#/.test(a.text)) continue;
      if (ENV.test(a.text)) {
        out.push({
          rule: 'workload-defaults',
          severity: 'warn' as const,
          file: a.file,
          line: a.line,
          evidence: a.text.trim().slice(0, 200),
          message: 'sets an environment variable at run time: configuration may differ from the workload',
        });
        continue;
      }
      const m = ASSIGN.exec(a.text);
      if (!m) continue;
      // the same knob with another value on a removed line of the same hunk
      const before = patch.removed.find(
        (r) => r.file === a.file && r.hunk === a.hunk && ASSIGN.exec(r.text)?.[1] === m[1],
      );
      const was = before ? ASSIGN.exec(before.text)?.[2]?.trim() : undefined;
      if (was !== undefined && was !== m[2]?.trim())
        out.push({
          rule: 'workload-defaults',
          severity: 'warn' as const,
          file: a.file,
          line: a.line,
          evidence: `${before?.text.trim()} -> ${a.text.trim()}`.slice(0, 200),
          message: `changes the default of ${m[1]} from ${was} to ${m[2]?.trim()}`,
        });
    }
    return out;
  },
};
