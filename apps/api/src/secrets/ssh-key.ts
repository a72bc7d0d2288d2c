import { BadUserInputError } from '@netpin/contracts';
import { createHash } from 'node:crypto';
import { utils } from 'ssh2';

export interface CheckedPrivateKey {
  /** The key text as given, for sealing; the caller zeroes it. */
  privateKey: Buffer;
  /** OpenSSH's "SHA256:..." fingerprint of the public half (what `ssh-keygen -l` prints). */
  fingerprint: string;
  /** "<type> <base64>" as in an authorized_keys line. */
  publicKey: string;
}

const refuse = (message: string): BadUserInputError => BadUserInputError.of('privateKey', message);

/**
 * Accept only an unencrypted private key that ssh2 can use (the agent holds no
 * passphrases). Error messages describe the problem, never the key.
 */
export function checkPrivateKey(text: string): CheckedPrivateKey {
  const privateKey = Buffer.from(text.endsWith('\n') ? text : `${text}\n`, 'utf8');
  const parsed = utils.parseKey(privateKey);
  if (parsed instanceof Error) {
    privateKey.fill(0);
    if (/encrypted/i.test(parsed.message) || /passphrase/i.test(parsed.message)) {
      throw refuse('privateKey is encrypted with a passphrase: store an unencrypted key (the secret store encrypts it at rest)');
    }
    throw refuse('privateKey is not an SSH private key that ssh2 can read (OpenSSH, PEM RSA/ECDSA or PPK)');
  }
  if (Array.isArray(parsed)) {
    privateKey.fill(0);
    throw refuse('privateKey must hold exactly one key');
  }
  if (!parsed.isPrivateKey()) {
    privateKey.fill(0);
    throw refuse('privateKey is a public key: give the private half');
  }
  const blob = parsed.getPublicSSH();
  return {
    privateKey,
    fingerprint: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`,
    publicKey: `${parsed.type} ${blob.toString('base64')}`,
  };
}
