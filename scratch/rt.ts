import { readFileSync } from 'node:fs';
import { readV5Table, v5ToCsv } from '../src/report/v5-io.js';
const csv = await readV5Table('/work/shared/data/iso-bench/v5-rows.csv');
const pq = await readV5Table('/work/shared/data/iso-bench/v5-rows.parquet');
console.log(csv.rows.length, csv.problems.slice(0,5), pq.rows.length, pq.problems.slice(0,5));
const out = v5ToCsv(csv.rows);
const orig = readFileSync('/work/shared/data/iso-bench/v5-rows.csv', 'utf8');
console.log('csv identical', out === orig, out.length, orig.length);
if (out !== orig) { let i=0; while (out[i]===orig[i]) i++; console.log(JSON.stringify(orig.slice(i-80,i+80))); console.log(JSON.stringify(out.slice(i-80,i+80))); }
// parquet vs csv values
let diffs=0;
for (let i=0;i<pq.rows.length;i++) for (const [k,v] of Object.entries(pq.rows[i]!)) { const w=(csv.rows[i] as any)[k]; if (JSON.stringify(v)!==JSON.stringify(w)) { if (diffs++<15) console.log(i,k,JSON.stringify(v)?.slice(0,50),JSON.stringify(w)?.slice(0,50)); } }
console.log('diffs', diffs)
