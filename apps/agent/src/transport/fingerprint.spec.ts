import { utils } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { sshFingerprint } from './fingerprint';

describe('sshFingerprint', () => {
  it('prints SHA256 of the public key blob like ssh-keygen -lf (unpadded base64)', () => {
    const pair = utils.generateKeyPairSync('ed25519');
    const parsed = utils.parseKey(pair.public);
    if (parsed instanceof Error) throw parsed;
    const fp = sshFingerprint(parsed.getPublicSSH());
    expect(fp).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(sshFingerprint(parsed.getPublicSSH())).toBe(fp);
    const other = utils.parseKey(utils.generateKeyPairSync('ed25519').public);
    if (other instanceof Error) throw other;
    expect(sshFingerprint(other.getPublicSSH())).not.toBe(fp);
  });
});
