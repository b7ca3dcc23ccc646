/**
 * The longest functions of src/ and agents/ (lines from the declaration to its closing brace),
 * read with the TypeScript compiler's own parser: `node --import tsx scripts/longest-functions.ts [N]`
 * prints the N longest (default 10), and exits 1 when one is over LIMIT (80) lines. `npm test` runs it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const LIMIT = 80;
const root = join(import.meta.dirname, '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : n.endsWith('.ts') ? [p] : [];
  });
}

interface Fn {
  readonly where: string;
  readonly name: string;
  readonly lines: number;
}

function functionsOf(file: string): Fn[] {
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: Fn[] = [];
  const visit = (node: ts.Node, owner: string) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = src.getLineAndCharacterOfPosition(node.getStart(src)).line;
      const end = src.getLineAndCharacterOfPosition(node.getEnd()).line;
      const named = node.name && ts.isIdentifier(node.name) ? node.name.text : owner;
      out.push({
        where: `${relative(root, file)}:${start + 1}`,
        name: named || '(anonymous)',
        lines: end - start + 1,
      });
      ts.forEachChild(node, (c) => visit(c, named || owner));
      return;
    }
    const name =
      ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)
        ? node.name.text
        : ts.isPropertyAssignment(node) && ts.isIdentifier(node.name)
          ? node.name.text
          : owner;
    ts.forEachChild(node, (c) => visit(c, name));
  };
  visit(src, '');
  return out;
}

const n = Number(process.argv[2] ?? 10);
const all = [...files(join(root, 'src')), ...files(join(root, 'agents'))].flatMap(functionsOf);
all.sort((a, b) => b.lines - a.lines);
for (const f of all.slice(0, n)) console.log(`${String(f.lines).padStart(5)}  ${f.name}  ${f.where}`);
const over = all.filter((f) => f.lines > LIMIT);
console.log(`${over.length} function(s) over ${LIMIT} lines`);
process.exitCode = over.length ? 1 : 0;
