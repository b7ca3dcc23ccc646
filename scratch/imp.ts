import { importIsoBench } from '../src/task/importers/iso-bench.js';
const specs = await importIsoBench('/work/shared/data/iso-bench');
console.log(specs.length);
for (const s of specs) console.log(s.id, s.benchmark.kind, s.hardware.count, s.benchmarkable.ok ? 'OK' : `NO ${s.benchmarkable.reason}: ${s.benchmarkable.detail.slice(0,110)}`);
