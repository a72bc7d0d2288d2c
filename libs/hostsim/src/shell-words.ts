/**
 * A POSIX shell-words tokenizer for the small shell subset hostsim executes: quoting
 * (single, double, backslash), lists (`;`, `&&`, `||`), and stdout/stderr/stdin
 * redirection. Expansions ($VAR, $(...), backticks, globs) are refused rather than
 * half-implemented, so a client that relies on them fails loudly in tests.
 */
export type Token = { kind: 'word'; value: string } | { kind: 'op'; value: string };

export class ShellSyntaxError extends Error {
  readonly code = 'SHELL_SYNTAX';
}

const OPERATORS = ['&&', '||', '>>', '2>>', '2>&1', '2>', ';', '|', '&', '>', '<', '(', ')'];

export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const flush = (): void => {
    if (inWord) tokens.push({ kind: 'word', value: word });
    word = '';
    inWord = false;
  };
  while (i < input.length) {
    const ch = input[i];
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      flush();
      i++;
      continue;
    }
    if (ch === '#' && !inWord) break;
    if (ch === "'") {
      const end = input.indexOf("'", i + 1);
      if (end < 0) throw new ShellSyntaxError("unexpected EOF while looking for matching `''");
      word += input.slice(i + 1, end);
      inWord = true;
      i = end + 1;
      continue;
    }
    if (ch === '"') {
      i++;
      inWord = true;
      for (;;) {
        if (i >= input.length) throw new ShellSyntaxError('unexpected EOF while looking for matching `"\'');
        const c = input[i];
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\' && i + 1 < input.length && '$`"\\\n'.includes(input[i + 1])) {
          if (input[i + 1] !== '\n') word += input[i + 1];
          i += 2;
          continue;
        }
        if (c === '$' || c === '`') throw new ShellSyntaxError(`expansion is not supported by hostsim: ${input.slice(i, i + 8)}`);
        word += c;
        i++;
      }
      continue;
    }
    if (ch === '\\') {
      if (i + 1 < input.length && input[i + 1] !== '\n') {
        word += input[i + 1];
        inWord = true;
      }
      i += 2;
      continue;
    }
    if (ch === '$' || ch === '`') throw new ShellSyntaxError(`expansion is not supported by hostsim: ${input.slice(i, i + 8)}`);
    // "2>" is an operator only when the 2 is a word of its own.
    const op = OPERATORS.find((o) => input.startsWith(o, i) && (!o.startsWith('2') || !inWord));
    if (op !== undefined) {
      flush();
      tokens.push({ kind: 'op', value: op });
      i += op.length;
      continue;
    }
    word += ch;
    inWord = true;
    i++;
  }
  flush();
  return tokens;
}

/** Quote one argument the way the agent does, for logs and error messages. */
export function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export interface Redirect {
  fd: 1 | 2;
  append: boolean;
  /** A path, or "&1" for 2>&1. */
  target: string;
}

export interface SimpleCommand {
  argv: string[];
  redirects: Redirect[];
  stdinFile?: string;
}

export interface ListItem {
  /** How this command is joined to the previous one. */
  join: ';' | '&&' | '||';
  command: SimpleCommand;
}

/** Parse tokens into a command list; pipelines, background jobs and subshells are refused. */
export function parseList(tokens: Token[]): ListItem[] {
  const items: ListItem[] = [];
  let join: ListItem['join'] = ';';
  let current: SimpleCommand = { argv: [], redirects: [] };
  const finish = (): void => {
    if (current.argv.length === 0) {
      if (current.redirects.length > 0 || current.stdinFile !== undefined)
        throw new ShellSyntaxError('redirection without a command is not supported by hostsim');
      return;
    }
    items.push({ join, command: current });
    current = { argv: [], redirects: [] };
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'word') {
      current.argv.push(t.value);
      continue;
    }
    switch (t.value) {
      case ';':
      case '&&':
      case '||':
        if (current.argv.length === 0) throw new ShellSyntaxError(`syntax error near unexpected token \`${t.value}'`);
        finish();
        join = t.value;
        break;
      case '>':
      case '>>':
      case '2>':
      case '2>>':
      case '<': {
        const next = tokens[i + 1];
        if (next === undefined || next.kind !== 'word') throw new ShellSyntaxError("syntax error near unexpected token `newline'");
        i++;
        if (t.value === '<') current.stdinFile = next.value;
        else current.redirects.push({ fd: t.value.startsWith('2') ? 2 : 1, append: t.value.endsWith('>>'), target: next.value });
        break;
      }
      case '2>&1':
        current.redirects.push({ fd: 2, append: false, target: '&1' });
        break;
      default:
        throw new ShellSyntaxError(`'${t.value}' is not supported by hostsim (simple commands, lists and redirections only)`);
    }
  }
  finish();
  return items;
}
