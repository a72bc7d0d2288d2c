import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { MasterKeyring } from './master-key';

/**
 * AES-256-GCM for secrets at rest. Every encryption draws a fresh 12-byte IV; the
 * additional authenticated data binds the ciphertext to the secret's name and the id of
 * the key that sealed it, so a row copied under another name, or relabelled with another
 * key id, fails to open instead of decrypting to someone else's key.
 */

export const SECRET_IV_BYTES = 12;
const TAG_BYTES = 16;
const AAD_VERSION = 'netpin/ssh-secret/v1';

export interface SealedSecret<B extends ArrayBufferLike = ArrayBufferLike> {
  keyId: string;
  iv: Uint8Array<B>;
  ciphertext: Uint8Array<B>;
  authTag: Uint8Array<B>;
}

/** Why a sealed secret could not be opened. Messages name the secret and key id, never bytes. */
export class SecretOpenError extends Error {
  constructor(
    readonly reason: 'UNKNOWN_KEY' | 'AUTH_FAILED',
    readonly secretName: string,
    readonly keyId: string,
  ) {
    super(
      reason === 'UNKNOWN_KEY'
        ? `secret ${secretName} is encrypted under master key "${keyId}", which is not configured here (add it to NETPIN_MASTER_KEY_PREVIOUS)`
        : `secret ${secretName} failed authentication under master key "${keyId}" (wrong key, or the stored row was altered)`,
    );
    this.name = 'SecretOpenError';
  }
}

export function secretAad(name: string, keyId: string): Buffer {
  return Buffer.from(`${AAD_VERSION}\0${name}\0${keyId}`, 'utf8');
}

/** Encrypt under the ring's current key. */
export function sealSecret(ring: MasterKeyring, name: string, plaintext: Uint8Array): SealedSecret<ArrayBuffer> {
  const { id, key } = ring.current;
  const iv = randomBytes(SECRET_IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(secretAad(name, id));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  // plain ArrayBuffer-backed copies: what the database client takes for Bytes columns
  return { keyId: id, iv: new Uint8Array(iv), ciphertext: new Uint8Array(ciphertext), authTag: new Uint8Array(cipher.getAuthTag()) };
}

/** Decrypt with whichever key of the ring sealed it; throws SecretOpenError otherwise. */
export function openSecret(ring: MasterKeyring, name: string, sealed: SealedSecret): Buffer {
  const key = ring.key(sealed.keyId);
  if (!key) throw new SecretOpenError('UNKNOWN_KEY', name, sealed.keyId);
  if (sealed.iv.length !== SECRET_IV_BYTES || sealed.authTag.length !== TAG_BYTES)
    throw new SecretOpenError('AUTH_FAILED', name, sealed.keyId);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(secretAad(name, sealed.keyId));
    decipher.setAuthTag(sealed.authTag);
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
  } catch {
    throw new SecretOpenError('AUTH_FAILED', name, sealed.keyId);
  }
}
