import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';

/** The longest a function may be, first line to last inclusive (the style rule: it fits on a screen). */
export const MAX_FUNCTION_LINES = 80;

/** A function, method, arrow, function expression or constructor and its length in lines. */
export interface FunctionLength {
  file: string;
  name: string;
  line: number;
  lines: number;
}

type FunctionNode = ts.FunctionLikeDeclaration;

function isFunction(node: ts.Node): node is FunctionNode {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isArrowFunction(node) ||
    ts.isFunctionExpression(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/** The name a reader would search for: its own, or that of the variable/property/class member holding it. */
function nameOf(node: FunctionNode, sf: ts.SourceFile): string {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (node.name) return node.name.getText(sf);
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && parent.name)
    return parent.name.getText(sf);
  if (ts.isCallExpression(parent)) return `(argument of ${parent.expression.getText(sf).slice(0, 40)})`;
  return '(anonymous)';
}

/** Every function-like node of a source text with its length in lines. */
export function functionLengths(file: string, text: string): FunctionLength[] {
  const kind = file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, kind);
  const out: FunctionLength[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunction(node)) {
      const first = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const last = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ file, name: nameOf(node, sf), line: first + 1, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

const EXCLUDED = [/\.(spec|test)\.tsx?$/, /(^|\/)generated\//, /(^|\/)__fixtures__\//, /(^|\/)testing\//];

/** TypeScript sources of apps/ and libs/ (tracked or new, not ignored), tests and generated code excluded. */
export function sourceFiles(root: string): string[] {
  const out = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '--', 'apps', 'libs'], { cwd: root, encoding: 'utf8' });
  return out
    .split('\n')
    .filter((f) => /\.(ts|tsx|mts|cts)$/.test(f) && !f.endsWith('.d.ts'))
    .filter((f) => !EXCLUDED.some((re) => re.test(f)))
    .filter((f) => existsSync(resolve(root, f)))
    .sort();
}

/** Functions longer than `max` lines in the given files, longest first. */
export function longFunctions(root: string, files: string[], max = MAX_FUNCTION_LINES): FunctionLength[] {
  return files
    .flatMap((f) => functionLengths(f, readFileSync(resolve(root, f), 'utf8')))
    .filter((f) => f.lines > max)
    .sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.line - b.line);
}
