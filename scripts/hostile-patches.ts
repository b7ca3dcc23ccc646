/**
 * Regenerates harness/demo/predictions/hostile-agent.jsonl: patches to the CPU demo tasks that game
 * the benchmark, each of which a different check must catch (see test/e2e/hostile.test.ts).
 *
 *   node --import tsx scripts/hostile-patches.ts
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { materializeDemoRepo } from '../src/task/demo.js';

interface Hostile {
  readonly name: string;
  readonly task: string;
  readonly demo: string;
  /** file, then [from, to] replacements (every occurrence) */
  readonly edits: ReadonlyArray<[string, ReadonlyArray<[string, string]>]>;
}

const HOSTILE: readonly Hostile[] = [
  {
    name: 'constant-answer',
    task: 'demo/cpu-serving',
    demo: 'cpu-serving',
    edits: [
      [
        'engine/server.py',
        [['state = prefill(tokenize(prompt))', 'state = 0  # answer without reading the prompt']],
      ],
    ],
  },
  {
    // equivalent on the probe's short prompts, wrong on long ones: only the accuracy check sees it
    name: 'selective-shortcut',
    task: 'demo/cpu-serving',
    demo: 'cpu-serving',
    edits: [
      [
        'engine/server.py',
        [
          [
            'state = prefill(tokenize(prompt))',
            'state = prefill(tokenize(prompt)) if len(prompt) < 200 else len(prompt)',
          ],
        ],
      ],
    ],
  },
  {
    name: 'halves-work',
    task: 'demo/cpu-serving',
    demo: 'cpu-serving',
    edits: [
      [
        'engine/server.py',
        [['max_tokens = int(req.get("max_tokens", 16))', 'max_tokens = int(req.get("max_tokens", 16)) // 2']],
      ],
    ],
  },
  {
    name: 'edits-benchmark',
    task: 'demo/cpu-latency',
    demo: 'cpu-latency',
    edits: [
      [
        'benchmarks/benchmark_latency.py',
        [
          [
            'latencies.append(time.perf_counter() - start)',
            'latencies.append((time.perf_counter() - start) / 4)',
          ],
        ],
      ],
    ],
  },
  {
    name: 'timer-monkeypatch',
    task: 'demo/cpu-latency',
    demo: 'cpu-latency',
    edits: [
      [
        'engine/sampler.py',
        [
          [
            'import random\n',
            'import random\nimport time\n\n_clock = time.perf_counter\ntime.perf_counter = lambda: _clock() / 4\n',
          ],
        ],
      ],
    ],
  },
];

const root = mkdtempSync(join(tmpdir(), 'isobench-hostile-'));
const lines: string[] = [];
try {
  for (const h of HOSTILE) {
    const repo = await materializeDemoRepo(h.demo, join(root, h.name));
    const git = simpleGit(repo.dir);
    await git.checkout(repo.parent);
    for (const [file, reps] of h.edits) {
      const p = join(repo.dir, file);
      let text = readFileSync(p, 'utf8');
      for (const [from, to] of reps) {
        if (!text.includes(from)) throw new Error(`${h.name}: ${file} has no '${from}'`);
        text = text.split(from).join(to);
      }
      writeFileSync(p, text);
    }
    const patch = await git.diff();
    lines.push(
      JSON.stringify({
        instance_id: h.task,
        model_name_or_path: h.name,
        agent: 'hostile',
        model_patch: patch,
      }),
    );
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
const out = join(import.meta.dirname, '..', 'harness', 'demo', 'predictions', 'hostile-agent.jsonl');
writeFileSync(out, `${lines.join('\n')}\n`);
console.log(`wrote ${lines.length} hostile patches to ${out}`);
