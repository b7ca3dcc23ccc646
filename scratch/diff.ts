import { readV5Table } from '../src/report/v5-io.js';
const csv = await readV5Table('/work/shared/data/iso-bench/v5-rows.csv');
const pq = await readV5Table('/work/shared/data/iso-bench/v5-rows.parquet');
const byRow = new Map<number, string[]>();
for (let i=0;i<pq.rows.length;i++) for (const [k,v] of Object.entries(pq.rows[i]!)) { const w=(csv.rows[i] as any)[k]; if (JSON.stringify(v)!==JSON.stringify(w)) { const r=pq.rows[i]!; const key=i; if(!byRow.has(key)) byRow.set(key,[]); byRow.get(key)!.push(`${k}: pq=${JSON.stringify(v)?.slice(0,40)} csv=${JSON.stringify(w)?.slice(0,40)}`); } }
for (const [i, d] of byRow) { const r = pq.rows[i]!; console.log(i, r.commit_short, r.agent_name, r.data_source, '|', csv.rows[i]!.commit_short, csv.rows[i]!.agent_name); for (const x of d) console.log('   ', x); }
