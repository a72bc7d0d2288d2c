import { describe, expect, it } from 'vitest';
import { summarise } from './audit.interceptor';
import { hashToken, newToken, sameSecret, tokenPrefix, verifyToken } from './tokens';

describe('API tokens', () => {
  it('are verified against their scrypt hash and nothing else', async () => {
    const { token, prefix } = newToken();
    expect(tokenPrefix(token)).toBe(prefix);
    const stored = await hashToken(token);
    expect(stored).not.toContain(token);
    expect(await verifyToken(token, stored)).toBe(true);
    expect(await verifyToken(newToken().token, stored)).toBe(false);
    expect(await verifyToken(token, 'md5$whatever')).toBe(false);
  });
  it('have a strict format and compare in constant time', () => {
    expect(tokenPrefix('np_short_x')).toBeNull();
    expect(sameSecret('a', 'a')).toBe(true);
    expect(sameSecret('a', 'ab')).toBe(false);
  });
});

describe('audit input summaries', () => {
  it('redact secret-looking keys and cut long strings', () => {
    const s = summarise({ name: 'x', token: 'np_abc', nested: { privateKey: 'k', note: 'y'.repeat(500) } }) as Record<string, unknown>;
    expect(s.token).toBe('[redacted]');
    expect((s.nested as Record<string, unknown>).privateKey).toBe('[redacted]');
    expect(String((s.nested as Record<string, unknown>).note)).toMatch(/500 chars/);
  });
  it('redact key material under any field name, in GraphQL args and REST bodies alike', () => {
    const pem =
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB\n-----END OPENSSH PRIVATE KEY-----\n';
    const gql = JSON.stringify(summarise({ input: { name: 'rack-1', privateKey: pem, note: pem } }));
    const rest = JSON.stringify(summarise({ params: {}, body: { name: 'rack-1', key: pem } }));
    for (const s of [gql, rest]) {
      expect(s).toContain('rack-1');
      expect(s).not.toMatch(/PRIVATE KEY|b3BlbnNzaC1rZXkt/);
    }
  });
});
