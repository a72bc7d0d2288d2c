import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import GithubSlugger from 'github-slugger';
import { marked, type Token, type Tokens } from 'marked';

/** A link in a markdown file that does not lead where it says. */
export interface LinkProblem {
  file: string;
  href: string;
  problem: string;
}

/** Markdown files of the repository: tracked or new, not ignored (node_modules, build output). */
export function markdownFiles(root: string): string[] {
  const out = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '--', '*.md'], { cwd: root, encoding: 'utf8' });
  return out
    .split('\n')
    .filter(Boolean)
    .filter((f) => existsSync(resolve(root, f)))
    .sort();
}

/** Text of a heading as GitHub renders it (code spans, emphasis and links reduced to their text). */
function plainText(tokens: readonly Token[]): string {
  return tokens
    .map((t) => {
      if (t.type === 'html') return '';
      if ('tokens' in t && t.tokens && t.type !== 'codespan') return plainText(t.tokens);
      return 'text' in t ? t.text : '';
    })
    .join('');
}

interface Parsed {
  hrefs: string[];
  anchors: Set<string>;
}

/** Link targets and the anchors GitHub gives the file: heading slugs and HTML ids/names. */
export function parseMarkdown(text: string): Parsed {
  const tokens = marked.lexer(text);
  const slugger = new GithubSlugger();
  const hrefs: string[] = [];
  const anchors = new Set<string>();
  void marked.walkTokens(tokens, (t) => {
    if (t.type === 'heading') anchors.add(slugger.slug(plainText((t as Tokens.Heading).tokens)));
    if (t.type === 'link' || t.type === 'image') hrefs.push((t as Tokens.Link).href);
    if (t.type === 'html') for (const m of t.raw.matchAll(/\s(?:id|name)="([^"]+)"/g)) anchors.add(m[1]);
  });
  // definitions too, used or not ([text][ref] also yields a link token: keep each href once)
  for (const def of Object.values(tokens.links)) hrefs.push(def.href);
  return { hrefs: [...new Set(hrefs)], anchors };
}

const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

/**
 * Every relative link of every file must name a file or folder inside `root`; an #anchor into
 * a markdown file must name one of its headings (or an HTML id). Links with a scheme
 * (https:, mailto:) are someone else's to keep.
 */
export function checkLinks(root: string, files: readonly string[]): LinkProblem[] {
  const parsed = new Map<string, Parsed>();
  const parse = (abs: string): Parsed => {
    let p = parsed.get(abs);
    if (!p) parsed.set(abs, (p = parseMarkdown(readFileSync(abs, 'utf8'))));
    return p;
  };
  const problems: LinkProblem[] = [];
  for (const file of files) {
    const abs = resolve(root, file);
    for (const href of parse(abs).hrefs) {
      if (EXTERNAL.test(href)) continue;
      const problem = checkOne(root, abs, href, parse);
      if (problem) problems.push({ file, href, problem });
    }
  }
  return problems;
}

function checkOne(root: string, from: string, href: string, parse: (abs: string) => Parsed): string | null {
  const [rawPath, anchor] = splitHref(href);
  const target = rawPath === '' ? from : rawPath.startsWith('/') ? resolve(root, `.${rawPath}`) : resolve(dirname(from), rawPath);
  const inside = relative(root, target);
  if (inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) return 'leads outside the repository';
  if (!existsSync(target)) return `${inside || '.'} does not exist`;
  if (anchor === undefined || !target.endsWith('.md') || statSync(target).isDirectory()) return null;
  return parse(target).anchors.has(anchor.toLowerCase()) ? null : `${inside} has no heading or id "#${anchor}"`;
}

function splitHref(href: string): [string, string | undefined] {
  const hash = href.indexOf('#');
  const path = hash === -1 ? href : href.slice(0, hash);
  const anchor = hash === -1 ? undefined : decodeURIComponent(href.slice(hash + 1));
  return [decodeURIComponent(path.split('?')[0]), anchor];
}
