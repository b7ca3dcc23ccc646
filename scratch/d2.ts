import { readV5Table } from '../src/report/v5-io.js';
const csv = await readV5Table('/work/shared/data/iso-bench/v5-rows.csv');
const pq = await readV5Table('/work/shared/data/iso-bench/v5-rows.parquet');
for (const i of [67, 240]) {
const a = pq.rows[i]!.agent_raw ?? pq.rows[i]!.human_raw!, b = csv.rows[i]!.agent_raw ?? csv.rows[i]!.human_raw!;
let j=0; while (a[j]===b[j]) j++;
console.log(a.length, b.length, j, JSON.stringify(a.slice(j-20,j+20)), JSON.stringify(b.slice(j-20,j+20)));
console.log((a.match(/\r/g)||[]).length, (b.match(/\r/g)||[]).length);
}
