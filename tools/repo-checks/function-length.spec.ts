import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { functionLengths, longFunctions, sourceFiles } from './function-length';

const root = resolve(__dirname, '../..');

describe('function length in apps/ and libs/', () => {
  const files = sourceFiles(root);

  it('looks at the sources and leaves out tests and generated code', () => {
    expect(files).toContain('apps/api/src/main.ts');
    expect(files).toContain('apps/web/src/main.tsx');
    expect(files.filter((f) => /\.spec\.tsx?$|\/generated\/|__fixtures__|\/testing\/|node_modules/.test(f))).toEqual([]);
  });

  it('no function is longer than 80 lines (split it: named steps, sub-components, hooks)', () => {
    expect(longFunctions(root, files).map((f) => `${f.file}:${f.line} ${f.name} ${f.lines} lines`)).toEqual([]);
  });
});

describe('the function length counter', () => {
  const body = (n: number): string => Array.from({ length: n }, (_, i) => `  const v${i} = ${i};`).join('\n');

  it('counts declarations, methods, constructors, arrows and function expressions, first line to last inclusive', () => {
    const source = [
      `export function decl(): void {\n${body(3)}\n}`,
      `class K {\n  constructor() {\n${body(2)}\n  }\n  method(): void {}\n}`,
      `const arrow = (): void => {\n${body(1)}\n};`,
      `const obj = { fn: function (): void {\n${body(4)}\n} };`,
      `[1].map((x) => x);`,
    ].join('\n');
    const found = functionLengths('a.ts', source).map((f) => [f.name, f.line, f.lines]);
    expect(found).toEqual([
      ['decl', 1, 5],
      ['constructor', 7, 4],
      ['method', 11, 1],
      ['arrow', 13, 3],
      ['fn', 16, 6],
      ['(argument of [1].map)', 22, 1],
    ]);
  });

  it('parses JSX and reports an inner function on its own', () => {
    const source = `export function Page() {\n  const onClick = () => {\n${body(80)}\n  };\n  return <button onClick={onClick}>go</button>;\n}`;
    const found = functionLengths('Page.tsx', source).map((f) => [f.name, f.lines]);
    expect(found).toEqual([
      ['Page', 85],
      ['onClick', 82],
    ]);
  });

  describe('over files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fn-length-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'long.ts'), `export function long(): void {\n${body(79)}\n}\nexport const short = () => 1;\n`);
    writeFileSync(join(dir, 'src', 'ok.ts'), `export function ok(): void {\n${body(78)}\n}\n`);

    it('lists only functions over the limit', () => {
      expect(longFunctions(dir, ['src/long.ts', 'src/ok.ts'])).toEqual([{ file: 'src/long.ts', name: 'long', line: 1, lines: 81 }]);
      expect(longFunctions(dir, ['src/long.ts', 'src/ok.ts'], 81)).toEqual([]);
    });
  });
});
