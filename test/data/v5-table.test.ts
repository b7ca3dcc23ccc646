import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetMetadata, parquetSchema } from 'hyparquet';
import { afterAll, describe, expect, it } from 'vitest';
import { readV5Table, v5ToCsv, v5ToJsonl, v5ToParquet, writeV5Table } from '../../src/v5/io.js';
import { V5_COLUMNS } from '../../src/v5/schema.js';
import { publishedCsv, publishedParquet } from '../support/fixtures.js';
import { dataPath, HAVE_SHARED_DATA } from '../support/shared-data.js';

function schemaOf(
  bytes: Uint8Array,
): Array<{ name: string; type: unknown; converted: unknown; repetition: unknown }> {
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const walk = (
    n: ReturnType<typeof parquetSchema>,
  ): Array<{ name: string; type: unknown; converted: unknown; repetition: unknown }> => [
    {
      name: n.element.name,
      type: n.element.type,
      converted: n.element.converted_type,
      repetition: n.element.repetition_type,
    },
    ...n.children.flatMap(walk),
  ];
  return walk(parquetSchema(parquetMetadata(buf)));
}

describe.skipIf(!HAVE_SHARED_DATA)('the published v5 table', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('reads from Parquet and CSV with the 76 published columns and no problems', async () => {
    const [pq, csv] = [await publishedParquet(), await publishedCsv()];
    expect(V5_COLUMNS).toHaveLength(76);
    for (const t of [pq, csv]) {
      expect(t.problems).toEqual([]);
      expect(t.rows).toHaveLength(251);
      expect(Object.keys(t.rows[0] ?? {})).toEqual(V5_COLUMNS);
    }
  });

  it('writes the CSV back byte for byte', async () => {
    const csv = await publishedCsv();
    expect(v5ToCsv(csv.rows)).toBe(await readFile(dataPath('v5-rows.csv'), 'utf8'));
  });

  it('round-trips the Parquet file losslessly, with the same physical schema', async () => {
    const pq = await publishedParquet();
    const bytes = await v5ToParquet(pq.rows);
    const dir = await mkdtemp(join(tmpdir(), 'isobench-v5-'));
    dirs.push(dir);
    const path = join(dir, 'out.parquet');
    await writeV5Table(path, pq.rows);
    const back = await readV5Table(path);
    expect(back.problems).toEqual([]);
    expect(back.rows).toEqual(pq.rows);
    expect(schemaOf(bytes)).toEqual(schemaOf(new Uint8Array(await readFile(dataPath('v5-rows.parquet')))));
  });

  it('keeps every value through CSV and JSONL as well, empty strings included', async () => {
    const pq = await publishedParquet();
    expect(pq.rows.some((r) => V5_COLUMNS.some((c) => r[c] === ''))).toBe(true);
    const dir = await mkdtemp(join(tmpdir(), 'isobench-v5-'));
    dirs.push(dir);
    for (const name of ['t.csv', 't.jsonl']) {
      await writeV5Table(join(dir, name), pq.rows);
      const back = await readV5Table(join(dir, name));
      expect(back.problems).toEqual([]);
      expect(back.rows).toEqual(pq.rows);
    }
    expect(v5ToJsonl(pq.rows).split('\n')).toHaveLength(252);
  });
});

describe('v5 table files with problems', () => {
  const header = V5_COLUMNS.join(',');
  const emptyRow = V5_COLUMNS.map(() => '').join(',');
  async function tmpFile(name: string, text: string): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'isobench-bad-'));
    const p = join(dir, name);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(p, text);
    return p;
  }

  it('names a missing column and an unknown one', async () => {
    const p = await tmpFile('x.csv', `${header.replace('agent_raw', 'agent_rawx')}\n`);
    await expect(readV5Table(p)).rejects.toThrow(
      /x\.csv: not a schema-v5 table: missing column\(s\) agent_raw; unknown column\(s\) agent_rawx/,
    );
  });

  it('names columns out of order', async () => {
    const cols = [...V5_COLUMNS];
    [cols[0], cols[1]] = [cols[1] as string, cols[0] as string] as [(typeof cols)[0], (typeof cols)[0]];
    const p = await tmpFile('o.csv', `${cols.join(',')}\n`);
    await expect(readV5Table(p)).rejects.toThrow(/position 1 is 'commit_short', expected 'commit_hash'/);
  });

  it('reports bad cells by row and column and keeps the good rows', async () => {
    const cells = V5_COLUMNS.map((c) =>
      c === 'has_agent_patch' ? 'yes' : c === 'baseline_ttft_mean' ? '12.5ms' : c === 'models' ? "['a'" : '',
    );
    const p = await tmpFile('c.csv', `${header}\n${emptyRow}\n${cells.join(',')}\nshort,row\n`);
    const t = await readV5Table(p);
    expect(t.rows).toHaveLength(1);
    expect(t.rowNumbers).toEqual([1]);
    expect(t.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          row: 2,
          column: 'has_agent_patch',
          message: "expected True or False, got 'yes'",
        }),
        expect.objectContaining({
          row: 2,
          column: 'baseline_ttft_mean',
          message: "expected a finite number, got '12.5ms'",
        }),
        expect.objectContaining({ row: 2, column: 'models' }),
        expect.objectContaining({ row: 3, column: null, message: 'has 2 cells, expected 76' }),
      ]),
    );
  });

  it('reports JSONL lines that are not objects and values of the wrong type', async () => {
    const good = Object.fromEntries(V5_COLUMNS.map((c) => [c, null]));
    const bad = { ...good, baseline_throughput: 'fast' };
    const p = await tmpFile('j.jsonl', `${JSON.stringify(good)}\nnot json\n${JSON.stringify(bad)}\n[1]\n`);
    const t = await readV5Table(p);
    expect(t.rows).toHaveLength(1);
    expect(t.problems.map((x) => [x.row, x.column])).toEqual([
      [2, null],
      [4, null],
      [3, 'baseline_throughput'],
    ]);
  });

  it('refuses an unknown extension and a file that is not Parquet', async () => {
    await expect(readV5Table('/tmp/table.xlsx')).rejects.toThrow(/unknown table format '.xlsx'/);
    const p = await tmpFile('fake.parquet', 'PAR1 this is not parquet');
    await expect(readV5Table(p)).rejects.toThrow(/fake\.parquet: not a Parquet file/);
  });
});
