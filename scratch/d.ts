import { readV5Table } from '../src/report/v5-io.js';
const csv = await readV5Table('/work/shared/data/iso-bench/v5-rows.csv');
console.log(JSON.stringify(csv.rows[0]!.pr_url), JSON.stringify(csv.rows[0]!.commit_subject), JSON.stringify(csv.rows[0]!.patch_path));
