import { parse } from 'csv-parse/sync';
const r = parse('a,b,"",d\n', { cast: (value: string, ctx: any) => JSON.stringify({ value, q: ctx.quoting, t: typeof value }) });
console.log(r);
const r2 = parse('a,,"",d\n', { cast: (value: string, ctx: any) => ({ value, q: ctx.quoting }) });
console.log(r2);
