/**
 * The layers of the code, as the README's Layout table lists them (highest first): every import of
 * a file in `src/` or `agents/` (static, dynamic, type-only) goes to its own room or a room listed
 * below it; every room is in the table; no file imports itself through others.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/shared-data.js';

/** The rooms in the README's Layout table, highest first. */
function layerOrder(): string[] {
  const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
  const table = readme.slice(
    readme.indexOf('## Layout'),
    readme.indexOf('\n## ', readme.indexOf('## Layout') + 5),
  );
  return [...table.matchAll(/^\| `((?:src\/\w+|agents)\/)` \|/gm)].map((m) =>
    (m[1] as string).replace(/\/$/, ''),
  );
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

const roomOf = (file: string): string => {
  const rel = relative(PROJECT_ROOT, file).split('/');
  return rel[0] === 'agents' ? 'agents' : `${rel[0]}/${rel[1]}`;
};

/** Every relative import of every file: file → imported files. */
function importGraph(): Map<string, string[]> {
  const files = [...sources(join(PROJECT_ROOT, 'src')), ...sources(join(PROJECT_ROOT, 'agents'))];
  const graph = new Map<string, string[]>();
  const spec = /(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    graph.set(
      f,
      [...text.matchAll(spec)].map((m) => resolve(dirname(f), (m[1] as string).replace(/\.js$/, '.ts'))),
    );
  }
  return graph;
}

describe('layers', () => {
  const order = layerOrder();
  const graph = importGraph();

  it('reads the layer order from the README', () => {
    expect(order[0]).toBe('src/cli');
    expect(order.at(-1)).toBe('src/util');
    expect(order).toContain('agents');
    expect(new Set(order).size).toBe(order.length);
  });

  it('places every room of src/ in the table', () => {
    const rooms = readdirSync(join(PROJECT_ROOT, 'src')).filter((n) =>
      statSync(join(PROJECT_ROOT, 'src', n)).isDirectory(),
    );
    for (const r of rooms)
      expect(order, `src/${r}/ is not in the README's Layout table`).toContain(`src/${r}`);
  });

  it('imports only from the same room or a lower one', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const mine = order.indexOf(roomOf(file));
      for (const t of targets) {
        const theirs = order.indexOf(roomOf(t));
        if (theirs < mine)
          wrong.push(
            `${relative(PROJECT_ROOT, file)} (${roomOf(file)}) imports ${relative(PROJECT_ROOT, t)} (${roomOf(t)})`,
          );
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no import circle between files', () => {
    // Tarjan's strongly connected components
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const on = new Set<string>();
    const circles: string[][] = [];
    let n = 0;
    const visit = (v: string) => {
      index.set(v, n);
      low.set(v, n++);
      stack.push(v);
      on.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!graph.has(w)) continue;
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
        } else if (on.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
      if (low.get(v) === index.get(v)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop() as string;
          on.delete(w);
          comp.push(relative(PROJECT_ROOT, w));
        } while (w !== v);
        if (comp.length > 1) circles.push(comp.sort());
      }
    };
    for (const v of graph.keys()) if (!index.has(v)) visit(v);
    expect(circles).toEqual([]);
  });
});

describe('the declarations of stored records and configuration', () => {
  // the one declaration of each record's type must load where the HTML report's page does
  it.each([
    'src/store/schema.ts',
    'src/store/config.ts',
    'src/store/report-record.ts',
    'src/grade/values.ts',
  ])('%s and everything it imports bundle for a platform without Node', async (entry) => {
    const r = await build({
      entryPoints: [join(PROJECT_ROOT, entry)],
      bundle: true,
      platform: 'neutral',
      mainFields: ['module', 'main'],
      write: false,
      logLevel: 'silent',
    }).catch((e: { errors?: Array<{ text: string; location?: { file: string } }> }) => e);
    const errors = 'errors' in r && r.errors ? r.errors : [];
    expect(errors.map((e) => `${e.location?.file}: ${e.text}`)).toEqual([]);
  });

  it('no writer declares a record type by hand beside its schema (no Same<> proofs left)', () => {
    const proofs = [...importGraph().keys()].filter((f) =>
      /\bSame<|\bCheck<Same/.test(readFileSync(f, 'utf8')),
    );
    expect(proofs.map((f) => relative(PROJECT_ROOT, f))).toEqual([]);
  });
});
