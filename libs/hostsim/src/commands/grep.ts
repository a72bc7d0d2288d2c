import { KernelError } from '../errors';
import { readFileLike } from './coreutils';
import { type CommandContext, type CommandHandler, type CommandResult, fail } from './types';

/** BRE -> JS regex: in BRE, \( \) \{ \} \| \+ \? are the operators and the bare ones literal. */
function breToJs(p: string): string {
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\' && i + 1 < p.length) {
      const n = p[++i];
      out += '(){}|+?'.includes(n) ? n : `\\${n}`;
    } else out += '(){}|+?'.includes(c) ? `\\${c}` : c;
  }
  return out;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface GrepArgs {
  patterns: string[];
  files: string[];
  flags: Set<string>;
  maxCount: number;
  mode: 'G' | 'E' | 'F';
}

const USAGE = 'Usage: grep [OPTION]... PATTERNS [FILE]...';

/** Options, patterns and files as GNU grep reads them, or the usage error it prints. */
function parseArgs(args: string[]): GrepArgs | CommandResult {
  const g: GrepArgs = { patterns: [], files: [], flags: new Set<string>(), maxCount: Infinity, mode: 'G' };
  let done = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (done || !a.startsWith('-') || a === '-') {
      g.files.push(a);
      continue;
    }
    if (a === '--') {
      done = true;
      continue;
    }
    if (a.startsWith('--max-count=')) {
      g.maxCount = Number(a.slice(12));
      continue;
    }
    if (a.startsWith('--')) return fail(2, `grep: unrecognized option '${a}'\n${USAGE}`);
    for (let j = 1; j < a.length; j++) {
      const f = a[j];
      if (f === 'e' || f === 'm') {
        const val = j + 1 < a.length ? a.slice(j + 1) : args[++i];
        if (val === undefined) return fail(2, `grep: option requires an argument -- '${f}'`);
        if (f === 'e') g.patterns.push(val);
        else g.maxCount = Number(val);
        break;
      }
      if (f === 'E' || f === 'F' || f === 'G') g.mode = f;
      else if ('HhsqvicnlxwZ'.includes(f)) g.flags.add(f);
      else return fail(2, `grep: invalid option -- '${f}'\n${USAGE}`);
    }
  }
  if (g.patterns.length === 0) {
    const p = g.files.shift();
    if (p === undefined) return fail(2, USAGE);
    g.patterns.push(p);
  }
  return g;
}

/** One JS regex for all patterns (one per line of each), in the dialect of -G, -E or -F, with -x / -w / -i. */
function compile({ patterns, mode, flags }: GrepArgs): RegExp | undefined {
  const source = patterns
    .flatMap((p) => p.split('\n'))
    .map((p) => (mode === 'F' ? escapeRe(p) : mode === 'E' ? p : breToJs(p)))
    .map((p) => (flags.has('x') ? `^(?:${p})$` : flags.has('w') ? `\\b(?:${p})\\b` : p))
    .join('|');
  try {
    return new RegExp(source, flags.has('i') ? 'i' : '');
  } catch {
    return undefined;
  }
}

/** What grep prints for one file's text: matching lines, a count (-c) or the name (-l). */
function matchText(g: GrepArgs, re: RegExp, text: string, name: string, withName: boolean): { out: string; count: number } {
  const { flags, maxCount } = g;
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  let out = '';
  let count = 0;
  for (const line of lines) {
    if (count >= maxCount) break;
    if (re.test(line) === flags.has('v')) continue;
    count++;
    if (!flags.has('c') && !flags.has('q') && !flags.has('l')) out += withName ? `${name}:${line}\n` : `${line}\n`;
  }
  if (flags.has('c')) out += withName ? `${name}:${count}\n` : `${count}\n`;
  if (flags.has('l') && count > 0) out += `${name}\n`;
  return { out, count };
}

async function grepFiles(g: GrepArgs, re: RegExp, ctx: CommandContext): Promise<CommandResult> {
  const { files, flags } = g;
  if (files.length === 0) files.push('-');
  const withName = flags.has('H') || (files.length > 1 && !flags.has('h'));
  let out = '';
  let err = '';
  let selected = false;
  let error = false;
  for (const f of files) {
    let text: string;
    try {
      text = await readFileLike(ctx, f);
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      error = true;
      if (!flags.has('s')) err += `grep: ${f}: ${e.message}\n`;
      continue;
    }
    const found = matchText(g, re, text, f === '-' ? '(standard input)' : f, withName);
    out += found.out;
    if (found.count > 0) selected = true;
  }
  if (flags.has('q')) out = '';
  const code = flags.has('q') && selected ? 0 : error ? 2 : selected ? 0 : 1;
  return { stdout: out, stderr: err, code };
}

/** GNU grep's common options, enough for `grep -H -s '' -- FILES` style batch reads. */
export const grep: CommandHandler = async (args, ctx) => {
  const g = parseArgs(args);
  if (!('patterns' in g)) return g;
  const re = compile(g);
  if (!re) return fail(2, 'grep: Invalid regular expression');
  return grepFiles(g, re, ctx);
};
