import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkLinks, markdownFiles, parseMarkdown } from './markdown-links';

const root = resolve(__dirname, '../..');

describe('markdown links of the repository', () => {
  const files = markdownFiles(root);

  it('finds the README and the docs', () => {
    expect(files).toContain('README.md');
    expect(files).toContain('docs/architecture.md');
    expect(files.some((f) => f.startsWith('node_modules/'))).toBe(false);
  });

  it('every relative link names a file inside the repository, and every #anchor a heading of it', () => {
    expect(checkLinks(root, files)).toEqual([]);
  });

  it('no document points at material outside the repository', () => {
    // the team's shared notes live outside the repository: the docs must stand on their own
    const outside = /\/work\/shared|kvm-network-datapaths\.md|\bSTYLE\.md\b/;
    expect(files.filter((f) => outside.test(readFileSync(resolve(root, f), 'utf8')))).toEqual([]);
  });
});

describe('the link checker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'md-links-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'docs'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'a.ts'), '');
  writeFileSync(
    join(dir, 'docs', 'guide.md'),
    ['# Guide', '## Flow → files', '## `vm.apply` *steps*', '## Flow → files', '<a id="custom"></a>', ''].join('\n'),
  );

  it('accepts files, folders, headings (duplicates numbered), HTML ids and external links', () => {
    writeFileSync(
      join(dir, 'README.md'),
      [
        '[guide](docs/guide.md) [src](src/) [a](./src/a.ts) [root](/docs/guide.md#guide)',
        '[flow](docs/guide.md#flow--files) [again](docs/guide.md#flow--files-1) [code](docs/guide.md#vmapply-steps)',
        '[id](docs/guide.md#custom) [self](#title) [web](https://example.org/x.md#nope) [mail](mailto:a@b)',
        '',
        '## Title',
        '',
        '| a | b |',
        '|---|---|',
        '| [in a table](docs/guide.md) | [ref][r] |',
        '',
        '[r]: src/a.ts',
      ].join('\n'),
    );
    expect(checkLinks(dir, ['README.md'])).toEqual([]);
  });

  it('reports missing files, missing anchors and links that leave the repository', () => {
    writeFileSync(
      join(dir, 'README.md'),
      [
        '[gone](docs/gone.md) [anchor](docs/guide.md#nowhere) [out](../outside.md) [self](#missing)',
        '',
        '| [in a table](src/b.ts) |',
        '|---|',
        '',
        'see [ref][r]',
        '',
        '[r]: ./kvm-network-datapaths.md',
      ].join('\n'),
    );
    expect(checkLinks(dir, ['README.md']).map((p) => [p.href, p.problem])).toEqual([
      ['docs/gone.md', 'docs/gone.md does not exist'],
      ['docs/guide.md#nowhere', 'docs/guide.md has no heading or id "#nowhere"'],
      ['../outside.md', 'leads outside the repository'],
      ['#missing', 'README.md has no heading or id "#missing"'],
      ['src/b.ts', 'src/b.ts does not exist'],
      ['./kvm-network-datapaths.md', 'kvm-network-datapaths.md does not exist'],
    ]);
  });

  it('ignores link syntax inside code', () => {
    expect(parseMarkdown('```\n[not](a link)\n```\n\n`[nor](this)`').hrefs).toEqual([]);
  });
});
