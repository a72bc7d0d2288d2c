import { KernelError } from '../errors';
import { readFileLike } from './coreutils';
import { type CommandHandler, fail } from './types';

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

/** GNU grep's common options, enough for `grep -H -s '' -- FILES` style batch reads. */
export const grep: CommandHandler = async (args, ctx) => {
  const patterns: string[] = [];
  const files: string[] = [];
  const flags = new Set<string>();
  let maxCount = Infinity;
  let mode: 'G' | 'E' | 'F' = 'G';
  let done = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (done || !a.startsWith('-') || a === '-') {
      files.push(a);
      continue;
    }
    if (a === '--') {
      done = true;
      continue;
    }
    if (a.startsWith('--max-count=')) {
      maxCount = Number(a.slice(12));
      continue;
    }
    if (a.startsWith('--')) return fail(2, `grep: unrecognized option '${a}'\nUsage: grep [OPTION]... PATTERNS [FILE]...`);
    for (let j = 1; j < a.length; j++) {
      const f = a[j];
      if (f === 'e' || f === 'm') {
        const val = j + 1 < a.length ? a.slice(j + 1) : args[++i];
        if (val === undefined) return fail(2, `grep: option requires an argument -- '${f}'`);
        if (f === 'e') patterns.push(val);
        else maxCount = Number(val);
        break;
      }
      if (f === 'E' || f === 'F' || f === 'G') mode = f;
      else if ('HhsqvicnlxwZ'.includes(f)) flags.add(f);
      else return fail(2, `grep: invalid option -- '${f}'\nUsage: grep [OPTION]... PATTERNS [FILE]...`);
    }
  }
  if (patterns.length === 0) {
    const p = files.shift();
    if (p === undefined) return fail(2, 'Usage: grep [OPTION]... PATTERNS [FILE]...');
    patterns.push(p);
  }
  const source = patterns
    .flatMap((p) => p.split('\n'))
    .map((p) => (mode === 'F' ? escapeRe(p) : mode === 'E' ? p : breToJs(p)))
    .map((p) => (flags.has('x') ? `^(?:${p})$` : flags.has('w') ? `\\b(?:${p})\\b` : p))
    .join('|');
  let re: RegExp;
  try {
    re = new RegExp(source, flags.has('i') ? 'i' : '');
  } catch {
    return fail(2, 'grep: Invalid regular expression');
  }
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
    const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
    const name = f === '-' ? '(standard input)' : f;
    let count = 0;
    for (const line of lines) {
      if (count >= maxCount) break;
      if (re.test(line) === flags.has('v')) continue;
      count++;
      if (!flags.has('c') && !flags.has('q') && !flags.has('l')) out += withName ? `${name}:${line}\n` : `${line}\n`;
    }
    if (count > 0) selected = true;
    if (flags.has('c')) out += withName ? `${name}:${count}\n` : `${count}\n`;
    if (flags.has('l') && count > 0) out += `${name}\n`;
  }
  if (flags.has('q')) out = '';
  const code = flags.has('q') && selected ? 0 : error ? 2 : selected ? 0 : 1;
  return { stdout: out, stderr: err, code };
};
