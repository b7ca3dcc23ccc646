import { readFileSync } from 'node:fs';
import { parsePerfCommand } from '../src/task/perf-command.js';
const m = JSON.parse(readFileSync('/work/shared/data/iso-bench/tasks/benchmark_mode_mapping.json','utf8'));
const b = JSON.parse(readFileSync('/work/shared/data/iso-bench/tasks/baseline_benchmark_mapping_complete.json','utf8'));
const cmds = new Set<string>();
for (const v of Object.values<any>(m)) if (v.perf_command) cmds.add(v.perf_command);
for (const v of b) if (v.perf_command) cmds.add(v.perf_command);
cmds.add('python benchmarks/benchmark_serving.py --model X --num-prompts100');
cmds.add('python benchmarks/benchmark_serving.py --model X--dtype float16');
for (const c of cmds) {
  const r = parsePerfCommand(c);
  if (r.ok) console.log('OK  ', r.parsed.kind, c.slice(0,100), r.notes.map(n=>n.code).join(','), '|', r.parsed.options.map(o=>o.side[0]+':'+o.canonical).join(' '));
  else console.log('FAIL', c.slice(0,100), '\n      ', r.issues.map(i=>i.code+': '+i.message).join('\n       '));
}
