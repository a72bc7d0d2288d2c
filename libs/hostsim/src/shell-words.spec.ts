import { describe, expect, it } from 'vitest';
import { ShellSyntaxError, parseList, shellQuote, tokenize } from './shell-words';

const words = (s: string): string[] => tokenize(s).map((t) => t.value);

describe('tokenize', () => {
  it('undoes the agent quoting of every argument', () => {
    const argv = ['ip', 'link', 'set', 'ens1f0', 'vf', '3', 'mac', '52:54:00:aa:bb:cc', "it's", 'a b', ''];
    expect(words(argv.map(shellQuote).join(' '))).toEqual(argv);
  });

  it('handles double quotes with escapes and backslashes outside quotes', () => {
    expect(words('echo "a \\"b\\" \\\\ c" d\\ e \'f"g\'')).toEqual(['echo', 'a "b" \\ c', 'd e', 'f"g']);
  });

  it('keeps quoted operators as words and splits unquoted ones', () => {
    expect(tokenize("echo '>' x>y")).toEqual([
      { kind: 'word', value: 'echo' },
      { kind: 'word', value: '>' },
      { kind: 'word', value: 'x' },
      { kind: 'op', value: '>' },
      { kind: 'word', value: 'y' },
    ]);
  });

  it('treats 2> as a redirect only at the start of a word', () => {
    expect(tokenize('cat a 2>/dev/null').map((t) => t.kind)).toEqual(['word', 'word', 'op', 'word']);
    expect(words('echo a2>b')).toEqual(['echo', 'a2', '>', 'b']);
  });

  it('refuses unterminated quotes and expansions', () => {
    expect(() => tokenize("echo 'abc")).toThrow(ShellSyntaxError);
    expect(() => tokenize('echo $HOME')).toThrow(ShellSyntaxError);
    expect(() => tokenize('echo "$(id)"')).toThrow(ShellSyntaxError);
    expect(words("echo '$HOME'")).toEqual(['echo', '$HOME']);
  });
});

describe('parseList', () => {
  it('splits lists and collects redirections', () => {
    const items = parseList(tokenize('test -e /dev/kvm && echo 4 > /tmp/x 2>&1 || true; cat < /tmp/x'));
    expect(items.map((i) => i.join)).toEqual([';', '&&', '||', ';']);
    expect(items[1].command).toEqual({
      argv: ['echo', '4'],
      redirects: [
        { fd: 1, append: false, target: '/tmp/x' },
        { fd: 2, append: false, target: '&1' },
      ],
    });
    expect(items[3].command.stdinFile).toBe('/tmp/x');
  });

  it('refuses pipelines and background jobs', () => {
    expect(() => parseList(tokenize('cat /proc/interrupts | grep ens'))).toThrow(/not supported/);
    expect(() => parseList(tokenize('sleep 1 &'))).toThrow(ShellSyntaxError);
  });
});
