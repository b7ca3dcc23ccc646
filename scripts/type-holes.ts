/**
 * Where src/ and agents/ step around the type checker, read with the TypeScript compiler's own
 * parser: `as` casts (not `as const`) and `.catch(() => …)` handlers that drop the error they
 * catch. Each is allowed with a one-line reason: a `//` comment on its line or the line above.
 *
 *   node --import tsx scripts/type-holes.ts [--list] [--check]
 *
 * prints the counts (all, with a reason, without), `--list` each one without a reason, and
 * `--check` exits 1 when one has none.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = join(import.meta.dirname, '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : n.endsWith('.ts') ? [p] : [];
  });
}

type Kind = 'cast' | 'swallowed catch';
interface Hole {
  readonly kind: Kind;
  readonly where: string;
  readonly text: string;
  readonly reasoned: boolean;
}

const isConstCast = (n: ts.AsExpression) =>
  ts.isTypeReferenceNode(n.type) && ts.isIdentifier(n.type.typeName) && n.type.typeName.text === 'const';

/** A `.catch(h)` whose handler takes no parameter: the error is dropped unread. */
function isSwallowingCatch(n: ts.CallExpression): boolean {
  const callee = n.expression;
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'catch') return false;
  const h = n.arguments[0];
  return !!h && (ts.isArrowFunction(h) || ts.isFunctionExpression(h)) && h.parameters.length === 0;
}

function holesOf(file: string): Hole[] {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: Hole[] = [];
  const reasoned = (line: number) =>
    /\/\/\s*\S/.test(lines[line] ?? '') || /^\s*\/\/\s*\S/.test(lines[line - 1] ?? '');
  const add = (kind: Kind, node: ts.Node) => {
    const line = src.getLineAndCharacterOfPosition(node.getStart(src)).line;
    out.push({
      kind,
      where: `${relative(root, file)}:${line + 1}`,
      text: (lines[line] ?? '').trim().slice(0, 110),
      reasoned: reasoned(line),
    });
  };
  const visit = (node: ts.Node) => {
    if (ts.isAsExpression(node) && !isConstCast(node)) add('cast', node);
    if (ts.isTypeAssertionExpression(node)) add('cast', node);
    if (ts.isCallExpression(node) && isSwallowingCatch(node)) add('swallowed catch', node);
    ts.forEachChild(node, visit);
  };
  visit(src);
  return out;
}

const list = process.argv.includes('--list');
const check = process.argv.includes('--check');
const all = [...files(join(root, 'src')), ...files(join(root, 'agents'))].flatMap(holesOf);
const plural = { cast: 'casts', 'swallowed catch': 'swallowed catches' } as const;
for (const kind of ['cast', 'swallowed catch'] as const) {
  const of = all.filter((h) => h.kind === kind);
  const bare = of.filter((h) => !h.reasoned);
  console.log(
    `${plural[kind]}: ${of.length} (${of.length - bare.length} with a reason, ${bare.length} without)`,
  );
  if (list) for (const h of bare) console.log(`  ${h.where}  ${h.text}`);
}
const bare = all.filter((h) => !h.reasoned).length;
process.exitCode = check && bare ? 1 : 0;
