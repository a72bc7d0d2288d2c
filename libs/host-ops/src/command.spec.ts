import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shellQuote } from './command';
import { HostCommandArgumentError } from './errors';

/** POSIX word splitting for the subset shellQuote emits: bare words, '...' and \' . */
function posixWords(s: string): string[] {
  const words: string[] = [];
  let cur: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === ' ') {
      if (cur !== null) words.push(cur);
      cur = null;
    } else if (ch === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new Error('unterminated quote');
      cur = (cur ?? '') + s.slice(i + 1, end);
      i = end;
    } else if (ch === '\\') {
      cur = (cur ?? '') + s[++i];
    } else {
      if (!/[A-Za-z0-9_./:=,@%+-]/.test(ch)) throw new Error(`unquoted special character ${ch}`);
      cur = (cur ?? '') + ch;
    }
  }
  if (cur !== null) words.push(cur);
  return words;
}

describe('shellQuote', () => {
  it('leaves safe words bare and quotes the rest', () => {
    expect(shellQuote(['ip', 'link', 'set', 'ens1f0', 'vf', '3', 'mac', '52:54:00:12:34:56'])).toBe(
      'ip link set ens1f0 vf 3 mac 52:54:00:12:34:56',
    );
    expect(shellQuote(['grep', '-H', '-s', '', '--', '/proc/irq/45/smp_affinity_list'])).toBe(
      "grep -H -s '' -- /proc/irq/45/smp_affinity_list",
    );
    expect(shellQuote(['echo', 'it\'s $(rm -rf /); `x` "y" *'])).toBe(`echo 'it'\\''s $(rm -rf /); \`x\` "y" *'`);
  });

  it('round-trips any argv through POSIX word splitting', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'grapheme-ascii' }).filter((s) => !s.includes('\0')),
          { minLength: 1, maxLength: 6 },
        ),
        (argv) => {
          expect(posixWords(shellQuote(argv))).toEqual(argv);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses NUL bytes and empty argv', () => {
    expect(() => shellQuote(['cat', 'a\0b'])).toThrow(HostCommandArgumentError);
    expect(() => shellQuote([])).toThrow(HostCommandArgumentError);
  });
});
