import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { defaultKeyId, loadMasterKeyring, MasterKeyError, MasterKeyring } from './master-key';
import { openSecret, sealSecret, SecretOpenError, type SealedSecret } from './secret-box';

const KEY_A = randomBytes(32);
const KEY_B = randomBytes(32);
const PEM = Buffer.from(
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n',
);

const ringA = () => new MasterKeyring({ id: 'a', key: KEY_A });
const flip = (b: Uint8Array, i = 0): Buffer => {
  const c = Buffer.from(b);
  c[i] ^= 0x01;
  return c;
};
const reason = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof SecretOpenError) return e.reason;
    throw e;
  }
  return 'opened';
};

describe('AES-256-GCM secret box', () => {
  it('round-trips, with a fresh 12-byte IV and no plaintext in the ciphertext', () => {
    const ring = ringA();
    const one = sealSecret(ring, 'web', PEM);
    const two = sealSecret(ring, 'web', PEM);
    expect(one.keyId).toBe('a');
    expect(one.iv).toHaveLength(12);
    expect(one.authTag).toHaveLength(16);
    expect(Buffer.from(one.iv).equals(Buffer.from(two.iv))).toBe(false);
    expect(Buffer.from(one.ciphertext).equals(Buffer.from(two.ciphertext))).toBe(false);
    expect(Buffer.from(one.ciphertext).includes(Buffer.from('PRIVATE KEY'))).toBe(false);
    expect(openSecret(ring, 'web', one).equals(PEM)).toBe(true);
    expect(openSecret(ring, 'web', two).equals(PEM)).toBe(true);
  });

  it('refuses a tampered ciphertext, tag or IV, and a row moved to another name or key id', () => {
    const ring = new MasterKeyring({ id: 'a', key: KEY_A }, [{ id: 'b', key: KEY_B }]);
    const s = sealSecret(ring, 'web', PEM);
    expect(reason(() => openSecret(ring, 'web', { ...s, ciphertext: flip(s.ciphertext, 5) }))).toBe('AUTH_FAILED');
    expect(reason(() => openSecret(ring, 'web', { ...s, authTag: flip(s.authTag) }))).toBe('AUTH_FAILED');
    expect(reason(() => openSecret(ring, 'web', { ...s, iv: flip(s.iv) }))).toBe('AUTH_FAILED');
    expect(reason(() => openSecret(ring, 'web', { ...s, authTag: s.authTag.slice(0, 8) }))).toBe('AUTH_FAILED');
    // AAD: the name and the key id are authenticated
    expect(reason(() => openSecret(ring, 'db', s))).toBe('AUTH_FAILED');
    expect(reason(() => openSecret(ring, 'web', { ...s, keyId: 'b' }))).toBe('AUTH_FAILED');
    expect(openSecret(ring, 'web', s).equals(PEM)).toBe(true);
  });

  it('fails with the wrong key and with an unknown key id, naming neither key', () => {
    const s = sealSecret(ringA(), 'web', PEM);
    const wrong = new MasterKeyring({ id: 'a', key: KEY_B });
    expect(reason(() => openSecret(wrong, 'web', s))).toBe('AUTH_FAILED');
    const other = new MasterKeyring({ id: 'b', key: KEY_B });
    let err: unknown;
    try {
      openSecret(other, 'web', s);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SecretOpenError);
    expect((err as Error).message).toContain('"a"');
    expect((err as Error).message).toContain('NETPIN_MASTER_KEY_PREVIOUS');
    expect((err as Error).message).not.toContain(KEY_A.toString('hex'));
  });

  it('rotation: the previous key still opens old rows, new rows seal under the new key id', () => {
    const old = sealSecret(ringA(), 'web', PEM);
    const rotated = new MasterKeyring({ id: 'b', key: KEY_B }, [{ id: 'a', key: KEY_A }]);
    expect(openSecret(rotated, 'web', old).equals(PEM)).toBe(true);
    const again: SealedSecret = sealSecret(rotated, 'web', openSecret(rotated, 'web', old));
    expect(again.keyId).toBe('b');
    // after rotation the old key is no longer needed
    expect(openSecret(new MasterKeyring({ id: 'b', key: KEY_B }), 'web', again).equals(PEM)).toBe(true);
    expect(reason(() => openSecret(ringA(), 'web', again))).toBe('UNKNOWN_KEY');
  });
});

describe('master keyring from the environment', () => {
  const hex = KEY_A.toString('hex');
  const b64 = KEY_B.toString('base64');

  it('reads hex, base64, base64url and "<keyId>:<key>"; derives a stable id otherwise', () => {
    expect(loadMasterKeyring({})).toBeNull();
    expect(loadMasterKeyring({ NETPIN_MASTER_KEY: '  ' })).toBeNull();
    const r = loadMasterKeyring({ NETPIN_MASTER_KEY: hex })!;
    expect(r.currentKeyId).toBe(defaultKeyId(KEY_A));
    expect(r.current.key.equals(KEY_A)).toBe(true);
    expect(loadMasterKeyring({ NETPIN_MASTER_KEY: `2026-11:${b64}` })!.current).toEqual({ id: '2026-11', key: KEY_B });
    expect(loadMasterKeyring({ NETPIN_MASTER_KEY: KEY_B.toString('base64url') })!.current.key.equals(KEY_B)).toBe(true);
    expect(
      loadMasterKeyring({ NETPIN_MASTER_KEY_FILE: '/keys/master' }, (p) => (p === '/keys/master' ? `file-key:${hex}\n` : ''))?.currentKeyId,
    ).toBe('file-key');
  });

  it('takes previous keys for decryption only, ignoring repeats', () => {
    const r = loadMasterKeyring({
      NETPIN_MASTER_KEY: `new:${b64}`,
      NETPIN_MASTER_KEY_PREVIOUS: ` old:${hex} , new:${b64},${randomBytes(32).toString('hex')}`,
    })!;
    expect(r.currentKeyId).toBe('new');
    expect(r.keyIds).toHaveLength(3);
    expect(r.key('old')!.equals(KEY_A)).toBe(true);
  });

  it('never shows key bytes when printed or serialised', () => {
    const r = loadMasterKeyring({ NETPIN_MASTER_KEY: `a:${hex}` })!;
    const shown = `${JSON.stringify(r)} ${inspect(r)} ${JSON.stringify({ config: r })}`;
    expect(shown).toContain('a');
    expect(shown).not.toContain(hex);
    expect(shown).not.toContain(KEY_A.toString('base64'));
  });

  it.each([
    [{ NETPIN_MASTER_KEY: 'too-short' }, 'NETPIN_MASTER_KEY must be 32 bytes as 64 hex digits or base64'],
    [{ NETPIN_MASTER_KEY: randomBytes(16).toString('hex') }, 'NETPIN_MASTER_KEY must be 32 bytes'],
    [{ NETPIN_MASTER_KEY: randomBytes(33).toString('base64') }, 'NETPIN_MASTER_KEY must be 32 bytes'],
    [{ NETPIN_MASTER_KEY: `bad id:${hex}` }, 'NETPIN_MASTER_KEY has an invalid key id'],
    [{ NETPIN_MASTER_KEY: hex, NETPIN_MASTER_KEY_FILE: '/k' }, 'NETPIN_MASTER_KEY and NETPIN_MASTER_KEY_FILE are both set'],
    [{ NETPIN_MASTER_KEY_PREVIOUS: hex }, 'NETPIN_MASTER_KEY_PREVIOUS is set without a current key'],
    [{ NETPIN_MASTER_KEY: `a:${hex}`, NETPIN_MASTER_KEY_PREVIOUS: `a:${b64}` }, 'NETPIN_MASTER_KEY_PREVIOUS entry 1 reuses key id "a"'],
    [{ NETPIN_MASTER_KEY: hex, NETPIN_MASTER_KEY_PREVIOUS: `${b64},nope` }, 'NETPIN_MASTER_KEY_PREVIOUS entry 2 must be 32 bytes'],
    [{ NETPIN_MASTER_KEY_FILE: '/missing' }, 'NETPIN_MASTER_KEY_FILE cannot be read (ENOENT: /missing)'],
    [{ NETPIN_MASTER_KEY_FILE: '/empty' }, 'NETPIN_MASTER_KEY_FILE names an empty file'],
  ])('rejects %j with one line naming the variable and not the value', (env, text) => {
    const readFile = (p: string): string => {
      if (p === '/empty') return '\n';
      throw Object.assign(new Error('no'), { code: 'ENOENT' });
    };
    let err: unknown;
    try {
      loadMasterKeyring(env, readFile);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MasterKeyError);
    const msg = (err as Error).message;
    expect(msg).toContain(text);
    expect(msg).not.toContain('\n');
    for (const v of Object.values(env)) if (v.length > 20) expect(msg).not.toContain(v.split(':').pop());
  });
});
