import { utils } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { generateEd25519 } from '@netpin/hostsim';
import { sshFingerprint } from './fingerprint';

describe('sshFingerprint', () => {
  it('prints SHA256 of the public key blob like ssh-keygen -lf (unpadded base64)', () => {
    const pair = generateEd25519('fingerprint');
    const parsed = utils.parseKey(pair.public);
    if (parsed instanceof Error) throw parsed;
    const fp = sshFingerprint(parsed.getPublicSSH());
    expect(fp).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(sshFingerprint(parsed.getPublicSSH())).toBe(fp);
    const other = utils.parseKey(generateEd25519('fingerprint').public);
    if (other instanceof Error) throw other;
    expect(sshFingerprint(other.getPublicSSH())).not.toBe(fp);
  });
});
