import { describe, expect, it } from 'vitest';
import { cleanHostText, operationErrorSchema, stateDiffEntrySchema } from './index';

const ESC = '\u001b';

describe('cleanHostText', () => {
  it('removes CSI and OSC escape sequences, C0/C1 controls and bidi overrides, keeping newlines and tabs', () => {
    const raw = `${ESC}[1;31merror${ESC}[0m: ${ESC}]0;title\u0007bad\tvalue\u0000\u0008\u009b2J\u202Eevil\u2066x\nnext`;
    expect(cleanHostText(raw, 1000)).toBe('error: bad\tvalueevilx\nnext');
  });

  it('turns carriage returns into newlines so a line cannot overwrite itself', () => {
    expect(cleanHostText('ok\rFAKE\r\nend', 100)).toBe('ok\nFAKE\nend');
  });

  it('cuts long text to the limit and says how much was left out', () => {
    const out = cleanHostText('x'.repeat(10_000), 100);
    expect(out).toHaveLength(100);
    expect(out).toMatch(/^x+… \(9\d\d\d more characters\)$/);
    expect(cleanHostText('short', 100)).toBe('short');
  });

  it('is applied where results are parsed: error message and stderr, and what verify read', () => {
    const e = operationErrorSchema.parse({ code: 'COMMAND_FAILED', message: `a${ESC}[2Jb`, stderr: `${'y'.repeat(5000)}${ESC}c` });
    expect(e.message).toBe('ab');
    expect(e.stderr!.length).toBeLessThanOrEqual(4096);
    expect(e.stderr).not.toContain(ESC);
    expect(stateDiffEntrySchema.parse({ field: 'domain.state', expected: 'running', actual: `paused${ESC}]0;x\u0007` }).actual).toBe(
      'paused',
    );
  });
});
